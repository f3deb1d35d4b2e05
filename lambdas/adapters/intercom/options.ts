/** Options of the Intercom conversations adapter, with their documented defaults. */
import { z } from 'zod';

export const INTERCOM_DEFAULTS = {
  /**
   * `page`: one API response of List or Search conversations, `{ "conversations": [...], "pages": ... }`;
   * `records`: a JSON array or JSON Lines of Conversation objects (one per line).
   */
  layout: 'page',
} as const;

export const intercomOptionsSchema = z.object({
  layout: z.enum(['page', 'records']).default(INTERCOM_DEFAULTS.layout),
  /** Team names by team id; the conversation carries only `team_assignee_id`, used as-is otherwise. */
  teamNames: z.record(z.string(), z.string().min(1)).default({}),
  /** Conversation data attribute (`custom_attributes`) holding the category. */
  categoryAttribute: z.string().min(1).optional(),
});

export type IntercomOptions = z.output<typeof intercomOptionsSchema>;
