/**
 * Writes validated canonical rows as Parquet. The normaliser's PartitionedParquetWriter writes one
 * file per `dt` partition with bounded memory: rows are buffered per partition as columns and
 * flushed as row groups to a spool file whenever a partition reaches a full row group or all
 * buffers together reach `maxBufferedRows`; a partition that never had to be flushed (most of
 * them: an export touches many days with a few rows each) is encoded in memory at the end and
 * never touches the disk. encodeParquet writes rows already in memory (a compacted partition) as
 * one file. Either output depends only on the input rows and their order, so re-ingesting and
 * re-compacting are byte-identical.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyValue, SchemaElement } from 'hyparquet';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { DEFAULTS } from '../config/defaults.ts';
import type { TableName } from '../schema/canonical.ts';
import type { LogicalType } from '../schema/columns.ts';
import { type ColumnDefinition, columnsOf, partitionColumns } from '../schema/derive.ts';
import { StagingParquetWriter } from './staging-parquet.ts';

/** Rows per row group: large enough for good compression, small enough to bound memory. */
export const ROW_GROUP_ROWS = 100_000;
export const PARQUET_CREATED_BY = 'servicebench';

const PHYSICAL: Readonly<Record<LogicalType, Omit<SchemaElement, 'name' | 'repetition_type'>>> = {
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  timestamp: { type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' },
  double: { type: 'DOUBLE' },
  bigint: { type: 'INT64' },
  boolean: { type: 'BOOLEAN' },
  date: { type: 'INT32', converted_type: 'DATE' },
};

/** The Parquet schema of a canonical table, derived from its zod declaration. */
export function parquetSchema(table: TableName): SchemaElement[] {
  const columns = columnsOf(table);
  return [
    { name: 'root', num_children: columns.length },
    ...columns.map(
      (c): SchemaElement => ({
        name: c.name,
        ...PHYSICAL[c.logicalType],
        repetition_type: c.nullable ? 'OPTIONAL' : 'REQUIRED',
      }),
    ),
  ];
}

/**
 * Encodings chosen by measurement (benchmarks/normalise.ts): timestamps and counters are close
 * together within a file, so delta encoding stores them in a byte or two instead of eight (timestamp
 * columns shrank 12×). Doubles keep the writer's choice: BYTE_STREAM_SPLIT saved a further 30% on
 * them but older Trino readers (Athena) lack it. Other types: dictionary when it pays, else plain.
 */
const ENCODING: Partial<Record<LogicalType, 'DELTA_BINARY_PACKED'>> = {
  timestamp: 'DELTA_BINARY_PACKED',
  bigint: 'DELTA_BINARY_PACKED',
};

/** A value as the writer takes it: INT64 columns want bigint, everything else is written as given. */
export function parquetValue(column: ColumnDefinition, value: unknown): unknown {
  const present = value ?? null;
  return column.logicalType === 'bigint' && present !== null ? BigInt(present as number | bigint) : present;
}

/** One row group's column chunks, with the encodings above. */
function columnChunks(columns: readonly ColumnDefinition[], values: readonly unknown[][]) {
  return columns.map((c, i) => {
    const data = values[i] as unknown[];
    const encoding = ENCODING[c.logicalType];
    if (encoding !== undefined) return { name: c.name, data, encoding };
    const plain = c.logicalType === 'string' ? plainAsciiStrings(data, c.nullable) : undefined;
    return plain === undefined ? { name: c.name, data } : { name: c.name, data: plain, encoding: 'PLAIN' as const };
  });
}

/** Values the writer samples to decide whether a column is worth a dictionary (hyparquet-writer 0.17). */
const DICTIONARY_SAMPLE = 1000;
/** The writer gives up a dictionary when the sampled distinct values are more than this share of the bytes. */
const DICTIONARY_SAMPLE_REJECTION = 0.9;

/**
 * A string column the writer would write plain, as the UTF-8 bytes it writes, encoded in one go:
 * the writer encodes each value with its own TextEncoder call, two to three times the CPU of one
 * encoding and a view per value. Re-writing the scale-10 demo's 11,181 staging files took a median
 * of 14.6 s CPU instead of 16.3 s (3 runs each, loaded machine). Returns
 * undefined, and leaves the column to the writer, unless the writer's own sample (the same values,
 * sized as it sizes strings) rejects a dictionary and every value is ASCII, so that its size
 * estimates and page boundaries, which count UTF-16 units for a string and bytes for a byte array,
 * agree: the file is byte for byte the one the writer makes from the strings.
 */
function plainAsciiStrings(values: readonly unknown[], nullable: boolean): Uint8Array[] | undefined {
  if (typeof values.find((value) => value !== null) !== 'string') return undefined;
  const sampleSize = Math.min(values.length, DICTIONARY_SAMPLE);
  const sampled = new Set<unknown>();
  let distinctSize = 0;
  let totalSize = 0;
  for (let i = 0; i < sampleSize; i++) {
    const value = values[sampleSize === 1 ? 0 : Math.floor((i * (values.length - 1)) / (sampleSize - 1))];
    const size = typeof value === 'string' ? value.length + 4 : 0;
    if (!sampled.has(value)) {
      sampled.add(value);
      distinctSize += size;
    }
    totalSize += size;
  }
  if (totalSize > 0 && distinctSize / totalSize <= DICTIONARY_SAMPLE_REJECTION) return undefined;

  const strings: string[] = [];
  for (const value of values) {
    if (typeof value === 'string') strings.push(value);
    else if (value !== null || !nullable) return undefined;
  }
  const joined = strings.join('');
  if (Buffer.byteLength(joined, 'utf8') !== joined.length) return undefined;
  const bytes = Buffer.from(joined, 'latin1');
  const plain: Uint8Array[] = new Array(values.length);
  let offset = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'string') {
      plain[i] = value as Uint8Array;
      continue;
    }
    plain[i] = new Uint8Array(bytes.buffer, bytes.byteOffset + offset, value.length);
    offset += value.length;
  }
  return plain;
}

/**
 * One Parquet file of a canonical table from rows held in memory, in their order, in row groups of
 * `rowGroupRows`. `metadata` becomes the file's key-value metadata (in the order given).
 */
export function encodeParquet(
  table: TableName,
  rows: readonly Readonly<Record<string, unknown>>[],
  metadata: readonly KeyValue[] = [],
  rowGroupRows: number = ROW_GROUP_ROWS,
): Uint8Array {
  const values = columnsOf(table).map((c) => rows.map((row) => parquetValue(c, row[c.name])));
  return encodeParquetColumns(table, values, metadata, rowGroupRows);
}

/**
 * As encodeParquet, from the values of each column in schema order (`values[i]` holds column i of
 * every row), already as the writer takes them (INT64 as bigint): the same rows give the same bytes
 * either way.
 */
export function encodeParquetColumns(
  table: TableName,
  values: readonly unknown[][],
  metadata: readonly KeyValue[] = [],
  rowGroupRows: number = ROW_GROUP_ROWS,
): Uint8Array {
  const columns = columnsOf(table);
  const writer = new ByteWriter();
  const parquet = new ParquetWriter({
    writer,
    schema: parquetSchema(table),
    createdBy: PARQUET_CREATED_BY,
    ...(metadata.length > 0 ? { kvMetadata: [...metadata] } : {}),
  });
  void parquet.write({ columnData: columnChunks(columns, values), rowGroupSize: rowGroupRows });
  void parquet.finish();
  return new Uint8Array(writer.getBuffer());
}

const DAY_MS = 86_400_000;
const dayLabels = new Map<number, string>();

/** UTC date of a timestamp, the partition value (memoised per day: it runs once per row). */
export function partitionDate(value: Date): string {
  const day = Math.floor(value.getTime() / DAY_MS);
  let label = dayLabels.get(day);
  if (label === undefined) {
    label = new Date(day * DAY_MS).toISOString().slice(0, 10);
    dayLabels.set(day, label);
  }
  return label;
}

/** The first set partition column of a validated row (the last one is required). */
function partitionTime(columns: readonly string[], row: Record<string, unknown>): Date {
  for (const column of columns) {
    const value = row[column];
    if (value instanceof Date) return value;
  }
  throw new Error(`row has none of its partition columns set: ${columns.join(', ')}`);
}

interface PartitionBuffer {
  readonly dt: string;
  /** The spool file, once the partition had to be flushed before the end. */
  file: string | undefined;
  writer: StagingParquetWriter | undefined;
  columns: unknown[][];
  buffered: number;
  rows: number;
}

export interface PartitionFile {
  readonly table: TableName;
  readonly dt: string;
  readonly file: string;
  readonly rows: number;
}

/** A finished partition: its file's bytes in memory, or the spool file holding them. */
export type PartitionOutput = Omit<PartitionFile, 'file'> &
  ({ readonly bytes: Uint8Array; readonly file?: never } | { readonly file: string; readonly bytes?: never });

export interface PartitionedWriterOptions {
  readonly tmpDir?: string;
  readonly maxBufferedRows?: number;
  readonly rowGroupRows?: number;
}

/**
 * Writes a table's staging files (one per landing object and day) with StagingParquetWriter, not
 * hyparquet-writer: only the compactor and erasure read them, whole, once, and most hold about a
 * hundred rows, so the cost of a file was the writer's fixed cost per column chunk. They carry no
 * column statistics (the compacted file a table reads gets its own) and their pages are not
 * compressed (Snappy saved disk until the next compaction and cost CPU twice). Re-encoding the
 * 11,181 staging files of a scale-10 demo lake (1.43M rows, buffering the rows included; 3 runs,
 * load 8-10) took 8.7-8.9 s CPU, against 18.9-20.1 s with hyparquet-writer; reading them back as
 * compaction does, 5.5-6.6 s against 6.3-6.7 s. They take 212 MiB against 151. Without
 * dictionaries for repeated strings they took 10.5-11.9 s and 420 MiB.
 */
export class PartitionedParquetWriter {
  private readonly columns: ColumnDefinition[];
  private readonly partitionColumns: string[];
  private readonly partitions = new Map<string, PartitionBuffer>();
  private readonly tmpDir: string;
  private spoolDir: string | undefined;
  private readonly maxBufferedRows: number;
  private readonly rowGroupRows: number;
  private buffered = 0;

  constructor(
    readonly table: TableName,
    options: PartitionedWriterOptions = {},
  ) {
    this.columns = columnsOf(table);
    this.partitionColumns = partitionColumns(table);
    this.tmpDir = options.tmpDir ?? tmpdir();
    this.maxBufferedRows = options.maxBufferedRows ?? DEFAULTS.maxBufferedRows;
    this.rowGroupRows = options.rowGroupRows ?? ROW_GROUP_ROWS;
  }

  /** Adds one row that already passed the table's zod schema. */
  add(row: Record<string, unknown>): void {
    const dt = partitionDate(partitionTime(this.partitionColumns, row));
    let partition = this.partitions.get(dt);
    if (!partition) {
      partition = {
        dt,
        file: undefined,
        writer: undefined,
        columns: this.columns.map(() => []),
        buffered: 0,
        rows: 0,
      };
      this.partitions.set(dt, partition);
    }
    for (let i = 0; i < this.columns.length; i++) {
      const column = this.columns[i] as ColumnDefinition;
      (partition.columns[i] as unknown[]).push(parquetValue(column, row[column.name]));
    }
    partition.buffered++;
    partition.rows++;
    this.buffered++;
    if (partition.buffered >= this.rowGroupRows) this.flush(partition);
    else if (this.buffered >= this.maxBufferedRows) this.flush(this.largestPartition());
  }

  /**
   * Closes every partition and returns each as bytes when it was never flushed, or as its spool
   * file; the caller uploads them, then calls dispose(). In date order.
   */
  finishOutputs(): PartitionOutput[] {
    const outputs: PartitionOutput[] = [];
    for (const partition of [...this.partitions.values()].sort((a, b) => a.dt.localeCompare(b.dt))) {
      const done = { table: this.table, dt: partition.dt, rows: partition.rows };
      if (partition.writer === undefined) {
        const writer = new StagingParquetWriter(this.table);
        this.writeGroup(writer, partition);
        writer.finish();
        outputs.push({ ...done, bytes: writer.take() });
        continue;
      }
      if (partition.buffered > 0) this.flush(partition);
      partition.writer.finish();
      appendFileSync(partition.file as string, partition.writer.take());
      outputs.push({ ...done, file: partition.file as string });
    }
    return outputs;
  }

  /** As finishOutputs, every partition as a file; the caller reads them, then calls dispose(). */
  finish(): PartitionFile[] {
    return this.finishOutputs().map(({ bytes, file, ...done }) => {
      if (file !== undefined) return { ...done, file };
      const path = this.spoolFile(done.dt);
      writeFileSync(path, bytes);
      return { ...done, file: path };
    });
  }

  dispose(): void {
    if (this.spoolDir !== undefined) rmSync(this.spoolDir, { recursive: true, force: true });
  }

  private largestPartition(): PartitionBuffer {
    let largest: PartitionBuffer | undefined;
    for (const p of this.partitions.values()) if (!largest || p.buffered > largest.buffered) largest = p;
    return largest as PartitionBuffer;
  }

  /** Writes the partition's buffered rows as a row group of its spool file. */
  private flush(partition: PartitionBuffer): void {
    if (partition.writer === undefined) {
      partition.file = this.spoolFile(partition.dt);
      partition.writer = new StagingParquetWriter(this.table);
    }
    this.writeGroup(partition.writer, partition);
    appendFileSync(partition.file as string, partition.writer.take());
  }

  private writeGroup(writer: StagingParquetWriter, partition: PartitionBuffer): void {
    writer.writeRowGroup(partition.columns, partition.buffered);
    this.buffered -= partition.buffered;
    partition.buffered = 0;
    partition.columns = this.columns.map(() => []);
  }

  /** A partition's spool file; the spool folder is made when the first one is needed. */
  private spoolFile(dt: string): string {
    this.spoolDir ??= mkdtempSync(join(this.tmpDir, `sb-${this.table}-`));
    return join(this.spoolDir, `${dt}.parquet`);
  }
}
