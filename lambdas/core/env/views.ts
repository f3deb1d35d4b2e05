/** Environment of the views deployer (set by lib/views.ts, read by lambdas/handlers/views.ts). */
import { z } from 'zod';
import { nonEmpty } from './environment.ts';

export const viewsEnvSchema = z.object({
  ATHENA_WORKGROUP: nonEmpty('the Athena workgroup name'),
  GLUE_DATABASE: nonEmpty('the Glue database name'),
  /** Bucket of the reference tables (under REFERENCE_PREFIX). */
  CURATED_BUCKET: nonEmpty('the curated bucket name'),
  REFERENCE_PREFIX: nonEmpty('the reference tables folder, ending with /').regex(/\/$/, 'must end with /'),
});

export type ViewsEnvironment = z.input<typeof viewsEnvSchema>;
export type ViewsSettings = z.output<typeof viewsEnvSchema>;
