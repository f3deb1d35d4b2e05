/**
 * The normaliser's telemetry against S3 (s3rver): each landed object publishes one EMF line with
 * its counts, and moves its source's delivery marker forward, never back.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../../lambdas/core/config/config.ts';
import { S3ObjectStore } from '../../../lambdas/core/store/s3.ts';
import { lastDelivery } from '../../../lambdas/core/telemetry/deliveries.ts';
import { ingestionTelemetry, normaliserTelemetry } from '../../../lambdas/core/telemetry/ingestion.ts';
import { handleNormaliseBatch, type NormaliserDeps } from '../../../lambdas/handlers/normalise.ts';
import { s3NotificationRecord } from '../../support/handlers.ts';
import { type S3rverHandle, startS3rver } from '../../support/s3rver.ts';

const config = parseConfig({ sources: [{ name: 'connect', adapter: 'amazon-connect-ctr', timeZone: 'UTC' }] });
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/amazon-connect/${name}`, import.meta.url));
const NOW = new Date('2024-03-05T06:00:00.000Z');
const GOOD = fixture('ctr-firehose.ndjson').toString('utf8').trim();

let s3: S3rverHandle;
let deps: NormaliserDeps;
let curated: S3ObjectStore;
const lines: string[] = [];

const land = (key: string, body: Buffer | string) =>
  s3.client.send(new PutObjectCommand({ Bucket: 'landing', Key: key, Body: body }));

/** Normalises one landed object and returns the EMF document it logged. */
async function normalise(key: string): Promise<Record<string, unknown>> {
  const before = lines.length;
  const response = await handleNormaliseBatch({ Records: [s3NotificationRecord(key, 'landing', key)] }, deps);
  expect(response.batchItemFailures).toEqual([]);
  expect(lines.length).toBe(before + 1);
  return JSON.parse(lines.at(-1) ?? '{}') as Record<string, unknown>;
}

beforeAll(async () => {
  for (const level of ['info', 'warn', 'error'] as const) vi.spyOn(console, level).mockImplementation(() => {});
  s3 = await startS3rver();
  for (const bucket of ['landing', 'curated', 'quarantine']) await s3.createBucket(bucket);
  const store = (bucket: string) => new S3ObjectStore({ client: s3.client, bucket });
  curated = store('curated');
  const corrupt = gzipSync(GOOD);
  corrupt.fill(0, 20, 40);
  await land('connect/2024/03/04/corrupt.ndjson.gz', corrupt);
  // S3 times objects to the second: the partly rejected file lands a second later, as the later delivery.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await land('connect/2024/03/04/partial.ndjson', fixture('ctr-invalid.ndjson'));
  deps = {
    config,
    landingBucket: 'landing',
    stores: { landing: store('landing'), curated, quarantine: store('quarantine') },
    pseudonymKey: new Uint8Array(Buffer.from('k'.repeat(64))),
    tmpDir: mkdtempSync(join(tmpdir(), 'sb-normaliser-metrics-')),
    publishPartitions: async () => {},
    telemetry: ingestionTelemetry({
      stackName: 'ServiceBench-Staging',
      deliveries: curated,
      sink: (line) => lines.push(line),
      now: () => NOW,
    }),
  };
});

afterAll(async () => {
  await s3?.stop();
});

describe('normaliser metrics', () => {
  it('logs a whole-file reject as FilesRejectedWhole 1, per source and stack-wide', async () => {
    const document = await normalise('connect/2024/03/04/corrupt.ndjson.gz');

    expect(document._aws).toEqual({
      Timestamp: NOW.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: 'ServiceBench',
          Dimensions: [['Stack', 'Source'], ['Stack']],
          Metrics: expect.arrayContaining([{ Name: 'FilesRejectedWhole', Unit: 'Count' }]),
        },
      ],
    });
    expect(document).toMatchObject({
      Stack: 'ServiceBench-Staging',
      Source: 'connect',
      FilesLanded: 1,
      FilesRejectedWhole: 1,
      RowsAccepted: 0,
      object_key: 'connect/2024/03/04/corrupt.ndjson.gz',
      file_error: expect.stringMatching(/gzip|header|invalid|incorrect/i),
    });
    // Nothing was read before the corrupt block: the share of an object with no record is unknown, not 0.
    expect(document.RowsRead).toBe(0);
    expect(document).not.toHaveProperty('RejectShare');
    const names = (
      document._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }
    ).CloudWatchMetrics[0]?.Metrics.map((m) => m.Name);
    expect(names).not.toContain('RejectShare');
  });

  it('logs the reject share of a partly rejected file', async () => {
    // ctr-invalid.ndjson: 5 records, 4 rejected (missing ContactId, bad timestamp, off-scale answer, truncated JSON).
    const document = await normalise('connect/2024/03/04/partial.ndjson');

    expect(document).toMatchObject({
      FilesLanded: 1,
      FilesRejectedWhole: 0,
      RowsRead: 5,
      RowsAccepted: 1,
      RowsRejected: 4,
      RejectShare: 0.8,
    });
  });

  it("records each file as its source's last delivery, and a replayed older file does not move it back", async () => {
    const latest = await deps.stores.landing.head('connect/2024/03/04/partial.ndjson');
    expect(await lastDelivery(curated, 'connect')).toEqual({
      source: 'connect',
      objectKey: 'connect/2024/03/04/partial.ndjson',
      landedAt: latest?.lastModified,
    });

    await normalise('connect/2024/03/04/corrupt.ndjson.gz');

    expect((await lastDelivery(curated, 'connect'))?.objectKey).toBe('connect/2024/03/04/partial.ndjson');
  });

  it('takes the stack name from the environment, and fails naming the variable without it', () => {
    expect(() => normaliserTelemetry({}, curated)).toThrow(/STACK_NAME: must be set to the stack name/);
    expect(() => normaliserTelemetry({ STACK_NAME: 'ServiceBench' }, curated)).not.toThrow();
  });
});
