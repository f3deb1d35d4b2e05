import { TrinoSQL } from 'dt-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDbEngine } from '../../cli/duckdb.ts';
import type { QaEvaluation } from '../../lambdas/core/schema/canonical.ts';
import { createViewSql } from '../../sql/registry.ts';
import { createTestLake, type TestLake, utc, viewRows } from '../support/lake.ts';

function criterion(
  overrides: Partial<QaEvaluation> & { evaluation_id: string; criterion: string; max_points: number },
): QaEvaluation {
  const at = overrides.evaluated_at ?? utc('2025-06-02 10:00:00');
  return {
    source: 'qa-csv',
    evaluation_kind: 'internal_qa',
    interaction_id: null,
    agent_id: 'a1',
    team: 't1',
    evaluator: 'reviewer',
    scorecard: 'calls',
    section: 'core',
    points: null,
    weight: 1,
    is_critical: false,
    is_na: false,
    evaluated_at: at,
    updated_at: at,
    ingested_at: utc('2025-07-01 00:00:00'),
    ...overrides,
  };
}

// e1 (a1): c1 8/10 weight 1, c2 5/5 weight 3, c3 critical but N/A (never fails)
//   -> (1 * 0.8 + 3 * 1) / (1 + 3) * 100 = 95
const e1 = [
  criterion({ evaluation_id: 'e1', criterion: 'c1', points: 8, max_points: 10 }),
  criterion({ evaluation_id: 'e1', criterion: 'c2', points: 5, max_points: 5, weight: 3 }),
  criterion({ evaluation_id: 'e1', criterion: 'c3', max_points: 5, weight: 2, is_critical: true, is_na: true }),
];
// e2 (a1): c1 10/10, critical c3 first exported as 5/5, then corrected to 4/5 -> failed critical -> 0
const e2At = utc('2025-06-03 10:00:00');
const e2c3First = criterion({
  evaluation_id: 'e2',
  criterion: 'c3',
  points: 5,
  max_points: 5,
  weight: 2,
  is_critical: true,
  evaluated_at: e2At,
});
const e2c3 = { ...e2c3First, points: 4, updated_at: utc('2025-06-04 09:00:00') };
const e2c1 = criterion({ evaluation_id: 'e2', criterion: 'c1', points: 10, max_points: 10, evaluated_at: e2At });
// e3 (auto_qa, a2): c1 6/10, c2 5/5, a criterion worth 0 points is not scored -> (0.6 + 1) / 2 = 80
const e3Common = { evaluation_id: 'e3', evaluation_kind: 'auto_qa' as const, agent_id: 'a2', evaluated_at: e2At };
const e3 = [
  criterion({ ...e3Common, criterion: 'c1', points: 6, max_points: 10 }),
  criterion({ ...e3Common, criterion: 'c2', points: 5, max_points: 5 }),
  criterion({ ...e3Common, criterion: 'bonus', points: 0, max_points: 0, weight: 5 }),
];
// e4 (mystery shop, a3, t2): 3/4 and 2/2 -> (0.75 + 1) / 2 = 87.5
const e4Common = { evaluation_id: 'e4', evaluation_kind: 'mystery_shop' as const, agent_id: 'a3', team: 't2' };
const e4 = [
  criterion({ ...e4Common, criterion: 'greeting', points: 3, max_points: 4 }),
  criterion({ ...e4Common, criterion: 'close', points: 2, max_points: 2 }),
];
// e5 (a2): every criterion N/A (points null) -> no score, not an evaluation of 0
const e5 = [criterion({ evaluation_id: 'e5', agent_id: 'a2', criterion: 'c1', max_points: 10 })];

describe('metrics_quality', () => {
  const rows = viewRows('metrics_quality', (lake) => {
    // Overlapping exports: e1 arrives twice, e2's critical criterion in two versions.
    lake.write('qa_evaluations', [...e1, e2c1, e2c3First, ...e4]);
    lake.write('qa_evaluations', [...e1, e2c3, ...e3, ...e5]);
  });
  const { row } = rows;

  it('parses as Trino SQL (Athena engine v3)', () => {
    expect(new TrinoSQL().validate(createViewSql('metrics_quality'))).toEqual([]);
  });

  it('averages evaluation scores, with a failed critical criterion scoring 0', () => {
    // e1 95, e2 0 (critical failure), e3 80 -> 175 / 3 = 58.333; e5 has no scored criterion.
    const overall = row('month|2025-06-01|overall|all|qa_score');
    expect(overall.value).toBeCloseTo(175 / 3, 9);
    expect(overall.n).toBe(3);
    expect(overall.unit).toBe('score');
    const scores = [95, 0, 80];
    const sd = Math.sqrt(scores.reduce((a, x) => a + (x - 175 / 3) ** 2, 0) / 2);
    expect(overall.ci_low).toBeCloseTo(175 / 3 - (1.959963984540054 * sd) / Math.sqrt(3), 9);
    expect(overall.ci_high).toBe(100); // 58.3 + 57.8 is kept within the 0-100 scale
  });

  it('weighs every evaluation the same, never averaging agent averages', () => {
    // a1: (95 + 0) / 2 = 47.5; a2: 80. The mean of agent means would be 63.75, the view says 58.333.
    expect(row('month|2025-06-01|agent|a1|qa_score').value).toBeCloseTo(47.5, 9);
    const a2 = row('month|2025-06-01|agent|a2|qa_score');
    expect(a2.value).toBeCloseTo(80, 9);
    expect([a2.ci_low, a2.ci_high]).toEqual([null, null]); // one evaluation has no interval
    expect(row('month|2025-06-01|team|t1|qa_score').value).toBeCloseTo(175 / 3, 9);
    expect(row('month|2025-06-01|source|qa-csv|qa_score').n).toBe(3);
  });

  it('scores mystery shops separately', () => {
    expect(row('month|2025-06-01|overall|all|mystery_shop_score').value).toBeCloseTo(87.5, 9);
    expect(row('month|2025-06-01|team|t2|mystery_shop_score').n).toBe(1);
    expect(rows.has('month|2025-06-01|team|t2|qa_score')).toBe(false);
  });

  it('dates evaluations by ISO week', () => {
    expect(row('week|2025-06-02|overall|all|qa_score').value).toBeCloseTo(175 / 3, 9);
  });

  it('has no row for a period without evaluations; June is in Q2 and 2025', () => {
    const periods = ['month|2025-06-01', 'week|2025-06-02', 'quarter|2025-04-01', 'year|2025-01-01'];
    expect(rows.keys().filter((k) => !periods.some((p) => k.startsWith(p)))).toEqual([]);
    const { value, n } = row('month|2025-06-01|overall|all|qa_score');
    expect(row('quarter|2025-04-01|overall|all|qa_score')).toMatchObject({ value, n });
  });
});

describe('quality_criteria', () => {
  let lake: TestLake;
  let engine: DuckDbEngine;

  beforeAll(async () => {
    lake = createTestLake();
    lake.write('qa_evaluations', [...e1, e2c1, e2c3, ...e3, ...e4, ...e5]);
    engine = await lake.engine();
  });
  afterAll(async () => {
    await engine.close();
    lake.remove();
  });

  it('parses as Trino SQL (Athena engine v3)', () => {
    expect(new TrinoSQL().validate(createViewSql('quality_criteria'))).toEqual([]);
  });

  it('reports pass rate, attainment, N/A count and critical failures per criterion', async () => {
    const rows = await engine.query(
      `SELECT criterion, n, na_n, passed_n, critical_failures, pass_rate_pct, attainment_pct
       FROM quality_criteria
       WHERE grain = 'month' AND dimension = 'overall' AND evaluation_kind = 'internal_qa'
       ORDER BY criterion`,
    );
    expect(rows).toEqual([
      // c1: e1 8/10 (not passed), e2 10/10 (passed), e5 N/A -> 1 / 2 = 50 %, attainment (0.8 + 1) / 2 = 90 %
      { criterion: 'c1', n: 2, na_n: 1, passed_n: 1, critical_failures: 0, pass_rate_pct: 50, attainment_pct: 90 },
      // c2: e1 5/5
      { criterion: 'c2', n: 1, na_n: 0, passed_n: 1, critical_failures: 0, pass_rate_pct: 100, attainment_pct: 100 },
      // c3: e1 N/A, e2 4/5 critical -> failed
      { criterion: 'c3', n: 1, na_n: 1, passed_n: 0, critical_failures: 1, pass_rate_pct: 0, attainment_pct: 80 },
    ]);
  });

  it('leaves the pass rate empty for a criterion that never applied', async () => {
    const [bonus] = await engine.query(
      `SELECT n, na_n, pass_rate_pct, pass_rate_ci_low FROM quality_criteria
       WHERE grain = 'month' AND dimension = 'overall' AND criterion = 'bonus'`,
    );
    expect(bonus).toEqual({ n: 0, na_n: 1, pass_rate_pct: null, pass_rate_ci_low: null });
  });
});
