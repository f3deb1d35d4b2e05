/**
 * The erasure Lambda over S3 (s3rver on loopback): the lake `servicebench ingest` built from the
 * erasure fixtures, uploaded to landing, curated and quarantine buckets, with the key read from a
 * (mocked) Secrets Manager secret as the normaliser reads it. The metric refresh it starts is a
 * mocked Lambda client: what matters is whether and how it is invoked.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { landingKeyOf } from '../../../cli/ingest.ts';
import type { ErasureRecord } from '../../../lambdas/core/erase/erase.ts';
import type { ObjectStore } from '../../../lambdas/core/store/object-store.ts';
import { coldStart, type ErasureDeps, handleErasure, lambdaRefreshStarter } from '../../../lambdas/handlers/erase.ts';
import { type S3rverHandle, startS3rver } from '../../support/s3rver.ts';
import { ANN, BOB, createErasureFolder, filesUnder, ingestErasureFixtures } from '../erase/support.ts';

const SECRET = 'p'.repeat(64);
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pseudonym-key-AbCdEf';
const ENV = {
  LANDING_BUCKET: 'landing',
  CURATED_BUCKET: 'curated',
  QUARANTINE_BUCKET: 'quarantine',
  PSEUDONYM_SECRET_ARN: SECRET_ARN,
  REFRESH_FUNCTION: 'servicebench-RefreshRefresherFunction',
};

let dir: string;
let s3: S3rverHandle;
let deps: ErasureDeps;
const secrets = mockClient(SecretsManagerClient);
const lambda = mockClient(LambdaClient);

/** The refresh invocations since the last call, as their inputs. */
function refreshInvocations(): unknown[] {
  const inputs = lambda.commandCalls(InvokeCommand).map((call) => call.args[0].input);
  lambda.resetHistory();
  return inputs;
}

beforeAll(async () => {
  for (const level of ['info', 'warn', 'error'] as const) vi.spyOn(console, level).mockImplementation(() => {});
  dir = createErasureFolder();
  // The lake is ingested with the secret's bytes as its key, as the deployed normaliser would.
  const previousKey = process.env.SERVICEBENCH_PSEUDONYM_KEY;
  process.env.SERVICEBENCH_PSEUDONYM_KEY = Buffer.from(SECRET, 'utf8').toString('hex');
  try {
    await ingestErasureFixtures(dir);
  } finally {
    if (previousKey === undefined) delete process.env.SERVICEBENCH_PSEUDONYM_KEY;
    else process.env.SERVICEBENCH_PSEUDONYM_KEY = previousKey;
  }
  s3 = await startS3rver();
  for (const zone of ['landing', 'curated', 'quarantine']) {
    await s3.createBucket(zone);
    for (const [path, body] of filesUnder(join(dir, 'lake', zone))) {
      await s3.client.send(new PutObjectCommand({ Bucket: zone, Key: path.split('\\').join('/'), Body: body }));
    }
  }
  secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: SECRET });
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  deps = await coldStart(ENV, {
    s3: s3.client,
    secrets: new SecretsManagerClient({ region: 'eu-west-1' }),
    lambda: new LambdaClient({ region: 'eu-west-1' }),
  });
}, 180_000);

afterAll(async () => {
  secrets.restore();
  lambda.restore();
  await s3?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function bucketFiles(store: ObjectStore): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for await (const info of store.list('')) {
    const chunks: Buffer[] = [];
    for await (const chunk of await store.read(info.key)) chunks.push(chunk as Buffer);
    if (!info.key.startsWith('_erasures/')) files.set(info.key, Buffer.concat(chunks).toString('base64'));
  }
  return files;
}

async function interactionIds(): Promise<string[]> {
  const ids: string[] = [];
  for await (const info of deps.stores.curated.list('interactions/')) {
    const object = await s3.client.send(new GetObjectCommand({ Bucket: 'curated', Key: info.key }));
    const bytes = await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    for (const row of await parquetReadObjects({ file, columns: ['interaction_id'] })) {
      ids.push(row.interaction_id as string);
    }
  }
  return ids.sort();
}

describe('erasure handler on S3', () => {
  it('answers a dry run with what would go and changes no object', async () => {
    const before = {
      curated: await bucketFiles(deps.stores.curated),
      quarantine: await bucketFiles(deps.stores.quarantine),
    };
    const response = await handleErasure({ customers: [ANN], dryRun: true }, deps);
    expect(response).toMatchObject({ status: 'dry-run', record: null, rejectLines: 1, refresh: 'not needed' });
    expect(refreshInvocations()).toEqual([]);
    expect(response.tables.map((t) => [t.table, t.rows])).toEqual([
      ['interactions', 3],
      ['survey_responses', 1],
      ['customer_activity', 0],
    ]);
    expect(await bucketFiles(deps.stores.curated)).toEqual(before.curated);
    expect(await bucketFiles(deps.stores.quarantine)).toEqual(before.quarantine);
  });

  it('erases Ann from the buckets, records it, names the landing objects as s3:// URIs, starts the refresh, and a rerun finds nothing', async () => {
    expect(await interactionIds()).toEqual(['c1', 'c1', 'c2', 'c3', 'c6']);
    const response = await handleErasure({ customers: [ANN] }, deps);
    expect(await interactionIds()).toEqual(['c2', 'c6']);
    expect(response.status).toBe('completed');
    expect(response.rejectLines).toBe(1);
    expect(response.landingObjects).toEqual(
      [
        landingKeyOf('calls', join(dir, 'calls.csv')),
        landingKeyOf('calls', join(dir, 'calls-later.csv')),
        landingKeyOf('surveys', join(dir, 'surveys.csv')),
      ]
        .sort()
        .map((key) => `s3://landing/${key}`),
    );
    expect(response.refresh).toBe('started');
    expect(response.refreshError).toBeUndefined();
    expect(refreshInvocations()).toEqual([
      { FunctionName: ENV.REFRESH_FUNCTION, InvocationType: 'Event', Payload: '{}' },
    ]);
    expect(response.nextStep).toMatch(/^delete the landingObjects .*; the metric refresh was started: /);
    expect(response.record).toMatch(/^s3:\/\/curated\/_erasures\/.+\.json$/);
    const recordKey = (response.record as string).slice('s3://curated/'.length);
    const chunks: Buffer[] = [];
    for await (const chunk of await deps.stores.curated.read(recordKey)) chunks.push(chunk as Buffer);
    const record = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ErasureRecord;
    expect(record.tables.map((t) => t.rows)).toEqual([3, 1, 0]);
    expect(JSON.stringify(record)).not.toContain('5550001111');

    const again = await handleErasure({ customers: [ANN] }, deps);
    expect(again.tables.map((t) => t.rows)).toEqual([0, 0, 0]);
    expect(again).toMatchObject({
      rejectLines: 0,
      landingObjects: [],
      refresh: 'not needed',
      nextStep: 'nothing is left to do by hand',
    });
    expect(refreshInvocations()).toEqual([]);
  });

  it('keeps the erasure and tells the operator to start the refresh when it cannot be started', async () => {
    const missing = Object.assign(new Error(`Function not found: ${ENV.REFRESH_FUNCTION}`), {
      name: 'ResourceNotFoundException',
    });
    lambda.on(InvokeCommand).rejects(missing);
    try {
      const response = await handleErasure({ customers: [BOB] }, deps);
      expect(await interactionIds()).toEqual([]);
      expect(response.status).toBe('completed');
      expect(response.tables.map((t) => t.rows)).toEqual([2, 1, 0]);
      expect(response.record).toMatch(/^s3:\/\/curated\/_erasures\/.+\.json$/);
      expect(response.refresh).toBe('failed');
      expect(response.refreshError).toBe(`ResourceNotFoundException: Function not found: ${ENV.REFRESH_FUNCTION}`);
      expect(response.nextStep).toContain('start the metric refresh, which could not be started');
      expect(response.nextStep).toContain(
        `aws lambda invoke --function-name ${ENV.REFRESH_FUNCTION} --invocation-type Event --cli-binary-format raw-in-base64-out --payload '{}' out.json`,
      );
      expect(refreshInvocations()).toHaveLength(1);
    } finally {
      lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    }
  });

  it('fails naming the problem when the event is not an erasure request', async () => {
    await expect(handleErasure({ customers: [] }, deps)).rejects.toThrow(/customers: must name at least one customer/);
    await expect(handleErasure({ customer: 'ann@example.com' }, deps)).rejects.toThrow(
      /customers: must be a list of customer identifiers/,
    );
  });
});

describe('erasure cold start', () => {
  it('fails naming every missing variable', async () => {
    await expect(coldStart({ LANDING_BUCKET: 'landing' })).rejects.toThrow(
      /CURATED_BUCKET[\s\S]*QUARANTINE_BUCKET[\s\S]*PSEUDONYM_SECRET_ARN[\s\S]*REFRESH_FUNCTION/,
    );
  });

  it('fails when the secret has no string value', async () => {
    const emptyArn = `${SECRET_ARN}-empty`;
    secrets.on(GetSecretValueCommand, { SecretId: emptyArn }).resolves({});
    await expect(
      coldStart(
        { ...ENV, PSEUDONYM_SECRET_ARN: emptyArn },
        { secrets: new SecretsManagerClient({ region: 'eu-west-1' }) },
      ),
    ).rejects.toThrow(/has no string value/);
  });
});

describe('refresh start', () => {
  it('fails when Lambda does not accept the event for an asynchronous run', async () => {
    lambda.on(InvokeCommand).resolvesOnce({ StatusCode: 200 });
    const start = lambdaRefreshStarter(new LambdaClient({ region: 'eu-west-1' }), ENV.REFRESH_FUNCTION);
    await expect(start({})).rejects.toThrow(/asynchronous invoke of .*RefreshRefresherFunction with status 200/);
    lambda.resetHistory();
  });
});
