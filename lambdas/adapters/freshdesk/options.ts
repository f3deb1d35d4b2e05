/** Options of the Freshdesk adapter. Every option defaults to empty: the published codes need none. */
import { z } from 'zod';
import { CHANNELS, INTERACTION_STATUSES } from '../../core/schema/canonical.ts';

const code = z.string().regex(/^\d+$/, 'must be a numeric code written as a string, such as "6"');

export const freshdeskOptionsSchema = z.object({
  /** Custom ticket statuses (codes 6 and up) and the lifecycle state each one means. */
  statusMap: z.record(code, z.enum(INTERACTION_STATUSES)).default({}),
  /** Ticket sources beyond the published ones (e.g. social or bot channels) and their channel. */
  sourceMap: z.record(code, z.enum(CHANNELS)).default({}),
  /** Group names by group id; the API carries only `group_id`, which is used as-is otherwise. */
  groupNames: z.record(z.string(), z.string().min(1)).default({}),
  /** Custom field (e.g. `cf_category`) holding the category; the ticket `type` is used otherwise. */
  categoryField: z.string().min(1).optional(),
});

export type FreshdeskOptions = z.output<typeof freshdeskOptionsSchema>;
