/** Options of the Zendesk adapter, with their documented defaults. */
import { z } from 'zod';
import { CHANNELS } from '../../core/schema/canonical.ts';

export const ZENDESK_DEFAULTS = {
  /** Rating scale of the customizable CSAT question: Zendesk offers 2, 3 or 5 options rated from 1. */
  csatScale: { min: 1, max: 5 },
  /** Tags that mark a ticket as escalated (none: Zendesk has no escalation field). */
  escalationTags: [] as string[],
} as const;

const minutes = z.number().positive();

export const zendeskOptionsSchema = z.object({
  /** Group names by group id; the export carries only `group_id`, which is used as-is otherwise. */
  groupNames: z.record(z.string(), z.string().min(1)).default({}),
  /** Custom field whose value is the ticket's category. */
  categoryCustomFieldId: z.number().int().positive().optional(),
  /** Tag prefix that marks the category tag, e.g. `topic_` for `topic_refund` → `refund`. */
  categoryTagPrefix: z.string().min(1).optional(),
  escalationTags: z.array(z.string().min(1)).default([...ZENDESK_DEFAULTS.escalationTags]),
  /** Extra or overriding `via.channel` mappings, e.g. `{ "any_channel": "social" }`. */
  channelMap: z.record(z.string(), z.enum(CHANNELS)).default({}),
  /**
   * SLA targets in minutes by priority (`urgent`, `high`, `normal`, `low`, or `default`), as the
   * SLA policy's metrics give them; `businessHours` is the policy metric's `business_hours` (the
   * targets are business minutes, judged against the ticket's schedule).
   */
  slaTargets: z
    .record(
      z.string(),
      z.object({
        firstResponseMinutes: minutes.optional(),
        resolutionMinutes: minutes.optional(),
        businessHours: z.boolean().optional(),
      }),
    )
    .default({}),
  csatScale: z
    .object({
      min: z.number().int().default(ZENDESK_DEFAULTS.csatScale.min),
      max: z.number().int().default(ZENDESK_DEFAULTS.csatScale.max),
    })
    .refine((s) => s.min < s.max, { message: 'min must be lower than max', path: ['max'] })
    .default(ZENDESK_DEFAULTS.csatScale),
});

export type ZendeskOptions = z.output<typeof zendeskOptionsSchema>;
