import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetMetadata } from 'hyparquet';
import { afterEach, describe, expect, it } from 'vitest';
import { PartitionedParquetWriter } from '../../../lambdas/core/normalise/parquet.ts';
import { TABLES } from '../../../lambdas/core/schema/canonical.ts';
import { validInteraction } from '../../support/rows.ts';

const writers: PartitionedParquetWriter[] = [];
afterEach(() => {
  for (const w of writers.splice(0)) w.dispose();
});

function rowsFor(days: string[], perDay: number) {
  return days.flatMap((day, d) =>
    Array.from({ length: perDay }, (_, i) =>
      TABLES.interactions.schema.parse(
        validInteraction({
          interaction_id: `c-${d}-${i}`,
          created_at: new Date(`${day}T0${i % 10}:15:00.123Z`),
          talk_s: i % 3 === 0 ? null : i * 1.5,
          reopen_count: i % 4,
          agent_id: i % 2 ? `agent-${i % 5}` : null,
          is_abandoned: i % 7 === 0,
        }),
      ),
    ),
  );
}

function writeAll(rows: Record<string, unknown>[], options: { maxBufferedRows?: number; rowGroupRows?: number }) {
  const writer = new PartitionedParquetWriter('interactions', options);
  writers.push(writer);
  for (const row of rows) writer.add(row);
  return writer.finish();
}

describe('partitioned Parquet writer', () => {
  it('writes one file per UTC date that DuckDB reads back with the canonical types and values', async () => {
    const rows = rowsFor(['2025-06-01', '2025-06-02'], 25);
    const files = writeAll(rows, {});
    expect(files.map((f) => [f.dt, f.rows])).toEqual([
      ['2025-06-01', 25],
      ['2025-06-02', 25],
    ]);
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    await db.run("SET TimeZone = 'UTC'");
    const reader = await db.runAndReadAll(
      `SELECT any_value(typeof(created_at)) t, any_value(typeof(reopen_count)) r, count(*) n, sum(talk_s) talk, count(agent_id) agents,
              count_if(is_abandoned) abandoned, min(created_at)::VARCHAR first_at
       FROM read_parquet('${files[0]?.file}')`,
    );
    const [row] = reader.getRowObjectsJson();
    const expectedTalk = rows.slice(0, 25).reduce((sum, r) => sum + ((r as { talk_s: number | null }).talk_s ?? 0), 0);
    expect(row).toMatchObject({
      t: 'TIMESTAMP',
      r: 'BIGINT',
      n: '25',
      talk: expectedTalk,
      agents: '12',
      abandoned: '4',
    });
    expect(row?.first_at).toBe('2025-06-01 00:15:00.123');
  });

  it('is deterministic: the same rows give byte-identical files whatever the buffer pressure history', () => {
    const rows = rowsFor(['2025-06-01', '2025-06-02', '2025-06-03'], 40);
    const a = writeAll(rows, { maxBufferedRows: 30, rowGroupRows: 20 });
    const b = writeAll(rows, { maxBufferedRows: 30, rowGroupRows: 20 });
    expect(a.map((f) => readFileSync(f.file))).toEqual(b.map((f) => readFileSync(f.file)));
  });

  it('flushes row groups under buffer pressure instead of holding every partition in memory', async () => {
    const rows = rowsFor(['2025-06-01', '2025-06-02', '2025-06-03', '2025-06-04'], 50);
    const files = writeAll(rows, { maxBufferedRows: 20, rowGroupRows: 1000 });
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const groups = await db.runAndReadAll(
      `SELECT count(DISTINCT row_group_id) g FROM parquet_metadata('${files[0]?.file}')`,
    );
    expect(Number(groups.getRowObjectsJson()[0]?.g)).toBeGreaterThan(1);
    const total = await db.runAndReadAll(
      `SELECT count(*) n FROM read_parquet([${files.map((f) => `'${f.file}'`).join(',')}])`,
    );
    expect(total.getRowObjectsJson()[0]?.n).toBe('200');
  });

  it('keeps a partition that never had to be flushed in memory, and spools the others, with the same bytes', () => {
    const rows = rowsFor(['2025-06-01', '2025-06-02', '2025-06-03'], 40);
    const spoolParent = mkdtempSync(join(tmpdir(), 'sb-pq-test-'));
    // 40 rows a day against 50 buffered: the first day is flushed when the second day's tenth row
    // arrives (40 + 10 = 50), the second when the third's tenth does; the third never is.
    const writer = new PartitionedParquetWriter('interactions', { tmpDir: spoolParent, maxBufferedRows: 50 });
    writers.push(writer);
    for (const row of rows) writer.add(row);
    const outputs = writer.finishOutputs();
    expect(outputs.map((o) => [o.dt, o.rows, o.file === undefined ? 'memory' : 'spooled'])).toEqual([
      ['2025-06-01', 40, 'spooled'],
      ['2025-06-02', 40, 'spooled'],
      ['2025-06-03', 40, 'memory'],
    ]);
    expect(readdirSync(spoolParent)).toHaveLength(1);

    const unpressured = new PartitionedParquetWriter('interactions', { tmpDir: spoolParent });
    writers.push(unpressured);
    for (const row of rows.slice(80)) unpressured.add(row);
    const [alone] = unpressured.finishOutputs();
    // No flush, no spool folder: nothing touched the disk.
    expect(readdirSync(spoolParent)).toHaveLength(1);
    expect(Buffer.from(alone?.bytes ?? [])).toEqual(Buffer.from(outputs[2]?.bytes ?? [1]));
    // finish() gives the same bytes as files, for callers that want paths.
    const files = writeAll(rows.slice(80), {});
    expect(readFileSync(files[0]?.file ?? '')).toEqual(Buffer.from(alone?.bytes ?? [1]));
  });

  it('writes staging files without column statistics, which only the compacted file carries', () => {
    const [file] = writeAll(rowsFor(['2025-06-01'], 10), {});
    const bytes = readFileSync(file?.file ?? '');
    const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const chunks = metadata.row_groups.flatMap((g) => g.columns);
    expect(chunks.length).toBeGreaterThan(20);
    expect(chunks.filter((c) => c.meta_data?.statistics !== undefined)).toEqual([]);
  });

  it('removes its spool folder on dispose, and makes none when every partition fits in memory', () => {
    const spoolParent = mkdtempSync(join(tmpdir(), 'sb-pq-test-'));
    const pressured = new PartitionedParquetWriter('interactions', { tmpDir: spoolParent, maxBufferedRows: 5 });
    for (const row of rowsFor(['2025-06-01', '2025-06-02'], 5)) pressured.add(row);
    const [spooled] = pressured.finishOutputs();
    expect(existsSync(spooled?.file ?? '')).toBe(true);
    pressured.dispose();
    expect(readdirSync(spoolParent)).toEqual([]);
  });
});
