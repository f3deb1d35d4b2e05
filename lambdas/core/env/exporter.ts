/** Environment of the exporter Lambda (set by lib/exports.ts, read by lambdas/handlers/export.ts). */
import { z } from 'zod';
import type { ServiceBenchConfig } from '../config/config.ts';
import { configFileVariable, configSlice, nonEmpty } from './environment.ts';

/**
 * A presigned link is signed with the function's temporary role credentials and stops working when
 * they expire, whatever its own expiry says; 12 hours is the longest that can be honoured.
 */
export const MAX_LINK_TTL_SECONDS = 12 * 3600;

export const EXPORTER_DEFAULTS = {
  /** How long the e-mailed download link is meant to stay valid. */
  linkTtlSeconds: MAX_LINK_TTL_SECONDS,
} as const;

export const exporterEnvSchema = z.object({
  /** Bundled config slice with the reports, targets and metric options the report prints. */
  SERVICEBENCH_CONFIG_FILE: configFileVariable,
  ATHENA_WORKGROUP: nonEmpty('the Athena workgroup name'),
  GLUE_DATABASE: nonEmpty('the Glue database name'),
  EXPORTS_BUCKET: nonEmpty('the exports bucket name'),
  /** Verified SES identity; when absent the report is announced on REPORT_TOPIC_ARN instead. */
  SES_SENDER: z.email('must be an e-mail address').optional(),
  REPORT_TOPIC_ARN: nonEmpty('the SNS topic ARN').optional(),
  /** Chromium executable from a configured layer; without it reports are written without a PDF. */
  CHROMIUM_PATH: nonEmpty('a Chromium executable path').optional(),
  LINK_TTL_SECONDS: z.coerce.number().int().min(60).max(MAX_LINK_TTL_SECONDS).default(EXPORTER_DEFAULTS.linkTtlSeconds),
});

export type ExporterEnvironment = z.input<typeof exporterEnvSchema>;
export type ExporterSettings = z.output<typeof exporterEnvSchema>;

export const EXPORTER_CONFIG_KEYS = [
  'organisation',
  'metrics',
  'targets',
  'benchmarks',
  'compositeWeights',
  'reports',
] as const satisfies readonly (keyof ServiceBenchConfig)[];

export const exporterConfigJson = (config: ServiceBenchConfig): string => configSlice(config, EXPORTER_CONFIG_KEYS);
