import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDbEngine } from '../../cli/duckdb.ts';
import { SCORECARD_COLUMNS, type ScorecardRow } from '../../lambdas/core/metrics/scorecard.ts';
import type { BenchmarkRow } from '../../lambdas/core/reference/benchmarks.ts';
import type { Interaction } from '../../lambdas/core/schema/canonical.ts';
import { METRIC_VALUES } from '../../sql/materialised.ts';
import { createTestLake, interaction, type TestLake, utc } from '../support/lake.ts';

const Z95 = 1.959963984540054;
let seq = 0;
const handled = (created: string, team: string | null, o: Partial<Interaction> = {}): Interaction =>
  interaction({
    interaction_id: `s${++seq}`,
    created_at: utc(created),
    answered_at: utc(created),
    agent_id: `agent-${team ?? 'none'}`,
    team,
    talk_s: 100,
    is_transfer: false, // a source that records transfers (unknown flags are left out of the rate)
    ...o,
  });
const times = <T>(count: number, make: () => T): T[] => Array.from({ length: count }, make);

// June: 13 handled, 3 transferred (23.1 %); one of 13 not resolved on first contact (92.3 %).
const june: Interaction[] = [
  handled('2025-06-10 09:00:00', 'north', { is_transfer: true, resolved_first_contact: false }),
  ...times(3, () => handled('2025-06-10 09:00:00', 'north', { resolved_first_contact: true })),
  handled('2025-06-11 09:00:00', 'west', { is_transfer: true, resolved_first_contact: true }),
  ...times(3, () => handled('2025-06-11 09:00:00', 'west', { resolved_first_contact: true })),
  handled('2025-06-12 09:00:00', 'east', { is_transfer: true, talk_s: 200, resolved_first_contact: true }),
  ...times(2, () => handled('2025-06-12 09:00:00', 'east', { talk_s: 200, resolved_first_contact: true })),
  ...times(2, () => handled('2025-06-13 09:00:00', 'south', { resolved_first_contact: true })),
];
// May: 10 handled, 9 transferred (90 %), talk 300 s each.
const may: Interaction[] = [
  ...times(9, () => handled('2025-05-14 09:00:00', null, { is_transfer: true, talk_s: 300 })),
  handled('2025-05-14 09:00:00', null, { talk_s: 300 }),
];

const benchmarks: BenchmarkRow[] = [
  {
    metric: 'transfer_rate',
    industry: 'all',
    region: 'global',
    year: 2024,
    p25: 30,
    median: 20,
    p75: 12,
    p90: 5,
    unit: 'pct',
    source_name: 'Test survey',
    source_url: 'https://example.org/survey',
    note: null,
  },
];

const config = {
  metrics: { minSample: 3 },
  targets: [
    { metric: 'transfer_rate', goal: 20, amberBand: 0.5 },
    { metric: 'transfer_rate', scope: 'team:north', goal: 60 },
    { metric: 'aht_s', goal: 200 },
    { metric: 'fcr_rate', goal: 95 },
    { metric: 'service_index', goal: 50 },
  ],
  compositeWeights: { transfer_rate: 1, aht_s: 1 },
};

describe('scorecard', () => {
  let lake: TestLake;
  let engine: DuckDbEngine;
  const row = async (metric: string, period: string, dimension = 'overall', value = 'all') =>
    (
      await engine.query(
        `SELECT * FROM scorecard WHERE metric = :metric AND grain = 'month' AND period_start = CAST(:period AS DATE)
         AND dimension = :dimension AND dimension_value = :value`,
        { metric, period, dimension, value },
      )
    )[0];

  beforeAll(async () => {
    lake = createTestLake();
    lake.write('interactions', [...june, ...may]);
    engine = await lake.engine(config, benchmarks);
  });
  afterAll(async () => {
    await engine.close();
    lake.remove();
  });

  it('has exactly the scorecard columns, in order', async () => {
    const columns = await engine.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'scorecard' ORDER BY ordinal_position`,
    );
    expect(columns.map((c) => c.column_name)).toEqual(SCORECARD_COLUMNS);
  });

  it('judges a lower-is-better metric against its target, benchmark and previous month', async () => {
    const r = await row('transfer_rate', '2025-06-01');
    // 3/13 against 9/10: under the pooled rate 12/23 the smallest expected count is
    // 10 x 11 / 23 = 4.78, below 5, so the z-test is not trusted and nothing is claimed.
    expect(r).toMatchObject({
      period_start: '2025-06-01',
      unit: 'pct',
      n: 13,
      low_sample: false,
      higher_is_better: false,
      target: 20,
      rag: 'amber', // 23.1 is worse than 20 but within 50 % of it
      bench_position: 'p25_to_median', // between 30 (p25) and 20 (median), lower is better
      bench_source: 'Test survey',
      prev_value: 90,
      peer_percentile: null,
      change_significant: null,
      change_test: 'too_few_to_test',
    });
    expect(r?.value).toBeCloseTo(300 / 13, 10);
    expect(r?.gap_to_target).toBeCloseTo(300 / 13 - 20, 10);
    expect(r?.delta).toBeCloseTo(300 / 13 - 90, 10);
  });

  it('uses a scoped target before the overall one, and flags small samples without hiding them', async () => {
    expect(await row('transfer_rate', '2025-06-01', 'team', 'north')).toMatchObject({ target: 60, rag: 'green' });
    expect(await row('transfer_rate', '2025-06-01', 'team', 'west')).toMatchObject({ target: 20, rag: 'amber' });
    expect(await row('transfer_rate', '2025-06-01', 'team', 'east')).toMatchObject({ target: 20, rag: 'red' });
    expect(await row('transfer_rate', '2025-06-01', 'team', 'south')).toMatchObject({
      value: 0,
      n: 2,
      low_sample: true,
      rag: 'green',
      bench_position: 'above_p90',
    });
  });

  it('ranks peers with enough data by mid-rank in the good direction, ties sharing the middle rank', async () => {
    const rows = await engine.query(
      `SELECT dimension_value, peer_percentile FROM scorecard WHERE metric = 'transfer_rate' AND grain = 'month'
       AND period_start = DATE '2025-06-01' AND dimension = 'team' ORDER BY dimension_value`,
    );
    // Ranked: east 33.3 %, north 25 %, west 25 % (lower is better); south (n = 2) is below the
    // minimum sample of 3: not ranked, not counted. east: (0 + 0.5) / 3; north, west: (1 + 1) / 3.
    expect(
      rows.map((r) => [r.dimension_value, r.peer_percentile === null ? null : Number(r.peer_percentile).toFixed(6)]),
    ).toEqual([
      ['east', '16.666667'],
      ['north', '66.666667'],
      ['south', null],
      ['west', '66.666667'],
    ]);
  });

  it('judges a higher-is-better metric: amber just under its goal', async () => {
    const r = await row('fcr_rate', '2025-06-01');
    expect(r).toMatchObject({ higher_is_better: true, target: 95, rag: 'amber', n: 13 });
    expect(r?.value).toBeCloseTo(1200 / 13, 10);
  });

  it('does not test a change of a mean over fewer than 30 observations', async () => {
    // AHT over 13 calls in June against 10 in May: a z-test would call it significant, but the
    // normal approximation of a mean is not trusted below 30 observations on either side.
    const r = await row('aht_s', '2025-06-01');
    const values = [...times(10, () => 100), ...times(3, () => 200)];
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
    expect(Math.abs(mean - 300) / (sd / Math.sqrt(values.length))).toBeGreaterThan(Z95);
    expect(r?.value).toBeCloseTo(mean, 10);
    expect(r).toMatchObject({ prev_value: 300, change_significant: null, change_test: 'too_few_to_test' });
    expect(await row('aht_s', '2025-05-01')).toMatchObject({
      prev_value: null,
      delta: null,
      change_significant: null,
      change_test: null,
    });
  });

  it('computes the service index from the weighted normalised scores of metrics with enough data', async () => {
    const overall = await row('service_index', '2025-06-01');
    expect(overall).toMatchObject({ unit: 'index', n: 2, low_sample: false, target: 50, rag: 'green' });
    expect(overall?.value).toBeCloseTo((100 - 300 / 13 + 100) / 2, 10);
    expect(overall?.prev_value).toBeCloseTo((10 + (100 * 200) / 300) / 2, 10);
    expect(overall).toMatchObject({ change_significant: null, change_test: 'not_tested' });
    expect((await row('service_index', '2025-06-01', 'team', 'east'))?.value).toBeCloseTo(
      (100 - 100 / 3 + 100) / 2,
      10,
    );
    expect(await row('service_index', '2025-06-01', 'team', 'south')).toBeUndefined();
  });

  it('has no rows for a period with no data', async () => {
    // 2025-04-01 starts Q2, which holds the data; April itself has none.
    expect(
      await engine.query(`SELECT * FROM scorecard WHERE grain = 'month' AND period_start = DATE '2025-04-01'`),
    ).toEqual([]);
  });
});

describe('scorecard across ISO weeks', () => {
  it('compares a week with the week just before it, and only that week', async () => {
    const lake = createTestLake();
    try {
      lake.write('interactions', [
        handled('2025-06-01 23:00:00', null, { is_transfer: true }), // Sunday: week of 2025-05-26
        handled('2025-06-02 09:00:00', null, { is_transfer: true }), // Monday: week of 2025-06-02
        handled('2025-06-03 09:00:00', null),
        handled('2025-06-10 09:00:00', null),
        handled('2025-06-24 09:00:00', null), // two weeks later: no previous week
      ]);
      const engine = await lake.engine();
      try {
        const rows = await engine.query(
          `SELECT CAST(period_start AS VARCHAR) AS week, value, prev_value, delta FROM scorecard
           WHERE metric = 'transfer_rate' AND grain = 'week' AND dimension = 'overall' ORDER BY period_start`,
        );
        expect(rows).toEqual([
          { week: '2025-05-26', value: 100, prev_value: null, delta: null },
          { week: '2025-06-02', value: 50, prev_value: 100, delta: -50 },
          { week: '2025-06-09', value: 0, prev_value: 50, delta: -50 },
          { week: '2025-06-23', value: 0, prev_value: null, delta: null },
        ]);
      } finally {
        await engine.close();
      }
    } finally {
      lake.remove();
    }
  });
});

/** One hand-made metric row: period (month start), dimension value, metric, value, n and interval. */
type MetricRow = readonly [string, string, string, string, number, number, number | null, number | null];

/**
 * Replaces metric_values with hand-made rows, so the scorecard's own statistics are all that is
 * tested: the peer ranks and the significance of changes, each case computed by hand.
 */
describe('scorecard statistics on hand-made metric rows', () => {
  let lake: TestLake;
  let engine: DuckDbEngine;
  const JUNE = '2025-06-01';
  const MAY = '2025-05-01';
  const rows: MetricRow[] = [
    // Peer ranks of agents on CSAT (higher is better), minimum sample 10. eve (n = 9) is not ranked.
    [JUNE, 'agent', 'ana', 'csat_pct', 90, 50, null, null],
    [JUNE, 'agent', 'ben', 'csat_pct', 80, 50, null, null],
    [JUNE, 'agent', 'cy', 'csat_pct', 80, 50, null, null],
    [JUNE, 'agent', 'dee', 'csat_pct', 70, 50, null, null],
    [JUNE, 'agent', 'eve', 'csat_pct', 95, 9, null, null],
    [JUNE, 'overall', 'all', 'csat_pct', 80, 259, null, null],
    // Lower is better: the faster answer ranks higher.
    [JUNE, 'agent', 'ana', 'asa_s', 20, 40, null, null],
    [JUNE, 'agent', 'ben', 'asa_s', 40, 40, null, null],
    // A group that is all tied.
    [JUNE, 'agent', 'ana', 'aht_s', 300, 40, null, null],
    [JUNE, 'agent', 'ben', 'aht_s', 300, 40, null, null],
    [JUNE, 'agent', 'cy', 'aht_s', 300, 40, null, null],
    // One peer with enough data and one without: nobody to compare with.
    [JUNE, 'agent', 'ana', 'qa_score', 85, 40, null, null],
    [JUNE, 'agent', 'ben', 'qa_score', 60, 5, null, null],
    // Changes of a proportion, (successes / n) in June against May, one team each.
    [JUNE, 'team', 'tiny', 'transfer_rate', 25, 4, null, null], // 1/4
    [MAY, 'team', 'tiny', 'transfer_rate', 0, 18, null, null], // 0/18
    [JUNE, 'team', 'under5', 'transfer_rate', 70, 10, null, null], // 7/10
    [MAY, 'team', 'under5', 'transfer_rate', 20, 10, null, null], // 2/10
    [JUNE, 'team', 'at5', 'transfer_rate', 80, 10, null, null], // 8/10
    [MAY, 'team', 'at5', 'transfer_rate', 20, 10, null, null], // 2/10
    [JUNE, 'team', 'large', 'transfer_rate', 30, 100, null, null], // 30/100
    [MAY, 'team', 'large', 'transfer_rate', 15, 100, null, null], // 15/100
    [JUNE, 'team', 'close', 'transfer_rate', 30, 100, null, null], // 30/100
    [MAY, 'team', 'close', 'transfer_rate', 25, 100, null, null], // 25/100
    [JUNE, 'team', 'zero', 'transfer_rate', 0, 50, null, null], // 0/50
    [MAY, 'team', 'zero', 'transfer_rate', 0, 60, null, null], // 0/60
    // Changes of a mean, with the 95 % intervals the metric views give.
    [JUNE, 'team', 'small', 'aht_s', 300, 8, 250, 350],
    [MAY, 'team', 'small', 'aht_s', 200, 40, 190, 210],
    [JUNE, 'team', 'big', 'aht_s', 300, 30, 280, 320],
    [MAY, 'team', 'big', 'aht_s', 250, 40, 240, 260],
    [JUNE, 'team', 'spread', 'aht_s', 300, 30, 200, 400],
    [MAY, 'team', 'spread', 'aht_s', 250, 40, 150, 350],
    [JUNE, 'team', 'flat', 'aht_s', 300, 40, 300, 300],
    [MAY, 'team', 'flat', 'aht_s', 280, 40, 280, 280],
    // A median has no interval and no test.
    [JUNE, 'team', 'big', 'first_response_median_s', 600, 40, null, null],
    [MAY, 'team', 'big', 'first_response_median_s', 900, 40, null, null],
  ];

  beforeAll(async () => {
    lake = createTestLake();
    engine = await lake.engine({ metrics: { minSample: 10 } });
    await engine.query(`DELETE FROM ${METRIC_VALUES.name}`);
    await engine.query(
      `INSERT INTO ${METRIC_VALUES.name} (period_start, grain, dimension, dimension_value, metric, value, unit, n, ci_low, ci_high, family)
       VALUES ${rows
         .map(
           ([period, dimension, value, metric, v, n, low, high]) =>
             `(DATE '${period}', 'month', '${dimension}', '${value}', '${metric}', ${v}e0, 'x', ${n}, ${low ?? 'NULL'}, ${high ?? 'NULL'}, 'contact_centre')`,
         )
         .join(', ')}`,
    );
  });
  afterAll(async () => {
    await engine.close();
    lake.remove();
  });

  type Judged = Pick<ScorecardRow, 'peer_percentile' | 'change_significant' | 'change_test'>;
  const june = async (metric: string, dimension: string): Promise<Record<string, Judged>> =>
    Object.fromEntries(
      (
        await engine.query<ScorecardRow>(
          `SELECT dimension_value, peer_percentile, change_significant, change_test FROM scorecard
           WHERE metric = :metric AND dimension = :dimension AND grain = 'month' AND period_start = DATE '2025-06-01'`,
          { metric, dimension },
        )
      ).map((r) => [
        r.dimension_value,
        {
          peer_percentile: r.peer_percentile,
          change_significant: r.change_significant,
          change_test: r.change_test,
        },
      ]),
    );
  const percentiles = async (metric: string) =>
    Object.fromEntries(Object.entries(await june(metric, 'agent')).map(([k, v]) => [k, v.peer_percentile]));

  it('gives tied peers the middle of their ranks: (below + 0.5 x equal) / peers x 100', async () => {
    // Four ranked peers: dee below nobody (0.5 / 4), ben and cy above dee and tied (2 / 4), ana above three (3.5 / 4).
    expect(await percentiles('csat_pct')).toEqual({ ana: 87.5, ben: 50, cy: 50, dee: 12.5, eve: null });
  });

  it('leaves a peer below the minimum sample unranked and uncounted, and the overall row unranked', async () => {
    expect((await percentiles('csat_pct')).eve).toBeNull();
    expect((await june('csat_pct', 'overall')).all?.peer_percentile).toBeNull();
  });

  it('ranks in the good direction for a lower-is-better metric', async () => {
    expect(await percentiles('asa_s')).toEqual({ ana: 75, ben: 25 });
  });

  it('puts every peer of an all-tied group at 50, not at the bottom', async () => {
    expect(await percentiles('aht_s')).toEqual({ ana: 50, ben: 50, cy: 50 });
  });

  it('ranks nobody in a group with a single peer that has enough data', async () => {
    expect(await percentiles('qa_score')).toEqual({ ana: null, ben: null });
  });

  it('tests a change of a proportion only where every expected count is at least 5', async () => {
    const teams = await june('transfer_rate', 'team');
    const verdict = (team: string) => [teams[team]?.change_significant, teams[team]?.change_test];
    // 1/4 against 0/18: pooled 1/22, smallest expected count 4 x 1 / 22 = 0.18. The z-test would
    // say |z| = 2.17 (significant); Fisher's exact test says p = 0.18. Too few to test.
    expect(verdict('tiny')).toEqual([null, 'too_few_to_test']);
    // 7/10 against 2/10: smallest expected count 10 x 9 / 20 = 4.5; z = 2.25, Fisher p = 0.070.
    expect(verdict('under5')).toEqual([null, 'too_few_to_test']);
    // 8/10 against 2/10: smallest expected count 10 x 10 / 20 = 5; z = 0.6 / sqrt(0.25 x 0.2) = 2.68.
    expect(verdict('at5')).toEqual([true, 'z_test']);
    // 30/100 against 15/100: pooled 0.225, z = 0.15 / sqrt(0.225 x 0.775 x 0.02) = 2.54.
    expect(verdict('large')).toEqual([true, 'z_test']);
    // 30/100 against 25/100: pooled 0.275, z = 0.05 / sqrt(0.275 x 0.725 x 0.02) = 0.79.
    expect(verdict('close')).toEqual([false, 'z_test']);
    // 0/50 against 0/60: the same rate, which no test can call a change.
    expect(verdict('zero')).toEqual([false, 'no_change']);
  });

  it('tests a change of a mean only with at least 30 observations on each side', async () => {
    const teams = await june('aht_s', 'team');
    const verdict = (team: string) => [teams[team]?.change_significant, teams[team]?.change_test];
    // n = 8 in June: too few, however far apart the intervals are.
    expect(verdict('small')).toEqual([null, 'too_few_to_test']);
    // n = 30 and 40: se = sqrt((20 / 1.96)² + (10 / 1.96)²) = 11.41, z = 50 / 11.41 = 4.38.
    expect(verdict('big')).toEqual([true, 'z_test']);
    // se = sqrt((100 / 1.96)² + (100 / 1.96)²) = 72.15, z = 50 / 72.15 = 0.69.
    expect(verdict('spread')).toEqual([false, 'z_test']);
    // Neither period varies at all, and the values differ.
    expect(verdict('flat')).toEqual([true, 'z_test']);
    expect((await june('first_response_median_s', 'team')).big).toMatchObject({
      change_significant: null,
      change_test: 'not_tested',
    });
  });
});
