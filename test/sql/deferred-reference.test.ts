import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine, openLakeEngine } from '../../cli/duckdb.ts';
import { STATE_DIR } from '../../cli/duckdb-cache.ts';
import { parseConfig, type ServiceBenchConfig } from '../../lambdas/core/config/config.ts';
import type { ReferenceTable } from '../../lambdas/core/reference/tables.ts';
import { createTestLake, interaction, surveyResponse, type TestLake, utc } from '../support/lake.ts';

/**
 * A config assembled in code, which skips the config checks: referenceTables refuses its two
 * targets for one metric and scope, so any statement that loads the reference tables fails.
 */
function refusedConfig(): ServiceBenchConfig {
  const config = parseConfig({});
  const target = { metric: 'nps', scope: 'overall', goal: 30 } as const;
  return { ...config, targets: [target, target] } as ServiceBenchConfig;
}

const TWO_TARGETS = /metric "nps" has two targets for scope "overall"/;

describe('reference tables of the local engine', () => {
  let lake: TestLake;
  const engines: DuckDbEngine[] = [];
  const open = async (config: ServiceBenchConfig, sandbox = false) => {
    const engine = await openLakeEngine({ lakeDir: lake.dir, config, benchmarks: [], sandbox });
    engines.push(engine);
    return engine;
  };

  beforeAll(() => {
    lake = createTestLake();
    lake.write('interactions', [
      interaction({ interaction_id: 'c1', created_at: utc('2025-06-02 09:00:00') }),
      interaction({ interaction_id: 'c2', created_at: utc('2025-06-03 09:00:00') }),
    ]);
    lake.write('survey_responses', [surveyResponse({ response_id: 'r1', score: 5 })]);
  });
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.close();
  });
  afterAll(() => lake.remove());

  it('are not built, nor the cache fingerprint over them, to open the lake or run a statement over the canonical tables alone', async () => {
    const engine = await open(refusedConfig());
    expect(await engine.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    expect(await engine.query('SELECT count(*) AS n FROM interactions')).toEqual([{ n: 2 }]);
  });

  it.each([
    ['a reference table', 'SELECT count(*) AS n FROM targets'],
    ['a view', 'SELECT count(*) AS n FROM interactions_latest'],
    ['a materialised table', 'SELECT count(*) AS n FROM metric_values'],
    ['the catalog', "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'targets'"],
  ])('are built when a statement names %s, failing it with the problem of the config', async (_, sql) => {
    const engine = await open(refusedConfig());
    await expect(engine.query(sql)).rejects.toThrow(TWO_TARGETS);
    // The problem stays: a later statement that needs them fails alike, one that does not runs.
    await expect(engine.query('SELECT count(*) AS n FROM targets')).rejects.toThrow(TWO_TARGETS);
    await expect(engine.query('SELECT count(*) AS n FROM scorecard')).rejects.toThrow(TWO_TARGETS);
    expect(await engine.query('SELECT count(*) AS n FROM interactions')).toEqual([{ n: 2 }]);
  });

  it('load after the sandbox is set, which still refuses files outside the lake', async () => {
    const engine = await open(parseConfig({ targets: [{ metric: 'csat_pct', goal: 80 }] }), true);
    expect(await engine.query('SELECT count(*) AS n FROM interactions')).toEqual([{ n: 2 }]);
    expect(await engine.query("SELECT goal FROM targets WHERE metric = 'csat_pct'")).toEqual([{ goal: 80 }]);
    expect(await engine.query('SELECT count(*) AS n FROM interactions_latest')).toEqual([{ n: 2 }]);
    expect(await engine.query('SELECT count(*) > 0 AS filled FROM metric_values')).toEqual([{ filled: true }]);
    expect(existsSync(join(lake.dir, STATE_DIR, 'cache', 'metric_values.parquet'))).toBe(true);
    await expect(engine.query("SELECT * FROM read_text('/etc/hostname')")).rejects.toThrow(
      /the query reaches outside the lake/,
    );
  });

  it('list every table and view of the registry in the catalog', async () => {
    const engine = await open(parseConfig({}));
    const rows = await engine.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_name IN ('targets', 'zone_days', 'scorecard', 'metric_values') ORDER BY 1",
    );
    expect(rows.map((r) => r.table_name)).toEqual(['metric_values', 'scorecard', 'targets', 'zone_days']);
  });
});

describe('deferred reference tables', () => {
  let engine: DuckDbEngine;
  let builds = 0;
  const table: ReferenceTable = {
    name: 'colours',
    columns: [{ name: 'colour', type: 'string' }],
    rows: [{ colour: 'red' }, { colour: 'blue' }],
  };
  beforeAll(async () => {
    engine = await DuckDbEngine.create();
    await engine.installReferenceAndViews({
      names: [table.name],
      build: () => {
        builds += 1;
        return [table];
      },
    });
  });
  afterAll(() => engine.close());

  it('are built once, by the first statement that names one, and never by one that does not', async () => {
    await engine.query('SELECT 1');
    expect(builds).toBe(0);
    const [first, second] = await Promise.all([
      engine.query('SELECT count(*) AS n FROM colours'),
      engine.query('SELECT colour FROM colours ORDER BY colour'),
    ]);
    expect(first).toEqual([{ n: 2 }]);
    expect(second).toEqual([{ colour: 'blue' }, { colour: 'red' }]);
    await engine.query('SELECT count(*) FROM COLOURS');
    expect(builds).toBe(1);
  });
});
