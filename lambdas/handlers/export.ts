/**
 * Exporter Lambda, started by an EventBridge Scheduler schedule with `{ "report": "<name>" }`
 * (optionally `"period"` to re-run a past period). It runs the same writeReport the
 * `servicebench report` command runs, on Athena, into the exports bucket, then e-mails the
 * recipients through SES (a short summary, links valid for days and, when small enough, the PDF)
 * or, without a sender, publishes the links to the report topic, and posts them to a Slack or
 * Teams webhook when one is configured. A failed delivery throws once every channel was tried:
 * Lambda retries, then the failed-exports queue and its alarm take over.
 */
import { buffer } from 'node:stream/consumers';
import { GetObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { z } from 'zod';
import type { ServiceBenchConfig } from '../core/config/config.ts';
import type { ReportFormat } from '../core/config/reports.ts';
import { loadFunctionConfig, parseEnvironment } from '../core/env/environment.ts';
import { type ExporterSettings, exporterEnvSchema } from '../core/env/exporter.ts';
import { type Notice, type WebhookFormat, webhookPayload } from '../core/notify/message.ts';
import { buildMimeEmail } from '../core/notify/mime.ts';
import { postWebhook, type WebhookOptions } from '../core/notify/webhook.ts';
import { AthenaEngine } from '../core/query/athena.ts';
import type { QueryEngine } from '../core/query/engine.ts';
import type { ObjectStore } from '../core/store/object-store.ts';
import { S3ObjectStore } from '../core/store/s3.ts';
import { escapeHtml } from '../report/escape.ts';
import { reportRequest } from '../report/request.ts';
import { writeReport } from '../report/write.ts';
import { describeError, log } from './log.ts';

type ReportConfig = ServiceBenchConfig['reports'][number];

export const exportEventSchema = z.object({
  report: z.string().min(1, 'must name a report from the config'),
  /**
   * Re-runs a given period (`YYYY-MM`, `YYYY-Qn`, `YYYY`, `YYYY-Www` or a week's Monday `YYYY-MM-DD`)
   * instead of the previous one.
   */
  period: z.string().optional(),
});
export type ExportEvent = z.infer<typeof exportEventSchema>;

export const PDF_WITHOUT_CHROMIUM =
  'PDF not produced: no Chromium layer is configured for the exporter (see docs/deploy.md, "PDF reports")';

export interface WebhookDelivery {
  readonly format: WebhookFormat;
  /** The webhook URL, read from its secret when first needed (the URL is a credential). */
  readonly url: () => Promise<string>;
  readonly options?: WebhookOptions;
}

export interface Delivery {
  /** SES sender; when absent, `topicArn` is used. */
  readonly sender?: string;
  readonly ses?: SESv2Client;
  readonly topicArn?: string;
  readonly sns?: SNSClient;
  /** Also post each report to a chat channel. */
  readonly webhook?: WebhookDelivery;
  /** A PDF smaller than this is attached to the e-mail; 0 never attaches. @default no attachment */
  readonly attachPdfUnderBytes?: number;
}

export interface ExporterDeps {
  readonly config: ServiceBenchConfig;
  readonly engine: QueryEngine;
  readonly store: ObjectStore;
  /** A download link for a key of the exports bucket, valid for `linkTtlSeconds`. */
  readonly presign: (key: string) => Promise<string>;
  /** How long presign's links stay valid, for the message to say so. */
  readonly linkTtlSeconds: number;
  readonly delivery: Delivery;
  readonly chromiumPath?: string;
  readonly now?: () => Date;
}

export interface ExportResult {
  readonly report: string;
  readonly period: string;
  readonly files: string[];
  readonly notes: string[];
  readonly delivered: 'email' | 'topic' | 'none';
  /** The PDF travelled as an e-mail attachment too. */
  readonly attached: boolean;
  readonly posted: WebhookFormat | 'none';
}

/** `{ accessKeyId, secretAccessKey }` of the report-link signer, as lib/exports.ts stores them. */
export const signerSecretSchema = z.object({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1) });
export type SignerCredentials = z.infer<typeof signerSecretSchema>;

/** Reads a secret's string; the value is never logged or put in an error. */
export async function readSecret(client: SecretsManagerClient, secretId: string): Promise<string> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!SecretString) throw new Error(`secret ${secretId} has no string value`);
  return SecretString;
}

export function parseSignerSecret(secretId: string, text: string): SignerCredentials {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`secret ${secretId} is not JSON with accessKeyId and secretAccessKey`);
  }
  const parsed = signerSecretSchema.safeParse(value);
  if (!parsed.success) throw new Error(`secret ${secretId} must hold accessKeyId and secretAccessKey`);
  return parsed.data;
}

/**
 * Presigns GetObject links with the signer's long-lived access key, so a link lives its full
 * `expiresIn` (up to 7 days); no session token, which would end it with the session.
 */
export function linkPresigner(
  credentials: SignerCredentials,
  bucket: string,
  expiresIn: number,
  clientConfig: S3ClientConfig = {},
): (key: string) => Promise<string> {
  const client = new S3Client({ ...clientConfig, credentials });
  return (key) => getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn });
}

/** "7 days" / "36 hours" / "1 hour". */
export function describeLifetime(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  if (hours >= 24 && hours % 24 === 0) return hours === 24 ? '1 day' : `${hours / 24} days`;
  if (hours >= 1) return hours === 1 ? '1 hour' : `${hours} hours`;
  return `${Math.round(seconds / 60)} minutes`;
}

export async function runExport(event: unknown, deps: ExporterDeps): Promise<ExportResult> {
  const parsed = exportEventSchema.safeParse(event);
  if (!parsed.success)
    throw new Error(
      `invalid export event: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const report = deps.config.reports.find((r) => r.name === parsed.data.report);
  if (!report) {
    const known = deps.config.reports.map((r) => r.name).join(', ') || 'none configured';
    throw new Error(`report "${parsed.data.report}" is not in the config (reports: ${known})`);
  }
  const request = reportRequest(
    deps.config,
    { kind: 'schedule', report, ...(parsed.data.period ? { period: parsed.data.period } : {}) },
    deps.now?.() ?? new Date(),
  );
  const period = request.period.id;
  const notes: string[] = [];
  let formats: ReportFormat[] = [...request.formats];
  if (formats.includes('pdf') && !deps.chromiumPath) {
    formats = formats.filter((f) => f !== 'pdf');
    notes.push(PDF_WITHOUT_CHROMIUM);
  }
  const written = await writeReport(deps.engine, deps.store, {
    ...request,
    config: deps.config,
    formats,
    ...(deps.chromiumPath ? { chromiumPath: deps.chromiumPath } : {}),
  });
  notes.push(...written.skipped);
  log.info('report written', { report: report.name, period, files: written.files, notes });

  const links = await Promise.all(written.files.map(async (key) => ({ key, url: await deps.presign(key) })));
  const outcome = await deliver(report, period, links, notes, deps);
  return { report: report.name, period, files: written.files, notes, ...outcome };
}

interface Outcome {
  readonly delivered: ExportResult['delivered'];
  readonly attached: boolean;
  readonly posted: ExportResult['posted'];
}

const fileName = (key: string) => key.slice(key.lastIndexOf('/') + 1);

/** The PDF's bytes when it is smaller than the attachment limit; undefined otherwise. */
async function attachablePdf(store: ObjectStore, key: string, limit: number): Promise<Buffer | undefined> {
  if (limit <= 0) return undefined;
  const info = await store.head(key);
  if (!info || info.size >= limit) return undefined;
  return buffer(await store.read(key));
}

/**
 * Every configured channel is tried, one failure not keeping the others from their message; then
 * the failures, if any, are thrown together, so Lambda retries the run and dead-letters it.
 */
async function deliver(
  report: ReportConfig,
  period: string,
  links: readonly { key: string; url: string }[],
  notes: readonly string[],
  deps: ExporterDeps,
): Promise<Outcome> {
  const failures: string[] = [];
  const attempt = async <T>(channel: string, send: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await send();
    } catch (error) {
      log.error('report delivery failed', { report: report.name, period, channel, ...describeError(error) });
      failures.push(`${channel}: ${error instanceof Error ? error.message : String(error)}`);
      return fallback;
    }
  };
  const primary = await attempt(
    deps.delivery.sender ? 'e-mail' : 'topic',
    () => deliverMessage(report, period, links, notes, deps),
    { delivered: 'none', attached: false } as const,
  );
  const webhook = deps.delivery.webhook;
  const posted = webhook
    ? await attempt(
        `${webhook.format} webhook`,
        async () => {
          const attempts = await postWebhook(
            await webhook.url(),
            webhookPayload(webhook.format, reportNotice(report, period, links, notes, deps)),
            webhook.options,
          );
          log.info('report posted', { report: report.name, format: webhook.format, attempts });
          return webhook.format;
        },
        'none' as const,
      )
    : 'none';
  if (failures.length > 0) throw new Error(`report ${report.name} ${period} not delivered: ${failures.join('; ')}`);
  return { ...primary, posted };
}

/** The chat message of a delivered report: its title, the period, the notes and the file links. */
export function reportNotice(
  report: ReportConfig,
  period: string,
  links: readonly { key: string; url: string }[],
  notes: readonly string[],
  deps: Pick<ExporterDeps, 'config' | 'linkTtlSeconds'>,
): Notice {
  return {
    title: `${deps.config.organisation}: ${report.name} report for ${period}`,
    lines: [
      `The ${report.name} report for ${period} is ready. The links are valid for ${describeLifetime(deps.linkTtlSeconds)}.`,
      ...notes,
    ],
    facts: [
      { name: 'Period', value: period },
      { name: 'Files', value: String(links.length) },
    ],
    links: links.map((l) => ({ label: fileName(l.key), url: l.url })),
  };
}

/** The e-mail (SES) or the topic message (SNS) of a report. */
async function deliverMessage(
  report: ReportConfig,
  period: string,
  links: readonly { key: string; url: string }[],
  notes: readonly string[],
  deps: ExporterDeps,
): Promise<Omit<Outcome, 'posted'>> {
  const { delivery, config } = deps;
  const subject = `${config.organisation}: ${report.name} report for ${period}`;
  const lifetime = describeLifetime(deps.linkTtlSeconds);
  if (delivery.sender && delivery.ses) {
    if (report.recipients.length === 0) {
      log.warn('report has no recipients; nothing e-mailed', { report: report.name });
      return { delivered: 'none', attached: false };
    }
    const html = [
      `<p>The <strong>${escapeHtml(report.name)}</strong> report of ${escapeHtml(config.organisation)} for <strong>${escapeHtml(period)}</strong> is ready.</p>`,
      '<ul>',
      ...links.map((l) => `<li><a href="${escapeHtml(l.url)}">${escapeHtml(fileName(l.key))}</a></li>`),
      '</ul>',
      ...notes.map((n) => `<p><em>${escapeHtml(n)}</em></p>`),
      `<p>The links are valid for ${escapeHtml(lifetime)}; the files stay in the exports bucket.</p>`,
    ].join('\n');
    const text = [
      `The ${report.name} report of ${config.organisation} for ${period} is ready.`,
      ...links.map((l) => `${fileName(l.key)}: ${l.url}`),
      ...notes,
      `The links are valid for ${lifetime}; the files stay in the exports bucket.`,
    ].join('\n');
    const pdfKey = links.find((l) => l.key.endsWith('.pdf'))?.key;
    const pdf = pdfKey && (await attachablePdf(deps.store, pdfKey, delivery.attachPdfUnderBytes ?? 0));
    if (pdfKey && pdf) {
      // Simple content cannot carry a file: the message goes as raw MIME, built in one place.
      await delivery.ses.send(
        new SendEmailCommand({
          FromEmailAddress: delivery.sender,
          Destination: { ToAddresses: [...report.recipients] },
          Content: {
            Raw: {
              Data: buildMimeEmail({
                from: delivery.sender,
                to: report.recipients,
                subject,
                text,
                html,
                attachments: [{ fileName: fileName(pdfKey), contentType: 'application/pdf', content: pdf }],
              }),
            },
          },
        }),
      );
      return { delivered: 'email', attached: true };
    }
    await delivery.ses.send(
      new SendEmailCommand({
        FromEmailAddress: delivery.sender,
        Destination: { ToAddresses: [...report.recipients] },
        Content: {
          Simple: {
            Subject: { Data: subject, Charset: 'UTF-8' },
            Body: { Html: { Data: html, Charset: 'UTF-8' }, Text: { Data: text, Charset: 'UTF-8' } },
          },
        },
      }),
    );
    return { delivered: 'email', attached: false };
  }
  if (delivery.topicArn && delivery.sns) {
    await delivery.sns.send(
      new PublishCommand({
        TopicArn: delivery.topicArn,
        // SNS caps e-mail subjects at 100 characters.
        Subject: subject.slice(0, 100),
        Message: [
          `The ${report.name} report for ${period} is ready.`,
          ...links.map((l) => `${fileName(l.key)}: ${l.url}`),
          ...notes,
          `The links are valid for ${lifetime}.`,
        ].join('\n'),
        MessageAttributes: { report: { DataType: 'String', StringValue: report.name } },
      }),
    );
    return { delivered: 'topic', attached: false };
  }
  return { delivered: 'none', attached: false };
}

interface Runtime {
  readonly deps: Omit<ExporterDeps, 'presign'>;
  readonly settings: ExporterSettings;
  readonly secrets: SecretsManagerClient;
}

let runtime: Runtime | undefined;

export async function handler(event: unknown): Promise<ExportResult> {
  if (!runtime) {
    const settings = parseEnvironment('exporter', exporterEnvSchema);
    const secrets = new SecretsManagerClient({});
    const webhookSecret = settings.WEBHOOK_URL_SECRET;
    const webhook: WebhookDelivery | undefined =
      settings.WEBHOOK_FORMAT && webhookSecret
        ? { format: settings.WEBHOOK_FORMAT, url: () => readSecret(secrets, webhookSecret) }
        : undefined;
    const common = {
      attachPdfUnderBytes: settings.ATTACH_PDF_UNDER_BYTES,
      ...(webhook ? { webhook } : {}),
    };
    runtime = {
      settings,
      secrets,
      deps: {
        config: loadFunctionConfig(settings.SERVICEBENCH_CONFIG_FILE),
        engine: new AthenaEngine({ workGroup: settings.ATHENA_WORKGROUP, database: settings.GLUE_DATABASE }),
        store: new S3ObjectStore({ client: new S3Client({}), bucket: settings.EXPORTS_BUCKET }),
        linkTtlSeconds: settings.LINK_TTL_SECONDS,
        delivery: settings.SES_SENDER
          ? { sender: settings.SES_SENDER, ses: new SESv2Client({}), ...common }
          : {
              ...(settings.REPORT_TOPIC_ARN ? { topicArn: settings.REPORT_TOPIC_ARN } : {}),
              sns: new SNSClient({}),
              ...common,
            },
        ...(settings.CHROMIUM_PATH ? { chromiumPath: settings.CHROMIUM_PATH } : {}),
      },
    };
  }
  const { deps, settings, secrets } = runtime;
  // Read on every run, not once per container: a replaced signer key is used from the next report on.
  const signerSecret = settings.LINK_SIGNER_SECRET_ARN;
  const signer = parseSignerSecret(signerSecret, await readSecret(secrets, signerSecret));
  return runExport(event, {
    ...deps,
    presign: linkPresigner(signer, settings.EXPORTS_BUCKET, settings.LINK_TTL_SECONDS),
  });
}
