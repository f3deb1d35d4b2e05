/**
 * The normaliser: one landing object in, staged curated Parquet + quarantined rejects + one audit
 * record out. The CLI and the Lambda handler both call normaliseObject; nothing here knows where it
 * runs. Its files go to the staging prefix of the curated zone, one per table and partition; the
 * caller then compacts the partitions it reports as touched (lambdas/core/compact).
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline, Readable, Transform } from 'node:stream';
import { pipeline as pipelineAsync } from 'node:stream/promises';
import type { ServiceBenchConfig, SourceConfig } from '../config/config.ts';
import { DEFAULTS } from '../config/defaults.ts';
import { openDecoded } from '../read/index.ts';
import { TABLES, type TableName } from '../schema/canonical.ts';
import { columnsOf, partitionColumns } from '../schema/derive.ts';
import { MANIFEST_PREFIX, type Partition, partitionOfKey, sortedPartitions, stagingKey } from '../schema/layout.ts';
import { ObjectNotFoundError, type ObjectStore } from '../store/object-store.ts';
import { type Adapter, type AdapterContext, FileRejectedError, type SentimentAnalyser } from './adapter.ts';
import { PartitionedParquetWriter, type PartitionOutput, partitionDate } from './parquet.ts';
import { EARLIEST_TIMESTAMP_DAY, LATEST_AFTER_LANDING_MS } from './plausible.ts';
import { createPseudonymiser, type Pseudonymiser } from './pseudonymise.ts';
import { validateRow } from './validate.ts';

export const NORMALISER_VERSION = '1.0.0';
/** Hex characters of the landing-key hash used in output names (64 bits). */
const OBJECT_ID_HEX_CHARS = 16;

export interface NormaliseStores {
  readonly landing: ObjectStore;
  readonly curated: ObjectStore;
  readonly quarantine: ObjectStore;
}

export interface NormaliseRequest {
  readonly stores: NormaliseStores;
  /** Landing key; its first path segment names the source. */
  readonly key: string;
  readonly source: SourceConfig;
  readonly adapter: Adapter;
  readonly pseudonymKey: Uint8Array;
  readonly sentiment?: SentimentAnalyser;
  /** Folder for spool files (Lambda: /tmp). */
  readonly tmpDir?: string;
  readonly maxBufferedRows?: number;
  /** Called every few thousand records with the number read so far. */
  readonly onProgress?: (rowsRead: number) => void;
  /** First day a row may be dated (config `lake.partitionsFrom`). @default DEFAULTS.partitionsFrom */
  readonly partitionsFrom?: string;
}

export interface RejectRecord {
  readonly object_key: string;
  readonly row_number: number | null;
  readonly field: string | null;
  readonly reason: string;
  readonly raw: unknown;
}

export interface NormaliseResult {
  readonly audit: {
    source: string;
    object_key: string;
    object_sha256: string;
    landed_at: Date;
    rows_read: number;
    rows_accepted: number;
    rows_rejected: number;
    file_error: string | null;
    started_at: Date;
    duration_ms: number;
    normaliser_version: string;
  };
  /** Staging keys written, per table and partition. */
  readonly outputs: string[];
  /**
   * Partitions whose staging files this run wrote or removed (the audit's included), in table and
   * date order: the ones to compact.
   */
  readonly partitions: Partition[];
  readonly rowsByTable: Partial<Record<TableName, number>>;
  readonly rejectKey: string | null;
  readonly fileError: string | null;
}

/** The configured source a landing key belongs to (its first path segment). */
export function resolveSource(config: ServiceBenchConfig, landingKey: string): SourceConfig {
  const name = landingKey.split('/')[0] ?? '';
  const source = config.sources.find((s) => s.name === name);
  if (!source) {
    const known = config.sources.map((s) => s.name).join(', ') || 'none configured';
    throw new Error(
      `landing key "${landingKey}" is not under a configured source prefix (sources: ${known}); land files under <source name>/`,
    );
  }
  return source;
}

/**
 * One pseudonymiser per key object: a run (a CLI run, an ingest worker, a Lambda execution
 * environment) passes the same key to every object it normalises, so the pseudonymiser's cache
 * serves them all, and goes when the key does.
 */
const pseudonymisers = new WeakMap<Uint8Array, Pseudonymiser>();

function pseudonymiserFor(key: Uint8Array): Pseudonymiser {
  let pseudonymiser = pseudonymisers.get(key);
  if (!pseudonymiser) {
    pseudonymiser = createPseudonymiser(key);
    pseudonymisers.set(key, pseudonymiser);
  }
  return pseudonymiser;
}

export function objectId(source: string, landingKey: string): string {
  return `${source}-${createHash('sha256').update(landingKey).digest('hex').slice(0, OBJECT_ID_HEX_CHARS)}`;
}

/** Errors that mean the file's content is unusable (as opposed to an infrastructure failure to retry). */
function isDataError(error: unknown): error is Error {
  if (error instanceof FileRejectedError || error instanceof SyntaxError) return true;
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && (code.startsWith('Z_') || code.startsWith('ERR_ENCODING'));
}

/**
 * The object's rejected records, spooled to a file in a folder of their own. Most objects have
 * none, so the folder and the file are made at the first one.
 */
class RejectSpool {
  private spool: { readonly dir: string; readonly file: string; readonly stream: WriteStream } | undefined;
  count = 0;

  constructor(private readonly tmpDir: string) {}

  /** The spool file; only once a record was added. */
  get file(): string {
    if (this.spool === undefined) throw new Error('no rejected record was spooled');
    return this.spool.file;
  }

  async add(record: RejectRecord): Promise<void> {
    this.count++;
    if (this.spool === undefined) {
      const dir = mkdtempSync(join(this.tmpDir, 'sb-normalise-'));
      const file = join(dir, 'rejects.jsonl');
      this.spool = { dir, file, stream: createWriteStream(file) };
    }
    const reason = boundedReason(record.reason);
    const line = JSON.stringify(reason === record.reason ? record : { ...record, reason });
    if (!this.spool.stream.write(`${line}\n`)) await once(this.spool.stream, 'drain');
  }

  async close(): Promise<void> {
    if (this.spool === undefined) return;
    this.spool.stream.end();
    await once(this.spool.stream, 'finish');
  }

  /** Removes the spool folder, if one was made. */
  dispose(): void {
    if (this.spool !== undefined) rmSync(this.spool.dir, { recursive: true, force: true });
  }
}

/** Longest reason a reject line carries, in characters. */
export const MAX_REASON_CHARS = 1000;

/**
 * A reason that quotes a huge value (a 10 MB field named in "… is not an activity kind") is cut:
 * the record itself is in the line's `raw`, and whoever reads the reasons (`ingest`'s top reasons,
 * a person) needs the cause, not the value again.
 */
function boundedReason(reason: string): string {
  if (reason.length <= MAX_REASON_CHARS) return reason;
  return `${reason.slice(0, MAX_REASON_CHARS)}… (cut from ${reason.length} characters; the record is in raw)`;
}

export async function normaliseObject(request: NormaliseRequest): Promise<NormaliseResult> {
  const { stores, key, source, adapter } = request;
  const startedAt = new Date();
  const t0 = performance.now();
  const info = await stores.landing.head(key);
  if (!info) throw new ObjectNotFoundError(stores.landing.location, key);

  const parsedOptions = adapter.optionsSchema.safeParse(source.options);
  if (!parsedOptions.success) {
    const problems = parsedOptions.error.issues.map((i) => `options.${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`source "${source.name}" (adapter ${adapter.name}) has invalid options: ${problems}`);
  }

  const id = objectId(source.name, key);
  // Spool folders are made by whatever needs one (a partition flushed early, a rejected record).
  const spoolDir = request.tmpDir ?? tmpdir();
  const writers = new Map<TableName, PartitionedParquetWriter>();
  const rejects = new RejectSpool(spoolDir);
  const hash = createHash('sha256');
  const context: AdapterContext = {
    source: source.name,
    objectKey: key,
    ingestedAt: info.lastModified,
    pseudonymise: pseudonymiserFor(request.pseudonymKey),
    timeZone: source.timeZone ?? DEFAULTS.timeZone,
    ...(request.sentiment ? { sentiment: request.sentiment } : {}),
  };

  const dates = partitionRange(request.partitionsFrom ?? DEFAULTS.partitionsFrom, info.lastModified);
  let rowsRead = 0;
  let rowsAccepted = 0;
  let fileError: string | null = null;
  const rowsByTable: Partial<Record<TableName, number>> = {};
  try {
    const raw = await stores.landing.read(key);
    let hashedWhole = false;
    const hasher = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        callback(null, chunk);
      },
      flush(callback) {
        hashedWhole = true;
        callback();
      },
    });
    const rawDone = new Promise<void>((resolve) => pipeline(raw, hasher, () => resolve()));
    let decoded: Readable | undefined;
    const watched: ContentWatch = { content: false, ended: false };
    try {
      decoded = Readable.from(watchContent(await openDecoded(hasher), watched), { objectMode: false });
      for await (const record of adapter.read(decoded, parsedOptions.data, context)) {
        rowsRead++;
        if (request.onProgress && rowsRead % 10_000 === 0) request.onProgress(rowsRead);
        if (record.kind === 'rejected') {
          await rejects.add({
            object_key: key,
            row_number: record.rowNumber,
            field: record.field,
            reason: record.reason,
            raw: record.raw,
          });
          continue;
        }
        const validated: { table: TableName; row: Record<string, unknown> }[] = [];
        let problem: { field: string | null; reason: string } | undefined;
        for (const mapped of record.rows) {
          // A rejected value is named as the adapter gave it, before completeInPlace replaces it.
          const { agent_id: givenAgentId, source_object: givenObject, source_row: givenRow } = mapped.row;
          const result = validateRow(
            mapped.table,
            completeInPlace(mapped.table, mapped.row, source.agentIds, key, record.rowNumber),
          );
          if (!result.success) {
            const issue = result.error.issues[0];
            const field = issue?.path.length ? String(issue.path[0]) : null;
            const value =
              field === 'agent_id'
                ? givenAgentId
                : field === 'source_object'
                  ? givenObject
                  : field === 'source_row'
                    ? givenRow
                    : field === null
                      ? undefined
                      : mapped.row[field];
            problem = {
              field,
              reason: `${mapped.table}.${field ?? '(row)'} ${issue?.message ?? 'is invalid'} (got ${describeValue(value)})`,
            };
            break;
          }
          // A plainly valid row is its own result, and the adapter's pair can stand for it.
          validated.push(result.data === mapped.row ? mapped : { table: mapped.table, row: result.data });
        }
        problem ??= repeatedKey(validated) ?? datedOutside(validated, dates) ?? implausibleNumber(validated);
        if (problem) {
          await rejects.add({ object_key: key, row_number: record.rowNumber, ...problem, raw: record.raw });
          continue;
        }
        rowsAccepted++;
        for (const { table, row } of validated) {
          let writer = writers.get(table);
          if (!writer) {
            writer = new PartitionedParquetWriter(table, {
              tmpDir: spoolDir,
              ...(request.maxBufferedRows ? { maxBufferedRows: request.maxBufferedRows } : {}),
            });
            writers.set(table, writer);
          }
          writer.add(row);
          rowsByTable[table] = (rowsByTable[table] ?? 0) + 1;
        }
      }
      if (rowsRead === 0 && watched.ended && !watched.content) throw new FileRejectedError(EMPTY_OBJECT);
    } catch (error) {
      if (!isDataError(error)) throw error;
      fileError = boundedReason(error.message);
    } finally {
      // An adapter that stops early (a rejected file) may leave the stream paused mid-file, and the
      // landing read with it: ending it lets the read finish.
      decoded?.destroy();
    }
    hasher.resume();
    await rawDone;
    // A file rejected part-way stops the read (the stream is destroyed), so only a prefix went
    // through the hasher: the audit names the object by the hash of all its bytes, read again.
    const objectSha256 = hashedWhole ? hash.digest('hex') : await sha256Of(await stores.landing.read(key));

    if (fileError !== null) {
      await rejects.add({
        object_key: key,
        row_number: null,
        field: null,
        reason: `file rejected: ${fileError}`,
        raw: null,
      });
    }
    await rejects.close();

    const outputs: string[] = [];
    if (fileError === null) {
      for (const writer of writers.values()) {
        for (const output of writer.finishOutputs()) outputs.push(await upload(stores.curated, output, id));
      }
    }
    const removed = await replaceManifest(stores.curated, id, key, outputs);

    const rejectKey = `${key}.rejects.jsonl`;
    const rowsRejected = rowsRead - (fileError === null ? rowsAccepted : 0);
    if (rejects.count > 0)
      await stores.quarantine.write(rejectKey, createReadStream(rejects.file), 'application/x-ndjson');
    else await deleteIfPresent(stores.quarantine, rejectKey);

    const audit = {
      source: source.name,
      object_key: key,
      object_sha256: objectSha256,
      landed_at: info.lastModified,
      rows_read: rowsRead,
      rows_accepted: fileError === null ? rowsAccepted : 0,
      rows_rejected: rowsRejected,
      file_error: fileError,
      started_at: startedAt,
      duration_ms: Math.round(performance.now() - t0),
      normaliser_version: NORMALISER_VERSION,
    };
    const auditWriter = new PartitionedParquetWriter('ingestion_audit', { tmpDir: spoolDir });
    auditWriter.add(TABLES.ingestion_audit.schema.parse(audit));
    const auditKeys: string[] = [];
    for (const output of auditWriter.finishOutputs()) auditKeys.push(await upload(stores.curated, output, id));
    auditWriter.dispose();

    return {
      audit,
      outputs,
      partitions: sortedPartitions([...outputs, ...removed, ...auditKeys].flatMap((k) => partitionOfKey(k) ?? [])),
      rowsByTable: fileError === null ? rowsByTable : {},
      rejectKey: rejects.count > 0 ? rejectKey : null,
      fileError,
    };
  } finally {
    for (const writer of writers.values()) writer.dispose();
    rejects.dispose();
  }
}

/**
 * A figure beyond ±(2^53 − 1) is rejected: no duration, count, score or amount of an export comes
 * near it, integers past it are no longer exact, and a value such as 1e308 overflows the sums and
 * variances of the metric views (DuckDB's STDDEV_SAMP fails on it).
 */
function implausibleNumber(
  rows: readonly { table: TableName; row: Record<string, unknown> }[],
): { field: string | null; reason: string } | undefined {
  for (const { table, row } of rows) {
    for (const field of FIGURE_COLUMNS.get(table) as readonly string[]) {
      const value = row[field];
      if (typeof value === 'number' && Math.abs(value) > Number.MAX_SAFE_INTEGER) {
        return {
          field,
          reason: `${table}.${field} is ${value}, beyond ±${Number.MAX_SAFE_INTEGER} (2^53 − 1): not a plausible figure`,
        };
      }
    }
  }
  return undefined;
}

/**
 * Why an object with no content is rejected whatever its format: an export of no records still has
 * its structure (a CSV header, `[]`, a page object), and Firehose never delivers an empty object,
 * so nothing but whitespace or a byte-order mark is a failed upload, which the audit
 * should name rather than count as a quiet hour.
 */
const EMPTY_OBJECT = 'empty file: no records, only whitespace or a byte-order mark';

/** Whether the decoded bytes held anything but blanks, and whether they were read to the end. */
interface ContentWatch {
  content: boolean;
  ended: boolean;
}

/** Passes the decoded bytes on unchanged, noting in `watch` whether any was content. */
async function* watchContent(input: AsyncIterable<unknown>, watch: ContentWatch): AsyncGenerator<Buffer> {
  let offset = 0;
  for await (const chunk of input) {
    const bytes = chunk as Buffer;
    if (!watch.content) watch.content = hasContent(bytes, offset);
    offset += bytes.length;
    yield bytes;
  }
  watch.ended = true;
}

/**
 * Blank bytes: whitespace and NUL anywhere (UTF-16 whitespace is a space or line end and a NUL),
 * and the bytes of a byte-order mark at the start.
 */
function hasContent(bytes: Buffer, offset: number): boolean {
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index] as number;
    if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09 || byte === 0x00) continue;
    if (offset + index < 3 && (byte === 0xef || byte === 0xbb || byte === 0xbf || byte === 0xff || byte === 0xfe)) {
      continue;
    }
    return true;
  }
  return false;
}

async function sha256Of(input: NodeJS.ReadableStream): Promise<string> {
  const hash = createHash('sha256');
  await pipelineAsync(input, hash);
  return hash.digest('hex');
}

/** Tables whose rows carry their lineage (source_object, source_row). */
const LINEAGE_TABLES: ReadonlySet<TableName> = new Set(
  (Object.keys(TABLES) as TableName[]).filter((table) => 'source_object' in TABLES[table].schema.shape),
);

/**
 * The row as it is validated: with its lineage (landing object and record number) for tables that
 * carry it, since it orders versions that share their timestamps (TABLES versionBy) and so is set
 * here, never by an adapter; and with its agent_id replaced by the directory name when the
 * source's directory has one. The adapter's row is completed in place: each record's rows are
 * made for it and read by nothing after this, and a copy of every row (36 columns for an
 * interaction) cost 1.3 s of CPU and its garbage over the scale-10 demo's 1.1 million records.
 */
function completeInPlace(
  table: TableName,
  row: Record<string, unknown>,
  agentIds: Readonly<Record<string, string>> | undefined,
  sourceObject: string,
  sourceRow: number,
): Record<string, unknown> {
  const id = row.agent_id;
  if (agentIds !== undefined && typeof id === 'string' && Object.hasOwn(agentIds, id)) row.agent_id = agentIds[id];
  if (LINEAGE_TABLES.has(table)) {
    row.source_object = sourceObject;
    row.source_row = sourceRow;
  }
  return row;
}

/**
 * A record that yields two rows with one key (e.g. a QA form listing a criterion twice) is
 * rejected: the two would be versions no timestamp or lineage can order. Keys are equal when their
 * JSON is (a Date and its ISO string, say), the test a reader of the rows would apply.
 */
function repeatedKey(
  rows: readonly { table: TableName; row: Record<string, unknown> }[],
): { field: string | null; reason: string } | undefined {
  if (rows.length < 2) return undefined;
  const repeated = rows.length > PAIRWISE_KEY_ROWS ? firstRepeatedBySet(rows) : firstRepeatedByPairs(rows);
  if (repeated === undefined) return undefined;
  const { table, row } = repeated;
  const named = TABLES[table].key.map((column) => `${column}=${JSON.stringify(row[column])}`).join(', ');
  return { field: null, reason: `${table} key (${named}) appears twice in one record` };
}

/**
 * Most records that yield several rows yield a handful (a contact and its survey answers), and
 * comparing their keys pairwise makes no string; a JSON text per row, as the set below needs, was
 * 150 MB of garbage over the scale-10 demo's Amazon Connect records. Larger records keep the set,
 * whose cost grows with the rows rather than with their square.
 */
const PAIRWISE_KEY_ROWS = 16;

type TableRow = { readonly table: TableName; readonly row: Record<string, unknown> };

/** The first row whose key an earlier row of the record has. */
function firstRepeatedByPairs(rows: readonly TableRow[]): TableRow | undefined {
  for (let later = 1; later < rows.length; later++) {
    const row = rows[later] as TableRow;
    for (let earlier = 0; earlier < later; earlier++) {
      if (sameKey(rows[earlier] as TableRow, row)) return row;
    }
  }
  return undefined;
}

function sameKey(a: TableRow, b: TableRow): boolean {
  if (a.table !== b.table) return false;
  for (const column of TABLES[a.table].key) {
    const x = a.row[column];
    const y = b.row[column];
    const equal =
      typeof x === 'string' && typeof y === 'string' ? x === y : JSON.stringify([x]) === JSON.stringify([y]);
    if (!equal) return false;
  }
  return true;
}

function firstRepeatedBySet(rows: readonly TableRow[]): TableRow | undefined {
  const seen = new Set<string>();
  for (const tableRow of rows) {
    const { table, row } = tableRow;
    const id = JSON.stringify([table, ...TABLES[table].key.map((column) => row[column])]);
    if (seen.has(id)) return tableRow;
    seen.add(id);
  }
  return undefined;
}

const DAY_MS = 86_400_000;

/**
 * Each table's timestamp columns and its figure columns (double and bigint), in schema order: a
 * validated row holds Dates and numbers in those alone, and they are checked in the order of
 * zod's result, so the first bad value named is the same whether zod returned the row or
 * validateRow passed the mapped row itself on (its keys may come in another order, and with others
 * zod would drop).
 */
const COLUMNS_OF_TYPE = (types: readonly string[]): ReadonlyMap<TableName, readonly string[]> =>
  new Map(
    (Object.keys(TABLES) as TableName[]).map((table) => [
      table,
      columnsOf(table)
        .filter((c) => types.includes(c.logicalType))
        .map((c) => c.name),
    ]),
  );
const TIMESTAMP_COLUMNS = COLUMNS_OF_TYPE(['timestamp']);
const FIGURE_COLUMNS = COLUMNS_OF_TYPE(['double', 'bigint']);

/** Each table's partition columns, looked up once rather than for every row. */
const PARTITION_COLUMNS: ReadonlyMap<TableName, readonly string[]> = new Map(
  (Object.keys(TABLES) as TableName[]).map((table) => [table, partitionColumns(table)]),
);

/** The days a row's timestamps may fall on, inclusive, and their bounds in milliseconds. */
interface PartitionRange {
  /** First day of the partition column: lake.partitionsFrom. */
  readonly from: string;
  /** First day of any other timestamp: EARLIEST_TIMESTAMP_DAY, or lake.partitionsFrom when earlier. */
  readonly earliest: string;
  /** Last day of every timestamp: the day after the file landed. */
  readonly to: string;
  /** The bounds as times, computed once per object rather than once per row. */
  readonly fromMs: number;
  readonly earliestMs: number;
  /** The end of `to`: the first instant too late. */
  readonly endMs: number;
}

function partitionRange(from: string, landedAt: Date): PartitionRange {
  const earliest = from < EARLIEST_TIMESTAMP_DAY ? from : EARLIEST_TIMESTAMP_DAY;
  const to = partitionDate(new Date(landedAt.getTime() + LATEST_AFTER_LANDING_MS));
  return {
    from,
    earliest,
    to,
    fromMs: dayStart(from),
    earliestMs: dayStart(earliest),
    endMs: dayStart(to) + DAY_MS,
  };
}

/** Milliseconds of the start of a YYYY-MM-DD day (UTC). */
function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

/**
 * A row dated outside the partitions queries read (Athena projects `dt` from the configured first
 * day to today) is rejected, never curated where it would count locally and be invisible deployed.
 * The upper bound is the file's landing day plus one, so re-ingesting the file decides the same.
 * Every other timestamp of the row is held to the same upper bound (nothing in an export happens
 * after it was written; a day allows for clocks and zones) and to EARLIEST_TIMESTAMP_DAY, so a year
 * 0 or 9999 in an update or resolution time is rejected rather than curated. Times are compared as
 * numbers: years past 9999 do not sort as text.
 */
function datedOutside(
  rows: readonly { table: TableName; row: Record<string, unknown> }[],
  range: PartitionRange,
): { field: string | null; reason: string } | undefined {
  const last = range.endMs;
  for (const { table, row } of rows) {
    const column = firstDateColumn(PARTITION_COLUMNS.get(table) as readonly string[], row);
    if (column !== undefined) {
      const at = (row[column] as Date).getTime();
      const dt = partitionDate(row[column] as Date);
      if (at < range.fromMs) {
        return {
          field: column,
          reason: `${table}.${column} dates the row ${dt}, before lake.partitionsFrom (${range.from}); set an earlier lake.partitionsFrom to keep it`,
        };
      }
      if (at >= last) {
        return {
          field: column,
          reason: `${table}.${column} dates the row ${dt}, more than a day after its file landed (${range.to} at the latest)`,
        };
      }
    }
    for (const field of TIMESTAMP_COLUMNS.get(table) as readonly string[]) {
      const value = row[field];
      if (!(value instanceof Date) || field === column) continue;
      const at = value.getTime();
      if (at < range.earliestMs) {
        return {
          field,
          reason: `${table}.${field} is ${value.toISOString()}, before ${range.earliest}: not a plausible date (a placeholder?)`,
        };
      }
      if (at >= last) {
        return {
          field,
          reason: `${table}.${field} is ${value.toISOString()}, more than a day after its file landed (${range.to} at the latest)`,
        };
      }
    }
  }
  return undefined;
}

/** The first of `columns` that holds a Date in the row (a loop: find's callback was a closure per row). */
function firstDateColumn(columns: readonly string[], row: Record<string, unknown>): string | undefined {
  for (const column of columns) if (row[column] instanceof Date) return column;
  return undefined;
}

/**
 * A rejected value as the reason shows it: JSON for most, but the numbers JSON cannot write
 * (Infinity, NaN) and dates that are not valid read as themselves instead of as null.
 */
function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return String(value);
  if (value instanceof Date && Number.isNaN(value.getTime())) return 'an invalid date';
  return JSON.stringify(value);
}

/** Writes a partition's staging file: from memory, or streamed from its spool file when it had one. */
async function upload(store: ObjectStore, output: PartitionOutput, id: string): Promise<string> {
  const key = stagingKey({ table: output.table, dt: output.dt }, id);
  const body =
    output.bytes === undefined
      ? createReadStream(output.file)
      : Buffer.from(output.bytes.buffer, output.bytes.byteOffset, output.bytes.byteLength);
  await store.write(key, body, 'application/vnd.apache.parquet');
  return key;
}

/**
 * Re-ingesting an object replaces what it produced before: outputs of the previous run that this
 * run did not rewrite (e.g. partitions that no longer occur) are deleted, so nothing is duplicated.
 * Returns the deleted keys, whose partitions need compacting too.
 */
async function replaceManifest(
  store: ObjectStore,
  id: string,
  landingKey: string,
  outputs: string[],
): Promise<string[]> {
  const manifestKey = `${MANIFEST_PREFIX}${id}.json`;
  const previous = await readManifest(store, manifestKey);
  const current = new Set(outputs);
  const removed = previous.filter((stale) => !current.has(stale));
  for (const stale of removed) await deleteIfPresent(store, stale);
  await store.write(
    manifestKey,
    `${JSON.stringify({ object_key: landingKey, outputs }, null, 2)}\n`,
    'application/json',
  );
  return removed;
}

async function readManifest(store: ObjectStore, manifestKey: string): Promise<string[]> {
  if (!(await store.head(manifestKey))) return [];
  const chunks: Buffer[] = [];
  for await (const chunk of await store.read(manifestKey)) chunks.push(chunk as Buffer);
  const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { outputs?: unknown };
  return Array.isArray(parsed.outputs) ? parsed.outputs.filter((o): o is string => typeof o === 'string') : [];
}

async function deleteIfPresent(store: ObjectStore, key: string): Promise<void> {
  if (await store.head(key)) await store.delete(key);
}
