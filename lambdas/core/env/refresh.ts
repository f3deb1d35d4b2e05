/**
 * Environment and requests of the metric refresh Lambda (set by lib/views.ts and lib/exports.ts,
 * read by lambdas/handlers/refresh.ts), and where a materialised table's files live in the curated
 * bucket (lib/catalog.ts declares the Glue table there; the handler clears its partitions there).
 */
import { z } from 'zod';
import { METRIC_FAMILIES } from '../../../sql/materialised.ts';
import { nonEmpty } from './environment.ts';

export const refreshEnvSchema = z.object({
  ATHENA_WORKGROUP: nonEmpty('the Athena workgroup name'),
  GLUE_DATABASE: nonEmpty('the Glue database name'),
  /** Bucket holding the materialised tables (under MATERIALISED_PREFIX) and the curated tables they are computed from. */
  CURATED_BUCKET: nonEmpty('the curated bucket name'),
  MATERIALISED_PREFIX: nonEmpty('the materialised tables folder, ending with /').regex(/\/$/, 'must end with /'),
});

export type RefreshEnvironment = z.input<typeof refreshEnvSchema>;
export type RefreshSettings = z.output<typeof refreshEnvSchema>;

/**
 * What a schedule sends the refresh: the families to rewrite (all unless listed) and, for a report
 * run, the exporter's request. The refresh returns that request in its result, and a rule on the
 * function's success records hands it to the exporter, so a report never reads a table older than
 * its own run.
 */
export const refreshRequestSchema = z.strictObject({
  families: z.array(z.enum(METRIC_FAMILIES)).min(1, 'must list at least one family, or be left out').optional(),
  export: z
    .strictObject({
      report: z.string().min(1, 'must name a report from the config'),
      period: z.string().min(1).optional(),
    })
    .optional(),
});

export type RefreshRequest = z.input<typeof refreshRequestSchema>;

/** The folder of a materialised table in the curated bucket: `<prefix><table>/`, partitions below it. */
export function materialisedTableKey(prefix: string, table: string): string {
  return `${prefix}${table}/`;
}
