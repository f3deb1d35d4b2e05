/**
 * Compaction: the one file of a curated partition, derived from the partition's staging files (one
 * per landing object, written by the normaliser). The compactor and `servicebench ingest` both call
 * compactPartitions; nothing here knows where it runs.
 *
 * Crash safety comes from the layout, not from bookkeeping: the staging files are the source of
 * truth and are never changed here, and the partition's file is replaced by one atomic write (a
 * rename locally, one PUT on S3). A compactor that stops at any point leaves the previous file
 * whole, and running it again, or twice, writes the same bytes from the same staging files.
 *
 * Rows are kept as staged, every version included: choosing a record's latest version stays the
 * job of the `*_latest` views, in one place, and the partition's row count is the sum of what its
 * objects' audits accepted.
 */
import type { Readable } from 'node:stream';
import { type KeyValue, parquetMetadata, parquetRead } from 'hyparquet';
import { encodeParquetColumns } from '../normalise/parquet.ts';
import { TABLE_NAMES, TABLES, type TableName } from '../schema/canonical.ts';
import { type ColumnDefinition, columnsOf } from '../schema/derive.ts';
import {
  compactedKey,
  type Partition,
  partitionOfKey,
  STAGING_PREFIX,
  sortedPartitions,
  stagingFolder,
} from '../schema/layout.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { readStagedFile } from './staging-reader.ts';

/** Key-value metadata of a compacted file listing the objects it was derived from and their rows. */
export const LINEAGE_METADATA_KEY = 'servicebench.objects';

export interface ObjectLineage {
  /** The object id that names its staging file (source and landing-key hash). */
  readonly object: string;
  readonly rows: number;
}

export interface CompactionResult extends Partition {
  /** The compacted file's key. */
  readonly key: string;
  /** `written`: the file was (re)written; `removed`: no staging file is left, so neither is the file. */
  readonly action: 'written' | 'removed';
  readonly objects: readonly ObjectLineage[];
  readonly rows: number;
  readonly bytes: number;
}

/** A partition's compaction: its result, or why it failed. */
export type CompactionOutcome =
  | { readonly partition: Partition; readonly result: CompactionResult; readonly error?: never }
  | { readonly partition: Partition; readonly result?: never; readonly error: string };

/**
 * Compacts every partition, `concurrency` at a time, and reports each outcome in partition order;
 * one that fails leaves its partition as it was and the others go on. Partitions share no file, so
 * running several at once only overlaps one's reads and writes with another's encoding.
 */
export async function settleCompactions(
  store: ObjectStore,
  partitions: readonly Partition[],
  concurrency: number,
): Promise<CompactionOutcome[]> {
  const outcomes: CompactionOutcome[] = new Array(partitions.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < partitions.length; i = next++) {
      const partition = partitions[i] as Partition;
      try {
        outcomes[i] = { partition, result: await compactPartition(store, partition) };
      } catch (error) {
        outcomes[i] = { partition, error: error instanceof Error ? error.message : String(error) };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, partitions.length)) }, lane));
  return outcomes;
}

/** Compacts each partition in turn; a failure stops the run and leaves the rest for a rerun. */
export async function compactPartitions(
  store: ObjectStore,
  partitions: Iterable<Partition>,
): Promise<CompactionResult[]> {
  const results: CompactionResult[] = [];
  for (const partition of partitions) results.push(await compactPartition(store, partition));
  return results;
}

/** Rewrites one partition's file from its staging files, or removes it when none is left. */
export async function compactPartition(store: ObjectStore, partition: Partition): Promise<CompactionResult> {
  const key = compactedKey(partition);
  const folder = stagingFolder(partition);
  const staged: string[] = [];
  for await (const info of store.list(folder)) if (info.key.endsWith('.parquet')) staged.push(info.key);
  if (staged.length === 0) {
    await store.delete(key);
    return { ...partition, key, action: 'removed', objects: [], rows: 0, bytes: 0 };
  }

  const columns = columnsOf(partition.table);
  // Column-wise from reading to writing: a partition's rows never become objects.
  const values: unknown[][] = columns.map(() => []);
  const objects: ObjectLineage[] = [];
  for (const stagedKey of staged) {
    const rows = await readColumns(store, stagedKey, columns, values);
    objects.push({ object: stagedKey.slice(folder.length, -'.parquet'.length), rows });
  }
  const order = rowOrder(partition.table, columns, values);
  const sorted = values.map((column) => order.map((row) => column[row]));
  const lineage: KeyValue = { key: LINEAGE_METADATA_KEY, value: JSON.stringify(objects) };
  const bytes = encodeParquetColumns(partition.table, sorted, [lineage]);
  await store.write(
    key,
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    'application/vnd.apache.parquet',
  );
  return { ...partition, key, action: 'written', objects, rows: order.length, bytes: bytes.byteLength };
}

/** The objects a compacted file was derived from, from its metadata. */
export function lineageOf(file: Uint8Array): ObjectLineage[] {
  const metadata = parquetMetadata(arrayBufferOf(file));
  const entry = metadata.key_value_metadata?.find((kv) => kv.key === LINEAGE_METADATA_KEY);
  return entry?.value ? (JSON.parse(entry.value) as ObjectLineage[]) : [];
}

/**
 * Every partition of the curated zone: those with staging files and those with a compacted file
 * (one whose staging files are all gone compacts to nothing). Compacting them all rebuilds the
 * tables from the staging files, e.g. after an interrupted run.
 */
export async function curatedPartitions(store: ObjectStore): Promise<Partition[]> {
  const found: Partition[] = [];
  for await (const info of store.list(STAGING_PREFIX)) {
    const partition = partitionOfKey(info.key);
    if (partition) found.push(partition);
  }
  for (const table of TABLE_NAMES) {
    for await (const info of store.list(`${table}/`)) {
      const partition = partitionOfKey(info.key);
      if (partition && info.key === compactedKey(partition)) found.push(partition);
    }
  }
  return sortedPartitions(found);
}

/**
 * Values are read as they are stored and written again without ever being looked at: timestamps and
 * dates as the milliseconds (bigint) and days they are stored as, not as Dates, and strings as their
 * UTF-8 bytes, not decoded. The writer takes them as they are, where it turned each Date back into
 * its number and encoded each string again, value by value. The bytes written are the same.
 */
const STAGED_VALUES = {
  timestampFromMilliseconds: (millis: bigint): bigint => millis,
  dateFromDays: (days: number): number => days,
  stringFromBytes: (bytes: Uint8Array): Uint8Array => bytes,
};

/**
 * Appends a staging file's rows to `values` (one array per column, in schema order) and returns how
 * many it held. A file staged under an older schema lacks newer columns: they read as unknown.
 * readStagedFile reads the files the normaliser writes now; hyparquet reads any other (staged by
 * an older version, or damaged), the rows readStagedFile may have appended cut off first.
 */
async function readColumns(
  store: ObjectStore,
  key: string,
  columns: readonly ColumnDefinition[],
  values: unknown[][],
): Promise<number> {
  const bytes = await readAll(await store.read(key));
  const offset = values[0]?.length ?? 0;
  let rows = readStagedFile(bytes, columns, values);
  if (rows === undefined) {
    for (const column of values) column.length = offset;
    rows = await readWithHyparquet(store, key, arrayBufferOf(bytes), columns, values);
  }
  for (const column of values) for (let row = offset; row < offset + rows; row++) column[row] ??= null;
  return rows;
}

/** readColumns for any Parquet hyparquet reads; a file it cannot read fails naming its key. */
async function readWithHyparquet(
  store: ObjectStore,
  key: string,
  file: ArrayBuffer,
  columns: readonly ColumnDefinition[],
  values: unknown[][],
): Promise<number> {
  const offset = values[0]?.length ?? 0;
  const index = new Map(columns.map((c, i) => [c.name, i]));
  try {
    const metadata = parquetMetadata(file);
    const rows = Number(metadata.num_rows);
    for (const column of values) column.length = offset + rows;
    await parquetRead({
      file,
      metadata,
      parsers: STAGED_VALUES,
      onChunk: ({ columnName, columnData, rowStart }) => {
        const i = index.get(columnName);
        if (i === undefined) return;
        const column = values[i] as unknown[];
        const bigint = columns[i]?.logicalType === 'bigint';
        for (let row = 0; row < columnData.length; row++) {
          const value = columnData[row] ?? null;
          column[offset + rowStart + row] = bigint && typeof value === 'number' ? BigInt(value) : value;
        }
      },
    });
    return rows;
  } catch (error) {
    throw new Error(`cannot read staging file ${key} in ${store.location}: ${(error as Error).message}`);
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/**
 * The rows' order as a permutation of their indexes: the key, then the version order the `*_latest`
 * views rank on, then every other column in schema order, nulls first. The order of a partition's
 * rows depends on the rows alone.
 */
function rowOrder(table: TableName, columns: readonly ColumnDefinition[], values: readonly unknown[][]): number[] {
  const names = columns.map((c) => c.name);
  const key = TABLES[table].key as readonly string[];
  const version = TABLES[table].versionBy.filter((c) => !key.includes(c));
  const order = [...key, ...version, ...names.filter((c) => !key.includes(c) && !version.includes(c))];
  const compared = order.map((name) => values[names.indexOf(name)] as unknown[]);
  const rows = Array.from({ length: values[0]?.length ?? 0 }, (_, row) => row);
  return rows.sort((a, b) => {
    for (const column of compared) {
      const difference = compareValues(column[a], column[b]);
      if (difference !== 0) return difference;
    }
    return 0;
  });
}

/**
 * Strings are compared as their UTF-8 bytes, which is code point order: the same as JavaScript's
 * UTF-16 order except between characters beyond U+FFFF and U+E000–U+FFFF.
 */
function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  if (a instanceof Uint8Array) return Buffer.compare(a, b as Uint8Array);
  return (a as number | bigint | boolean) < (b as number | bigint | boolean) ? -1 : 1;
}
