/**
 * ObjectStore over a folder: the local lake. Keys map to paths under the root; a write lands in a
 * temporary file in the target folder and is renamed into place, so a reader never sees half an
 * object and an interrupted run leaves no partial file under a real key.
 *
 * Its file system calls are synchronous, behind the interface's promises. An ingest makes tens of
 * thousands of small objects (staging files, manifests, audits) and reads most of them back to
 * compact; each asynchronous call is a round trip through libuv's thread pool, which on two cores
 * cost more than the call itself: reading a scale-10 demo lake's 11,181 staging files took 1.3-3.5 s
 * of CPU through streams or fs/promises and 0.14 s with readFileSync. The calls are on files of a
 * local disk, so blocking the thread for one of them is shorter than the hop.
 */
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ObjectInfo, ObjectNotFoundError, type ObjectStore } from './object-store.ts';

/** Name prefix of in-flight writes; such names are never keys and never listed. */
const TEMP_PREFIX = '.tmp-write-';

export class LocalObjectStore implements ObjectStore {
  readonly location: string;
  private readonly root: string;

  constructor(rootDir: string) {
    this.root = resolve(rootDir);
    this.location = this.root;
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const path = this.pathOf(key);
    try {
      const stats = statSync(path);
      return stats.isFile() ? { key, size: stats.size, lastModified: stats.mtime } : undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /**
   * An object up to WHOLE_READ_BYTES is read at once and handed out in the chunks a file stream
   * would give; a larger one is streamed from the file, so memory stays bounded whatever its size.
   */
  async read(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (error) {
      if (isMissing(error)) throw new ObjectNotFoundError(this.location, key);
      throw error;
    }
    let streamed = false;
    try {
      const stats = fstatSync(fd);
      if (!stats.isFile()) throw new ObjectNotFoundError(this.location, key);
      if (stats.size > WHOLE_READ_BYTES) {
        streamed = true;
        return createReadStream(path, { fd });
      }
      const bytes = Buffer.allocUnsafe(stats.size);
      let filled = 0;
      for (let read = -1; read !== 0 && filled < bytes.length; filled += read) {
        read = readSync(fd, bytes, filled, bytes.length - filled, filled);
      }
      return chunked(bytes.subarray(0, filled));
    } finally {
      if (!streamed) closeSync(fd);
    }
  }

  /** Writes atomically; `contentType` has no meaning on a file system and is ignored. */
  async write(key: string, body: Buffer | string | Readable, _contentType?: string): Promise<void> {
    const path = this.pathOf(key);
    const folder = dirname(path);
    const temp = join(folder, `${TEMP_PREFIX}${randomUUID()}`);
    try {
      const fd = openNew(folder, temp);
      if (typeof body === 'string' || Buffer.isBuffer(body)) {
        try {
          writeFileSync(fd, body);
        } finally {
          closeSync(fd);
        }
      } else await pipeline(body, createWriteStream(temp, { fd }));
      renameSync(temp, path);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
  }

  async *list(prefix: string): AsyncGenerator<ObjectInfo> {
    const cut = prefix.lastIndexOf('/') + 1;
    const folderKey = prefix.slice(0, cut);
    const folder = folderKey === '' ? this.root : this.pathOf(folderKey.slice(0, -1));
    yield* this.walk(folder, folderKey, prefix.slice(cut));
  }

  async delete(key: string): Promise<void> {
    rmSync(this.pathOf(key), { force: true });
  }

  /**
   * Keys under `folder` in S3 order (UTF-8 byte order of the whole key). A folder's keys all start
   * with `name/`, so sorting entries by `name/` for folders and `name` for files and recursing in
   * that order yields every key in global order.
   */
  private async *walk(folder: string, keyPrefix: string, namePrefix: string): AsyncGenerator<ObjectInfo> {
    let entries: { name: string; folder: boolean; sortKey: Buffer }[];
    try {
      entries = readdirSync(folder, { withFileTypes: true })
        .filter((entry) => entry.name.startsWith(namePrefix) && !entry.name.startsWith(TEMP_PREFIX))
        .filter((entry) => entry.isFile() || entry.isDirectory())
        .map((entry) => {
          const isFolder = entry.isDirectory();
          return { name: entry.name, folder: isFolder, sortKey: Buffer.from(isFolder ? `${entry.name}/` : entry.name) };
        })
        .sort((a, b) => Buffer.compare(a.sortKey, b.sortKey));
    } catch (error) {
      if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return;
      throw error;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      const key = `${keyPrefix}${entry.name}`;
      if (entry.folder) {
        yield* this.walk(path, `${key}/`, '');
      } else {
        const stats = statSync(path, { throwIfNoEntry: false });
        if (stats !== undefined) yield { key, size: stats.size, lastModified: stats.mtime };
      }
    }
  }

  /** The file of a key; refuses keys that are absolute or would leave the root. */
  private pathOf(key: string): string {
    const segments = key.split('/');
    const bad = segments.find((segment) => segment === '' || segment === '.' || segment === '..');
    if (
      key === '' ||
      bad !== undefined ||
      key.includes('\\') ||
      key.includes('\0') ||
      segments.some((segment) => segment.startsWith(TEMP_PREFIX))
    ) {
      throw new Error(
        `invalid object key ${JSON.stringify(key)}: expected a relative key like 'landing/source/file.csv'`,
      );
    }
    const path = join(this.root, ...segments);
    if (!path.startsWith(this.root + sep)) throw new Error(`object key ${JSON.stringify(key)} escapes ${this.root}`);
    return path;
  }
}

/** Largest object `read` takes in one read rather than streaming it. */
const WHOLE_READ_BYTES = 8 * 1024 * 1024;

/** Chunks handed out by `read`, as large as a file stream's (its default highWaterMark). */
const READ_CHUNK_BYTES = 64 * 1024;

/** The bytes as a stream of READ_CHUNK_BYTES views of them, in order. */
function chunked(bytes: Buffer): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= bytes.length) {
        this.push(null);
        return;
      }
      const end = Math.min(offset + READ_CHUNK_BYTES, bytes.length);
      this.push(bytes.subarray(offset, end));
      offset = end;
    },
  });
}

/**
 * Creates a write's temporary file, and its folder only when the open finds it missing: an ingest
 * writes tens of thousands of objects into folders that mostly exist, and a recursive mkdir before
 * each one cost a worker about as much time as the opens themselves.
 */
function openNew(folder: string, temp: string): number {
  try {
    return openSync(temp, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(folder, { recursive: true });
    return openSync(temp, 'wx');
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
