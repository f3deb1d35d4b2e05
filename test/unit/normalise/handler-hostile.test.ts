/**
 * Hostile landing objects through the normaliser Lambda against a local S3: each is rejected (whole
 * or by row) with its audit and quarantine entry, and the message succeeds, so SQS never retries it.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../../lambdas/core/config/config.ts';
import { S3ObjectStore } from '../../../lambdas/core/store/s3.ts';
import { handleNormaliseBatch, type NormaliserDeps } from '../../../lambdas/handlers/normalise.ts';
import { objectBytes, s3NotificationRecord } from '../../support/handlers.ts';
import { type S3rverHandle, startS3rver } from '../../support/s3rver.ts';

const config = parseConfig({
  sources: [
    { name: 'zd', adapter: 'zendesk' },
    { name: 'connect', adapter: 'amazon-connect-ctr', timeZone: 'UTC' },
  ],
});
const firstContact = gunzipSync(
  readFileSync(new URL('../../fixtures/amazon-connect/ctr-firehose.ndjson.gz', import.meta.url)),
)
  .toString('utf8')
  .split('\n')[0] as string;

const DEEP_ARRAY = `${'['.repeat(5000)}${']'.repeat(5000)}`;
const DEEP_OBJECT = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
/** A page whose tickets array nests 5,000 levels: the whole document is refused. */
const DEEP_PAGE = `{"tickets":[${DEEP_ARRAY}],"next_page":null}`;
/** Firehose records: one nested 5,000 levels, then a real contact. */
const DEEP_CONTACTS = `${DEEP_OBJECT}\n${firstContact}\n`;
/** Not JSON from its first byte, then 300 KiB more: the reader stops at once. */
const HTML = `<html>${'<p>gateway timeout</p>'.repeat(14_000)}</html>`;

async function textOf(store: S3ObjectStore, key: string): Promise<string> {
  return (await objectBytes(store, key)).toString('utf8');
}

let s3: S3rverHandle;
let deps: NormaliserDeps;
let curated: S3ObjectStore;
let quarantine: S3ObjectStore;

beforeAll(async () => {
  for (const level of ['info', 'warn', 'error'] as const) vi.spyOn(console, level).mockImplementation(() => {});
  s3 = await startS3rver();
  for (const bucket of ['landing', 'curated', 'quarantine']) await s3.createBucket(bucket);
  for (const [key, body] of [
    ['zd/deep.json', DEEP_PAGE],
    ['connect/deep.ndjson', DEEP_CONTACTS],
    ['connect/html.ndjson', HTML],
  ] as const) {
    await s3.client.send(new PutObjectCommand({ Bucket: 'landing', Key: key, Body: body }));
  }
  const store = (bucket: string) => new S3ObjectStore({ client: s3.client, bucket });
  curated = store('curated');
  quarantine = store('quarantine');
  deps = {
    config,
    landingBucket: 'landing',
    stores: { landing: store('landing'), curated, quarantine },
    pseudonymKey: new Uint8Array(Buffer.from('k'.repeat(64))),
    tmpDir: mkdtempSync(join(tmpdir(), 'sb-normaliser-')),
    publishPartitions: async () => {},
  };
});

afterAll(async () => {
  await s3?.stop();
});

describe('normaliser handler on hostile objects', () => {
  it('rejects deep JSON and a file that is not JSON without failing a message, and audits each object', async () => {
    const result = await handleNormaliseBatch(
      {
        Records: [
          s3NotificationRecord('deep-page', 'landing', 'zd/deep.json'),
          s3NotificationRecord('deep-record', 'landing', 'connect/deep.ndjson'),
          s3NotificationRecord('html', 'landing', 'connect/html.ndjson'),
        ],
      },
      deps,
    );
    expect(result.batchItemFailures).toEqual([]);

    const audits: Record<string, unknown>[] = [];
    for await (const info of curated.list('_staging/ingestion_audit/')) {
      const bytes = await objectBytes(curated, info.key);
      const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      audits.push(...((await parquetReadObjects({ file })) as Record<string, unknown>[]));
    }
    const byKey = Object.fromEntries(audits.map((a) => [a.object_key, a]));
    expect(byKey['zd/deep.json']).toMatchObject({
      rows_read: 0n,
      rows_accepted: 0n,
      file_error: 'the JSON document nests arrays and objects deeper than 64 levels (the limit)',
    });
    expect(byKey['connect/deep.ndjson']).toMatchObject({
      rows_read: 2n,
      rows_accepted: 1n,
      rows_rejected: 1n,
      file_error: null,
    });
    expect(byKey['connect/html.ndjson']).toMatchObject({
      file_error: "not JSON records: the file starts with '<' (HTML or XML?)",
      // The reader stopped at the first byte; the audit still names all 300 KiB.
      object_sha256: createHash('sha256').update(HTML).digest('hex'),
    });

    expect(await textOf(quarantine, 'zd/deep.json.rejects.jsonl')).toContain(
      '"reason":"file rejected: the JSON document nests arrays and objects deeper than 64 levels (the limit)"',
    );
    const rowReject = JSON.parse(await textOf(quarantine, 'connect/deep.ndjson.rejects.jsonl'));
    expect(rowReject).toMatchObject({
      row_number: 1,
      reason: 'the record nests arrays and objects deeper than 64 levels (the limit)',
    });
  });
});
