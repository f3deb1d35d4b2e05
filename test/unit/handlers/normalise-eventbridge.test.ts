/**
 * The normaliser fed by an existing landing bucket: S3 → EventBridge → the stack's rule → the
 * ingestion queue, so each message body is an EventBridge event, not an S3 notification.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../../lambdas/core/config/config.ts';
import type { Partition } from '../../../lambdas/core/schema/layout.ts';
import { S3ObjectStore } from '../../../lambdas/core/store/s3.ts';
import { handleNormaliseBatch, type NormaliserDeps } from '../../../lambdas/handlers/normalise.ts';
import { sqsRecord } from '../../support/handlers.ts';
import { type S3rverHandle, startS3rver } from '../../support/s3rver.ts';

const config = parseConfig({ sources: [{ name: 'connect', adapter: 'amazon-connect-ctr', timeZone: 'UTC' }] });
const LANDING = 'acme-connect-ctr';
/** EventBridge carries the key as it is: a `+` here is a plus sign, a space a space. */
const KEY = 'connect/2024/03/04/ctr batch+1.ndjson.gz';

/** An EventBridge "Object Created" event as the rule's SQS target delivers it (the event is the body). */
function eventBridgeMessage(messageId: string, bucket: string, key: string): SQSRecord {
  const event = {
    version: '0',
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '123456789012',
    time: '2024-03-05T00:00:00Z',
    region: 'eu-west-1',
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: { key, size: 1490, etag: 'b1946ac92492d2347c6235b4d2611184', sequencer: '00617F08299329D189' },
      'request-id': 'N4N7GDK58NMKJ12R',
      requester: '123456789012',
      'source-ip-address': '192.0.2.1',
      reason: 'PutObject',
    },
  };
  return sqsRecord(messageId, JSON.stringify(event), { senderId: 'AIDAEVENTS' });
}

let s3: S3rverHandle;
let deps: NormaliserDeps;
const published: Partition[][] = [];

beforeAll(async () => {
  for (const level of ['info', 'warn', 'error'] as const) vi.spyOn(console, level).mockImplementation(() => {});
  s3 = await startS3rver();
  for (const bucket of [LANDING, 'curated', 'quarantine']) await s3.createBucket(bucket);
  const body = readFileSync(new URL('../../fixtures/amazon-connect/ctr-firehose.ndjson.gz', import.meta.url));
  await s3.client.send(new PutObjectCommand({ Bucket: LANDING, Key: KEY, Body: body }));
  const store = (bucket: string) => new S3ObjectStore({ client: s3.client, bucket });
  deps = {
    config,
    landingBucket: LANDING,
    stores: { landing: store(LANDING), curated: store('curated'), quarantine: store('quarantine') },
    pseudonymKey: new Uint8Array(Buffer.from('k'.repeat(64))),
    tmpDir: mkdtempSync(join(tmpdir(), 'sb-normaliser-eb-')),
    publishPartitions: async (partitions) => {
      published.push([...partitions]);
    },
  };
});

afterAll(async () => {
  await s3?.stop();
});

describe('normaliser handler with EventBridge S3 events', () => {
  it('normalises the object an EventBridge Object Created event names, its key taken as is', async () => {
    const response = await handleNormaliseBatch({ Records: [eventBridgeMessage('created', LANDING, KEY)] }, deps);

    expect(response.batchItemFailures).toEqual([]);
    const curated: string[] = [];
    for await (const info of (deps.stores.curated as S3ObjectStore).list('_staging/')) curated.push(info.key);
    expect(curated.some((k) => /^_staging\/interactions\/dt=2024-03-04\/connect-[0-9a-f]{16}\.parquet$/.test(k))).toBe(
      true,
    );
    expect(published).toHaveLength(1);
    expect(published[0]).toContainEqual({ table: 'interactions', dt: '2024-03-04' });
  });

  it('takes the URL-decoded key when only its object exists, as a notification would carry it', async () => {
    const encoded = 'connect/2024/03/04/ctr+batch%2B2.ndjson.gz';
    const body = readFileSync(new URL('../../fixtures/amazon-connect/ctr-firehose.ndjson.gz', import.meta.url));
    await s3.client.send(
      new PutObjectCommand({ Bucket: LANDING, Key: 'connect/2024/03/04/ctr batch+2.ndjson.gz', Body: body }),
    );
    const response = await handleNormaliseBatch({ Records: [eventBridgeMessage('encoded', LANDING, encoded)] }, deps);
    expect(response.batchItemFailures).toEqual([]);
    const audits: string[] = [];
    for await (const info of (deps.stores.curated as S3ObjectStore).list('_staging/ingestion_audit/'))
      audits.push(info.key);
    expect(audits).toHaveLength(2);
    // Neither form exists: the key as given is named in the failure.
    const missing = await handleNormaliseBatch(
      { Records: [eventBridgeMessage('missing', LANDING, 'connect/2024/03/04/none%2B3.ndjson.gz')] },
      deps,
    );
    expect(missing.batchItemFailures).toEqual([{ itemIdentifier: 'missing' }]);
    published.splice(1);
  });

  it('fails the message when the event names another bucket or is not an Object Created event', async () => {
    const deleted = eventBridgeMessage('deleted', LANDING, KEY);
    deleted.body = deleted.body.replace('"Object Created"', '"Object Deleted"');
    const response = await handleNormaliseBatch(
      { Records: [eventBridgeMessage('elsewhere', 'other-bucket', KEY), deleted] },
      deps,
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'elsewhere' }, { itemIdentifier: 'deleted' }]);
    expect(published).toHaveLength(1);
  });
});
