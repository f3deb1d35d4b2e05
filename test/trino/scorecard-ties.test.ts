/**
 * Equal values that differ only in their last bit, as two engines summing the same numbers in
 * another order give them (80.47619047619048 and 80.47619047619047), rank as ties and land on the
 * same side of a target or benchmark figure, on DuckDB and on Trino alike. The metric rows are
 * written straight into metric_values, so the scorecard's own rules are all that is tested.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDbEngine } from '../../cli/duckdb.ts';
import { parseConfig } from '../../lambdas/core/config/config.ts';
import type { QueryEngine } from '../../lambdas/core/query/engine.ts';
import { ANY_INDUSTRY, ANY_REGION, type BenchmarkRow } from '../../lambdas/core/reference/benchmarks.ts';
import { referenceTables } from '../../lambdas/core/reference/tables.ts';
import { METRIC_VALUES } from '../../sql/materialised.ts';
import { createTestLake, type TestLake } from '../support/lake.ts';
import { expectSameRows, loadLakeIntoTrino, type TrinoLake } from './support.ts';

/** The double just below 85: what 85 becomes when an engine's rounding goes the other way. */
const JUST_BELOW_85 = 85 - 2 ** -46;
/** The amber edge of an 85 target with the default 5 % band (80.75), one bit below. */
const JUST_BELOW_AMBER_EDGE = 80.75 - 2 ** -46;

/** qa_score of five agents in June 2025, each over 100 evaluations. */
const AGENTS: readonly { agent: string; value: number }[] = [
  { agent: 'ana', value: 80.47619047619048 },
  { agent: 'ben', value: 80.47619047619047 },
  { agent: 'cy', value: 70 },
  { agent: 'dee', value: JUST_BELOW_85 },
  { agent: 'eve', value: JUST_BELOW_AMBER_EDGE },
];

const config = parseConfig({ targets: [{ metric: 'qa_score', scope: 'overall', goal: 85 }] });
const benchmarks: BenchmarkRow[] = [
  {
    metric: 'qa_score',
    industry: ANY_INDUSTRY,
    region: ANY_REGION,
    year: 2024,
    p25: 60,
    median: 70,
    p75: 80.75,
    p90: 85,
    unit: 'score',
    source_name: 'hand-made fixture',
    source_url: 'https://example.org/fixture',
    note: null,
  },
];

let lake: TestLake;
let duckdb: DuckDbEngine;
let trino: TrinoLake;

/** Replaces the quality family's rows with the fixture, with the same statements on each engine. */
async function writeFixture(engine: QueryEngine): Promise<void> {
  await engine.query(`DELETE FROM ${METRIC_VALUES.name} WHERE family = 'quality'`);
  const rows = AGENTS.map(
    (a) =>
      `(DATE '2025-06-01', 'month', 'agent', '${a.agent}', 'qa_score', CAST('${a.value}' AS DOUBLE), 'score', 100, NULL, NULL, 'quality')`,
  );
  await engine.query(
    `INSERT INTO ${METRIC_VALUES.name} (period_start, grain, dimension, dimension_value, metric, value, unit, n, ci_low, ci_high, family)
     VALUES ${rows.join(', ')}`,
  );
}

beforeAll(async () => {
  lake = createTestLake();
  duckdb = await lake.engine(config, benchmarks);
  trino = await loadLakeIntoTrino(lake.dir, referenceTables(config, { benchmarks }), 'scorecard_ties');
  await writeFixture(duckdb);
  await writeFixture(trino.engine);
});

afterAll(async () => {
  await trino?.drop();
  await duckdb?.close();
  lake?.remove();
});

const SQL = `SELECT dimension_value AS agent, peer_percentile, rag, bench_position
  FROM scorecard WHERE metric = 'qa_score' AND dimension = 'agent' ORDER BY dimension_value`;

// Sorted: cy 70, ana = ben 80.476…, eve 80.75, dee 85; mid-rank percentiles (below + 0.5 x equal) / 5:
// cy 0.5 / 5, ana and ben (1 + 1) / 5, eve 3.5 / 5, dee 4.5 / 5.
const EXPECTED = [
  { agent: 'ana', peer_percentile: 40, rag: 'red', bench_position: 'median_to_p75' },
  { agent: 'ben', peer_percentile: 40, rag: 'red', bench_position: 'median_to_p75' },
  { agent: 'cy', peer_percentile: 10, rag: 'red', bench_position: 'median_to_p75' },
  { agent: 'dee', peer_percentile: 90, rag: 'green', bench_position: 'above_p90' },
  { agent: 'eve', peer_percentile: 70, rag: 'amber', bench_position: 'p75_to_p90' },
];

describe('scorecard ties and thresholds on values equal but for the last bit', () => {
  it('ranks the two equal scores as a tie and puts each score on its side of target and benchmarks, on DuckDB', async () => {
    expect(await duckdb.query(SQL)).toEqual(EXPECTED);
  });

  it('does the same on Trino', async () => {
    expect(await trino.engine.query(SQL)).toEqual(EXPECTED);
  });

  it('gives the same scorecard rows on both engines', async () => {
    await expectSameRows(duckdb, trino.engine, 'SELECT * FROM scorecard');
  });
});
