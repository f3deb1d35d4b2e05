/**
 * The small storage interface the normaliser, the views deployer and the exporter use. Keys are
 * S3-style ('landing/zendesk/2025/06/tickets.json'); the local lake maps them to files.
 */
import type { Readable } from 'node:stream';

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
}

export interface ObjectStore {
  /** A human-readable location, e.g. `s3://bucket` or `/path/to/lake`, for messages. */
  readonly location: string;
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Streams the object's bytes; rejects with a NotFound error naming the key when absent. */
  read(key: string): Promise<Readable>;
  /** Writes the object from a buffer or a stream (streamed uploads never buffer the whole body). */
  write(key: string, body: Buffer | string | Readable, contentType?: string): Promise<void>;
  /** Every key under the prefix, in lexicographic order, following pagination. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  delete(key: string): Promise<void>;
}

export class ObjectNotFoundError extends Error {
  constructor(
    readonly location: string,
    readonly key: string,
  ) {
    super(`object not found: ${key} in ${location}`);
    this.name = 'ObjectNotFoundError';
  }
}
