import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../../lambdas/core/store/s3.ts';
import { type S3rverHandle, startS3rver } from '../../support/s3rver.ts';
import { collect, objectStoreContract } from './contract.ts';

describe('S3ObjectStore against s3rver', () => {
  let s3: S3rverHandle;
  let bucket: string;
  let buckets = 0;

  beforeAll(async () => {
    s3 = await startS3rver();
  });
  afterAll(async () => {
    await s3?.stop();
  });
  beforeEach(async () => {
    bucket = `bucket-${++buckets}`;
    await s3.createBucket(bucket);
  });

  // A page size of 2 makes every listing above span several ListObjectsV2 pages.
  objectStoreContract(() => new S3ObjectStore({ client: s3.client, bucket, prefix: 'lake', pageSize: 2 }));

  it('keeps every key under the prefix and names the bucket and prefix as its location', async () => {
    const store = new S3ObjectStore({ client: s3.client, bucket, prefix: 'lake/' });
    await store.write('landing/x.csv', 'a,b\n', 'text/csv');
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(listed.Contents?.map((object) => object.Key)).toEqual(['lake/landing/x.csv']);
    const object = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: 'lake/landing/x.csv' }));
    expect(object.ContentType).toBe('text/csv');
    expect(store.location).toBe(`s3://${bucket}/lake/`);
  });

  it('lists 250 keys across three pages, in order', async () => {
    const store = new S3ObjectStore({ client: s3.client, bucket, pageSize: 100 });
    const written = Array.from({ length: 250 }, (_, index) => `many/${String(index).padStart(4, '0')}.txt`);
    for (const key of written) await store.write(key, key);
    expect((await collect(store.list('many/'))).map((info) => info.key)).toEqual(written);
  });

  it('uploads a stream larger than one part as a multipart upload, byte for byte', async () => {
    const store = new S3ObjectStore({ client: s3.client, bucket, partSize: 5 * 1024 * 1024 });
    const body = Readable.from(
      (function* () {
        for (let index = 0; index < 11; index++) yield Buffer.alloc(1024 * 1024, index + 1);
      })(),
    );
    const commands: string[] = [];
    s3.client.middlewareStack.add(
      (next, context) => (args) => {
        commands.push(context.commandName ?? '');
        return next(args);
      },
      { step: 'initialize', name: 'recordCommands' },
    );
    try {
      await store.write('curated/large.parquet', body);
    } finally {
      s3.client.middlewareStack.remove('recordCommands');
    }
    expect(commands.filter((name) => name === 'UploadPartCommand')).toHaveLength(3);
    expect(commands).toContain('CompleteMultipartUploadCommand');
    expect((await store.head('curated/large.parquet'))?.size).toBe(11 * 1024 * 1024);
    const read: Buffer[] = [];
    for await (const chunk of await store.read('curated/large.parquet')) read.push(chunk as Buffer);
    const bytes = Buffer.concat(read);
    expect(bytes.length).toBe(11 * 1024 * 1024);
    expect([0, 5, 10].map((index) => bytes[index * 1024 * 1024 + 17])).toEqual([1, 6, 11]);
  });

  it('fails with the service error when the bucket does not exist, not as a missing key', async () => {
    const store = new S3ObjectStore({ client: s3.client, bucket: 'no-such-bucket' });
    await expect(store.read('x')).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });
});
