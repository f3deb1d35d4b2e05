import { TrinoSQL } from 'dt-sql-parser';
import { describe, expect, it } from 'vitest';
import { createViewSql } from '../../sql/registry.ts';
import { createTestLake, surveyResponse, utc, viewRows } from '../support/lake.ts';
import { wilson } from '../support/stats.ts';

const answer = surveyResponse;

// Zendesk good/bad ratings (scale 0-1), with offers: the only source that knows its sends.
const zendesk = {
  source: 'zendesk',
  scale_min: 0,
  scale_max: 1,
  channel: 'email' as const,
  team: 'billing',
  agent_id: 'a1',
};
const z1 = answer({
  ...zendesk,
  response_id: 'z1',
  score: 1,
  sent_at: utc('2025-06-01 09:00:00'),
  responded_at: utc('2025-06-02 10:00:00'),
});
const z2First = answer({
  ...zendesk,
  response_id: 'z2',
  score: 1,
  sent_at: utc('2025-06-02 09:00:00'),
  responded_at: utc('2025-06-03 10:00:00'),
});
// The customer changed the rating to bad; the later version wins in survey_responses_latest.
const z2 = { ...z2First, score: 0, updated_at: utc('2025-06-04 08:00:00') };
const z3Offered = answer({
  ...zendesk,
  response_id: 'z3',
  score: null,
  sent_at: utc('2025-06-04 09:00:00'),
  responded_at: null,
});

// Qualtrics answers only (no offers): 1-5 and 1-10 CSAT in the same month.
const support = { team: 'support', agent_id: 'a2', channel: 'chat' as const };
const q1 = answer({ ...support, response_id: 'q1', score: 5 });
const q2 = answer({ ...support, response_id: 'q2', score: 4 });
const q3 = answer({ ...support, response_id: 'q3', score: 3 });
const voice = { team: 'support', agent_id: 'a3', channel: 'voice' as const, scale_max: 10 };
const q4 = answer({ ...voice, response_id: 'q4', score: 9, responded_at: utc('2025-06-10 12:00:00') });
const q5 = answer({ ...voice, response_id: 'q5', score: 8, responded_at: utc('2025-06-10 13:00:00') });
// A 6 on a 1-5 scale is a broken record, not an answer: ignored.
const outOfScale = answer({ ...support, response_id: 'q-bad', score: 6 });

// NPS of two teams: billing P=2 D=1 n=3 (+33.3), support P=1 D=2 n=5 (-20).
const nps = (id: string, team: string, score: number) =>
  answer({ response_id: id, survey_kind: 'nps', team, score, scale_min: 0, scale_max: 10 });
const npsAnswers = [
  nps('n1', 'billing', 9),
  nps('n2', 'billing', 10),
  nps('n3', 'billing', 3),
  nps('n4', 'support', 0),
  nps('n5', 'support', 6),
  nps('n6', 'support', 7),
  nps('n7', 'support', 8),
  nps('n8', 'support', 10),
];

// CES 2.0 (1-7 agree, higher is easier) and legacy effort (1-5, lower is easier).
const ces = (id: string, score: number, max: number, higherIsBetter: boolean) =>
  answer({ response_id: id, survey_kind: 'ces', score, scale_max: max, higher_is_better: higherIsBetter });
const cesAnswers = [ces('c1', 7, 7, true), ces('c2', 5, 7, true), ces('c3', 1, 5, false), ces('c4', 4, 5, false)];

describe('metrics_surveys', () => {
  const rows = viewRows('metrics_surveys', (lake) => {
    // Two overlapping exports: z1 arrives twice, z2 in two versions.
    lake.write('survey_responses', [z1, z2First, q1, q2, q3, ...npsAnswers]);
    lake.write('survey_responses', [z1, z2, z3Offered, q4, q5, outOfScale, ...cesAnswers]);
  });
  const { row } = rows;

  it('parses as Trino SQL (Athena engine v3)', () => {
    expect(new TrinoSQL().validate(createViewSql('metrics_surveys'))).toEqual([]);
  });

  it('counts top-two boxes of each scale and good/bad ratings together in csat_pct', () => {
    // Boxed answers: z1 good (1), z2 bad (0, latest version), q1 5 (1), q2 4 (1), q3 3 (0),
    // q4 9 on 1-10 (1), q5 8 on 1-10 (0) -> 4 / 7 = 57.142857 %; z3 (offered) and q-bad are out.
    const csat = row('month|2025-06-01|overall|all|csat_pct');
    expect(csat.value).toBeCloseTo((100 * 4) / 7, 9);
    expect(csat.n).toBe(7);
    expect(csat.unit).toBe('pct');
    const { low, high } = wilson(4, 7);
    expect(csat.ci_low).toBeCloseTo(low, 9);
    expect(csat.ci_high).toBeCloseTo(high, 9);
  });

  it('splits csat_pct by channel, team, agent and source', () => {
    expect(row('month|2025-06-01|channel|email|csat_pct').value).toBeCloseTo(50, 9); // z1 1, z2 0
    expect(row('month|2025-06-01|channel|chat|csat_pct').value).toBeCloseTo((100 * 2) / 3, 9); // 5, 4, 3
    expect(row('month|2025-06-01|channel|voice|csat_pct').value).toBeCloseTo(50, 9); // 9, 8 on 1-10
    expect(row('month|2025-06-01|team|support|csat_pct').value).toBeCloseTo(60, 9); // 3 of 5
    expect(row('month|2025-06-01|agent|a1|csat_pct').n).toBe(2);
    expect(row('month|2025-06-01|source|qualtrics|csat_pct').value).toBeCloseTo(60, 9);
  });

  it('dates answers by ISO week as well as month', () => {
    // Week of Monday 2 June: z1 1, z2 0, q1 1, q2 1, q3 0 -> 3/5; week of 9 June: q4 1, q5 0 -> 1/2.
    expect(row('week|2025-06-02|overall|all|csat_pct').value).toBeCloseTo(60, 9);
    expect(row('week|2025-06-09|overall|all|csat_pct').value).toBeCloseTo(50, 9);
  });

  it('normalises every CSAT answer to 0-100 before taking one mean', () => {
    // z1 100, z2 0, q1 (5-1)/4 = 100, q2 75, q3 50, q4 (9-1)/9 = 88.889, q5 (8-1)/9 = 77.778
    // sum 491.667 / 7 = 70.238095
    const scores = [100, 0, 100, 75, 50, 800 / 9, 700 / 9];
    const expected = scores.reduce((a, b) => a + b) / 7;
    const mean = row('month|2025-06-01|overall|all|csat_mean');
    expect(mean.value).toBeCloseTo(expected, 9);
    expect(mean.n).toBe(7);
    expect(mean.unit).toBe('score');
    // Interval: mean +- 1.96 * sample sd / sqrt(n); sd = sqrt(sum((x - mean)^2) / 6) = 35.04
    const sd = Math.sqrt(scores.reduce((a, x) => a + (x - expected) ** 2, 0) / 6);
    expect(mean.ci_low).toBeCloseTo(expected - (1.959963984540054 * sd) / Math.sqrt(7), 9);
    expect(mean.ci_high).toBeCloseTo(expected + (1.959963984540054 * sd) / Math.sqrt(7), 9);
  });

  it('recomputes NPS from counts in every group, never averaging team scores', () => {
    // billing: (2 - 1) / 3 = +33.33; support: (1 - 2) / 5 = -20; overall (3 - 3) / 8 = 0, not 6.67.
    expect(row('month|2025-06-01|team|billing|nps').value).toBeCloseTo(100 / 3, 9);
    expect(row('month|2025-06-01|team|support|nps').value).toBeCloseTo(-20, 9);
    const overall = row('month|2025-06-01|overall|all|nps');
    expect(overall.value).toBeCloseTo(0, 9);
    expect(overall.n).toBe(8);
    // Margin of error: P = D = 3/8, var = (0.75 - 0) / 8, moe = 1.96 * sqrt(0.09375) * 100 = 60.012
    const moe = 100 * 1.959963984540054 * Math.sqrt(0.75 / 8);
    expect(overall.ci_low).toBeCloseTo(-moe, 9);
    expect(overall.ci_high).toBeCloseTo(moe, 9);
  });

  it('orients legacy effort scales before pooling CES', () => {
    // c1 7 on 1-7 -> 100 (easy), c2 5 on 1-7 -> 66.667, c3 1 on legacy 1-5 -> oriented 5 -> 100 (easy),
    // c4 4 on legacy 1-5 -> oriented 2 -> 25. Mean 291.667 / 4 = 72.917; easy 2 / 4 = 50 %.
    expect(row('month|2025-06-01|overall|all|ces_mean').value).toBeCloseTo((100 + 400 / 6 + 100 + 25) / 4, 9);
    const easy = row('month|2025-06-01|overall|all|ces_easy_pct');
    expect(easy.value).toBeCloseTo(50, 9);
    expect(easy.n).toBe(4);
  });

  it('counts offered-but-unanswered surveys only in the response rate, for sources that report offers', () => {
    // zendesk: z1, z2 answered, z3 offered only -> 2 / 3; qualtrics reports no offers and is left out.
    const rate = row('month|2025-06-01|overall|all|survey_response_rate');
    expect(rate.value).toBeCloseTo((100 * 2) / 3, 9);
    expect(rate.n).toBe(3);
    expect(rows.has('month|2025-06-01|source|qualtrics|survey_response_rate')).toBe(false);
  });

  it('has no row for a group without observations (no zero denominators, no empty periods)', () => {
    expect(rows.has('month|2025-06-01|channel|email|nps')).toBe(false);
    expect(rows.has('month|2025-06-01|channel|email|ces_mean')).toBe(false);
    expect(rows.keys().filter((k) => k.includes('2025-07'))).toEqual([]);
    for (const r of rows.values()) expect(r.n).toBeGreaterThan(0);
  });

  it('ignores answers outside their declared scale', async () => {
    const broken = createTestLake();
    try {
      broken.write('survey_responses', [
        outOfScale,
        answer({ response_id: 'flat', score: 3, scale_min: 3, scale_max: 3 }),
      ]);
      const other = await broken.engine();
      try {
        expect(await other.query('SELECT * FROM metrics_surveys')).toEqual([]);
      } finally {
        await other.close();
      }
    } finally {
      broken.remove();
    }
  });
});
