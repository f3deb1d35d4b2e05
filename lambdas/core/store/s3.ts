/**
 * ObjectStore over an S3 bucket (optionally under a key prefix). Reads stream the object body;
 * stream writes go through the multipart Upload helper so a large curated file is never buffered
 * whole.
 */

import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { type ObjectInfo, ObjectNotFoundError, type ObjectStore } from './object-store.ts';

/** Keys per ListObjectsV2 page (the S3 maximum). */
export const S3_LIST_PAGE_SIZE = 1000;
/** Multipart part size for streamed uploads (S3's minimum is 5 MiB). */
export const S3_UPLOAD_PART_BYTES = 8 * 1024 * 1024;
/** Parts uploaded concurrently; memory held is about this many parts. */
export const S3_UPLOAD_QUEUE_SIZE = 4;

export interface S3ObjectStoreProps {
  readonly client: S3Client;
  readonly bucket: string;
  /** Folder inside the bucket that holds every key, e.g. 'servicebench/'. @default the bucket root */
  readonly prefix?: string;
  /** Keys per list request. @default S3_LIST_PAGE_SIZE */
  readonly pageSize?: number;
  /** Part size of streamed uploads, in bytes. @default S3_UPLOAD_PART_BYTES */
  readonly partSize?: number;
}

export class S3ObjectStore implements ObjectStore {
  readonly location: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly pageSize: number;
  private readonly partSize: number;

  constructor(props: S3ObjectStoreProps) {
    this.client = props.client;
    this.bucket = props.bucket;
    const prefix = props.prefix ?? '';
    this.prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    this.pageSize = props.pageSize ?? S3_LIST_PAGE_SIZE;
    this.partSize = props.partSize ?? S3_UPLOAD_PART_BYTES;
    this.location = `s3://${this.bucket}/${this.prefix}`;
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
      return { key, size: head.ContentLength ?? 0, lastModified: head.LastModified ?? new Date(0) };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async read(key: string): Promise<Readable> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
      // In Node the SDK's body is an http.IncomingMessage, a Readable.
      return object.Body as Readable;
    } catch (error) {
      if (isNotFound(error)) throw new ObjectNotFoundError(this.location, key);
      throw error;
    }
  }

  async write(key: string, body: Buffer | string | Readable, contentType?: string): Promise<void> {
    const params = { Bucket: this.bucket, Key: this.keyOf(key), Body: body, ContentType: contentType };
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
      await this.client.send(new PutObjectCommand(params));
      return;
    }
    await new Upload({
      client: this.client,
      params,
      partSize: this.partSize,
      queueSize: S3_UPLOAD_QUEUE_SIZE,
    }).done();
  }

  async *list(prefix: string): AsyncGenerator<ObjectInfo> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.keyOf(prefix),
          MaxKeys: this.pageSize,
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield {
          key: object.Key.slice(this.prefix.length),
          size: object.Size ?? 0,
          lastModified: object.LastModified ?? new Date(0),
        };
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
  }

  private keyOf(key: string): string {
    return `${this.prefix}${key}`;
  }
}

/** A missing key (GetObject says NoSuchKey; HeadObject has no body and says NotFound); a missing bucket is not. */
function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === 'NoSuchKey' || name === 'NotFound';
}
