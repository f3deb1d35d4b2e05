import { TrinoSQL } from 'dt-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerActivity, Interaction, SurveyResponse } from '../../lambdas/core/schema/canonical.ts';
import { createViewSql } from '../../sql/registry.ts';
import { createTestLake, interaction, surveyResponse, type TestLake, utc } from '../support/lake.ts';
import { wilson } from '../support/stats.ts';

interface RetentionRow {
  readonly period_start: string;
  readonly grain: string;
  readonly family: string;
  readonly segment: string;
  readonly is_reference: boolean;
  readonly customers: number;
  readonly customers_pending: number;
  readonly n: number;
  readonly churned: number;
  readonly churn_rate: number | null;
  readonly churn_ci_low: number | null;
  readonly churn_ci_high: number | null;
  readonly relative_risk: number | null;
  readonly rr_ci_low: number | null;
  readonly rr_ci_high: number | null;
  readonly low_sample: boolean;
  readonly risk_rank: number | null;
  readonly at_risk: number | null;
  readonly revenue: number | null;
  readonly revenue_customers: number;
  readonly at_risk_revenue: number | null;
  readonly horizon_days: number;
}

const Z95 = 1.959963984540054;

/** A customer of the shop: signed up in January, then the given events (amount null unless given). */
function activity(customer: string, ...list: [string, CustomerActivity['kind'], number?][]): CustomerActivity[] {
  return [['2025-01-10 08:00:00', 'signup'] as [string, CustomerActivity['kind'], number?], ...list].map(
    ([at, kind, amount], i) => ({
      source: 'shop',
      event_id: `${customer}-${i}`,
      customer_key: customer,
      event_at: utc(at),
      kind,
      amount: amount ?? null,
      ingested_at: utc('2025-10-01 00:00:00'),
    }),
  );
}

const answer = (customer: string, kind: 'nps' | 'csat', score: number, at = '2025-06-05 12:00:00'): SurveyResponse =>
  surveyResponse({
    response_id: `${customer}-${kind}-${score}-${at}`,
    customer_key: customer,
    survey_kind: kind,
    score,
    scale_min: kind === 'nps' ? 0 : 1,
    scale_max: kind === 'nps' ? 10 : 5,
    responded_at: utc(at),
  });

/** A queued call: answered by an agent (with the source's FCR flag) or abandoned. */
const call = (
  id: string,
  customer: string,
  outcome: 'answered' | 'abandoned',
  at = '2025-06-10 09:00:00',
): Interaction =>
  interaction({
    interaction_id: id,
    customer_key: customer,
    created_at: utc(at),
    queued_at: utc(at),
    queue_s: 60,
    ...(outcome === 'answered'
      ? { answered_at: utc(at), agent_id: 'A1', talk_s: 300, resolved_first_contact: true }
      : { is_abandoned: true }),
  });

/** A resolved help-desk ticket with the source's FCR flag and its resolution time. */
const ticket = (id: string, customer: string, resolvedFirstTime: boolean, resolutionS: number): Interaction =>
  interaction({
    interaction_id: id,
    source: 'zendesk',
    channel: 'email',
    customer_key: customer,
    agent_id: 'A2',
    status: 'resolved',
    resolution_s: resolutionS,
    resolved_first_contact: resolvedFirstTime,
  });

const surveys: SurveyResponse[] = [
  // NPS in June: four promoters, one passive, four detractors (d4 answered 10 and 3: a detractor).
  ...['p1', 'p2', 'p3', 'p4'].map((c) => answer(c, 'nps', 10)),
  answer('q1', 'nps', 8),
  ...['d1', 'd2', 'd3', 'd4'].map((c) => answer(c, 'nps', 3)),
  answer('d4', 'nps', 10, '2025-06-03 12:00:00'),
  // CSAT 1-5 in June: top box (4-5) c1, c2; not top box c3, c4, c7; c5 had left before, c6 is
  // unknown to the shop: neither is counted.
  answer('c1', 'csat', 5),
  answer('c2', 'csat', 4),
  answer('c3', 'csat', 2),
  answer('c4', 'csat', 1),
  answer('c7', 'csat', 3),
  answer('c5', 'csat', 2),
  answer('c6', 'csat', 1),
  // August: w1's window (to 29 November) has not elapsed; w2 has already cancelled.
  answer('w1', 'csat', 5, '2025-08-10 12:00:00'),
  answer('w2', 'csat', 5, '2025-08-10 12:00:00'),
];

const contacts: Interaction[] = [
  call('k1', 'a1', 'abandoned'),
  call('k2', 'a2', 'answered'),
  call('k3', 'a2', 'abandoned', '2025-06-12 09:00:00'), // a2's worst call was abandoned
  call('k4', 'a3', 'answered'),
  ticket('t1', 'f1', false, 7200), // over the 3600 s target
  ticket('t2', 'f2', false, 1800),
  ticket('t3', 'f3', true, 600),
];

// June ends 2025-07-01 00:00; 90 days later is 2025-09-29 00:00.
const events: CustomerActivity[] = [
  ...activity('p1', ['2025-03-01 10:00:00', 'order', 100], ['2025-08-01 10:00:00', 'cancellation']),
  // 999 on 15 June 2024 is before the twelve months to June's end; 50 is inside
  ...activity('p2', ['2024-06-15 10:00:00', 'order', 999], ['2025-06-10 10:00:00', 'order', 50]),
  ...activity('p3', ['2025-04-01 10:00:00', 'order']), // amount unknown
  ...activity('p4'),
  ...activity('q1'),
  ...activity('d1', ['2025-02-02 10:00:00', 'order', 30], ['2025-07-15 10:00:00', 'cancellation']),
  ...activity('d2', ['2025-08-20 10:00:00', 'cancellation']),
  ...activity('d3', ['2025-05-05 10:00:00', 'order', 40]),
  ...activity('d4', ['2025-07-05 10:00:00', 'order', 70]), // after June's end: not June's revenue
  ...activity('c1', ['2025-09-29 00:00:00', 'cancellation']), // exactly 90 days after June: churned
  ...activity('c2', ['2025-09-30 00:00:00', 'cancellation']), // a day later: retained; the newest event
  ...activity('c3'),
  ...activity('c4', ['2025-06-20 10:00:00', 'cancellation']), // within June, after the answer: churned
  ...activity('c7'),
  ...activity('c5', ['2025-05-01 10:00:00', 'cancellation']),
  ...activity('a1', ['2025-07-02 10:00:00', 'cancellation']),
  ...activity('a2'),
  ...activity('a3', ['2025-07-10 10:00:00', 'cancellation']),
  ...activity('f1', ['2025-08-05 10:00:00', 'cancellation']),
  ...activity('f2'),
  ...activity('f3'),
  ...activity('w1'),
  ...activity('w2', ['2025-09-15 10:00:00', 'cancellation']),
];

const CONFIG = {
  metrics: { minSample: 3 },
  targets: [{ metric: 'resolution_median_s', scope: 'overall', goal: 3600 }],
};

async function retentionRows(lake: TestLake, config: unknown): Promise<Map<string, RetentionRow>> {
  const engine = await lake.engine(config);
  try {
    const rows = await engine.query<RetentionRow>('SELECT * FROM service_retention');
    return new Map(rows.map((r) => [`${r.grain}|${r.period_start}|${r.family}|${r.segment}`, r]));
  } finally {
    await engine.close();
  }
}

describe('service_retention', () => {
  let lake: TestLake;
  let rows = new Map<string, RetentionRow>();
  const row = (key: string): RetentionRow => {
    const found = rows.get(key);
    if (!found) throw new Error(`no row ${key}; rows: ${[...rows.keys()].join(', ')}`);
    return found;
  };
  const june = (family: string, segment: string) => row(`month|2025-06-01|${family}|${segment}`);

  beforeAll(async () => {
    lake = createTestLake();
    lake.write('survey_responses', surveys);
    lake.write('interactions', contacts);
    lake.write('customer_activity', events);
    rows = await retentionRows(lake, CONFIG);
  });
  afterAll(() => lake.remove());

  it('parses as Trino SQL (Athena engine v3)', () => {
    expect(new TrinoSQL().validate(createViewSql('service_retention'))).toEqual([]);
  });

  it('puts each customer in the worst experience of each family and counts churn within the window', () => {
    const detractors = june('nps', 'detractor');
    // d1..d4 (d4 also answered 10); d1 cancelled 15 July, d2 20 August
    expect(detractors).toMatchObject({ customers: 4, customers_pending: 0, n: 4, churned: 2, is_reference: false });
    expect(detractors.churn_rate).toBeCloseTo(50, 9);
    const { low, high } = wilson(2, 4);
    expect(detractors.churn_ci_low).toBeCloseTo(low, 9);
    expect(detractors.churn_ci_high).toBeCloseTo(high, 9);
    expect(june('nps', 'promoter')).toMatchObject({ customers: 4, n: 4, churned: 1, is_reference: true });
    expect(june('nps', 'promoter').churn_rate).toBeCloseTo(25, 9);
    // a2 had an answered call and an abandoned one: an abandoner
    expect(june('abandonment', 'abandoned')).toMatchObject({ customers: 2, churned: 1 });
    expect(june('abandonment', 'not_abandoned')).toMatchObject({ customers: 1, churned: 1 });
    // FCR from the source flags: a2, a3, f3 resolved first time (a3 churned); f1, f2 not (f1 churned)
    expect(june('first_contact_resolution', 'resolved_first_time')).toMatchObject({ customers: 3, churned: 1 });
    expect(june('first_contact_resolution', 'not_resolved_first_time')).toMatchObject({ customers: 2, churned: 1 });
    // resolution against the 3600 s target: f1 above (churned), f2 and f3 within
    expect(june('resolution_time', 'above_target')).toMatchObject({ customers: 1, churned: 1, at_risk: 0 });
    expect(june('resolution_time', 'within_target')).toMatchObject({ customers: 2, churned: 0 });
  });

  it('counts a cancellation at exactly N days after the period as churn, a day later as retained', () => {
    // c1 cancels 2025-09-29 00:00 (in), c2 2025-09-30 00:00 (out)
    expect(june('csat', 'top_box')).toMatchObject({ customers: 2, n: 2, churned: 1 });
    // c3, c4 (cancelled within June after answering), c7; c5 had cancelled before June and c6 is
    // unknown to the activity source, so neither is counted
    expect(june('csat', 'not_top_box')).toMatchObject({ customers: 3, n: 3, churned: 1, at_risk: 2 });
  });

  it('leaves a customer whose window has not elapsed pending, never retained', () => {
    // August's window ends 2025-11-29; the activity data ends 2025-09-30. w2 cancelled on 15
    // September (known churn); w1 is pending.
    const august = row('month|2025-08-01|csat|top_box');
    expect(august).toMatchObject({ customers: 2, customers_pending: 1, n: 1, churned: 1 });
    expect(august.churn_rate).toBeCloseTo(100, 9);
  });

  it('computes the relative risk against the best segment with the Katz log interval', () => {
    // detractors 2/4 against promoters 1/4: RR = 0.5 / 0.25 = 2;
    // se(ln RR) = sqrt(1/2 - 1/4 + 1/1 - 1/4) = sqrt(1) = 1; 95%: 2 * exp(-+1.959964) = 0.28173, 14.1986
    const detractors = june('nps', 'detractor');
    expect(detractors.relative_risk).toBeCloseTo(2, 9);
    expect(detractors.rr_ci_low).toBeCloseTo(2 * Math.exp(-Z95), 9);
    expect(detractors.rr_ci_low).toBeCloseTo(0.28173, 4);
    expect(detractors.rr_ci_high).toBeCloseTo(14.1986, 3);
    // not top box 1/3 against top box 1/2: RR = 2/3; se = sqrt(1 - 1/3 + 1 - 1/2) = sqrt(7/6) = 1.080123
    const unhappy = june('csat', 'not_top_box');
    expect(unhappy.relative_risk).toBeCloseTo(2 / 3, 9);
    expect(unhappy.rr_ci_low).toBeCloseTo((2 / 3) * Math.exp(-Z95 * Math.sqrt(7 / 6)), 9);
    expect(unhappy.rr_ci_high).toBeCloseTo((2 / 3) * Math.exp(Z95 * Math.sqrt(7 / 6)), 9);
    // not resolved first time 1/2 against resolved 1/3: RR = 1.5; se = sqrt(1 - 1/2 + 1 - 1/3)
    const repeat = june('first_contact_resolution', 'not_resolved_first_time');
    expect(repeat.relative_risk).toBeCloseTo(1.5, 9);
    expect(repeat.rr_ci_high).toBeCloseTo(1.5 * Math.exp(Z95 * Math.sqrt(7 / 6)), 9);
    // abandoned 1/2 against not abandoned 1/1: RR = 0.5; se = sqrt(1 - 1/2 + 1 - 1) = sqrt(1/2)
    expect(june('abandonment', 'abandoned').rr_ci_low).toBeCloseTo(0.5 * Math.exp(-Z95 * Math.sqrt(0.5)), 9);
    // the reference is 1 with no interval
    expect(june('nps', 'promoter')).toMatchObject({ relative_risk: 1, rr_ci_low: null, rr_ci_high: null });
  });

  it('gives no relative risk when the reference has no churn, and 0 without an interval when the segment has none', () => {
    // within target 0/2: the ratio and its interval are undefined
    expect(june('resolution_time', 'above_target')).toMatchObject({
      relative_risk: null,
      rr_ci_low: null,
      rr_ci_high: null,
    });
    // passive 0/1 against promoters 1/4: RR 0, ln 0 has no interval
    expect(june('nps', 'passive')).toMatchObject({ relative_risk: 0, rr_ci_low: null, rr_ci_high: null });
  });

  it('flags segments below the minimum sample and ranks only the others', () => {
    expect(june('nps', 'passive')).toMatchObject({ low_sample: true, risk_rank: null, at_risk: 1 });
    expect(june('nps', 'detractor')).toMatchObject({ low_sample: false, risk_rank: 1 });
    expect(june('nps', 'promoter')).toMatchObject({ low_sample: false, risk_rank: 2, at_risk: null });
    // top box has 2 customers with a known outcome (< 3): shown, not ranked
    expect(june('csat', 'top_box')).toMatchObject({ low_sample: true, risk_rank: null });
    expect(june('csat', 'not_top_box')).toMatchObject({ low_sample: false, risk_rank: 1 });
  });

  it('sums known amounts over the twelve months to the period end, NULL when none is known', () => {
    // promoters: p1 100 + p2 50 (p2's 999 is from June 2024, p3's amount unknown, p4 none)
    expect(june('nps', 'promoter')).toMatchObject({ revenue: 150, revenue_customers: 2, at_risk_revenue: null });
    // detractors: d1 30 + d3 40 (d4's 70 is from July); at risk d3, d4: 40
    expect(june('nps', 'detractor')).toMatchObject({ revenue: 70, revenue_customers: 2, at_risk_revenue: 40 });
    expect(june('nps', 'passive')).toMatchObject({ revenue: null, revenue_customers: 0, at_risk_revenue: null });
    // the week of 2 June ends 9 June: p1 100 + p2's 999 of 15 June 2024 (p2's 50 of 10 June is later)
    expect(row('week|2025-06-02|nps|promoter')).toMatchObject({ revenue: 1099, churned: 1, horizon_days: 90 });
  });

  it('reads the follow-up window from the config', async () => {
    // 91 days after June ends on 2025-09-30 00:00: c2's cancellation is churn too
    const longer = await retentionRows(lake, { ...CONFIG, retention: { horizonDays: 91 } });
    expect(longer.get('month|2025-06-01|csat|top_box')).toMatchObject({ n: 2, churned: 2, horizon_days: 91 });
  });
});
