import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDbEngine } from '../../cli/duckdb.ts';
import { toDuckParameters } from '../../cli/duckdb.ts';
import { VIEWS } from '../../sql/registry.ts';
import { createTestLake, interaction, type TestLake, utc } from '../support/lake.ts';

describe('local engine over an empty lake', () => {
  let lake: TestLake;
  let engine: DuckDbEngine;
  beforeAll(async () => {
    lake = createTestLake();
    engine = await lake.engine();
  });
  afterAll(async () => {
    await engine.close();
    lake.remove();
  });

  it.each(VIEWS.map((v) => v.name))('runs view %s with no data', async (name) => {
    expect(await engine.query(`SELECT * FROM ${name}`)).toEqual([]);
  });

  it('types the empty canonical tables from the canonical schema', async () => {
    const rows = await engine.query(
      "SELECT data_type FROM information_schema.columns WHERE table_name = 'interactions' AND column_name IN ('created_at', 'hold_count', 'dt') ORDER BY column_name",
    );
    expect(rows.map((r) => r.data_type)).toEqual(['TIMESTAMP', 'VARCHAR', 'BIGINT']);
  });

  it('divides integers like Trino (truncating), so a missing CAST fails locally too', async () => {
    expect(await engine.query('SELECT 7 / 2 AS q, CAST(7 AS DOUBLE) / 2 AS d')).toEqual([{ q: 3, d: 3.5 }]);
  });

  it('returns JSON-friendly values: numbers, ISO timestamps, YYYY-MM-DD dates', async () => {
    const [row] = await engine.query(
      "SELECT CAST(5 AS BIGINT) AS big, count(*) AS c, TIMESTAMP '2025-06-01 10:11:12.345' AS ts, DATE '2025-06-01' AS d, 1.5 AS dec, true AS b, CAST(NULL AS VARCHAR) AS n",
    );
    expect(row).toEqual({ big: 5, c: 1, ts: '2025-06-01T10:11:12.345Z', d: '2025-06-01', dec: 1.5, b: true, n: null });
  });

  it('binds :name parameters without splicing them into the text', async () => {
    const rows = await engine.query(
      "SELECT :who AS who, CAST(:n AS DOUBLE) * 2 AS twice, ':not_a_param' AS literal, CAST('1' AS INTEGER)::VARCHAR AS cast",
      {
        who: "O'Brien",
        n: 21,
      },
    );
    expect(rows).toEqual([{ who: "O'Brien", twice: 42, literal: ':not_a_param', cast: '1' }]);
  });

  it('fails when a parameter has no value', async () => {
    await expect(engine.query('SELECT :missing AS m')).rejects.toThrow(/:missing has no value/);
  });

  it('loads the reference tables from the config', async () => {
    const options = await engine.query('SELECT name, value FROM metric_options ORDER BY name');
    expect(options).toEqual([
      { name: 'fcr_window_days', value: 7 },
      { name: 'min_sample', value: 30 },
      { name: 'service_level_s', value: 20 },
      { name: 'short_abandon_s', value: 5 },
    ]);
  });
});

describe('local engine over curated Parquet', () => {
  let lake: TestLake;
  let engine: DuckDbEngine;
  beforeAll(async () => {
    lake = createTestLake();
    lake.write('interactions', [
      interaction({ interaction_id: 'c1', created_at: utc('2025-06-10 09:00:00'), hold_count: 2 }),
    ]);
    engine = await lake.engine({ metrics: { minSample: 5 } });
  });
  afterAll(async () => {
    await engine.close();
    lake.remove();
  });

  it('reads the partition dt as the string Athena sees, and timestamps in UTC', async () => {
    const rows = await engine.query('SELECT dt, typeof(dt) AS t, created_at, hold_count FROM interactions');
    expect(rows).toEqual([{ dt: '2025-06-10', t: 'VARCHAR', created_at: '2025-06-10T09:00:00.000Z', hold_count: 2 }]);
  });

  it('applies the config to metric_options', async () => {
    expect(await engine.query("SELECT value FROM metric_options WHERE name = 'min_sample'")).toEqual([{ value: 5 }]);
  });
});

describe('parameter rewriting', () => {
  it('rewrites :name outside literals, quoted identifiers, comments and :: casts', () => {
    expect(toDuckParameters(`SELECT :a, ':b', "x:c", x::INT -- :d\n/* :e */ , :a`)).toEqual({
      text: `SELECT $a, ':b', "x:c", x::INT -- :d\n/* :e */ , $a`,
      names: ['a'],
    });
  });
});

describe('Trino compatibility macros', () => {
  let lake: TestLake;
  let engine: DuckDbEngine;
  beforeAll(async () => {
    lake = createTestLake();
    engine = await lake.engine();
  });
  afterAll(async () => {
    await engine.close();
    lake.remove();
  });

  it('to_unixtime returns fractional epoch seconds', async () => {
    expect(await engine.query("SELECT to_unixtime(TIMESTAMP '1970-01-01 00:00:01.5') AS s")).toEqual([{ s: 1.5 }]);
  });

  it('greatest and least return NULL when an argument is NULL, as in Trino', async () => {
    expect(
      await engine.query(
        'SELECT greatest(1e0, NULL) AS g, least(NULL, 2e0) AS l, greatest(1e0, 3e0) AS g2, least(1e0, 3e0) AS l2',
      ),
    ).toEqual([{ g: null, l: null, g2: 3, l2: 1 }]);
  });
});
