import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDbEngine } from '../../cli/duckdb.ts';
import { SCORECARD_COLUMNS } from '../../lambdas/core/metrics/scorecard.ts';
import type { BenchmarkRow } from '../../lambdas/core/reference/benchmarks.ts';
import type { Interaction } from '../../lambdas/core/schema/canonical.ts';
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
    const [p1, n1, p2, n2] = [3 / 13, 13, 9 / 10, 10];
    const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
    const z = Math.abs(p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
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
      change_significant: z > Z95,
    });
    expect(r?.value).toBeCloseTo(300 / 13, 10);
    expect(r?.gap_to_target).toBeCloseTo(300 / 13 - 20, 10);
    expect(r?.delta).toBeCloseTo(300 / 13 - 90, 10);
    expect(z).toBeGreaterThan(Z95);
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

  it('ranks peers in the good direction (100 = best), ties sharing a rank', async () => {
    const rows = await engine.query(
      `SELECT dimension_value, peer_percentile FROM scorecard WHERE metric = 'transfer_rate' AND grain = 'month'
       AND period_start = DATE '2025-06-01' AND dimension = 'team' ORDER BY dimension_value`,
    );
    expect(rows.map((r) => [r.dimension_value, Number(r.peer_percentile).toFixed(6)])).toEqual([
      ['east', '0.000000'],
      ['north', '33.333333'],
      ['south', '100.000000'],
      ['west', '33.333333'],
    ]);
  });

  it('judges a higher-is-better metric: amber just under its goal', async () => {
    const r = await row('fcr_rate', '2025-06-01');
    expect(r).toMatchObject({ higher_is_better: true, target: 95, rag: 'amber', n: 13 });
    expect(r?.value).toBeCloseTo(1200 / 13, 10);
  });

  it('tests a change of a mean with standard errors from both intervals', async () => {
    const r = await row('aht_s', '2025-06-01');
    const values = [...times(10, () => 100), ...times(3, () => 200)];
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
    const z = Math.abs(mean - 300) / (sd / Math.sqrt(values.length));
    expect(r?.value).toBeCloseTo(mean, 10);
    expect(r?.prev_value).toBe(300);
    expect(r?.change_significant).toBe(z > Z95);
    expect(await row('aht_s', '2025-05-01')).toMatchObject({ prev_value: null, delta: null, change_significant: null });
  });

  it('computes the service index from the weighted normalised scores of metrics with enough data', async () => {
    const overall = await row('service_index', '2025-06-01');
    expect(overall).toMatchObject({ unit: 'index', n: 2, low_sample: false, target: 50, rag: 'green' });
    expect(overall?.value).toBeCloseTo((100 - 300 / 13 + 100) / 2, 10);
    expect(overall?.prev_value).toBeCloseTo((10 + (100 * 200) / 300) / 2, 10);
    expect(overall?.change_significant).toBeNull();
    expect((await row('service_index', '2025-06-01', 'team', 'east'))?.value).toBeCloseTo(
      (100 - 100 / 3 + 100) / 2,
      10,
    );
    expect(await row('service_index', '2025-06-01', 'team', 'south')).toBeUndefined();
  });

  it('has no rows for a period with no data', async () => {
    expect(await engine.query(`SELECT * FROM scorecard WHERE period_start = DATE '2025-04-01'`)).toEqual([]);
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
