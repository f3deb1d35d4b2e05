/**
 * What the local engine keeps in a lake between CLI processes, under `.servicebench/cache/`, each
 * stamped with a fingerprint of what it was computed from: the materialised tables, one Parquet file
 * each, and the columns of each canonical table's files (reading every Parquet footer of a lake
 * takes longer than the rest of opening it). A process whose inputs have the same fingerprint reads
 * the file; any other process computes it again and replaces the file.
 *
 * A file is written under `.servicebench/tmp/` and renamed into place, so a reader sees a whole file
 * or none: two processes refreshing at once each rename a complete file (the last one stays), and a
 * process killed while writing leaves only its temporary file, removed by the next process to open
 * the lake once the writer's pid is gone.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The lake's own state folder (the pseudonymisation key lives there too). */
export const STATE_DIR = '.servicebench';

/** Parquet key-value metadata entry holding the fingerprint of a cached materialised table. */
export const FINGERPRINT_KEY = 'servicebench_fingerprint';

/** Bumped when the layout of the cache files changes, so older files are refreshed. */
const CACHE_FORMAT = 1;

/** One curated Parquet file, as the fingerprint sees it. */
export interface CuratedFile {
  /** Absolute path. */
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * The partition files of one canonical table, `curated/<table>/dt=…/*.parquet`, sorted by path.
 * `curated/_staging/` holds the per-object files compaction merges, and is no table.
 */
export function curatedFiles(lakeDir: string, table: string): CuratedFile[] {
  const tableDir = join(lakeDir, 'curated', table);
  if (!existsSync(tableDir)) return [];
  const files: CuratedFile[] = [];
  for (const partition of readdirSync(tableDir, { withFileTypes: true })) {
    if (!partition.isDirectory() || !partition.name.startsWith('dt=')) continue;
    const partitionDir = join(tableDir, partition.name);
    for (const name of readdirSync(partitionDir)) {
      if (!name.endsWith('.parquet')) continue;
      const path = join(partitionDir, name);
      const stat = statSync(path);
      if (stat.isFile()) files.push({ path, size: stat.size, mtimeMs: stat.mtimeMs });
    }
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The columns of one canonical table's files. */
export interface TableLayout {
  /** Every column some file has, in the order first met. */
  readonly columns: readonly string[];
  /** Whether every file has the same columns with the same types (then no file's footer is needed to read another). */
  readonly uniform: boolean;
}

const LAYOUT_FILE = 'curated-layout.json';

/** A SHA-256 over the JSON of the inputs, with the cache format. */
export function fingerprintOf(inputs: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify({ format: CACHE_FORMAT, inputs }))
    .digest('hex');
}

/**
 * The cache folders of one lake. They depend on the lake folder (and the spill folder on the
 * process) alone, never on the fingerprint, so a process that reads no cached table has them
 * without computing it.
 */
export class LakeCache {
  readonly cacheDir: string;
  readonly tmpDir: string;
  #fingerprint: string | (() => Promise<string>);
  #computing: Promise<string> | undefined;

  /**
   * @param fingerprint what the cached tables must have been computed from to be read; a function
   *   is called once, when a cached table is first read or written (its inputs include every
   *   reference table, which take longer to build than the rest of opening a lake).
   */
  constructor(lakeDir: string, fingerprint: string | (() => Promise<string>)) {
    this.cacheDir = join(lakeDir, STATE_DIR, 'cache');
    this.tmpDir = join(lakeDir, STATE_DIR, 'tmp');
    this.#fingerprint = fingerprint;
  }

  /** What the cached tables must have been computed from to be read. */
  fingerprint(): Promise<string> {
    const fingerprint = this.#fingerprint;
    if (typeof fingerprint === 'string') return Promise.resolve(fingerprint);
    this.#computing ??= fingerprint();
    return this.#computing;
  }

  /** The cached file of a materialised table (it may not exist). */
  file(table: string): string {
    return join(this.cacheDir, `${table}.parquet`);
  }

  /** DuckDB's spill folder for this process, so processes sharing a lake never remove each other's files. */
  spillDir(): string {
    return join(this.tmpDir, `duckdb-${process.pid}`);
  }

  /** A fresh temporary path to write a file to before it is renamed into place. */
  tempFile(name: string, extension = 'parquet'): string {
    mkdirSync(this.tmpDir, { recursive: true });
    return join(this.tmpDir, `${name}-${process.pid}-${randomBytes(4).toString('hex')}.${extension}`);
  }

  /** The layouts of the canonical tables, when they were computed from files with this fingerprint. */
  readLayouts(fingerprint: string): Record<string, TableLayout> | undefined {
    try {
      const stored = JSON.parse(readFileSync(join(this.cacheDir, LAYOUT_FILE), 'utf8')) as {
        fingerprint?: unknown;
        tables?: Record<string, TableLayout>;
      };
      return stored.fingerprint === fingerprint ? stored.tables : undefined;
    } catch {
      return undefined;
    }
  }

  writeLayouts(fingerprint: string, tables: Readonly<Record<string, TableLayout>>): void {
    const temp = this.tempFile('curated-layout', 'json');
    try {
      writeFileSync(temp, JSON.stringify({ fingerprint, tables }));
      mkdirSync(this.cacheDir, { recursive: true });
      renameSync(temp, join(this.cacheDir, LAYOUT_FILE));
    } finally {
      rmSync(temp, { force: true });
    }
  }

  /** Moves a completely written temporary file into place (atomic: same file system). */
  commit(tempFile: string, table: string): void {
    mkdirSync(this.cacheDir, { recursive: true });
    renameSync(tempFile, this.file(table));
  }

  /** Removes what processes that no longer run left in the temporary folder (a kill, a crash). */
  removeOrphans(): void {
    if (!existsSync(this.tmpDir)) return;
    for (const name of readdirSync(this.tmpDir)) {
      const pid = /-(\d+)(?:-[0-9a-f]{8}\.[a-z]+)?$/.exec(name)?.[1];
      if (pid !== undefined && Number(pid) !== process.pid && !isRunning(Number(pid))) {
        rmSync(join(this.tmpDir, name), { recursive: true, force: true });
      }
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
