import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetMetadata, parquetRead } from 'hyparquet';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { openLake } from '../../../cli/lake.ts';
import { compactPartition } from '../../../lambdas/core/compact/compact.ts';
import { readStagedFile } from '../../../lambdas/core/compact/staging-reader.ts';
import { PARQUET_CREATED_BY, parquetSchema } from '../../../lambdas/core/normalise/parquet.ts';
import { type ColumnDefinition, columnsOf } from '../../../lambdas/core/schema/derive.ts';
import { compactedKey, type Partition, stagingKey } from '../../../lambdas/core/schema/layout.ts';
import { sampleValue, stagingFile } from '../../support/staged-values.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-staging-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const columns = columnsOf('interactions');
const at = (name: string) => columns.findIndex((c) => c.name === name);

function columnValues(rows: number, nullable: (row: number) => boolean = () => false): unknown[][] {
  return columns.map((c) =>
    Array.from({ length: rows }, (_, row) => (c.nullable && nullable(row) ? null : sampleValue(c, row))),
  );
}

/** A file of the same values from hyparquet-writer, as staging files were written before. */
function hyparquetFile(values: readonly unknown[][], options: { codec?: 'UNCOMPRESSED'; statistics?: false } = {}) {
  const writer = new ByteWriter();
  const parquet = new ParquetWriter({
    writer,
    schema: parquetSchema('interactions'),
    createdBy: PARQUET_CREATED_BY,
    ...options,
  });
  void parquet.write({ columnData: columns.map((c, i) => ({ name: c.name, data: values[i] as unknown[] })) });
  void parquet.finish();
  return new Uint8Array(writer.getBuffer());
}

/** The values as compaction stores them: timestamps as bigint milliseconds, strings as UTF-8 bytes. */
function stored(values: readonly unknown[][]): unknown[][] {
  const utf8 = new TextEncoder();
  return values.map((column) =>
    column.map((value) => {
      if (value instanceof Date) return BigInt(value.getTime());
      if (typeof value === 'string') return utf8.encode(value);
      return value;
    }),
  );
}

const STAGED_VALUES = {
  timestampFromMilliseconds: (millis: bigint) => millis,
  dateFromDays: (days: number) => days,
  stringFromBytes: (bytes: Uint8Array) => bytes,
};

/** The file's columns as hyparquet reads them with compaction's parsers, nulls as null. */
async function readByHyparquet(bytes: Uint8Array, read: readonly ColumnDefinition[] = columns) {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const rows = Number(parquetMetadata(file).num_rows);
  const values: unknown[][] = read.map(() => new Array(rows).fill(null));
  await parquetRead({
    file,
    parsers: STAGED_VALUES,
    onChunk: ({ columnName, columnData, rowStart }) => {
      const column = values[read.findIndex((c) => c.name === columnName)] as unknown[];
      for (let row = 0; row < columnData.length; row++) column[rowStart + row] = columnData[row] ?? null;
    },
  });
  return values;
}

function readFast(bytes: Uint8Array, read: readonly ColumnDefinition[] = columns) {
  const values: unknown[][] = read.map(() => []);
  const rows = readStagedFile(bytes, read, values);
  return rows === undefined ? undefined : { rows, values };
}

/**
 * A file as the staging writer would write one column of dates (no table has one yet): a nullable
 * INT32 DATE column, definition levels bit-packed, values PLAIN, in one uncompressed v1 page.
 */
function dateFile(days: readonly (number | null)[]): Uint8Array {
  const out: number[] = [];
  const varint = (value: number) => {
    let rest = value;
    while (rest >= 0x80) {
      out.push((rest & 0x7f) | 0x80);
      rest >>>= 7;
    }
    out.push(rest);
  };
  const int = (header: number, value: number) => {
    out.push(header);
    varint(value * 2);
  };
  const int32le = (value: number) => {
    const bytes = Buffer.alloc(4);
    bytes.writeInt32LE(value);
    out.push(...bytes);
  };
  const text = (header: number, value: string) => {
    out.push(header);
    varint(value.length);
    out.push(...Buffer.from(value));
  };
  const present = days.filter((d) => d !== null);
  const levelBytes = Array.from({ length: Math.ceil(days.length / 8) }, (_, group) =>
    days.slice(group * 8, group * 8 + 8).reduce((byte: number, d, i) => byte | (d === null ? 0 : 1 << i), 0),
  );
  const pageSize = 4 + 1 + levelBytes.length + present.length * 4;
  out.push(0x50, 0x41, 0x52, 0x31);
  const pageStart = out.length;
  int(0x15, 0); // type: data page
  int(0x15, pageSize);
  int(0x15, pageSize);
  out.push(0x2c); // data_page_header
  int(0x15, days.length);
  int(0x15, 0); // PLAIN
  int(0x15, 3); // RLE definition levels
  int(0x15, 3);
  out.push(0, 0);
  int32le(1 + levelBytes.length);
  out.push(levelBytes.length * 2 + 1, ...levelBytes);
  for (const day of present) int32le(day);
  const chunkSize = out.length - pageStart;
  const footerStart = out.length;
  int(0x15, 2); // version
  out.push(0x19, 0x2c); // schema: 2 elements
  text(0x48, 'root');
  int(0x15, 1);
  out.push(0);
  int(0x15, 1); // INT32
  int(0x25, 1); // OPTIONAL
  text(0x18, 'day');
  int(0x25, 6); // DATE
  out.push(0);
  out.push(0x16); // num_rows
  varint(days.length * 2);
  out.push(0x19, 0x1c, 0x19, 0x1c); // one row group of one chunk
  int(0x26, pageStart); // file_offset
  out.push(0x1c); // meta_data
  int(0x15, 1);
  out.push(0x19, 0x25, 0, 6); // encodings PLAIN, RLE
  out.push(0x19, 0x18);
  varint(3);
  out.push(...Buffer.from('day'));
  int(0x15, 0); // UNCOMPRESSED
  int(0x16, days.length);
  int(0x16, chunkSize);
  int(0x16, chunkSize);
  int(0x26, pageStart); // data_page_offset
  out.push(0, 0);
  int(0x16, chunkSize); // total_byte_size
  int(0x16, days.length);
  out.push(0);
  text(0x28, PARQUET_CREATED_BY);
  out.push(0);
  int32le(out.length - footerStart);
  out.push(0x50, 0x41, 0x52, 0x31);
  return new Uint8Array(out);
}

describe('staging file reader', () => {
  it('is given a table with columns of every staged type, nullable and not', () => {
    const kinds = new Set(columns.map((c) => `${c.logicalType}${c.nullable ? '?' : ''}`));
    for (const kind of ['string', 'string?', 'timestamp', 'timestamp?', 'double?', 'bigint?', 'boolean', 'boolean?']) {
      expect(kinds).toContain(kind);
    }
  });

  for (const [name, groups] of Object.entries({
    'one row': [columnValues(1)],
    'one row group of 100 rows': [columnValues(100)],
    'three row groups': [columnValues(37), columnValues(1), columnValues(260)],
    'nullable columns null after the first row': [columnValues(40, (row) => row > 0)],
    'nullable columns null in every row': [columnValues(24, () => true)],
  })) {
    it(`reads the values compaction read with hyparquet, as stored: ${name}`, async () => {
      const file = stagingFile(groups);
      const every = columns.map((_, i) => groups.flatMap((values) => values[i] as unknown[]));
      const read = readFast(file);
      expect(read?.rows).toBe(every[0]?.length);
      expect(read?.values).toEqual(await readByHyparquet(file));
      expect(read?.values).toEqual(stored(every));
      const strings = read?.values[at('interaction_id')] ?? [];
      for (const value of strings) expect(value?.constructor).toBe(Uint8Array);
    });
  }

  it('reads a string chunk written with a dictionary and one written plain, and an all-null dictionary chunk', async () => {
    const values = columnValues(64);
    values[at('interaction_id')] = Array.from({ length: 64 }, (_, row) => `id-${row}-ü`);
    values[at('channel')] = Array.from({ length: 64 }, (_, row) => (row % 3 ? 'voice' : 'chat 😀'));
    values[at('queue')] = Array.from({ length: 64 }, () => null);
    const file = stagingFile([values]);
    const chunks = parquetMetadata(file.buffer as ArrayBuffer).row_groups[0]?.columns ?? [];
    expect(chunks[at('interaction_id')]?.meta_data?.dictionary_page_offset).toBeUndefined();
    expect(chunks[at('channel')]?.meta_data?.dictionary_page_offset).toBeDefined();
    expect(chunks[at('queue')]?.meta_data?.dictionary_page_offset).toBeDefined();
    expect(readFast(file)?.values).toEqual(stored(values));
    expect(readFast(file)?.values).toEqual(await readByHyparquet(file));
  });

  it('reads dates as their day numbers, before 1970 too', async () => {
    const days = [-1, null, -25_567, 20_000, 0, null, null, 1, -719_162];
    const date: ColumnDefinition[] = [{ ...(columns[0] as ColumnDefinition), name: 'day', logicalType: 'date' }];
    const file = dateFile(days);
    expect(await readByHyparquet(file, date)).toEqual([days]);
    expect(readFast(file, date)).toEqual({ rows: days.length, values: [days] });
  });

  it("appends after the rows already read, leaving unset a column the file lacks (hyparquet's nulls come later)", () => {
    const withNewer: ColumnDefinition[] = [...columns, { ...(columns[0] as ColumnDefinition), name: 'newer' }];
    const values: unknown[][] = withNewer.map(() => ['earlier']);
    const staged = columnValues(3);
    expect(readStagedFile(stagingFile([staged]), withNewer, values)).toBe(3);
    expect(values.slice(0, -1)).toEqual(stored(staged).map((column) => ['earlier', ...column]));
    expect(values.at(-1)).toEqual(['earlier', undefined, undefined, undefined]);
  });

  it('declines files hyparquet-writer made (v2 pages, snappy, statistics), touching no value', () => {
    const values = columnValues(20);
    for (const file of [hyparquetFile(values), hyparquetFile(values, { codec: 'UNCOMPRESSED', statistics: false })]) {
      const read: unknown[][] = columns.map(() => []);
      expect(readStagedFile(file, columns, read)).toBeUndefined();
      expect(read.every((column) => column.length === 0)).toBe(true);
    }
  });

  it('declines a truncated, emptied or foreign file without throwing', () => {
    const file = stagingFile([columnValues(30)]);
    for (let length = 0; length < file.length; length++) expect(readFast(file.subarray(0, length))).toBeUndefined();
    const footerless = Buffer.concat([
      file.subarray(0, file.length - 8),
      Buffer.from([0xff, 0xff, 0, 0]),
      file.subarray(-4),
    ]);
    expect(readFast(footerless)).toBeUndefined();
    expect(readFast(Buffer.from('not parquet'))).toBeUndefined();
  });

  it('declines a file whose column declares an encoding it does not decode', () => {
    const file = Buffer.from(stagingFile([columnValues(10)]));
    // The first chunk's encodings in the footer: a list of one i32 (0x15), PLAIN (0), then path.
    const footerStart = file.length - 8 - file.readUInt32LE(file.length - 8);
    const encodings = file.indexOf(Buffer.from([0x19, 0x15, 0x00, 0x19, 0x18]), footerStart);
    expect(encodings).toBeGreaterThan(footerStart);
    file[encodings + 2] = 5 * 2; // DELTA_BINARY_PACKED
    expect(readFast(file)).toBeUndefined();
  });
});

describe('compaction through the staging file reader', () => {
  const partition: Partition = { table: 'interactions', dt: '2025-06-01' };

  async function compactOne(name: string, staged: Uint8Array): Promise<Buffer> {
    const lake = openLake(join(dir, name));
    await lake.stores.curated.write(stagingKey(partition, 'calls-0123456789abcdef'), Buffer.from(staged));
    await compactPartition(lake.stores.curated, partition);
    return readFileSync(join(lake.zoneDir('curated'), compactedKey(partition)));
  }

  it('writes the bytes hyparquet-read files of the same values give', async () => {
    const values = columnValues(150, (row) => row % 7 === 2);
    const staged = stagingFile([values.map((c) => c.slice(0, 90)), values.map((c) => c.slice(90))]);
    const before = hyparquetFile(values);
    expect(readFast(staged)).toBeDefined();
    expect(readFast(before)).toBeUndefined();
    expect(await compactOne('ours', staged)).toEqual(await compactOne('theirs', before));
  });

  it('fails naming a truncated staging file, as hyparquet reports it', async () => {
    const lake = openLake(join(dir, 'truncated'));
    const file = stagingFile([columnValues(30)]);
    await lake.stores.curated.write(
      stagingKey(partition, 'calls-0000000000000000'),
      Buffer.from(file.subarray(0, 200)),
    );
    await expect(compactPartition(lake.stores.curated, partition)).rejects.toThrow(
      /cannot read staging file _staging\/interactions\/dt=2025-06-01\/calls-0{16}\.parquet/,
    );
  });
});
