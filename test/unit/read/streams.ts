import { Readable } from 'node:stream';

/** A byte stream of `content` cut every `chunkSize` bytes, to exercise state kept across chunks. */
export function bytesOf(content: string | Buffer, chunkSize = 64 * 1024): Readable {
  const buffer = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < buffer.length; offset += chunkSize) {
    chunks.push(buffer.subarray(offset, offset + chunkSize));
  }
  return Readable.from(chunks, { objectMode: false });
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Chunk sizes every streaming test runs with: byte by byte, odd splits, and whole. */
export const CHUNK_SIZES = [1, 7, 64 * 1024] as const;
