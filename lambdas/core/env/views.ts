/** Environment of the views deployer (set by lib/views.ts, read by lambdas/handlers/views.ts). */
import { z } from 'zod';
import { nonEmpty } from './environment.ts';

export const viewsEnvSchema = z.object({
  ATHENA_WORKGROUP: nonEmpty('the Athena workgroup name'),
  GLUE_DATABASE: nonEmpty('the Glue database name'),
  /** Bucket of the reference tables (under REFERENCE_PREFIX, which the deployer owns). */
  CURATED_BUCKET: nonEmpty('the curated bucket name'),
  REFERENCE_PREFIX: nonEmpty('the reference tables folder, ending with /').regex(/\/$/, 'must end with /'),
});

export type ViewsEnvironment = z.input<typeof viewsEnvSchema>;
export type ViewsSettings = z.output<typeof viewsEnvSchema>;

/** What the views deployer reads from the definitions asset: every view's DDL and the reference files. */
export const viewDefinitionsSchema = z.object({
  /** In build order, each with its `CREATE OR REPLACE VIEW` DDL from the Trino DDL generator. */
  views: z.array(
    z.object({
      name: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL identifier'),
      ddl: z.string().startsWith('CREATE OR REPLACE VIEW '),
    }),
  ),
  /** The reference tables' JSON-lines files (referenceFiles), keyed relative to the curated bucket. */
  referenceFiles: z.array(
    z.object({
      key: z.string().regex(/^[a-z0-9_/]+\/[a-z0-9_.-]+$/, 'must be a plain object key'),
      body: z.string(),
    }),
  ),
});

export type ViewDefinitions = z.input<typeof viewDefinitionsSchema>;
