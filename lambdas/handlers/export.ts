/**
 * Exporter Lambda, started by an EventBridge Scheduler schedule with `{ "report": "<name>" }`
 * (optionally `"period"` to re-run a past period). It runs the same writeReport the
 * `servicebench report` command runs, on Athena, into the exports bucket, then e-mails the
 * recipients through SES (a short summary and time-limited links) or, without a sender, publishes
 * the links to the report topic. A failure throws: Lambda retries, then the failed-exports queue
 * and its alarm take over.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { z } from 'zod';
import type { ServiceBenchConfig } from '../core/config/config.ts';
import type { ReportFormat } from '../core/config/reports.ts';
import { loadFunctionConfig, parseEnvironment } from '../core/env/environment.ts';
import { exporterEnvSchema } from '../core/env/exporter.ts';
import { type Grain, parseScope } from '../core/metrics/scorecard.ts';
import { AthenaEngine } from '../core/query/athena.ts';
import type { QueryEngine } from '../core/query/engine.ts';
import type { ObjectStore } from '../core/store/object-store.ts';
import { S3ObjectStore } from '../core/store/s3.ts';
import { escapeHtml } from '../report/escape.ts';
import { writeReport } from '../report/write.ts';
import { log } from './log.ts';

type ReportConfig = ServiceBenchConfig['reports'][number];

export const exportEventSchema = z.object({
  report: z.string().min(1, 'must name a report from the config'),
  /** Re-runs a given period (`YYYY-MM`, or a week's Monday `YYYY-MM-DD`) instead of the previous one. */
  period: z.string().optional(),
});
export type ExportEvent = z.infer<typeof exportEventSchema>;

export const PDF_WITHOUT_CHROMIUM =
  'PDF not produced: no Chromium layer is configured for the exporter (see docs/deploy.md, "PDF reports")';

export interface Delivery {
  /** SES sender; when absent, `topicArn` is used. */
  readonly sender?: string;
  readonly ses?: SESv2Client;
  readonly topicArn?: string;
  readonly sns?: SNSClient;
}

export interface ExporterDeps {
  readonly config: ServiceBenchConfig;
  readonly engine: QueryEngine;
  readonly store: ObjectStore;
  /** A time-limited download link for a key of the exports bucket. */
  readonly presign: (key: string) => Promise<string>;
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
}

/** The period a scheduled run covers: the calendar month or ISO week before `now` in the report's time zone. */
export function previousPeriod(
  kind: ReportConfig['period'],
  now: Date,
  timeZone: string,
): { period: string; grain: Grain } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(now)
    .reduce<Record<string, number>>((acc, part) => {
      if (part.type !== 'literal') acc[part.type] = Number(part.value);
      return acc;
    }, {});
  const today = new Date(Date.UTC(parts.year as number, (parts.month as number) - 1, parts.day as number));
  if (kind === 'previous-month') {
    const first = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 1, 1));
    return { period: first.toISOString().slice(0, 7), grain: 'month' };
  }
  const monday = new Date(today.getTime() - (((today.getUTCDay() + 6) % 7) + 7) * 86_400_000);
  return { period: monday.toISOString().slice(0, 10), grain: 'week' };
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
  const scheduled = previousPeriod(report.period, deps.now?.() ?? new Date(), report.timeZone);
  const period = parsed.data.period ?? scheduled.period;
  const notes: string[] = [];
  let formats: ReportFormat[] = [...report.formats];
  if (formats.includes('pdf') && !deps.chromiumPath) {
    formats = formats.filter((f) => f !== 'pdf');
    notes.push(PDF_WITHOUT_CHROMIUM);
  }
  const scope = parseScope(report.scope);
  const written = await writeReport(deps.engine, deps.store, {
    name: report.name,
    period,
    grain: scheduled.grain,
    config: deps.config,
    formats,
    ...(scope ? { scope } : {}),
    ...(deps.chromiumPath ? { chromiumPath: deps.chromiumPath } : {}),
  });
  notes.push(...written.skipped);
  log.info('report written', { report: report.name, period, files: written.files, notes });

  const links = await Promise.all(written.files.map(async (key) => ({ key, url: await deps.presign(key) })));
  const delivered = await deliver(report, period, links, notes, deps);
  return { report: report.name, period, files: written.files, notes, delivered };
}

async function deliver(
  report: ReportConfig,
  period: string,
  links: readonly { key: string; url: string }[],
  notes: readonly string[],
  deps: ExporterDeps,
): Promise<ExportResult['delivered']> {
  const { delivery, config } = deps;
  const subject = `${config.organisation}: ${report.name} report for ${period}`;
  const fileName = (key: string) => key.slice(key.lastIndexOf('/') + 1);
  if (delivery.sender && delivery.ses) {
    if (report.recipients.length === 0) {
      log.warn('report has no recipients; nothing e-mailed', { report: report.name });
      return 'none';
    }
    const html = [
      `<p>The <strong>${escapeHtml(report.name)}</strong> report of ${escapeHtml(config.organisation)} for <strong>${escapeHtml(period)}</strong> is ready.</p>`,
      '<ul>',
      ...links.map((l) => `<li><a href="${escapeHtml(l.url)}">${escapeHtml(fileName(l.key))}</a></li>`),
      '</ul>',
      ...notes.map((n) => `<p><em>${escapeHtml(n)}</em></p>`),
      '<p>The links are valid for a limited time; the files stay in the exports bucket.</p>',
    ].join('\n');
    const text = [
      `The ${report.name} report of ${config.organisation} for ${period} is ready.`,
      ...links.map((l) => `${fileName(l.key)}: ${l.url}`),
      ...notes,
    ].join('\n');
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
    return 'email';
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
        ].join('\n'),
        MessageAttributes: { report: { DataType: 'String', StringValue: report.name } },
      }),
    );
    return 'topic';
  }
  return 'none';
}

let deps: ExporterDeps | undefined;

export async function handler(event: unknown): Promise<ExportResult> {
  if (!deps) {
    const settings = parseEnvironment('exporter', exporterEnvSchema);
    const s3 = new S3Client({});
    deps = {
      config: loadFunctionConfig(settings.SERVICEBENCH_CONFIG_FILE),
      engine: new AthenaEngine({ workGroup: settings.ATHENA_WORKGROUP, database: settings.GLUE_DATABASE }),
      store: new S3ObjectStore({ client: s3, bucket: settings.EXPORTS_BUCKET }),
      presign: (key) =>
        getSignedUrl(s3, new GetObjectCommand({ Bucket: settings.EXPORTS_BUCKET, Key: key }), {
          expiresIn: settings.LINK_TTL_SECONDS,
        }),
      delivery: settings.SES_SENDER
        ? { sender: settings.SES_SENDER, ses: new SESv2Client({}) }
        : { ...(settings.REPORT_TOPIC_ARN ? { topicArn: settings.REPORT_TOPIC_ARN } : {}), sns: new SNSClient({}) },
      ...(settings.CHROMIUM_PATH ? { chromiumPath: settings.CHROMIUM_PATH } : {}),
    };
  }
  return runExport(event, deps);
}
