/**
 * ObjectStore over a folder: the local lake. Keys map to paths under the root; a write lands in a
 * temporary file in the target folder and is renamed into place, so a reader never sees half an
 * object and an interrupted run leaves no partial file under a real key.
 */
import { randomUUID } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
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
      const stats = await stat(path);
      return stats.isFile() ? { key, size: stats.size, lastModified: stats.mtime } : undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async read(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    try {
      const handle = await open(path, 'r');
      if (!(await handle.stat()).isFile()) {
        await handle.close();
        throw new ObjectNotFoundError(this.location, key);
      }
      return handle.createReadStream();
    } catch (error) {
      if (isMissing(error)) throw new ObjectNotFoundError(this.location, key);
      throw error;
    }
  }

  /** Writes atomically; `contentType` has no meaning on a file system and is ignored. */
  async write(key: string, body: Buffer | string | Readable, _contentType?: string): Promise<void> {
    const path = this.pathOf(key);
    const folder = dirname(path);
    const temp = join(folder, `${TEMP_PREFIX}${randomUUID()}`);
    try {
      const file = await openNew(folder, temp);
      if (typeof body === 'string' || Buffer.isBuffer(body)) {
        try {
          await file.writeFile(body);
        } finally {
          await file.close();
        }
      } else await pipeline(body, file.createWriteStream());
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
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
    await rm(this.pathOf(key), { force: true });
  }

  /**
   * Keys under `folder` in S3 order (UTF-8 byte order of the whole key). A folder's keys all start
   * with `name/`, so sorting entries by `name/` for folders and `name` for files and recursing in
   * that order yields every key in global order.
   */
  private async *walk(folder: string, keyPrefix: string, namePrefix: string): AsyncGenerator<ObjectInfo> {
    let entries: { name: string; folder: boolean; sortKey: Buffer }[];
    try {
      entries = (await readdir(folder, { withFileTypes: true }))
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
        const stats = await stat(path).catch((error: unknown) => {
          if (isMissing(error)) return undefined;
          throw error;
        });
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

/**
 * Creates a write's temporary file, and its folder only when the open finds it missing: an ingest
 * writes tens of thousands of objects into folders that mostly exist, and a recursive mkdir before
 * each one cost a worker about as much time as the opens themselves.
 */
async function openNew(folder: string, temp: string): Promise<FileHandle> {
  try {
    return await open(temp, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(folder, { recursive: true });
    return await open(temp, 'wx');
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
