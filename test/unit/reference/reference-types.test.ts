import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../../cli/duckdb.ts';
import { referenceFiles, trinoDdl } from '../../../lambdas/core/catalog/trino-ddl.ts';
import {
  type ReferenceTable,
  referenceDate,
  referenceRecord,
  referenceTimestamp,
} from '../../../lambdas/core/reference/tables.ts';

/** 2025-03-09 07:00 UTC, the instant New York springs forward (02:00 EST → 03:00 EDT). */
const SPRING_FORWARD_NY = Date.UTC(2025, 2, 9, 7, 0, 0, 0);

const table: ReferenceTable = {
  name: 'switches',
  columns: [
    { name: 'zone', type: 'string' },
    { name: 'utc_date', type: 'date' },
    { name: 'switch_at', type: 'timestamp' },
  ],
  rows: [
    { zone: 'America/New_York', utc_date: '2025-03-09', switch_at: '2025-03-09 07:00:00.000' },
    { zone: 'America/New_York', utc_date: '2025-03-10', switch_at: null },
    { zone: 'UTC', utc_date: '2025-03-11', switch_at: '2025-03-11 23:59:59.999' },
  ],
};

describe('date and timestamp reference values', () => {
  it('are written as yyyy-MM-dd and yyyy-MM-dd HH:mm:ss.SSS in UTC', () => {
    expect(referenceDate(SPRING_FORWARD_NY)).toBe('2025-03-09');
    expect(referenceTimestamp(SPRING_FORWARD_NY + 1)).toBe('2025-03-09 07:00:00.001');
    expect(referenceTimestamp(Date.UTC(1999, 11, 31, 23, 59, 59, 999))).toBe('1999-12-31 23:59:59.999');
  });

  it('are JSON lines text that every engine reads as the column type', () => {
    expect(referenceFiles([table])[0]?.body.split('\n')[0]).toBe(
      '{"zone":"America/New_York","utc_date":"2025-03-09","switch_at":"2025-03-09 07:00:00.000"}',
    );
  });

  it('fails on a date or timestamp in any other form, naming the table, column and value', () => {
    expect(() => referenceRecord(table, { utc_date: '2025-3-9' })).toThrow(
      'reference table switches: utc_date "2025-3-9" is not a date (yyyy-MM-dd)',
    );
    expect(() => referenceRecord(table, { switch_at: '2025-03-09T07:00:00Z' })).toThrow(
      'switch_at "2025-03-09T07:00:00Z" is not a timestamp (yyyy-MM-dd HH:mm:ss.SSS)',
    );
    expect(() => referenceRecord(table, { utc_date: SPRING_FORWARD_NY })).toThrow('is not a date');
  });

  it('are declared date and timestamp(3) on Trino', () => {
    const ddl = trinoDdl({ location: 's3://lake', referenceTables: [table] }).find((s) =>
      s.sql.startsWith('CREATE TABLE switches'),
    );
    expect(ddl?.sql).toContain('  utc_date date,\n  switch_at timestamp(3)\n');
  });
});

describe('date and timestamp reference columns on DuckDB', () => {
  let engine: DuckDbEngine;
  beforeAll(async () => {
    engine = await DuckDbEngine.create();
    await engine.installReferenceAndViews({
      names: ['switches', 'nothing'],
      build: () => [table, { name: 'nothing', columns: table.columns, rows: [] }],
    });
  });
  afterAll(() => engine.close());

  it('load as DATE and TIMESTAMP with the values written, NULL kept', async () => {
    const rows = await engine.query(
      `SELECT zone, typeof(utc_date) AS date_type, typeof(switch_at) AS ts_type,
              CAST(utc_date + 1 AS VARCHAR) AS next_day,
              CAST(switch_at + INTERVAL '1' SECOND AS VARCHAR) AS later
       FROM switches ORDER BY utc_date`,
    );
    expect(rows).toEqual([
      {
        zone: 'America/New_York',
        date_type: 'DATE',
        ts_type: 'TIMESTAMP',
        next_day: '2025-03-10',
        later: '2025-03-09 07:00:01',
      },
      { zone: 'America/New_York', date_type: 'DATE', ts_type: 'TIMESTAMP', next_day: '2025-03-11', later: null },
      {
        zone: 'UTC',
        date_type: 'DATE',
        ts_type: 'TIMESTAMP',
        next_day: '2025-03-12',
        later: '2025-03-12 00:00:00.999',
      },
    ]);
  });

  it('creates an empty table with its typed columns', async () => {
    expect(await engine.query('SELECT count(*) AS n FROM nothing')).toEqual([{ n: 0 }]);
    expect(await engine.columnsOf('nothing')).toEqual(['zone', 'utc_date', 'switch_at']);
  });
});
