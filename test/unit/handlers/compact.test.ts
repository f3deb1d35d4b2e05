import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { lineageOf } from '../../../lambdas/core/compact/compact.ts';
import { parseCompactionMessage } from '../../../lambdas/core/compact/messages.ts';
import { parseConfig } from '../../../lambdas/core/config/config.ts';
import type { ObjectStore } from '../../../lambdas/core/store/object-store.ts';
import { S3ObjectStore } from '../../../lambdas/core/store/s3.ts';
import { type CompactorDeps, coldStart, handleCompactBatch } from '../../../lambdas/handlers/compact.ts';
import {
  handleNormaliseBatch,
  type NormaliserDeps,
  sqsPartitionPublisher,
} from '../../../lambdas/handlers/normalise.ts';
import { objectBytes, s3NotificationRecord, sqsRecord } from '../../support/handlers.ts';
import { type S3rverHandle, startS3rver } from '../../support/s3rver.ts';

const config = parseConfig({ sources: [{ name: 'connect', adapter: 'amazon-connect-ctr', timeZone: 'UTC' }] });
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/amazon-connect/${name}`, import.meta.url));
const LANDING_KEYS = ['connect/2024/03/04/batch-1.ndjson', 'connect/2024/03/04/batch-2.ndjson.gz'];
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/compaction.fifo';

/** A compaction message, as the FIFO queue delivers it to the compactor. */
function compactionMessage(messageId: string, body: string, groupId = 'g'): SQSRecord {
  return sqsRecord(messageId, body, {
    senderId: 'AIDANORMALISER',
    queueArn: 'arn:aws:sqs:eu-west-1:123456789012:compaction.fifo',
    attributes: { MessageGroupId: groupId },
  });
}

async function keys(store: ObjectStore, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for await (const info of store.list(prefix)) found.push(info.key);
  return found;
}

let s3: S3rverHandle;
let normaliser: NormaliserDeps;
let compactor: CompactorDeps;
/** What the normaliser sent to the compaction queue, as the SQS records Lambda delivers. */
let sent: SQSRecord[] = [];
const sqs = mockClient(SQSClient);

beforeAll(async () => {
  for (const level of ['info', 'warn', 'error'] as const) vi.spyOn(console, level).mockImplementation(() => {});
  s3 = await startS3rver();
  for (const bucket of ['landing', 'curated', 'quarantine']) await s3.createBucket(bucket);
  const bodies = [fixture('ctr-firehose.ndjson'), fixture('ctr-firehose.ndjson.gz')];
  for (const [i, key] of LANDING_KEYS.entries()) {
    await s3.client.send(new PutObjectCommand({ Bucket: 'landing', Key: key, Body: bodies[i] }));
  }
  sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { MessageBody: string; MessageGroupId: string }[] }) => {
    for (const entry of input.Entries) {
      sent.push(compactionMessage(`m${sent.length}`, entry.MessageBody, entry.MessageGroupId));
    }
    return { Successful: [], Failed: [] };
  });
  const store = (bucket: string) => new S3ObjectStore({ client: s3.client, bucket });
  normaliser = {
    config,
    landingBucket: 'landing',
    stores: { landing: store('landing'), curated: store('curated'), quarantine: store('quarantine') },
    pseudonymKey: new Uint8Array(Buffer.from('k'.repeat(64))),
    tmpDir: mkdtempSync(join(tmpdir(), 'sb-compactor-')),
    publishPartitions: sqsPartitionPublisher(new SQSClient({ region: 'eu-west-1' }), QUEUE_URL),
  };
  compactor = coldStart({ CURATED_BUCKET: 'curated' }, s3.client);
});

afterAll(async () => {
  sqs.restore();
  await s3?.stop();
});

/** The partition files the tables read, with their bytes. */
async function tableFiles(): Promise<Record<string, Buffer>> {
  const files: Record<string, Buffer> = {};
  for (const key of await keys(compactor.curated)) {
    if (!key.startsWith('_')) files[key] = await objectBytes(compactor.curated, key);
  }
  return files;
}

describe('compactor handler on S3', () => {
  it('compacts the partitions the normaliser published into one file each, from every object staged there', async () => {
    const normalised = await handleNormaliseBatch(
      { Records: LANDING_KEYS.map((key, i) => s3NotificationRecord(`landed-${i}`, 'landing', key)) },
      normaliser,
    );
    expect(normalised.batchItemFailures).toEqual([]);
    const batch: SQSEvent = { Records: sent };
    sent = [];
    // Both objects touched the same partitions: each is compacted once for the batch.
    expect(batch.Records.length).toBeGreaterThan(new Set(batch.Records.map((r) => r.body)).size);

    const response = await handleCompactBatch(batch, compactor);

    expect(response.batchItemFailures).toEqual([]);
    const files = await tableFiles();
    const dataKeys = Object.keys(files).filter((k) => !k.startsWith('ingestion_audit/'));
    expect(dataKeys.length).toBeGreaterThan(0);
    for (const key of Object.keys(files)) expect(key).toMatch(/^[a-z_]+\/dt=\d{4}-\d\d-\d\d\/compacted\.parquet$/);
    const interactions = files['interactions/dt=2024-03-04/compacted.parquet'] as Buffer;
    const lineage = lineageOf(interactions);
    expect(lineage.map((l) => l.object)).toHaveLength(2);
    const rows = await parquetReadObjects({
      file: interactions.buffer.slice(
        interactions.byteOffset,
        interactions.byteOffset + interactions.byteLength,
      ) as ArrayBuffer,
    });
    expect(rows.length).toBe(lineage.reduce((sum, l) => sum + l.rows, 0));
    const staged = await keys(compactor.curated, '_staging/interactions/dt=2024-03-04/');
    expect(staged).toHaveLength(2);
  });

  it('changes nothing when the same messages are delivered again', async () => {
    const before = await tableFiles();
    const partitions = [...new Set(Object.keys(before).map((k) => k.split('/compacted')[0] as string))];
    const again: SQSEvent = {
      Records: partitions.map((p, i) => {
        const [table, dt] = p.split('/dt=') as [string, string];
        return compactionMessage(`again-${i}`, JSON.stringify({ table, dt }), p);
      }),
    };
    expect((await handleCompactBatch(again, compactor)).batchItemFailures).toEqual([]);
    expect(await tableFiles()).toEqual(before);
  });

  it('fails a message it cannot read and every later one (FIFO order), and compacts those before it', async () => {
    const event: SQSEvent = {
      Records: [
        compactionMessage('first', JSON.stringify({ table: 'interactions', dt: '2024-03-04' })),
        compactionMessage('poison', '{"table":"tickets","dt":"2024-03-04"}'),
        compactionMessage('after', JSON.stringify({ table: 'interactions', dt: '2024-03-05' })),
      ],
    };
    const response = await handleCompactBatch(event, compactor);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'poison' }, { itemIdentifier: 'after' }]);
  });

  it('fails the batch from the partition whose write failed, and a redelivery completes it', async () => {
    const before = await tableFiles();
    const partition = { table: 'interactions', dt: '2024-03-04' } as const;
    await compactor.curated.delete(`${partition.table}/dt=${partition.dt}/compacted.parquet`);
    const failing: CompactorDeps = {
      curated: Object.assign(Object.create(compactor.curated) as ObjectStore, {
        write: () => Promise.reject(new Error('S3 unavailable')),
      }),
    };
    const event: SQSEvent = { Records: [compactionMessage('retry-me', JSON.stringify(partition))] };
    expect((await handleCompactBatch(event, failing)).batchItemFailures).toEqual([{ itemIdentifier: 'retry-me' }]);
    expect((await handleCompactBatch(event, compactor)).batchItemFailures).toEqual([]);
    expect(await tableFiles()).toEqual(before);
  });
});

describe('compaction messages', () => {
  it('reads a partition', () => {
    expect(parseCompactionMessage('{"table":"survey_responses","dt":"2025-06-30"}')).toEqual({
      table: 'survey_responses',
      dt: '2025-06-30',
    });
  });

  it.each([
    ['not JSON', 'compact please', /is not JSON/],
    ['an unknown table', '{"table":"tickets","dt":"2025-06-30"}', /table: Invalid option/],
    ['a bad date', '{"table":"interactions","dt":"2025-13-40"}', /dt: must be a YYYY-MM-DD date/],
  ])('fails on %s, naming the problem', (_label, body, message) => {
    expect(() => parseCompactionMessage(body)).toThrow(message);
  });

  it('fails the cold start when the environment lacks the bucket', () => {
    expect(() => coldStart({})).toThrow(/CURATED_BUCKET: must be set to the curated bucket name/);
  });
});
