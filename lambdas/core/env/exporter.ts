/** Environment of the exporter Lambda (set by lib/exports.ts, read by lambdas/handlers/export.ts). */
import { z } from 'zod';
import type { ServiceBenchConfig } from '../config/config.ts';
import { DEFAULTS } from '../config/defaults.ts';
import { WEBHOOK_FORMATS } from '../notify/message.ts';
import { configFileVariable, configSlice, nonEmpty } from './environment.ts';

/**
 * S3 refuses a presigned link whose expiry is longer than 7 days (SigV4). The links are signed
 * with the long-lived key of the report-link signer (lib/exports.ts), not the function's role,
 * whose temporary credentials would end every link within hours, whatever its expiry says.
 */
export const MAX_LINK_TTL_SECONDS = 7 * 24 * 3600;

export const EXPORTER_DEFAULTS = {
  /** How long the links of a report message stay valid: config.deployment.reportLinkHours. */
  linkTtlSeconds: DEFAULTS.reportLinkHours * 3600,
  /** A PDF under this size is attached to the e-mail: config.deployment.attachPdfUnderBytes. */
  attachPdfUnderBytes: DEFAULTS.attachPdfUnderBytes,
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
  /** Secret holding `{ accessKeyId, secretAccessKey }` of the IAM user that may only read reports. */
  LINK_SIGNER_SECRET_ARN: nonEmpty('the ARN of the report-link signer secret'),
  /** 0 never attaches. */
  ATTACH_PDF_UNDER_BYTES: z.coerce.number().int().min(0).default(EXPORTER_DEFAULTS.attachPdfUnderBytes),
  /** Chat webhook layout; set together with WEBHOOK_URL_SECRET. */
  WEBHOOK_FORMAT: z.enum(WEBHOOK_FORMATS).optional(),
  /** Name of the Secrets Manager secret whose value is the webhook URL. */
  WEBHOOK_URL_SECRET: nonEmpty('the webhook URL secret name').optional(),
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
  // The report's closed-loop section matches alerts to their rules; its retention page names the horizon.
  'alerts',
  'retention',
  // A scheduled report's period, and the comments and alerts of its days, are read in the reporting zone.
  'reporting',
] as const satisfies readonly (keyof ServiceBenchConfig)[];

export const exporterConfigJson = (config: ServiceBenchConfig): string => configSlice(config, EXPORTER_CONFIG_KEYS);
