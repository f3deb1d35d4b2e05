import { TrinoSQL } from 'dt-sql-parser';
import { describe, expect, it } from 'vitest';
import type { EmployeePulse } from '../../lambdas/core/schema/canonical.ts';
import { createViewSql } from '../../sql/registry.ts';
import { utc, viewRows } from '../support/lake.ts';

function pulse(
  id: string,
  team: string | null,
  kind: EmployeePulse['question_kind'],
  score: number,
  scale: [number, number] = [0, 10],
): EmployeePulse {
  return {
    source: 'pulse',
    response_id: id,
    team,
    // 1 June 2025 is a Sunday: the answers belong to the ISO week of Monday 26 May.
    period: utc('2025-06-01 00:00:00'),
    question_kind: kind,
    score,
    scale_min: scale[0],
    scale_max: scale[1],
    ingested_at: utc('2025-06-20 00:00:00'),
  };
}

const t1 = [
  pulse('e1', 't1', 'enps', 10),
  pulse('e2', 't1', 'enps', 9),
  pulse('e3', 't1', 'enps', 3),
  pulse('g1', 't1', 'engagement', 4, [1, 5]),
  pulse('g2', 't1', 'engagement', 5, [1, 5]),
];
const t2 = [
  pulse('e4', 't2', 'enps', 0),
  pulse('e5', 't2', 'enps', 6),
  pulse('e6', 't2', 'enps', 7),
  pulse('e7', 't2', 'enps', 8),
  pulse('e8', 't2', 'enps', 10),
  pulse('g3', 't2', 'engagement', 7),
];
const noTeam = pulse('e9', null, 'enps', 10);
// An eNPS question asked on 1-5 is not eNPS: ignored. A score outside its scale is ignored.
const wrongScale = pulse('e10', 't2', 'enps', 5, [1, 5]);
const outOfScale = pulse('g4', 't2', 'engagement', 11);

describe('metrics_employee', () => {
  const rows = viewRows('metrics_employee', (lake) => {
    lake.write('employee_pulse', [...t1, ...t2, noTeam, wrongScale, outOfScale]);
    lake.write('employee_pulse', t1); // the same pulse export landed twice
  });
  const { row } = rows;

  it('parses as Trino SQL (Athena engine v3)', () => {
    expect(new TrinoSQL().validate(createViewSql('metrics_employee'))).toEqual([]);
  });

  it('recomputes eNPS from counts per team and overall', () => {
    // t1: P = 2 (10, 9), D = 1 (3), n = 3 -> +33.33; t2: P = 1, D = 2 (0, 6), n = 5 -> -20
    expect(row('month|2025-06-01|team|t1|enps')).toMatchObject({ n: 3, unit: 'score' });
    expect(row('month|2025-06-01|team|t1|enps').value).toBeCloseTo(100 / 3, 9);
    expect(row('month|2025-06-01|team|t2|enps').value).toBeCloseTo(-20, 9);
    // overall adds the answer without a team: P = 4, D = 3, n = 9 -> +11.11 (the team average is 6.67)
    const overall = row('month|2025-06-01|overall|all|enps');
    expect(overall.value).toBeCloseTo(100 / 9, 9);
    expect(overall.n).toBe(9);
    const moe = 100 * 1.959963984540054 * Math.sqrt((7 / 9 - (1 / 9) ** 2) / 9);
    expect(overall.ci_low).toBeCloseTo(100 / 9 - moe, 9);
    expect(overall.ci_high).toBeCloseTo(100 / 9 + moe, 9);
  });

  it('normalises engagement answers of different scales to 0-100 before the mean', () => {
    // t1: 4 on 1-5 -> 75, 5 on 1-5 -> 100; t2: 7 on 0-10 -> 70 (11 on 0-10 is ignored)
    expect(row('month|2025-06-01|team|t1|engagement_score').value).toBeCloseTo(87.5, 9);
    const overall = row('month|2025-06-01|overall|all|engagement_score');
    expect(overall.value).toBeCloseTo((75 + 100 + 70) / 3, 9);
    expect(overall.n).toBe(3);
    const t2Row = row('month|2025-06-01|team|t2|engagement_score');
    expect([t2Row.value, t2Row.ci_low, t2Row.ci_high]).toEqual([70, null, null]);
  });

  it('dates answers by their survey period, in ISO weeks, quarters and years too', () => {
    expect(row('week|2025-05-26|overall|all|enps').n).toBe(9);
    expect(row('quarter|2025-04-01|overall|all|enps').n).toBe(9);
    expect(row('year|2025-01-01|team|t2|enps').n).toBe(5);
    const periods = ['month|2025-06-01', 'week|2025-05-26', 'quarter|2025-04-01', 'year|2025-01-01'];
    expect(rows.keys().filter((k) => !periods.some((p) => k.startsWith(p)))).toEqual([]);
  });
});
