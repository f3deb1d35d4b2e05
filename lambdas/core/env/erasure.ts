/** Environment of the erasure Lambda (set by lib/erasure.ts, read by lambdas/handlers/erase.ts). */
import { z } from 'zod';
import { nonEmpty } from './environment.ts';

export const erasureEnvSchema = z.object({
  /** Asked only whether the landing objects the erased rows came from are still there. */
  LANDING_BUCKET: nonEmpty('the landing bucket name'),
  /** Its staging files and partition files are rewritten; the erasure record is written under _erasures/. */
  CURATED_BUCKET: nonEmpty('the curated bucket name'),
  /** Its reject files lose the lines that hold the customer. */
  QUARANTINE_BUCKET: nonEmpty('the quarantine bucket name'),
  /** The normaliser's pseudonymisation key, so the pseudonyms computed here are the ones it wrote. */
  PSEUDONYM_SECRET_ARN: nonEmpty('the ARN of the pseudonymisation key secret'),
  /**
   * The metric refresh function (name or ARN), started once an erasure has rewritten a partition so
   * the materialised tables lose the erased rows.
   */
  REFRESH_FUNCTION: nonEmpty('the metric refresh function name or ARN'),
});

export type ErasureEnvironment = z.input<typeof erasureEnvSchema>;
export type ErasureSettings = z.output<typeof erasureEnvSchema>;
