import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client, SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { PublishCommand, type PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../../lambdas/core/config/config.ts';
import { DEFAULTS } from '../../../lambdas/core/config/defaults.ts';
import { slackPayload, teamsPayload } from '../../../lambdas/core/notify/message.ts';
import { buildMimeEmail } from '../../../lambdas/core/notify/mime.ts';
import { postWebhook } from '../../../lambdas/core/notify/webhook.ts';
import type { QueryEngine } from '../../../lambdas/core/query/engine.ts';
import { S3ObjectStore } from '../../../lambdas/core/store/s3.ts';
import {
  describeLifetime,
  type ExporterDeps,
  linkPresigner,
  PDF_WITHOUT_CHROMIUM,
  parseSignerSecret,
  readSecret,
  reportNotice,
  runExport,
} from '../../../lambdas/handlers/export.ts';
import { DEFAULT_CHROMIUM_PATH } from '../../../lambdas/report/pdf.ts';
import { reportRequest } from '../../../lambdas/report/request.ts';
import { createTestLake, interaction, plus, type TestLake, utc } from '../../support/lake.ts';
import { type S3rverHandle, startS3rver } from '../../support/s3rver.ts';

const ses = mockClient(SESv2Client);
const sns = mockClient(SNSClient);
const secrets = mockClient(SecretsManagerClient);
/** The links' lifetime by default: 168 hours. */
const WEEK_S = DEFAULTS.reportLinkHours * 3600;
const REPORTS = [
  {
    name: 'monthly-exec',
    schedule: 'cron(0 7 1 * ? *)',
    timeZone: 'Europe/Paris',
    recipients: ['ceo@example.com', 'ops@example.com'],
  },
  { name: 'quiet', schedule: 'cron(0 7 1 * ? *)', formats: ['csv'] },
  { name: 'kpis-only', schedule: 'cron(0 7 1 * ? *)', formats: ['html'], sections: ['kpis'] },
];
const config = parseConfig({
  organisation: 'Acme Support',
  reporting: { timeZone: 'Europe/Paris' },
  targets: [{ metric: 'aht_s', goal: 400 }],
  reports: REPORTS,
});
// 01:30 on 1 June in Paris, the reporting zone: still 31 May in UTC.
const scheduledAt = utc('2025-05-31 23:30:00');

let s3: S3rverHandle;
let lake: TestLake;
let engine: QueryEngine;
let base: Omit<ExporterDeps, 'delivery'>;

beforeAll(async () => {
  vi.spyOn(console, 'info').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  s3 = await startS3rver();
  await s3.createBucket('exports');
  lake = createTestLake();
  lake.write(
    'interactions',
    Array.from({ length: 40 }, (_, i) => {
      const created = plus(utc('2025-05-05 09:00:00'), i * 3600 * 12);
      return interaction({
        interaction_id: `c-${i}`,
        created_at: created,
        queued_at: created,
        answered_at: plus(created, 20),
        agent_id: `agent-${i % 4}`,
        team: i % 2 === 0 ? 'Billing' : 'Tech',
        queue_s: 20,
        talk_s: 300 + i,
        acw_s: 60,
      });
    }),
  );
  engine = await lake.engine(config);
  base = {
    config,
    engine,
    store: new S3ObjectStore({ client: s3.client, bucket: 'exports' }),
    // s3rver's fixed key pair stands for the signer's long-lived access key.
    presign: linkPresigner({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, 'exports', WEEK_S, {
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
    }),
    linkTtlSeconds: WEEK_S,
    now: () => scheduledAt,
  };
});

afterAll(async () => {
  ses.restore();
  sns.restore();
  secrets.restore();
  await engine?.close();
  lake?.remove();
  await s3?.stop();
});

beforeEach(() => {
  ses.reset();
  sns.reset();
  secrets.reset();
});

/** A webhook on loopback answering each POST with the next status of `statuses` (then 200). */
async function startWebhook(statuses: number[] = []) {
  const bodies: unknown[] = [];
  const server: Server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    bodies.push(JSON.parse((await buffer(request)).toString('utf8')));
    const status = statuses.shift() ?? 200;
    response.writeHead(status, status === 429 ? { 'retry-after': '0' } : {});
    response.end(status === 200 ? 'ok' : 'rate limited or refused');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, bodies, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** The decoded body of the (possibly nested) MIME part whose headers match `headers`. */
function mimePart(message: string, headers: RegExp): Buffer | undefined {
  const boundaries = [...message.matchAll(/boundary="([^"]+)"/g)].map((m) => m[1] as string);
  const parts = boundaries.flatMap((boundary) => message.split(`--${boundary}`).slice(1, -1));
  const part = parts.find((p) => headers.test(p.slice(0, p.indexOf('\r\n\r\n'))));
  if (part === undefined) return undefined;
  return Buffer.from(part.slice(part.indexOf('\r\n\r\n') + 4).replaceAll('\r\n', ''), 'base64');
}

describe('exporter handler', () => {
  it('reports on the period before today in the reporting time zone, not the zone the schedule fires in', () => {
    const monthly = config.reports[0] as (typeof config.reports)[number];
    expect(reportRequest(config, { kind: 'schedule', report: monthly }, scheduledAt).period.id).toBe('2025-05');
    // The same schedule, still firing in Paris, for a company reporting in UTC: 31 May, so April.
    const utcReporting = parseConfig({ organisation: 'Acme Support', reports: REPORTS });
    const sameSchedule = utcReporting.reports[0] as (typeof config.reports)[number];
    expect(reportRequest(utcReporting, { kind: 'schedule', report: sameSchedule }, scheduledAt).period.id).toBe(
      '2025-04',
    );
    // A re-run names its period; a date is the Monday of a week.
    expect(
      reportRequest(config, { kind: 'schedule', report: monthly, period: '2025-05-26' }, scheduledAt).period,
    ).toMatchObject({ grain: 'week', id: '2025-W22' });
    expect(reportRequest(config, { kind: 'schedule', report: monthly, period: '2025-Q1' }, scheduledAt).period.id).toBe(
      '2025-Q1',
    );
    expect(() =>
      reportRequest(config, { kind: 'schedule', report: monthly, period: '2025-05-27' }, scheduledAt),
    ).toThrow('period "2025-05-27" is not a Monday');
  });

  it("renders only the report's configured sections when deployed", async () => {
    const result = await runExport({ report: 'kpis-only' }, { ...base, delivery: {} });
    expect(result.files).toEqual(['exports/kpis-only/2025-05/kpis-only-2025-05.html']);
    const html = (await buffer(await base.store.read(result.files[0] as string))).toString('utf8');
    expect(html).toContain('<section id="key-metrics"');
    for (const other of ['trends', 'breakdowns', 'peers', 'voice', 'scorecard', 'data-quality']) {
      expect(html, other).not.toContain(`<section id="${other}"`);
    }
  });

  it('writes the scheduled report to the exports bucket and e-mails time-limited links through SES', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    const deps: ExporterDeps = {
      ...base,
      delivery: { sender: 'reports@acme.example', ses: new SESv2Client({ region: 'eu-west-1' }) },
    };

    const result = await runExport({ report: 'monthly-exec' }, deps);

    expect(result).toMatchObject({ report: 'monthly-exec', period: '2025-05', delivered: 'email' });
    expect(result.files.map((f) => f.slice(f.lastIndexOf('.')))).toEqual(['.html', '.csv']);
    expect(result.notes).toEqual([PDF_WITHOUT_CHROMIUM]);
    for (const key of result.files) expect(await base.store.head(key)).toBeDefined();

    const [call] = ses.commandCalls(SendEmailCommand);
    const input = call?.args[0].input as SendEmailCommandInput;
    expect(input.FromEmailAddress).toBe('reports@acme.example');
    expect(input.Destination?.ToAddresses).toEqual(['ceo@example.com', 'ops@example.com']);
    expect(input.Content?.Simple?.Subject?.Data).toBe('Acme Support: monthly-exec report for 2025-05');
    const html = input.Content?.Simple?.Body?.Html?.Data ?? '';
    expect(html).toContain('PDF not produced');
    expect(html).toContain('The links are valid for 7 days');
    const csvLink = /href="([^"]+\.csv[^"]*)"/.exec(html)?.[1]?.replaceAll('&amp;', '&');
    // Signed with the long-lived key: its own expiry (168 h) is the link's life, no session token ends it sooner.
    expect(csvLink).toContain('X-Amz-Expires=604800');
    expect(csvLink).toContain('X-Amz-Credential=S3RVER%2F');
    expect(csvLink).not.toContain('X-Amz-Security-Token');
    const download = await fetch(csvLink as string);
    expect(download.status).toBe(200);
    expect(await download.text()).toContain('aht_s');
  });

  it('without a sender, publishes the links to the report topic, tagged with the report name', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
    const deps: ExporterDeps = {
      ...base,
      delivery: { topicArn: 'arn:aws:sns:eu-west-1:123456789012:reports', sns: new SNSClient({ region: 'eu-west-1' }) },
    };

    const result = await runExport({ report: 'quiet', period: '2025-04' }, deps);

    expect(result).toMatchObject({ period: '2025-04', delivered: 'topic', notes: [] });
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input as PublishCommandInput;
    expect(input.TopicArn).toBe('arn:aws:sns:eu-west-1:123456789012:reports');
    expect(input.MessageAttributes).toEqual({ report: { DataType: 'String', StringValue: 'quiet' } });
    expect(input.Message).toMatch(/quiet-2025-04\.csv: http/);
  });

  it('fails when the schedule names a report the config does not have', async () => {
    await expect(runExport({ report: 'weekly' }, { ...base, delivery: {} })).rejects.toThrow(
      'report "weekly" is not in the config (reports: monthly-exec, quiet, kpis-only)',
    );
  });

  it('fails when the event is not a report request', async () => {
    await expect(runExport({ reports: 'monthly-exec' }, { ...base, delivery: {} })).rejects.toThrow(
      /invalid export event: report/,
    );
  });

  it('fails, so Lambda retries and dead-letters it, when SES refuses the e-mail', async () => {
    ses
      .on(SendEmailCommand)
      .rejects(Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' }));
    const deps: ExporterDeps = {
      ...base,
      delivery: { sender: 'reports@acme.example', ses: new SESv2Client({ region: 'eu-west-1' }) },
    };
    await expect(runExport({ report: 'monthly-exec' }, deps)).rejects.toThrow('Email address is not verified.');
  });

  it('signs links for the configured hours with the signer key read from its secret', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: 'signer' }).resolves({
      SecretString: JSON.stringify({ accessKeyId: 'AKIAEXAMPLESIGNER01', secretAccessKey: 'x'.repeat(40) }),
    });
    const signer = parseSignerSecret(
      'signer',
      await readSecret(new SecretsManagerClient({ region: 'eu-west-1' }), 'signer'),
    );
    const url = new URL(await linkPresigner(signer, 'exports', 36 * 3600, { region: 'eu-west-1' })('exports/a/b.pdf'));
    expect(url.searchParams.get('X-Amz-Expires')).toBe('129600');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(
      /^AKIAEXAMPLESIGNER01\/\d{8}\/eu-west-1\/s3\/aws4_request$/,
    );
    expect(url.searchParams.has('X-Amz-Security-Token')).toBe(false);
    expect([WEEK_S, 129_600, 86_400, 3600, 1800].map(describeLifetime)).toEqual([
      '7 days',
      '36 hours',
      '1 day',
      '1 hour',
      '30 minutes',
    ]);
    expect(() => parseSignerSecret('signer', '{"accessKeyId":"A"}')).toThrow(
      'secret signer must hold accessKeyId and secretAccessKey',
    );
  });

  it.skipIf(!existsSync(DEFAULT_CHROMIUM_PATH))(
    'attaches the PDF under the size limit as raw MIME whose attachment decodes back to the written PDF',
    async () => {
      ses.on(SendEmailCommand).resolves({ MessageId: 'm-3' });
      const deps: ExporterDeps = {
        ...base,
        chromiumPath: DEFAULT_CHROMIUM_PATH,
        delivery: {
          sender: 'reports@acme.example',
          ses: new SESv2Client({ region: 'eu-west-1' }),
          attachPdfUnderBytes: 5_000_000,
        },
      };

      const result = await runExport({ report: 'monthly-exec' }, deps);

      expect(result).toMatchObject({ delivered: 'email', attached: true, posted: 'none' });
      const pdfKey = result.files.find((f) => f.endsWith('.pdf')) as string;
      const written = await buffer(await base.store.read(pdfKey));
      const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input as SendEmailCommandInput;
      expect(input.Content?.Simple).toBeUndefined();
      expect(input.Destination?.ToAddresses).toEqual(['ceo@example.com', 'ops@example.com']);
      const message = Buffer.from(input.Content?.Raw?.Data as Uint8Array).toString('latin1');
      expect(message).toContain('Subject: Acme Support: monthly-exec report for 2025-05\r\n');
      expect(message).toContain('To: ceo@example.com, ops@example.com\r\n');
      const attachment = mimePart(
        message,
        /Content-Disposition: attachment; filename="monthly-exec-2025-05\.pdf"; filename\*=UTF-8''monthly-exec-2025-05\.pdf/,
      );
      expect(attachment?.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(attachment?.equals(written)).toBe(true);
      expect(mimePart(message, /text\/html/)?.toString('utf8')).toContain('The links are valid for 7 days');

      // A limit no PDF meets: links only, as simple content. (Each render writes its own PDF, whose
      // size differs by a few bytes from the first one's, so the first one's size is no boundary.)
      ses.reset();
      ses.on(SendEmailCommand).resolves({ MessageId: 'm-4' });
      const over = await runExport(
        { report: 'monthly-exec' },
        { ...deps, delivery: { ...deps.delivery, attachPdfUnderBytes: 1 } },
      );
      expect(over.attached).toBe(false);
      const links = ses.commandCalls(SendEmailCommand)[0]?.args[0].input as SendEmailCommandInput;
      expect(links.Content?.Raw).toBeUndefined();
      expect(links.Content?.Simple?.Body?.Html?.Data).toMatch(/href="[^"]+\.pdf\?/);
    },
    60_000,
  );

  it('encodes every header value of the e-mail that comes from data, so none can add a header', () => {
    const message = buildMimeEmail({
      from: 'reports@acme.example',
      to: ['ceo@example.com'],
      subject: 'Café report\r\nBcc: thief@evil.example',
      text: 'Bcc: in the body is harmless',
      html: '<p>x</p>',
      attachments: [{ fileName: 'rapport "été".pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1') }],
      boundary: 'b1',
    }).toString('latin1');
    const headers = message.slice(0, message.indexOf('\r\n\r\n'));
    // 'Café report\r\nBcc: thief@evil.example' in UTF-8, base64: one encoded word, no line of its own.
    expect(headers).toBe(
      [
        'From: reports@acme.example',
        'To: ceo@example.com',
        'Subject: =?UTF-8?B?Q2Fmw6kgcmVwb3J0DQpCY2M6IHRoaWVmQGV2aWwuZXhhbXBsZQ==?=',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="mixed-b1"',
      ].join('\r\n'),
    );
    expect(message).not.toMatch(/^Bcc:/m);
    expect(message).toContain(
      'Content-Disposition: attachment; filename="rapport __t__.pdf"; filename*=UTF-8\'\'rapport%20%22%C3%A9t%C3%A9%22.pdf',
    );
    expect(mimePart(message, /filename="rapport/)?.toString('latin1')).toBe('%PDF-1');
    expect(() =>
      buildMimeEmail({
        from: 'a@b.example',
        to: ['x@y.example\r\nBcc: z@evil.example'],
        subject: '',
        text: '',
        html: '',
      }),
    ).toThrow('not a plain e-mail address');
  });

  describe('chat webhooks', () => {
    const report = config.reports[0] as (typeof config.reports)[number];
    const notice = reportNotice(
      { ...report, name: 'exec <&> "review"' },
      '2025-05',
      [{ key: 'exports/exec/2025-05/exec-2025-05.pdf', url: 'https://x.example/a.pdf?X-Amz-Expires=604800&s=1' }],
      ['PDF *bold* [not](a-link)'],
      { config, linkTtlSeconds: WEEK_S },
    );

    it('lays a report out as Slack blocks with the period, the figures and the links, escaped for mrkdwn', () => {
      expect(slackPayload(notice)).toEqual({
        text: 'Acme Support: exec <&> "review" report for 2025-05',
        blocks: [
          {
            type: 'header',
            text: { type: 'plain_text', text: 'Acme Support: exec <&> "review" report for 2025-05' },
          },
          {
            type: 'section',
            text: {
              type: 'mrkdwn',
              text: 'The exec &lt;&amp;&gt; "review" report for 2025-05 is ready. The links are valid for 7 days.\nPDF *bold* [not](a-link)',
            },
          },
          {
            type: 'section',
            fields: [
              { type: 'mrkdwn', text: '*Period*\n2025-05' },
              { type: 'mrkdwn', text: '*Files*\n1' },
            ],
          },
          {
            type: 'section',
            text: { type: 'mrkdwn', text: '<https://x.example/a.pdf?X-Amz-Expires=604800&s=1|exec-2025-05.pdf>' },
          },
        ],
      });
    });

    it('lays a report out as a Teams Adaptive Card with open-link actions, markdown escaped', () => {
      expect(teamsPayload(notice)).toEqual({
        type: 'message',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            contentUrl: null,
            content: {
              $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
              type: 'AdaptiveCard',
              version: '1.4',
              body: [
                {
                  type: 'TextBlock',
                  text: 'Acme Support: exec <&\\> "review" report for 2025\\-05',
                  weight: 'Bolder',
                  size: 'Medium',
                  wrap: true,
                },
                {
                  type: 'TextBlock',
                  text: 'The exec <&\\> "review" report for 2025\\-05 is ready. The links are valid for 7 days.',
                  wrap: true,
                },
                { type: 'TextBlock', text: 'PDF \\*bold\\* \\[not\\]\\(a\\-link\\)', wrap: true },
                {
                  type: 'FactSet',
                  facts: [
                    { title: 'Period', value: '2025\\-05' },
                    { title: 'Files', value: '1' },
                  ],
                },
              ],
              actions: [
                {
                  type: 'Action.OpenUrl',
                  title: 'exec-2025-05.pdf',
                  url: 'https://x.example/a.pdf?X-Amz-Expires=604800&s=1',
                },
              ],
            },
          },
        ],
      });
    });

    let hook: Awaited<ReturnType<typeof startWebhook>> | undefined;
    afterEach(async () => {
      await hook?.close();
      hook = undefined;
    });

    it('posts the report to the webhook, retrying once after a 429', async () => {
      sns.on(PublishCommand).resolves({ MessageId: 'm-5' });
      hook = await startWebhook([429]);
      const url = hook.url;
      const result = await runExport(
        { report: 'quiet', period: '2025-04' },
        {
          ...base,
          delivery: {
            topicArn: 'arn:aws:sns:eu-west-1:123456789012:reports',
            sns: new SNSClient({ region: 'eu-west-1' }),
            webhook: { format: 'slack', url: async () => url, options: { retryDelayMs: 10 } },
          },
        },
      );
      expect(result).toMatchObject({ delivered: 'topic', posted: 'slack' });
      expect(hook.bodies).toHaveLength(2);
      expect(hook.bodies[1]).toEqual(hook.bodies[0]);
      expect(hook.bodies[0]).toMatchObject({ text: 'Acme Support: quiet report for 2025-04' });
    });

    it('fails the run like an SES failure when the webhook refuses, after the e-mail went out', async () => {
      ses.on(SendEmailCommand).resolves({ MessageId: 'm-6' });
      hook = await startWebhook([400]);
      const url = hook.url;
      await expect(
        runExport(
          { report: 'monthly-exec' },
          {
            ...base,
            delivery: {
              sender: 'reports@acme.example',
              ses: new SESv2Client({ region: 'eu-west-1' }),
              webhook: { format: 'teams', url: async () => url, options: { retryDelayMs: 10 } },
            },
          },
        ),
      ).rejects.toThrow(
        'report monthly-exec 2025-05 not delivered: teams webhook: webhook answered 400: rate limited or refused',
      );
      expect(hook.bodies).toHaveLength(1);
      expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    });

    it('gives up on a webhook that does not answer within the time limit, without naming its URL', async () => {
      const silent = createServer(() => {});
      silent.listen(0, '127.0.0.1');
      await once(silent, 'listening');
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/secret-token`;
      try {
        const started = Date.now();
        const post = postWebhook(url, { text: 'x' }, { timeoutMs: 200, retries: 1, retryDelayMs: 10 });
        await expect(post).rejects.toThrow(/^webhook did not answer within 200 ms$/);
        // Two attempts of 200 ms and a 10 ms pause, not the 10 s default.
        expect(Date.now() - started).toBeGreaterThanOrEqual(400);
        expect(Date.now() - started).toBeLessThan(5_000);
      } finally {
        silent.closeAllConnections();
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    it('gives up after one retry when the webhook keeps failing with 5xx', async () => {
      sns.on(PublishCommand).resolves({ MessageId: 'm-7' });
      hook = await startWebhook([503, 502]);
      const url = hook.url;
      await expect(
        runExport(
          { report: 'quiet', period: '2025-04' },
          {
            ...base,
            delivery: {
              topicArn: 'arn:aws:sns:eu-west-1:123456789012:reports',
              sns: new SNSClient({ region: 'eu-west-1' }),
              webhook: { format: 'slack', url: async () => url, options: { retryDelayMs: 10 } },
            },
          },
        ),
      ).rejects.toThrow('slack webhook: webhook answered 502');
      expect(hook.bodies).toHaveLength(2);
    });
  });
});
