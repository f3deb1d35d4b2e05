/**
 * Erasure of customers: every curated row that carries one of their pseudonyms, every version of
 * those records, and every quarantined reject line that holds their raw identifier, with a record
 * of what went. `servicebench erase` and the erasure Lambda both call eraseCustomers; nothing here
 * knows where it runs.
 *
 * The staging files are the curated zone's source of truth (lambdas/core/compact), so the erasure
 * rewrites those that hold the records, then recompacts each partition with compactPartition: the
 * partition's file is derived from the staging files as always, by the one writer, atomically.
 * A run that stops anywhere leaves every file whole; the next run finds what is left (a staging
 * file not yet rewritten, or a partition file not yet recompacted, still holds the records) and
 * finishes, so running it again, or twice, ends in the same lake.
 *
 * Raw landing objects are never modified: the run names those the erased rows came from, for the
 * operator to delete, after which no re-ingest can bring the rows back.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { compactPartition, curatedPartitions } from '../compact/compact.ts';
import { encodeParquet } from '../normalise/parquet.ts';
import { TABLES, type TableName } from '../schema/canonical.ts';
import { columnsOf } from '../schema/derive.ts';
import { COMPACTED_FILE, compactedKey, type Partition, stagingFolder } from '../schema/layout.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { type ErasedCustomer, erasedCustomers, mentionsCustomer } from './identifiers.ts';

/** The column every canonical table that records a customer holds the customer's pseudonym in. */
export const CUSTOMER_KEY_COLUMN = 'customer_key';
/** Where erasure records are kept in the curated zone; engines skip `_` prefixes, as for staging. */
export const ERASURE_RECORD_PREFIX = '_erasures/';
/** Suffix of a landing object's reject file in the quarantine zone (written by the normaliser). */
export const REJECTS_SUFFIX = '.rejects.jsonl';
/** The lineage column naming the landing object a row was read from. */
const SOURCE_OBJECT_COLUMN = 'source_object';

/** The tables with a pseudonymised customer, derived from the canonical schema. */
export const CUSTOMER_TABLES: readonly TableName[] = (Object.keys(TABLES) as TableName[]).filter(
  (table) => CUSTOMER_KEY_COLUMN in TABLES[table].schema.shape,
);

export interface ErasureStores {
  readonly curated: ObjectStore;
  readonly quarantine: ObjectStore;
  /** Only asked whether the objects the rows came from are still there; never read or changed. */
  readonly landing: ObjectStore;
}

export interface ErasureRequest {
  readonly stores: ErasureStores;
  /** Raw identifiers as the exports hold them: e-mail, phone or external id. */
  readonly customers: readonly string[];
  readonly pseudonymKey: Uint8Array;
  /** Find and count only: nothing is rewritten and no record is written. @default false */
  readonly dryRun?: boolean;
  /** One line per step that takes a while. */
  readonly onProgress?: (message: string) => void;
}

export interface TableErasure {
  readonly table: TableName;
  /** Rows removed from the table's partition files, the rows queries saw (every version counts). */
  readonly rows: number;
  /** Rows removed from staging files, the per-object files partitions are derived from. */
  readonly stagedRows: number;
  /** The `dt` of each partition rewritten. */
  readonly partitions: readonly string[];
}

/** What an erasure removed (or, dry, would remove); written to the lake as JSON. Never a raw identifier. */
export interface ErasureRecord {
  /** When the run started, ISO 8601. */
  readonly erasedAt: string;
  /**
   * `started`: written before anything is removed, with what the run found; stays so if the run
   * stopped. `completed`: rewritten at the end. `dry-run`: what a run would remove (never written).
   */
  readonly status: 'started' | 'completed' | 'dry-run';
  /** The customers' pseudonyms (the raw identifiers are not kept). */
  readonly customerKeys: readonly string[];
  readonly tables: readonly TableErasure[];
  /** Reject lines removed, and the quarantine files they were in. */
  readonly rejectLines: number;
  readonly rejectFiles: readonly string[];
  /**
   * Landing objects the removed rows and reject lines came from that are still there. They hold
   * the raw identifiers: the operator deletes them, or a re-ingest brings the rows back.
   */
  readonly landingObjects: readonly string[];
  /** Removed rows with no lineage (curated before rows named their landing object). */
  readonly rowsWithoutLineage: number;
}

export interface ErasureResult {
  readonly record: ErasureRecord;
  /** Key of the record in the curated zone; null for a dry run. */
  readonly recordKey: string | null;
}

/** One partition to rewrite: the staging files holding the records, and the rows its file holds. */
interface PartitionPlan {
  readonly partition: Partition;
  readonly stagingKeys: readonly string[];
  readonly stagedRows: number;
  readonly tableRows: number;
  /** The landing objects the records' rows came from (their lineage). */
  readonly landingObjects: ReadonlySet<string>;
  /** The records' rows in the partition's file that name no landing object. */
  readonly rowsWithoutLineage: number;
}

interface RejectPlan {
  readonly key: string;
  readonly kept: readonly string[];
  readonly removed: number;
}

export async function eraseCustomers(request: ErasureRequest): Promise<ErasureResult> {
  const { stores } = request;
  const customers = erasedCustomers(request.customers, request.pseudonymKey);
  const progress = request.onProgress ?? (() => {});
  const erasedAt = new Date().toISOString();

  const partitions = (await curatedPartitions(stores.curated)).filter((p) => CUSTOMER_TABLES.includes(p.table));
  const landingObjects = new Set<string>();
  let rowsWithoutLineage = 0;
  const plans: PartitionPlan[] = [];
  const erased = new Map<TableName, Set<string>>();
  for (const table of CUSTOMER_TABLES) {
    const tablePartitions = partitions.filter((p) => p.table === table);
    progress(`${table}: looking for the customers in ${tablePartitions.length} partition(s)`);
    const records = await recordsOfCustomers(stores.curated, table, tablePartitions, customers);
    erased.set(table, records);
    if (records.size === 0) continue;
    // A version without the customer's key (an earlier export without the requester) is still
    // theirs: every partition is searched for the records found, not only for the key.
    for (const partition of tablePartitions) {
      const plan = await planPartition(stores.curated, partition, records);
      if (plan === undefined) continue;
      plans.push(plan);
      for (const object of plan.landingObjects) landingObjects.add(object);
      rowsWithoutLineage += plan.rowsWithoutLineage;
    }
  }

  progress('quarantine: looking for the customers in reject files');
  const rejects = await planRejects(stores.quarantine, customers);
  for (const reject of rejects) landingObjects.add(reject.key.slice(0, -REJECTS_SUFFIX.length));
  const presentObjects: string[] = [];
  for (const object of [...landingObjects].sort()) if (await stores.landing.head(object)) presentObjects.push(object);

  const found = (status: ErasureRecord['status']): ErasureRecord => ({
    erasedAt,
    status,
    customerKeys: customers.map((c) => c.key),
    tables: CUSTOMER_TABLES.map((table) => {
      const ofTable = plans.filter((p) => p.partition.table === table);
      return {
        table,
        rows: ofTable.reduce((sum, p) => sum + p.tableRows, 0),
        stagedRows: ofTable.reduce((sum, p) => sum + p.stagedRows, 0),
        partitions: ofTable.map((p) => p.partition.dt),
      };
    }),
    rejectLines: rejects.reduce((sum, r) => sum + r.removed, 0),
    rejectFiles: rejects.map((r) => r.key),
    landingObjects: presentObjects,
    rowsWithoutLineage,
  });
  if (request.dryRun === true) return { record: found('dry-run'), recordKey: null };

  const recordKey = `${ERASURE_RECORD_PREFIX}${erasedAt.replaceAll(':', '')}-${randomUUID().slice(0, 8)}.json`;
  await writeRecord(stores.curated, recordKey, found('started'));
  for (const plan of plans) {
    const { partition } = plan;
    progress(`${partition.table}/dt=${partition.dt}: rewriting ${plan.stagingKeys.length} staging file(s)`);
    const records = erased.get(partition.table) as Set<string>;
    for (const key of plan.stagingKeys) await rewriteWithout(stores.curated, key, partition.table, records);
    await compactPartition(stores.curated, partition);
  }
  for (const reject of rejects) {
    if (reject.kept.length === 0) await stores.quarantine.delete(reject.key);
    else await stores.quarantine.write(reject.key, `${reject.kept.join('\n')}\n`, 'application/x-ndjson');
  }
  const record = found('completed');
  await writeRecord(stores.curated, recordKey, record);
  return { record, recordKey };
}

/** The key columns of a record as one comparable value. */
function recordId(table: TableName, row: Record<string, unknown>): string {
  return JSON.stringify(TABLES[table].key.map((column) => row[column] ?? null));
}

/** The files of a partition: its staging files, then its compacted file when there is one. */
async function partitionFiles(store: ObjectStore, partition: Partition): Promise<{ staging: string[]; all: string[] }> {
  const staging: string[] = [];
  for await (const info of store.list(stagingFolder(partition))) {
    if (info.key.endsWith('.parquet')) staging.push(info.key);
  }
  const compacted = (await store.head(compactedKey(partition))) ? [compactedKey(partition)] : [];
  return { staging, all: [...staging, ...compacted] };
}

/**
 * The records (by key) whose rows carry one of the customers' pseudonyms, reading only the key and
 * customer columns. Staging files are read as well as partition files: a staging file written
 * since its partition was last compacted holds rows the partition's file does not yet.
 */
async function recordsOfCustomers(
  store: ObjectStore,
  table: TableName,
  partitions: readonly Partition[],
  customers: readonly ErasedCustomer[],
): Promise<Set<string>> {
  const keys = new Set(customers.map((c) => c.key));
  const columns = [...new Set([...TABLES[table].key, CUSTOMER_KEY_COLUMN])];
  const records = new Set<string>();
  for (const partition of partitions) {
    for (const key of (await partitionFiles(store, partition)).all) {
      for (const row of await readColumns(store, key, columns)) {
        if (keys.has(row[CUSTOMER_KEY_COLUMN] as string)) records.add(recordId(table, row));
      }
    }
  }
  return records;
}

/** The staging files of a partition that hold one of the records, and how many rows go; undefined when none. */
async function planPartition(
  store: ObjectStore,
  partition: Partition,
  records: ReadonlySet<string>,
): Promise<PartitionPlan | undefined> {
  const { table } = partition;
  const columns = [...TABLES[table].key, SOURCE_OBJECT_COLUMN];
  const files = await partitionFiles(store, partition);
  const stagingKeys: string[] = [];
  const landingObjects = new Set<string>();
  let stagedRows = 0;
  let tableRows = 0;
  let rowsWithoutLineage = 0;
  for (const key of files.all) {
    const isTableFile = key.endsWith(`/${COMPACTED_FILE}`);
    let matches = 0;
    for (const row of await readColumns(store, key, columns)) {
      if (!records.has(recordId(table, row))) continue;
      matches++;
      const object = row[SOURCE_OBJECT_COLUMN];
      if (typeof object === 'string') landingObjects.add(object);
      else if (isTableFile) rowsWithoutLineage++;
    }
    if (isTableFile) tableRows += matches;
    else if (matches > 0) {
      stagingKeys.push(key);
      stagedRows += matches;
    }
  }
  if (stagedRows === 0 && tableRows === 0) return undefined;
  return { partition, stagingKeys, stagedRows, tableRows, landingObjects, rowsWithoutLineage };
}

/** Rewrites a staging file without the records' rows (rows kept in their order), or deletes it when none is left. */
async function rewriteWithout(
  store: ObjectStore,
  key: string,
  table: TableName,
  records: ReadonlySet<string>,
): Promise<void> {
  const columns = columnsOf(table);
  const rows = await readColumns(
    store,
    key,
    columns.map((c) => c.name),
  );
  const kept = rows.filter((row) => !records.has(recordId(table, row)));
  if (kept.length === rows.length) return;
  if (kept.length === 0) {
    await store.delete(key);
    return;
  }
  const bytes = encodeParquet(table, kept);
  await store.write(
    key,
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    'application/vnd.apache.parquet',
  );
}

/** Every reject file with a line that holds one of the customers, with the lines that stay. */
async function planRejects(store: ObjectStore, customers: readonly ErasedCustomer[]): Promise<RejectPlan[]> {
  const plans: RejectPlan[] = [];
  for await (const info of store.list('')) {
    if (!info.key.endsWith(REJECTS_SUFFIX)) continue;
    const lines = (await readAll(await store.read(info.key))).toString('utf8').split('\n');
    const kept: string[] = [];
    let removed = 0;
    for (const line of lines) {
      if (line === '') continue;
      if (mentionsCustomer(parseLine(line), customers)) removed++;
      else kept.push(line);
    }
    if (removed > 0) plans.push({ key: info.key, kept, removed });
  }
  return plans;
}

/** A reject line as JSON; a line that is not JSON is searched as text. */
function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return line;
  }
}

/**
 * Reads only the named columns of a Parquet file (the rest is never decoded); a column the file
 * lacks (written under an older schema) reads as null.
 */
async function readColumns(
  store: ObjectStore,
  key: string,
  columns: readonly string[],
): Promise<Record<string, unknown>[]> {
  const bytes = await readAll(await store.read(key));
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let rows: Record<string, unknown>[];
  try {
    const metadata = parquetMetadata(file);
    const present = new Set(metadata.schema.map((element) => element.name));
    rows = await parquetReadObjects({ file, metadata, columns: columns.filter((c) => present.has(c)) });
  } catch (error) {
    throw new Error(`cannot read ${key} in ${store.location}: ${(error as Error).message}`);
  }
  return rows.map((row) => Object.fromEntries(columns.map((c) => [c, row[c] ?? null])));
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function writeRecord(store: ObjectStore, key: string, record: ErasureRecord): Promise<void> {
  await store.write(key, `${JSON.stringify(record, null, 2)}\n`, 'application/json');
}
