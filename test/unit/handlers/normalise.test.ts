import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../../lambdas/core/config/config.ts';
import { CONFIG_FILE_NAME } from '../../../lambdas/core/env/environment.ts';
import { normaliserConfigJson } from '../../../lambdas/core/env/normaliser.ts';
import type { Partition } from '../../../lambdas/core/schema/layout.ts';
import { S3ObjectStore } from '../../../lambdas/core/store/s3.ts';
import {
  coldStart,
  decodeS3Key,
  handleNormaliseBatch,
  type NormaliserDeps,
  sqsPartitionPublisher,
} from '../../../lambdas/handlers/normalise.ts';
import { objectBytes, sqsRecord } from '../../support/handlers.ts';
import { type S3rverHandle, startS3rver } from '../../support/s3rver.ts';

const config = parseConfig({ sources: [{ name: 'connect', adapter: 'amazon-connect-ctr', timeZone: 'UTC' }] });
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/amazon-connect/${name}`, import.meta.url));
const KEY = 'connect/2024/03/04/ctr batch 1.ndjson.gz';

/** An S3 → SQS message exactly as S3 writes it: the key URL-encoded with `+` for spaces. */
function s3Message(messageId: string, bucket: string, key: string, receiveCount = '1'): SQSRecord {
  const encoded = encodeURIComponent(key).replaceAll('%20', '+').replaceAll('%2F', '/');
  const body = {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'eu-west-1',
        eventTime: '2024-03-05T00:00:00.000Z',
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` }, object: { key: encoded, size: 1490 } },
      },
    ],
  };
  return sqsRecord(messageId, JSON.stringify(body), { receiveCount });
}

let s3: S3rverHandle;
let deps: NormaliserDeps;
const published: Partition[][] = [];
const keys = async (store: S3ObjectStore, prefix = '') => {
  const found: string[] = [];
  for await (const info of store.list(prefix)) found.push(info.key);
  return found;
};

beforeAll(async () => {
  for (const level of ['info', 'warn', 'error'] as const) vi.spyOn(console, level).mockImplementation(() => {});
  s3 = await startS3rver();
  for (const bucket of ['landing', 'curated', 'quarantine']) await s3.createBucket(bucket);
  await s3.client.send(new PutObjectCommand({ Bucket: 'landing', Key: KEY, Body: fixture('ctr-firehose.ndjson.gz') }));
  await s3.client.send(
    new PutObjectCommand({
      Bucket: 'landing',
      Key: 'connect/2024/03/04/bad.ndjson',
      Body: fixture('ctr-invalid.ndjson'),
    }),
  );
  await s3.client.send(new PutObjectCommand({ Bucket: 'landing', Key: 'unknown/export.csv', Body: 'a,b\n1,2\n' }));
  const store = (bucket: string) => new S3ObjectStore({ client: s3.client, bucket });
  deps = {
    config,
    landingBucket: 'landing',
    stores: { landing: store('landing'), curated: store('curated'), quarantine: store('quarantine') },
    pseudonymKey: new Uint8Array(Buffer.from('k'.repeat(64))),
    tmpDir: mkdtempSync(join(tmpdir(), 'sb-normaliser-')),
    publishPartitions: async (partitions) => {
      published.push([...partitions]);
    },
  };
});

afterAll(async () => {
  await s3?.stop();
});

describe('normaliser handler', () => {
  it('decodes keys the way S3 encodes them in notifications', () => {
    expect(decodeS3Key('connect/2024/ctr+batch+1%281%29.json')).toBe('connect/2024/ctr batch 1(1).json');
  });

  it('normalises each object of a batch and fails only the messages that cannot be processed', async () => {
    const event: SQSEvent = {
      Records: [
        s3Message('good', 'landing', KEY),
        sqsRecord('poison', 'this is not an S3 notification'),
        s3Message('unknown-source', 'landing', 'unknown/export.csv', '2'),
        sqsRecord('s3-test-event', JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'landing' })),
        s3Message('folder-marker', 'landing', 'connect/2024/'),
        s3Message('rows-rejected', 'landing', 'connect/2024/03/04/bad.ndjson'),
      ],
    };

    const response = await handleNormaliseBatch(event, deps);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'poison' }, { itemIdentifier: 'unknown-source' }]);
    const curated = await keys(deps.stores.curated as S3ObjectStore);
    expect(curated.some((k) => /^_staging\/interactions\/dt=2024-03-04\/connect-[0-9a-f]{16}\.parquet$/.test(k))).toBe(
      true,
    );
    expect(curated.filter((k) => k.startsWith('_staging/ingestion_audit/'))).toHaveLength(2);
    expect(published).toHaveLength(2);
    expect(published[0]).toContainEqual({ table: 'interactions', dt: '2024-03-04' });
    expect(published[0]).toContainEqual({ table: 'ingestion_audit', dt: expect.stringMatching(/^\d{4}-\d\d-\d\d$/) });
    const quarantine = await keys(deps.stores.quarantine as S3ObjectStore);
    expect(quarantine).toContain('connect/2024/03/04/bad.ndjson.rejects.jsonl');
  });

  it('changes nothing when the same object is delivered again (at-least-once delivery)', async () => {
    const curated = deps.stores.curated as S3ObjectStore;
    const dataKeys = async () => (await keys(curated)).filter((k) => !k.startsWith('_staging/ingestion_audit/'));
    const before = await dataKeys();
    const bytesBefore = await Promise.all(before.map((k) => objectBytes(curated, k)));
    const response = await handleNormaliseBatch({ Records: [s3Message('again', 'landing', KEY)] }, deps);
    expect(response.batchItemFailures).toEqual([]);
    expect(await dataKeys()).toEqual(before);
    expect(await Promise.all(before.map((k) => objectBytes(curated, k)))).toEqual(bytesBefore);
    expect((await keys(curated, '_staging/ingestion_audit/')).length).toBe(2);
  });

  it('fails the message when its partitions cannot be published, so the retry publishes them', async () => {
    const failing = { ...deps, publishPartitions: () => Promise.reject(new Error('queue unavailable')) };
    const response = await handleNormaliseBatch({ Records: [s3Message('unpublished', 'landing', KEY)] }, failing);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'unpublished' }]);
  });

  it('records an audit whose counts reconcile for a file with rejected rows', async () => {
    const rejects = (
      await objectBytes(deps.stores.quarantine as S3ObjectStore, 'connect/2024/03/04/bad.ndjson.rejects.jsonl')
    )
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { row_number: number; reason: string });
    expect(rejects.length).toBeGreaterThan(0);
    for (const reject of rejects) expect(reject.reason.length).toBeGreaterThan(0);
    const curated = deps.stores.curated as S3ObjectStore;
    const audits = await Promise.all(
      (await keys(curated, '_staging/ingestion_audit/')).map(async (k) => {
        const bytes = await objectBytes(curated, k);
        const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
        return (await parquetReadObjects({ file }))[0] as Record<string, unknown>;
      }),
    );
    const audit = audits.find((a) => a.object_key === 'connect/2024/03/04/bad.ndjson');
    const lines = fixture('ctr-invalid.ndjson').toString('utf8').trim().split('\n').length;
    expect(audit).toMatchObject({ rows_read: BigInt(lines), rows_rejected: BigInt(rejects.length), file_error: null });
    expect(Number(audit?.rows_accepted) + Number(audit?.rows_rejected)).toBe(Number(audit?.rows_read));
  });

  it('fails the message when the notification names another bucket', async () => {
    const response = await handleNormaliseBatch({ Records: [s3Message('elsewhere', 'other-bucket', KEY)] }, deps);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'elsewhere' }]);
  });
});

describe('normaliser cold start', () => {
  const taskRoot = mkdtempSync(join(tmpdir(), 'sb-task-'));
  writeFileSync(join(taskRoot, CONFIG_FILE_NAME), normaliserConfigJson(config));
  const env = {
    LAMBDA_TASK_ROOT: taskRoot,
    LANDING_BUCKET: 'landing',
    CURATED_BUCKET: 'curated',
    QUARANTINE_BUCKET: 'quarantine',
    PSEUDONYM_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pseudonym-key-AbCdEf',
    COMPACTION_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/compaction.fifo',
  };

  it('reads the pseudonymisation key from Secrets Manager and the sources from the environment', async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets
      .on(GetSecretValueCommand, { SecretId: env.PSEUDONYM_SECRET_ARN })
      .resolves({ SecretString: 'z'.repeat(64) });
    const ready = await coldStart(env, { s3: s3.client, secrets: new SecretsManagerClient({ region: 'eu-west-1' }) });
    expect(Buffer.from(ready.pseudonymKey).toString()).toBe('z'.repeat(64));
    expect(ready.config.sources.map((s) => s.name)).toEqual(['connect']);
    expect(ready.stores.landing.location).toBe('s3://landing/');
    expect(ready.tmpDir).toBe('/tmp');
    secrets.restore();
  });

  it('fails when the environment lacks the secret', async () => {
    const { PSEUDONYM_SECRET_ARN: _, ...partial } = env;
    await expect(coldStart(partial)).rejects.toThrow(/PSEUDONYM_SECRET_ARN/);
  });

  it('fails when the secret has no string value', async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({});
    await expect(coldStart(env, { secrets: new SecretsManagerClient({ region: 'eu-west-1' }) })).rejects.toThrow(
      /has no string value/,
    );
    secrets.restore();
  });
});

describe('compaction publisher', () => {
  const queueUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/compaction.fifo';
  const partitions: Partition[] = Array.from({ length: 12 }, (_, i) => ({
    table: 'interactions',
    dt: `2025-06-${String(i + 1).padStart(2, '0')}`,
  }));

  it('sends one FIFO message per partition, ten per request, grouped by partition, each with its own id', async () => {
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    await sqsPartitionPublisher(new SQSClient({ region: 'eu-west-1' }), queueUrl)(partitions);
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.Entries?.length)).toEqual([10, 2]);
    const entries = calls.flatMap((c) => c.Entries ?? []);
    expect(calls.every((c) => c.QueueUrl === queueUrl)).toBe(true);
    expect(entries[0]).toMatchObject({
      MessageBody: JSON.stringify({ table: 'interactions', dt: '2025-06-01' }),
      MessageGroupId: 'interactions/2025-06-01',
    });
    expect(new Set(entries.map((e) => e.MessageDeduplicationId)).size).toBe(12);
    sqs.restore();
  });

  it('fails naming the partitions SQS refused', async () => {
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [],
      Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false, Message: 'try again' }],
    });
    await expect(
      sqsPartitionPublisher(new SQSClient({ region: 'eu-west-1' }), queueUrl)(partitions.slice(0, 2)),
    ).rejects.toThrow(/refused 1 partition\(s\): interactions\/2025-06-02: InternalError try again/);
    sqs.restore();
  });
});
