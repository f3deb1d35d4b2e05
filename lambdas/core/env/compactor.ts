/** Environment of the compactor Lambda (set by lib/ingestion.ts, read by lambdas/handlers/compact.ts). */
import { z } from 'zod';
import { nonEmpty } from './environment.ts';

export const compactorEnvSchema = z.object({
  /** Bucket whose staging files are compacted into the partition files the tables read. */
  CURATED_BUCKET: nonEmpty('the curated bucket name'),
});

export type CompactorEnvironment = z.input<typeof compactorEnvSchema>;
export type CompactorSettings = z.output<typeof compactorEnvSchema>;
