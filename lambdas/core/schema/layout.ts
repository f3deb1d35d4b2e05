/**
 * Where canonical rows live in the curated zone (a local lake's `curated/` folder, the curated
 * bucket on AWS). The tables read `<table>/dt=YYYY-MM-DD/` only, which holds one compacted file per
 * partition. The normaliser writes one file per landing object and partition under the staging
 * prefix, which no table reads; compaction derives each partition's file from its staging files.
 */
import { TABLE_NAMES, type TableName } from './canonical.ts';

/** Per-object files, the source of truth of the compacted partitions. Engines skip `_` prefixes. */
export const STAGING_PREFIX = '_staging/';
/** What each landing object produced, so a re-ingest can remove outputs it no longer produces. */
export const MANIFEST_PREFIX = '_manifests/';
/** The one file of a partition the tables read. */
export const COMPACTED_FILE = 'compacted.parquet';

/** One `dt` partition of one canonical table. */
export interface Partition {
  readonly table: TableName;
  /** UTC date, YYYY-MM-DD. */
  readonly dt: string;
}

const PARTITION_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The folder of a partition's files, relative to a table root: `<table>/dt=YYYY-MM-DD/`. */
export function partitionFolder(partition: Partition): string {
  return `${partition.table}/dt=${partition.dt}/`;
}

/** The folder of a partition's staging files. */
export function stagingFolder(partition: Partition): string {
  return `${STAGING_PREFIX}${partitionFolder(partition)}`;
}

/** The staging file one landing object (by object id) wrote into a partition. */
export function stagingKey(partition: Partition, objectId: string): string {
  return `${stagingFolder(partition)}${objectId}.parquet`;
}

/** The compacted file of a partition, the one key the table reads there. */
export function compactedKey(partition: Partition): string {
  return `${partitionFolder(partition)}${COMPACTED_FILE}`;
}

/**
 * The partition of a curated key: a staging file, a compacted file, or a per-object file of the
 * layout before compaction (`<table>/dt=…/<object>.parquet`, still named in older manifests).
 */
export function partitionOfKey(key: string): Partition | undefined {
  const parts = (key.startsWith(STAGING_PREFIX) ? key.slice(STAGING_PREFIX.length) : key).split('/');
  if (parts.length !== 3) return undefined;
  const [table, folder] = parts as [string, string, string];
  const dt = folder.startsWith('dt=') ? folder.slice(3) : '';
  if (!(TABLE_NAMES as string[]).includes(table) || !PARTITION_DATE.test(dt)) return undefined;
  return { table: table as TableName, dt };
}

/** Distinct partitions in table, then date order. */
export function sortedPartitions(partitions: Iterable<Partition>): Partition[] {
  const byKey = new Map<string, Partition>();
  for (const p of partitions) byKey.set(`${p.table}/${p.dt}`, { table: p.table, dt: p.dt });
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, p]) => p);
}
