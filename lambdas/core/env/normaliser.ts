/** Environment of the normaliser Lambda (set by lib/ingestion.ts, read by lambdas/handlers/normalise.ts). */
import { z } from 'zod';
import type { ServiceBenchConfig } from '../config/config.ts';
import { configFileVariable, configSlice, nonEmpty } from './environment.ts';

export const normaliserEnvSchema = z.object({
  /** Bundled config slice with the sources (name, adapter, options, time zone) and the alert rules. */
  SERVICEBENCH_CONFIG_FILE: configFileVariable,
  LANDING_BUCKET: nonEmpty('the landing bucket name'),
  CURATED_BUCKET: nonEmpty('the curated bucket name'),
  QUARANTINE_BUCKET: nonEmpty('the quarantine bucket name'),
  /** FIFO queue that receives each partition a normalised object touched, for the compactor. */
  COMPACTION_QUEUE_URL: z.url('must be the URL of the compaction queue'),
  /** Secrets Manager secret holding the pseudonymisation key (read at cold start, never in the environment). */
  PSEUDONYM_SECRET_ARN: nonEmpty('the ARN of the pseudonymisation key secret'),
  /** Where large objects are spooled (the function's ephemeral storage). */
  SPOOL_DIR: nonEmpty('a writable directory').default('/tmp'),
  /** EventBridge bus the closed-loop alerts go to (lib/alerts.ts); needed when the config has alert rules. */
  ALERT_BUS_NAME: nonEmpty('the closed-loop alert event bus name').optional(),
});

export type NormaliserEnvironment = z.input<typeof normaliserEnvSchema>;
export type NormaliserSettings = z.output<typeof normaliserEnvSchema>;

export const NORMALISER_CONFIG_KEYS = ['sources', 'alerts'] as const satisfies readonly (keyof ServiceBenchConfig)[];

export const normaliserConfigJson = (config: ServiceBenchConfig): string => configSlice(config, NORMALISER_CONFIG_KEYS);
