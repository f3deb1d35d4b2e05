import { GetObjectCommand } from '@aws-sdk/client-s3';
import { SESv2Client, SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { PublishCommand, type PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../../lambdas/core/config/config.ts';
import type { QueryEngine } from '../../../lambdas/core/query/engine.ts';
import { S3ObjectStore } from '../../../lambdas/core/store/s3.ts';
import {
  type ExporterDeps,
  PDF_WITHOUT_CHROMIUM,
  previousPeriod,
  runExport,
} from '../../../lambdas/handlers/export.ts';
import { createTestLake, interaction, plus, type TestLake, utc } from '../../support/lake.ts';
import { type S3rverHandle, startS3rver } from '../../support/s3rver.ts';

const ses = mockClient(SESv2Client);
const sns = mockClient(SNSClient);
const config = parseConfig({
  organisation: 'Acme Support',
  targets: [{ metric: 'aht_s', goal: 400 }],
  reports: [
    {
      name: 'monthly-exec',
      schedule: 'cron(0 7 1 * ? *)',
      timeZone: 'Europe/Paris',
      recipients: ['ceo@example.com', 'ops@example.com'],
    },
    { name: 'quiet', schedule: 'cron(0 7 1 * ? *)', formats: ['csv'] },
  ],
});
// Scheduled for 07:00 Paris on 1 June: still 31 May in UTC.
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
    presign: (key) =>
      getSignedUrl(s3.client, new GetObjectCommand({ Bucket: 'exports', Key: key }), { expiresIn: 3600 }),
    now: () => scheduledAt,
  };
});

afterAll(async () => {
  ses.restore();
  sns.restore();
  await engine?.close();
  lake?.remove();
  await s3?.stop();
});

beforeEach(() => {
  ses.reset();
  sns.reset();
});

describe('exporter handler', () => {
  it('reports on the previous month in the report time zone', () => {
    expect(previousPeriod('previous-month', scheduledAt, 'Europe/Paris')).toEqual({
      period: '2025-05',
      grain: 'month',
    });
    expect(previousPeriod('previous-month', scheduledAt, 'UTC')).toEqual({ period: '2025-04', grain: 'month' });
    // Wednesday 4 June 2025: the previous ISO week started on Monday 26 May.
    expect(previousPeriod('previous-week', utc('2025-06-04 12:00:00'), 'UTC')).toEqual({
      period: '2025-05-26',
      grain: 'week',
    });
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
    const csvLink = /href="([^"]+\.csv[^"]*)"/.exec(html)?.[1]?.replaceAll('&amp;', '&');
    expect(csvLink).toContain('X-Amz-Expires=3600');
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
      'report "weekly" is not in the config (reports: monthly-exec, quiet)',
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
});
