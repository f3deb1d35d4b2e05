/**
 * Writes validated canonical rows as Parquet, one file per `dt` partition, with bounded memory:
 * rows are buffered per partition as columns and flushed as row groups to a spool file whenever a
 * partition reaches a full row group or all buffers together reach `maxBufferedRows`.
 * The output depends only on the input rows and their order, so re-ingesting is byte-identical.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SchemaElement } from 'hyparquet';
import { ParquetWriter } from 'hyparquet-writer';
import { fileWriter } from 'hyparquet-writer/src/node.js';
import { DEFAULTS } from '../config/defaults.ts';
import { TABLES, type TableName } from '../schema/canonical.ts';
import type { LogicalType } from '../schema/columns.ts';
import { type ColumnDefinition, columnsOf } from '../schema/derive.ts';

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

interface PartitionBuffer {
  readonly dt: string;
  readonly file: string;
  writer: ParquetWriter | undefined;
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

export interface PartitionedWriterOptions {
  readonly tmpDir?: string;
  readonly maxBufferedRows?: number;
  readonly rowGroupRows?: number;
}

export class PartitionedParquetWriter {
  private readonly columns: ColumnDefinition[];
  private readonly schema: SchemaElement[];
  private readonly partitions = new Map<string, PartitionBuffer>();
  private readonly spoolDir: string;
  private readonly maxBufferedRows: number;
  private readonly rowGroupRows: number;
  private buffered = 0;

  constructor(
    readonly table: TableName,
    options: PartitionedWriterOptions = {},
  ) {
    this.columns = columnsOf(table);
    this.schema = parquetSchema(table);
    this.spoolDir = mkdtempSync(join(options.tmpDir ?? tmpdir(), `sb-${table}-`));
    this.maxBufferedRows = options.maxBufferedRows ?? DEFAULTS.maxBufferedRows;
    this.rowGroupRows = options.rowGroupRows ?? ROW_GROUP_ROWS;
  }

  /** Adds one row that already passed the table's zod schema. */
  add(row: Record<string, unknown>): void {
    const dt = partitionDate(row[TABLES[this.table].partitionBy] as Date);
    let partition = this.partitions.get(dt);
    if (!partition) {
      partition = {
        dt,
        file: join(this.spoolDir, `${dt}.parquet`),
        writer: undefined,
        columns: this.columns.map(() => []),
        buffered: 0,
        rows: 0,
      };
      this.partitions.set(dt, partition);
    }
    for (let i = 0; i < this.columns.length; i++) {
      const column = this.columns[i] as ColumnDefinition;
      const value = row[column.name] ?? null;
      (partition.columns[i] as unknown[]).push(
        column.logicalType === 'bigint' && value !== null ? BigInt(value as number) : value,
      );
    }
    partition.buffered++;
    partition.rows++;
    this.buffered++;
    if (partition.buffered >= this.rowGroupRows) this.flush(partition);
    else if (this.buffered >= this.maxBufferedRows) this.flush(this.largestPartition());
  }

  /** Closes every partition file and returns them; the caller uploads them, then calls dispose(). */
  finish(): PartitionFile[] {
    const files: PartitionFile[] = [];
    for (const partition of [...this.partitions.values()].sort((a, b) => a.dt.localeCompare(b.dt))) {
      if (partition.buffered > 0) this.flush(partition);
      partition.writer?.finish();
      files.push({ table: this.table, dt: partition.dt, file: partition.file, rows: partition.rows });
    }
    return files;
  }

  dispose(): void {
    rmSync(this.spoolDir, { recursive: true, force: true });
  }

  private largestPartition(): PartitionBuffer {
    let largest: PartitionBuffer | undefined;
    for (const p of this.partitions.values()) if (!largest || p.buffered > largest.buffered) largest = p;
    return largest as PartitionBuffer;
  }

  private flush(partition: PartitionBuffer): void {
    partition.writer ??= new ParquetWriter({
      writer: fileWriter(partition.file),
      schema: this.schema,
      createdBy: PARQUET_CREATED_BY,
    });
    void partition.writer.write({
      columnData: this.columns.map((c, i) => ({
        name: c.name,
        data: partition.columns[i] as unknown[],
        ...(ENCODING[c.logicalType] ? { encoding: ENCODING[c.logicalType] } : {}),
      })),
      rowGroupSize: this.rowGroupRows,
    });
    this.buffered -= partition.buffered;
    partition.buffered = 0;
    partition.columns = this.columns.map(() => []);
  }
}
