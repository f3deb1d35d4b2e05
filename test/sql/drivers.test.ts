import { TrinoSQL } from 'dt-sql-parser';
import { describe, expect, it } from 'vitest';
import type { EmployeePulse, SurveyResponse } from '../../lambdas/core/schema/canonical.ts';
import { createViewSql } from '../../sql/registry.ts';
import { createTestLake, interaction, plus, surveyResponse, utc, viewRows } from '../support/lake.ts';

/** Reference Pearson correlation, written from the textbook formula. */
function pearson(pairs: readonly [number, number][]): number {
  const n = pairs.length;
  const mx = pairs.reduce((a, [x]) => a + x, 0) / n;
  const my = pairs.reduce((a, [, y]) => a + y, 0) / n;
  const sxy = pairs.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = pairs.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  const syy = pairs.reduce((a, [, y]) => a + (y - my) ** 2, 0);
  return sxy / Math.sqrt(sxx * syy);
}

function csat(
  id: string,
  team: string,
  score: number,
  answered: string,
  extra: Partial<SurveyResponse> = {},
): SurveyResponse {
  return surveyResponse({ response_id: id, team, score, responded_at: utc(answered), ...extra });
}

function engagement(id: string, team: string, period: string, score: number): EmployeePulse {
  return {
    source: 'pulse',
    response_id: id,
    team,
    period: utc(`${period} 00:00:00`),
    question_kind: 'engagement',
    score,
    scale_min: 1,
    scale_max: 5,
    ingested_at: utc('2025-07-01 00:00:00'),
  };
}

const created = utc('2025-06-10 09:00:00');
const contacts = [
  interaction({
    interaction_id: 'i1',
    team: 'billing',
    first_response_s: 60,
    resolution_s: 3600,
    resolved_first_contact: true,
  }),
  // no first_response_s: the timestamps give 120 s and 7200 s; the survey's "resolved" beats the flag
  interaction({
    interaction_id: 'i2',
    team: 'billing',
    first_response_at: plus(created, 120),
    resolved_at: plus(created, 7200),
    resolved_first_contact: false,
  }),
  interaction({ interaction_id: 'i3', team: 'billing', first_response_s: 600, resolution_s: 86_400 }),
  interaction({ interaction_id: 'i4', team: 'billing', first_response_s: 1200, resolved_first_contact: false }),
  // first response dated before the contact (clock skew): dropped; resolution 100 s kept
  interaction({ interaction_id: 'i6', team: 'billing', first_response_at: plus(created, -60), resolution_s: 100 }),
  // the same id in two sources: the survey from zendesk links to the zendesk contact (30 s)
  interaction({ interaction_id: 'i5', source: 'connect', first_response_s: 9999 }),
  interaction({ interaction_id: 'i5', source: 'zendesk', channel: 'email', first_response_s: 30 }),
];
const june = '2025-06-12 12:00:00';
const surveys = [
  csat('s1', 'billing', 5, june, { interaction_id: 'i1' }), // 100
  csat('s2', 'billing', 4, june, { interaction_id: 'i2', resolved: true }), // 75
  csat('s3', 'billing', 2, june, { interaction_id: 'i3', resolved: false }), // 25
  csat('s4', 'billing', 1, june, { interaction_id: 'i4' }), // 0
  csat('s6', 'billing', 3, june, { interaction_id: 'i6' }), // 50
  csat('s5', 'support', 5, june, { interaction_id: 'i5', source: 'zendesk' }), // 100
  csat('s7', 'sales', 3, june), // 50
  csat('s8', 'billing', 5, '2025-05-12 12:00:00'), // 100
  csat('s9', 'billing', 2, '2025-04-12 12:00:00'), // 25
  csat('s10', 'billing', 1, '2024-06-12 12:00:00'), // 0, thirteen months before June 2025
];
const pulse = [
  engagement('g1', 'billing', '2025-06-01', 3), // 50
  engagement('g2', 'support', '2025-06-01', 5), // 100
  engagement('g3', 'sales', '2025-06-01', 4), // 75
  engagement('g4', 'billing', '2025-05-01', 5), // 100
  engagement('g5', 'billing', '2025-04-01', 1), // 0
  engagement('g6', 'billing', '2024-06-01', 5), // 100
];

type Row = { correlation: number | null; n: number };

describe('drivers', () => {
  const rows = viewRows<Row>(
    'drivers',
    (lake) => {
      lake.write('interactions', contacts);
      lake.write('survey_responses', surveys);
      lake.write('employee_pulse', pulse);
    },
    (r) => `${r.period_start}|${r.dimension}|${r.dimension_value}|${r.driver}`,
  );
  const { row } = rows;

  it('parses as Trino SQL (Athena engine v3)', () => {
    expect(new TrinoSQL().validate(createViewSql('drivers'))).toEqual([]);
  });

  it('correlates CSAT with first response time over surveyed contacts', () => {
    // billing: (60, 100), (120, 75), (600, 25), (1200, 0); i6's negative time is dropped
    const billing = row('2025-06-01|team|billing|first_response_vs_csat');
    expect(billing.n).toBe(4);
    expect(billing.correlation).toBeCloseTo(
      pearson([
        [60, 100],
        [120, 75],
        [600, 25],
        [1200, 0],
      ]),
      9,
    );
    // overall adds s5 linked to the zendesk contact (30 s), not the connect one (9999 s)
    const overall = row('2025-06-01|overall|all|first_response_vs_csat');
    expect(overall.n).toBe(5);
    expect(overall.correlation).toBeCloseTo(
      pearson([
        [60, 100],
        [120, 75],
        [600, 25],
        [1200, 0],
        [30, 100],
      ]),
      9,
    );
  });

  it('correlates CSAT with resolution time and with FCR (survey answer first, then the flag)', () => {
    // resolution: (3600, 100), (7200, 75), (86400, 25), (100, 50); i4 has none
    expect(row('2025-06-01|team|billing|resolution_vs_csat').correlation).toBeCloseTo(
      pearson([
        [3600, 100],
        [7200, 75],
        [86_400, 25],
        [100, 50],
      ]),
      9,
    );
    // FCR: i1 flag 1 -> 100, s2 says resolved 1 -> 75, s3 says not 0 -> 25, i4 flag 0 -> 0; i6 unknown
    const fcr = row('2025-06-01|team|billing|fcr_vs_csat');
    expect(fcr.n).toBe(4);
    expect(fcr.correlation).toBeCloseTo(
      pearson([
        [1, 100],
        [1, 75],
        [0, 25],
        [0, 0],
      ]),
      9,
    );
  });

  it('correlates team engagement with team CSAT across teams, and within a team over 12 months', () => {
    // June team means (engagement, CSAT): billing (50, 50), support (100, 100), sales (75, 50)
    const overall = row('2025-06-01|overall|all|engagement_vs_csat');
    expect(overall.n).toBe(3);
    expect(overall.correlation).toBeCloseTo(
      pearson([
        [50, 50],
        [100, 100],
        [75, 50],
      ]),
      9,
    );
    // billing months: April (0, 25), May (100, 100), June (50, 50); June 2024 is outside the window
    const billing = row('2025-06-01|team|billing|engagement_vs_csat');
    expect(billing.n).toBe(3);
    expect(billing.correlation).toBeCloseTo(
      pearson([
        [0, 25],
        [100, 100],
        [50, 50],
      ]),
      9,
    );
  });

  it('shows n but no correlation under three pairs', () => {
    expect(row('2025-06-01|team|support|first_response_vs_csat')).toMatchObject({ correlation: null, n: 1 });
    // April 2025 window: June 2024 and April 2025 only
    expect(row('2025-04-01|team|billing|engagement_vs_csat')).toMatchObject({ correlation: null, n: 2 });
  });

  it('shows no correlation when one side does not vary', async () => {
    const flat = createTestLake();
    try {
      flat.write(
        'interactions',
        ['f1', 'f2', 'f3'].map((id, i) => interaction({ interaction_id: id, first_response_s: 60 * (i + 1) })),
      );
      flat.write(
        'survey_responses',
        ['f1', 'f2', 'f3'].map((id) => csat(`r-${id}`, 'billing', 4, june, { interaction_id: id })),
      );
      const other = await flat.engine();
      try {
        const [result] = await other.query(
          "SELECT correlation, n FROM drivers WHERE dimension = 'overall' AND driver = 'first_response_vs_csat'",
        );
        expect(result).toEqual({ correlation: null, n: 3 });
      } finally {
        await other.close();
      }
    } finally {
      flat.remove();
    }
  });
});
