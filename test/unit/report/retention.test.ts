import { describe, expect, it } from 'vitest';
import { parseConfig, retentionHorizonDays } from '../../../lambdas/core/config/config.ts';
import { DEFAULTS } from '../../../lambdas/core/config/defaults.ts';
import { referenceTables } from '../../../lambdas/core/reference/tables.ts';
import { parsePeriod } from '../../../lambdas/core/time/periods.ts';
import { buildReportData } from '../../../lambdas/report/data.ts';
import { renderHtml } from '../../../lambdas/report/html.ts';
import {
  queryRetention,
  type RetentionSegment,
  retentionFacts,
  retentionSection,
} from '../../../lambdas/report/retention.ts';
import { emptyReportEngine } from '../../support/report.ts';

const config = parseConfig({});
const OPTIONS = { horizonDays: 90, minSample: 30 };
const JUNE = parsePeriod('2025-06', 'month');

function segment(partial: Partial<RetentionSegment> & Pick<RetentionSegment, 'family' | 'segment'>): RetentionSegment {
  return {
    period_start: '2025-06-01',
    is_reference: false,
    customers: 100,
    customers_pending: 0,
    n: 100,
    churned: 10,
    churn_rate: 10,
    churn_ci_low: 5.5,
    churn_ci_high: 17.4,
    relative_risk: null,
    rr_ci_low: null,
    rr_ci_high: null,
    low_sample: false,
    at_risk: null,
    revenue: null,
    revenue_customers: 0,
    at_risk_revenue: null,
    horizon_days: 90,
    ...partial,
  };
}

const promoters = segment({ family: 'nps', segment: 'promoter', is_reference: true, relative_risk: 1, revenue: 52000 });
const detractors = segment({
  family: 'nps',
  segment: 'detractor',
  customers: 80,
  n: 80,
  churned: 20,
  churn_rate: 25,
  relative_risk: 2.5,
  rr_ci_low: 1.25,
  rr_ci_high: 4.6,
  at_risk: 60,
  revenue: 48000,
  revenue_customers: 70,
  at_risk_revenue: 41000.4,
});
const resolvedFirstTime = segment({
  family: 'first_contact_resolution',
  segment: 'resolved_first_time',
  is_reference: true,
  relative_risk: 1,
});
const notResolved = segment({
  family: 'first_contact_resolution',
  segment: 'not_resolved_first_time',
  relative_risk: 3,
  rr_ci_low: 0.9,
  rr_ci_high: 9.8,
  at_risk: 12,
});
const CAVEATS =
  'An association, not proof: customers about to leave may also complain more. Segments with fewer than 30 customers whose outcome is known are shown but not ranked.';

describe('retention.horizonDays', () => {
  it('defaults to 90 days and reaches the views through the retention_options reference table', () => {
    expect(DEFAULTS.retentionHorizonDays).toBe(90);
    expect(retentionHorizonDays(config)).toBe(90);
    const custom = parseConfig({ retention: { horizonDays: 30 } });
    expect(retentionHorizonDays(custom)).toBe(30);
    expect(referenceTables(custom).find((t) => t.name === 'retention_options')?.rows).toEqual([
      { name: 'horizon_days', value: 30 },
    ]);
  });

  it('fails when the horizon is not a positive whole number of days', () => {
    expect(() => parseConfig({ retention: { horizonDays: 0 } })).toThrow(/retention\.horizonDays/);
    expect(() => parseConfig({ retention: { horizonDays: 7.5 } })).toThrow(/retention\.horizonDays/);
  });
});

describe('retentionFacts', () => {
  it('leads with the largest relative risk whose interval lies above 1, then the customers and revenue at risk', () => {
    // FCR's 3.0× is larger but its interval (0.9–9.8) includes 1: the detractors' 2.5× leads
    const facts = retentionFacts([notResolved, detractors, resolvedFirstTime, promoters], JUNE, OPTIONS);
    expect(facts.families.map((f) => f.definition.id)).toEqual(['nps', 'first_contact_resolution']);
    expect(facts.families[0]?.segments.map((s) => s.segment)).toEqual(['promoter', 'detractor']);
    expect(facts.summary).toEqual([
      'Detractors in June 2025 churned 2.5× as often within 90 days as promoters (95% interval 1.3–4.6).',
      "60 of them have not left yet: 41,000 of revenue over the last twelve months is at risk (amounts known for 70 of the segment's 80 customers).",
      CAVEATS,
    ]);
  });

  it('says a difference within chance is within chance', () => {
    const facts = retentionFacts([notResolved, resolvedFirstTime], JUNE, OPTIONS);
    expect(facts.summary).toEqual([
      'No experience segment of June 2025 churned clearly more often within 90 days than its best: the largest difference, customers whose issue was not resolved first time at 3.0× the churn of those resolved first time, is within chance (95% interval 0.9–9.8).',
      CAVEATS,
    ]);
  });

  it('shows the latest period whose follow-up has passed for every customer', () => {
    // June and April still have customers pending; March is the latest fully followed month
    const rows = [
      { ...detractors, customers_pending: 30 },
      { ...promoters, period_start: '2025-04-01', customers_pending: 1 },
      { ...promoters, period_start: '2025-03-01' },
      { ...detractors, period_start: '2025-03-01' },
      { ...promoters, period_start: '2025-02-01', relative_risk: 9 },
    ];
    const facts = retentionFacts(rows, JUNE, OPTIONS);
    expect(facts.period?.label).toBe('March 2025');
    expect(facts.families[0]?.segments).toEqual([rows[2], rows[3]]);
    expect(facts.summary[0]).toBe(
      'Detractors in March 2025 churned 2.5× as often within 90 days as promoters (95% interval 1.3–4.6).',
    );
    const none = retentionFacts([{ ...detractors, customers_pending: 3 }], JUNE, OPTIONS);
    expect(none).toMatchObject({ period: null, families: [] });
    expect(none.summary).toEqual([
      'No month up to June 2025 has had its 90 days of follow-up pass yet, so its churn is not known.',
    ]);
  });

  it('ranks no comparison with a low-sample side, and says when nothing can be compared', () => {
    const small = { ...detractors, low_sample: true, n: 12 };
    const facts = retentionFacts([promoters, small], JUNE, OPTIONS);
    expect(facts.summary[0]).toBe(
      'Too few customers of June 2025 have a known outcome to compare churn between experiences: every family has a segment with fewer than 30 customers followed for 90 days.',
    );
    expect(retentionFacts([], JUNE, OPTIONS).summary).toEqual([
      'No customer with a contact or survey answer up to June 2025 could be followed: churn by experience needs customer activity (signups, renewals, cancellations) under the same customer key as the contacts.',
    ]);
  });

  it('says so when the revenue of the customers at risk is unknown', () => {
    const noAmounts = { ...detractors, at_risk_revenue: null, revenue: null, revenue_customers: 0 };
    expect(retentionFacts([promoters, noAmounts], JUNE, OPTIONS).summary[1]).toBe(
      '60 of them have not left yet; their revenue is not known.',
    );
  });
});

describe('retentionSection', () => {
  it('renders one table per family, flags low samples, marks the reference and leaves unknown revenue unknown', () => {
    const passives = segment({
      family: 'nps',
      segment: 'passive',
      customers: 9,
      n: 9,
      churned: 1,
      churn_rate: 11.1,
      low_sample: true,
      relative_risk: 1.1,
      rr_ci_low: 0.2,
      rr_ci_high: 7.4,
      at_risk: 8,
    });
    const html = retentionSection(retentionFacts([promoters, passives, detractors], JUNE, OPTIONS));
    expect(html).toContain('<h2 id="h-retention">What service is worth</h2>');
    expect(html.match(/<table/g)).toHaveLength(1);
    expect(html).toContain(
      '<tr><th scope="row">Promoters (9–10)</th><td>100</td><td>10 / 100</td><td>10.0% <span class="muted">(5.5%–17.4%)</span></td><td><span class="muted">reference</span></td><td>—</td><td>52,000</td></tr>',
    );
    expect(html).toContain(
      '<tr class="low-sample"><th scope="row">Passives (7–8) <span class="flag" title="fewer customers than the minimum sample: not ranked">low n</span></th><td>9</td><td>1 / 9</td><td>11.1% <span class="muted">(5.5%–17.4%)</span></td><td>1.1× <span class="muted">(0.2–7.4)</span></td><td>8</td><td><span class="muted">unknown</span></td></tr>',
    );
  });

  it('says the page was not read when the report did not read it', () => {
    expect(retentionSection(null)).toContain('Churn by experience was not read for this report.');
  });
});

describe('the report reads churn by experience when it shows the page', () => {
  const period = parsePeriod('2025-06', 'month');

  it('reads the period of service_retention from its period table and renders it in the report', async () => {
    const engine = await emptyReportEngine();
    try {
      // The view's period table as a refresh leaves it, holding June and May rows.
      await engine.exec(`INSERT INTO service_retention_by_period (period_start, grain, family, segment, is_reference,
          customers, customers_pending, n, churned, churn_rate, churn_ci_low, churn_ci_high, relative_risk, rr_ci_low,
          rr_ci_high, low_sample, at_risk, revenue, revenue_customers, at_risk_revenue, horizon_days)
        SELECT * FROM (VALUES
          (DATE '2025-06-01', 'month', 'nps', 'promoter', true, 100, 0, 100, 10, 10.0, 5.5, 17.4, 1.0, NULL, NULL, false, NULL, 52000.0, 80, NULL, 90),
          (DATE '2025-06-01', 'month', 'nps', 'detractor', false, 80, 0, 80, 20, 25.0, 16.8, 35.5, 2.5, 1.25, 4.6, false, 60, 48000.0, 70, 41000.4, 90),
          (DATE '2025-05-01', 'month', 'nps', 'detractor', false, 5, 0, 5, 5, 100.0, 56.6, 100.0, NULL, NULL, NULL, true, 0, NULL, 0, NULL, 90)
        ) AS t (period_start, grain, family, segment, is_reference, customers, customers_pending, n, churned,
          churn_rate, churn_ci_low, churn_ci_high, relative_risk, rr_ci_low, rr_ci_high, low_sample, at_risk,
          revenue, revenue_customers, at_risk_revenue, horizon_days)`);
      const rows = await queryRetention(engine, period);
      // June and the months before it, latest first, then by family and segment id
      expect(rows.map((r) => `${r.period_start} ${r.segment}`)).toEqual([
        '2025-06-01 detractor',
        '2025-06-01 promoter',
        '2025-05-01 detractor',
      ]);
      expect(rows.slice(0, 2)).toEqual([
        segment({ ...detractors, churn_ci_low: 16.8, churn_ci_high: 35.5 }),
        segment({ ...promoters, revenue_customers: 80 }),
      ]);
      const may = await queryRetention(engine, parsePeriod('2025-05', 'month'));
      expect(may.map((r) => r.period_start)).toEqual(['2025-05-01']);
      const asked = await buildReportData(engine, {
        period: parsePeriod('2025-06'),
        config,
        sections: ['retention'],
      });
      expect(asked.retention?.summary[0]).toBe(
        'Detractors in June 2025 churned 2.5× as often within 90 days as promoters (95% interval 1.3–4.6).',
      );
      const html = renderHtml(asked, { sections: ['retention'] });
      expect(html).toContain('Detractors in June 2025 churned 2.5×');
      const byDefault = await buildReportData(engine, { period: parsePeriod('2025-06'), config });
      expect(byDefault.retention?.summary).toEqual(asked.retention?.summary);
      const without = await buildReportData(engine, { period: parsePeriod('2025-06'), config, sections: ['kpis'] });
      expect(without.retention).toBeNull();
    } finally {
      await engine.close();
    }
  });
});
