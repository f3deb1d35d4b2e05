import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetMetadata, parquetRead, parquetReadObjects } from 'hyparquet';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { PARQUET_CREATED_BY, parquetSchema } from '../../../lambdas/core/normalise/parquet.ts';
import { columnsOf } from '../../../lambdas/core/schema/derive.ts';
import { sampleValue, stagingFile } from '../../support/staged-values.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-staging-parquet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const columns = columnsOf('interactions');

function columnValues(rows: number, nullEvery?: number): unknown[][] {
  return columns.map((c) =>
    Array.from({ length: rows }, (_, row) =>
      nullEvery && c.nullable && row % nullEvery !== 0 ? null : sampleValue(c, row),
    ),
  );
}

/** What hyparquet-writer makes of the same values, as staging files were written before. */
function hyparquetFile(values: readonly unknown[][]): Uint8Array {
  const writer = new ByteWriter();
  const parquet = new ParquetWriter({
    writer,
    schema: parquetSchema('interactions'),
    createdBy: PARQUET_CREATED_BY,
    statistics: false,
    codec: 'UNCOMPRESSED',
  });
  void parquet.write({ columnData: columns.map((c, i) => ({ name: c.name, data: values[i] as unknown[] })) });
  void parquet.finish();
  return new Uint8Array(writer.getBuffer());
}

const arrayBuffer = (bytes: Uint8Array) =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

/** The values as hyparquet reads them back, with the staged values' own JavaScript types. */
async function hyparquetRows(bytes: Uint8Array) {
  return (await parquetReadObjects({ file: arrayBuffer(bytes) })) as Record<string, unknown>[];
}

/** The rows as given, as hyparquet returns them (UTF-8 round trip, INT64 as bigint). */
function expectedRows(values: readonly unknown[][]) {
  const rows = values[0]?.length ?? 0;
  return Array.from({ length: rows }, (_, row) =>
    Object.fromEntries(
      columns.map((c, i) => {
        const value = (values[i] as unknown[])[row];
        return [c.name, typeof value === 'string' ? value.replace(/[\ud800-\udfff]/gu, '\ufffd') : value];
      }),
    ),
  );
}

async function duckdbRows(file: string) {
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  const select = columns
    .map((c) => {
      if (c.logicalType === 'timestamp') return `epoch_ms(${c.name})::VARCHAR AS ${c.name}`;
      if (c.logicalType === 'double')
        return `CASE WHEN ${c.name} = 0 THEN (1 / ${c.name})::VARCHAR ELSE ${c.name}::VARCHAR END AS ${c.name}`;
      return `${c.name}::VARCHAR AS ${c.name}`;
    })
    .join(', ');
  const reader = await connection.runAndReadAll(
    `SELECT ${select} FROM read_parquet('${file}', file_row_number = true) ORDER BY file_row_number`,
  );
  connection.closeSync();
  return reader.getRowObjectsJson();
}

function writeTemp(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('staging Parquet writer', () => {
  for (const [name, groups] of Object.entries({
    'one row': [columnValues(1)],
    'one row group of 100 rows': [columnValues(100)],
    'three row groups': [columnValues(37), columnValues(1), columnValues(260)],
    'nullable columns null after the first row': [columnValues(40, 1_000)],
  })) {
    it(`gives back every value, read by hyparquet: ${name}`, async () => {
      const file = stagingFile(groups);
      const every = columns.map((_, i) => groups.flatMap((values) => values[i] as unknown[]));
      expect(await hyparquetRows(file)).toEqual(expectedRows(every));
    });

    it(`reads in DuckDB as hyparquet-writer's file of the same values does: ${name}`, async () => {
      const every = columns.map((_, i) => groups.flatMap((values) => values[i] as unknown[]));
      const ours = await duckdbRows(writeTemp(`ours-${name}.parquet`, stagingFile(groups)));
      const theirs = await duckdbRows(writeTemp(`theirs-${name}.parquet`, hyparquetFile(every)));
      expect(ours).toHaveLength(every[0]?.length ?? 0);
      expect(ours).toEqual(theirs);
    });
  }

  it('declares the schema of parquetSchema, with the row groups and rows written', () => {
    const metadata = parquetMetadata(arrayBuffer(stagingFile([columnValues(10), columnValues(5)])));
    expect(metadata.schema).toEqual(parquetSchema('interactions'));
    expect(metadata.created_by).toBe(PARQUET_CREATED_BY);
    expect(metadata.num_rows).toBe(15n);
    expect(metadata.row_groups.map((group) => group.num_rows)).toEqual([10n, 5n]);
    expect(metadata.row_groups[0]?.columns[0]?.meta_data?.codec).toBe('UNCOMPRESSED');
    expect(metadata.row_groups[0]?.columns[0]?.meta_data?.statistics).toBeUndefined();
  });

  it('gives compaction the same stored values as a file hyparquet-writer made', async () => {
    const values = columnValues(120);
    const parsers = {
      timestampFromMilliseconds: (millis: bigint) => millis,
      dateFromDays: (days: number) => days,
      stringFromBytes: (bytes: Uint8Array) => Buffer.from(bytes).toString('hex'),
    };
    const stored = async (bytes: Uint8Array) => {
      const read: Record<string, unknown[]> = {};
      await parquetRead({
        file: arrayBuffer(bytes),
        parsers,
        onChunk: ({ columnName, columnData }) => {
          read[columnName] = [...(read[columnName] ?? []), ...columnData];
        },
      });
      return read;
    };
    expect(await stored(stagingFile([values]))).toEqual(await stored(hyparquetFile(values)));
  });

  it('writes a string chunk of repeated values with a dictionary, one of distinct values plain', async () => {
    const values = columnValues(64);
    const at = (name: string) => columns.findIndex((c) => c.name === name);
    values[at('interaction_id')] = Array.from({ length: 64 }, (_, row) => `id-${row}-ü`);
    values[at('channel')] = Array.from({ length: 64 }, (_, row) => (row % 3 ? 'voice' : 'chat 😀'));
    const file = stagingFile([values]);
    const chunks = parquetMetadata(arrayBuffer(file)).row_groups[0]?.columns ?? [];
    const encodings = (name: string) => chunks[at(name)]?.meta_data?.encodings;
    expect(encodings('interaction_id')).toEqual(['PLAIN']);
    expect(encodings('channel')).toEqual(['PLAIN', 'RLE_DICTIONARY']);
    expect(chunks[at('channel')]?.meta_data?.dictionary_page_offset).toBeDefined();
    expect(await hyparquetRows(file)).toEqual(expectedRows(values));
  });

  it('writes the same bytes for the same values', () => {
    expect(stagingFile([columnValues(50), columnValues(3)])).toEqual(stagingFile([columnValues(50), columnValues(3)]));
  });

  it('fails when a required column holds a null, naming the column', () => {
    const values = columnValues(3);
    (values[0] as unknown[])[1] = null;
    expect(() => stagingFile([values])).toThrow(/staging column source expected a string, got null/);
  });

  it('fails when a value is not of its column type, naming the column', () => {
    const values = columnValues(3);
    const at = columns.findIndex((c) => c.name === 'reopen_count');
    (values[at] as unknown[])[0] = 4;
    expect(() => stagingFile([values])).toThrow(/staging column reopen_count expected a bigint, got 4/);
  });
});
