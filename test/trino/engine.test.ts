/**
 * TrinoEngine against the real Trino 476 node the `trino` test project starts: the value contract
 * the other engines keep, parameters bound by Trino, Trino's own errors, stage counts, and a Hive
 * table over a Parquet folder DuckDB wrote (the layout of the lake's curated tables).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SqlValue } from '../../lambdas/core/query/engine.ts';
import { TRINO_DEFAULTS, TrinoEngine, TrinoQueryError } from '../../lambdas/core/query/trino.ts';
import type { LogicalType } from '../../lambdas/core/schema/columns.ts';

const SCHEMA = 'engine_test';
const QUERY_ID = /^\d{8}_\d{6}_\d{5}_[a-z0-9]{5}$/;

/** One value of every logical type of the canonical schema, as Trino declares the column. */
const CANONICAL_SAMPLES: Readonly<Record<LogicalType, { type: string; literal: string; expected: SqlValue }>> = {
  string: { type: 'varchar', literal: `'Zoë''s ticket'`, expected: "Zoë's ticket" },
  timestamp: {
    type: 'timestamp(3)',
    literal: `TIMESTAMP '2025-06-01 08:15:30.123'`,
    expected: '2025-06-01T08:15:30.123Z',
  },
  double: { type: 'double', literal: `DOUBLE '0.1'`, expected: 0.1 },
  bigint: { type: 'bigint', literal: `BIGINT '9007199254740991'`, expected: Number.MAX_SAFE_INTEGER },
  boolean: { type: 'boolean', literal: 'false', expected: false },
  date: { type: 'date', literal: `DATE '2024-02-29'`, expected: '2024-02-29' },
};

let engine: TrinoEngine;
let lake: string;

beforeAll(async () => {
  engine = new TrinoEngine({ server: inject('trinoUrl'), catalog: inject('trinoCatalog'), schema: SCHEMA });
  lake = await mkdtemp(join(tmpdir(), 'servicebench-trino-engine-'));
  await engine.exec(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
  await writeTicketsParquet(join(lake, 'curated', 'tickets'));
  await engine.exec(`DROP TABLE IF EXISTS tickets`);
  await engine.exec(
    `CREATE TABLE tickets (
       ticket_id varchar, opened_at timestamp(3), first_reply_seconds double, messages bigint,
       reopened boolean, due_date date, dt varchar
     ) WITH (
       external_location = 'local://${join(lake, 'curated', 'tickets')}',
       format = 'PARQUET',
       partitioned_by = ARRAY['dt']
     )`,
  );
  await engine.exec(`CALL system.sync_partition_metadata('${SCHEMA}', 'tickets', 'ADD')`);
});

afterAll(async () => {
  await engine?.exec(`DROP TABLE IF EXISTS tickets`);
  await engine?.close();
  if (lake) await rm(lake, { recursive: true, force: true });
});

/** Two days of tickets, partitioned by `dt` as the curated tables are; the second row is all NULL. */
async function writeTicketsParquet(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  const duckdb = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const connection = await duckdb.connect();
  try {
    await connection.run(`
      COPY (
        SELECT * FROM (VALUES
          ('T-1', TIMESTAMP '2025-06-01 08:15:30.123', 42.5::DOUBLE, 3::BIGINT, false, DATE '2025-06-03', '2025-06-01'),
          ('T-2', NULL, NULL, NULL, NULL, NULL, '2025-06-02'),
          ('T-3', TIMESTAMP '2025-06-02 23:59:59.999', 0.1::DOUBLE, 9007199254740991::BIGINT, true, DATE '2025-06-30', '2025-06-02')
        ) AS t(ticket_id, opened_at, first_reply_seconds, messages, reopened, due_date, dt)
      ) TO '${folder.replaceAll("'", "''")}' (FORMAT parquet, PARTITION_BY (dt))`);
  } finally {
    connection.closeSync();
    duckdb.closeSync();
  }
}

describe('TrinoEngine values', () => {
  it.each(Object.entries(CANONICAL_SAMPLES))(
    'returns a canonical %s value as the QueryEngine contract says',
    async (_, sample) => {
      const [row] = await engine.query(
        `SELECT CAST(${sample.literal} AS ${sample.type}) AS value, CAST(NULL AS ${sample.type}) AS missing`,
      );
      expect(row).toStrictEqual({ value: sample.expected, missing: null });
    },
  );

  it('returns what views compute in the contract too: integers, decimals, zoned timestamps, non-finite doubles', async () => {
    const [row] = await engine.query(`
      SELECT count(*) AS counted, DECIMAL '12.50' AS amount,
             from_iso8601_timestamp('2025-06-01T10:00:00+02:00') AS offset_time,
             at_timezone(TIMESTAMP '2025-01-15 12:00:00 UTC', 'America/New_York') AS zoned_time,
             nan() AS not_a_number, -infinity() AS minus_infinity
      FROM (VALUES 1, 2, 3) AS t(x)`);
    expect(row).toStrictEqual({
      counted: 3,
      amount: 12.5,
      offset_time: '2025-06-01T08:00:00.000Z',
      zoned_time: '2025-01-15T12:00:00.000Z',
      not_a_number: Number.NaN,
      minus_infinity: Number.NEGATIVE_INFINITY,
    });
  });

  it('reads back a partitioned Parquet folder written by DuckDB through a local:/// Hive table', async () => {
    const rows = await engine.query('SELECT * FROM tickets ORDER BY ticket_id');
    expect(rows).toStrictEqual([
      {
        ticket_id: 'T-1',
        opened_at: '2025-06-01T08:15:30.123Z',
        first_reply_seconds: 42.5,
        messages: 3,
        reopened: false,
        due_date: '2025-06-03',
        dt: '2025-06-01',
      },
      {
        ticket_id: 'T-2',
        opened_at: null,
        first_reply_seconds: null,
        messages: null,
        reopened: null,
        due_date: null,
        dt: '2025-06-02',
      },
      {
        ticket_id: 'T-3',
        opened_at: '2025-06-02T23:59:59.999Z',
        first_reply_seconds: 0.1,
        messages: Number.MAX_SAFE_INTEGER,
        reopened: true,
        due_date: '2025-06-30',
        dt: '2025-06-02',
      },
    ]);
    const partitions = await engine.query(`SELECT dt FROM "tickets$partitions" ORDER BY dt`);
    expect(partitions).toStrictEqual([{ dt: '2025-06-01' }, { dt: '2025-06-02' }]);
  });
});

describe('TrinoEngine parameters', () => {
  it('binds quotes, comment markers, NULL, numbers and booleans as values of their type', async () => {
    const text = "O'Brien'); DROP TABLE tickets; --";
    const [row] = await engine.query(
      `SELECT :text AS text, :text = 'O''Brien''); DROP TABLE tickets; --' AS same_text, typeof(:text) AS text_type,
              :nothing AS nothing, :whole AS whole, typeof(:whole) AS whole_type,
              :fraction AS fraction, typeof(:fraction) AS fraction_type, :flag AS flag,
              ':text' AS quoted, "text" AS identifier
       FROM (VALUES 'identifier') AS t("text")`,
      { text, nothing: null, whole: 42, fraction: 0.25, flag: true },
    );
    expect(row).toStrictEqual({
      text,
      same_text: true,
      text_type: `varchar(${text.length})`,
      nothing: null,
      whole: 42,
      whole_type: 'integer',
      fraction: 0.25,
      fraction_type: 'double',
      flag: true,
      quoted: ':text',
      identifier: 'identifier',
    });
    expect(await engine.query(`SELECT count(*) AS n FROM tickets`)).toStrictEqual([{ n: 3 }]);
  });

  it('filters a table on a bound partition value, the same placeholder used twice', async () => {
    const rows = await engine.query(
      'SELECT ticket_id FROM tickets WHERE dt = :day AND (:day IS NOT NULL) ORDER BY ticket_id',
      { day: '2025-06-02' },
    );
    expect(rows).toStrictEqual([{ ticket_id: 'T-2' }, { ticket_id: 'T-3' }]);
  });

  it('compares a NULL parameter as SQL does: equal to nothing', async () => {
    expect(await engine.query('SELECT ticket_id FROM tickets WHERE ticket_id = :id', { id: null })).toStrictEqual([]);
  });

  it('fails before sending when a placeholder has no value or a number is not finite', async () => {
    await expect(engine.query('SELECT :a AS a, :b AS b', { a: 1 })).rejects.toThrow(
      'cannot bind parameters: :b has no value',
    );
    await expect(engine.query('SELECT :a AS a', { a: Number.POSITIVE_INFINITY })).rejects.toThrow(
      'parameter :a must be a finite number (got Infinity)',
    );
  });
});

describe('TrinoEngine errors', () => {
  it("fails with Trino's message, error name and the id of the failed query", async () => {
    const error = await engine.query('SELECT * FROM no_such_table').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TrinoQueryError);
    const failure = error as TrinoQueryError;
    expect(failure.errorName).toBe('TABLE_NOT_FOUND');
    expect(failure.errorType).toBe('USER_ERROR');
    expect(failure.trinoMessage).toBe(`line 1:15: Table 'hive.${SCHEMA}.no_such_table' does not exist`);
    expect(failure.queryId).toMatch(QUERY_ID);
    expect(failure.message).toBe(`Trino query ${failure.queryId} failed (TABLE_NOT_FOUND): ${failure.trinoMessage}`);
    const recorded = await engine.query('SELECT state, error_code FROM system.runtime.queries WHERE query_id = :id', {
      id: failure.queryId,
    });
    expect(recorded).toStrictEqual([{ state: 'FAILED', error_code: 'TABLE_NOT_FOUND' }]);
  });

  it('names a syntax error at its line and column', async () => {
    await expect(engine.query('SELECT FROM WHERE')).rejects.toMatchObject({
      name: 'TrinoQueryError',
      errorName: 'SYNTAX_ERROR',
      trinoMessage: expect.stringMatching(/^line 1:8: /),
    });
  });

  it('says which server did not answer', async () => {
    const nowhere = new TrinoEngine({ server: 'http://127.0.0.1:9', schema: SCHEMA });
    await expect(nowhere.query('SELECT 1')).rejects.toThrow('Trino at http://127.0.0.1:9 did not answer: ');
  });
});

describe('TrinoEngine stages', () => {
  it('counts the fragments Trino plans and reports the stages a run used', async () => {
    // Scan + partial aggregation, then the final aggregation: two fragments.
    expect(await engine.plannedStages('SELECT dt, count(*) AS n FROM tickets GROUP BY dt')).toBe(2);
    // Each side of a partitioned join is scanned in its own fragment, joined in a third, aggregated in a fourth.
    const join = `SELECT a.dt, count(*) AS n FROM tickets AS a JOIN tickets AS b ON a.ticket_id = b.ticket_id
                  WHERE a.dt >= :from GROUP BY a.dt`;
    const params = { from: '2025-06-01' };
    expect(await engine.plannedStages(join, params)).toBe(4);
    const run = await engine.run(join, params);
    expect(run.rows).toHaveLength(2);
    expect(run.stats.stages).toBe(4);
    expect(run.stats.queryId).toMatch(QUERY_ID);
    expect(run.stats.physicalInputBytes).toBeGreaterThan(0);
    expect(run.stats.peakMemoryBytes).toBeGreaterThan(0);
  });
});

describe('TrinoEngine defaults', () => {
  it('pins every documented default', () => {
    expect(TRINO_DEFAULTS).toStrictEqual({
      server: 'http://localhost:8080',
      catalog: 'hive',
      schema: 'servicebench',
      user: 'servicebench',
      source: 'servicebench',
    });
    const engineWithDefaults = new TrinoEngine();
    expect([engineWithDefaults.server, engineWithDefaults.catalog, engineWithDefaults.schema]).toStrictEqual([
      'http://localhost:8080',
      'hive',
      'servicebench',
    ]);
  });
});
