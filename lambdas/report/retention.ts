/**
 * The report page "What service is worth": churn by experience from the service_retention view (read
 * from its period table service_retention_by_period, which the refresh writes),
 * said in two or three plain sentences generated from the numbers, then one compact table per
 * family. Reading, deriving and rendering of the page live here; the report's shared modules only
 * call in.
 */
import type { QueryEngine, SqlValue } from '../core/query/engine.ts';
import { periodStarting, type ReportPeriod } from '../core/time/periods.ts';
import { escapeHtml } from './escape.ts';
import { formatValue } from './format.ts';

/** The page's heading (the report's section `retention`). */
export const RETENTION_HEADING = 'What service is worth';

/** One experience family of service_retention: its segments from the best (the reference) to the worst. */
export interface RetentionFamilyDefinition {
  readonly id: string;
  readonly label: string;
  readonly segments: readonly { readonly id: string; readonly label: string }[];
  /** Who the worst segment is, as the subject of a sentence. */
  readonly worse: string;
  /** Who the best segment is, after "as often as". */
  readonly better: string;
}

/** The families in the order the page shows them; segment ids and their order as the view defines them. */
export const RETENTION_FAMILIES: readonly RetentionFamilyDefinition[] = [
  {
    id: 'nps',
    label: 'NPS group',
    segments: [
      { id: 'promoter', label: 'Promoters (9–10)' },
      { id: 'passive', label: 'Passives (7–8)' },
      { id: 'detractor', label: 'Detractors (0–6)' },
    ],
    worse: 'Detractors',
    better: 'promoters',
  },
  {
    id: 'csat',
    label: 'CSAT',
    segments: [
      { id: 'top_box', label: 'Top box' },
      { id: 'not_top_box', label: 'Below the top box' },
    ],
    worse: 'Customers who rated a contact below the top box',
    better: 'those who rated every contact in it',
  },
  {
    id: 'abandonment',
    label: 'Abandoned calls',
    segments: [
      { id: 'not_abandoned', label: 'No abandoned call' },
      { id: 'abandoned', label: 'Abandoned a call' },
    ],
    worse: 'Customers who abandoned a call',
    better: 'those who reached an agent every time',
  },
  {
    id: 'first_contact_resolution',
    label: 'First-contact resolution',
    segments: [
      { id: 'resolved_first_time', label: 'Resolved first time' },
      { id: 'not_resolved_first_time', label: 'Not resolved first time' },
    ],
    worse: 'Customers whose issue was not resolved first time',
    better: 'those resolved first time',
  },
  {
    id: 'resolution_time',
    label: 'Resolution time',
    segments: [
      { id: 'within_target', label: 'Within the target' },
      { id: 'above_target', label: 'Above the target' },
    ],
    worse: 'Customers whose resolution took longer than the target',
    better: 'those resolved within it',
  },
];

/** One row of service_retention, as the page reads it. */
export interface RetentionSegment {
  /** First day of the period (YYYY-MM-DD). */
  readonly period_start: string;
  readonly family: string;
  readonly segment: string;
  readonly is_reference: boolean;
  readonly customers: number;
  readonly customers_pending: number;
  /** Customers whose outcome is known (churned, or their window elapsed). */
  readonly n: number;
  readonly churned: number;
  readonly churn_rate: number | null;
  readonly churn_ci_low: number | null;
  readonly churn_ci_high: number | null;
  readonly relative_risk: number | null;
  readonly rr_ci_low: number | null;
  readonly rr_ci_high: number | null;
  readonly low_sample: boolean;
  readonly at_risk: number | null;
  readonly revenue: number | null;
  readonly revenue_customers: number;
  readonly at_risk_revenue: number | null;
  readonly horizon_days: number;
}

export interface RetentionFamily {
  readonly definition: RetentionFamilyDefinition;
  /** The family's segments with customers, best first. */
  readonly segments: readonly RetentionSegment[];
}

/** What the page shows for one period. */
export interface RetentionFacts {
  /**
   * The period followed: the latest up to the reported one whose follow-up window has passed for
   * every customer (a recent period's churn is not known yet); null when none has.
   */
  readonly period: ReportPeriod | null;
  readonly horizonDays: number;
  readonly minSample: number;
  /** Families with at least one segment, in RETENTION_FAMILIES order. */
  readonly families: readonly RetentionFamily[];
  /** The plain-words summary, sentence by sentence. */
  readonly summary: readonly string[];
}

/**
 * The rows of service_retention of the reported period and the ones before it, latest first: one
 * small partition of service_retention_by_period per earlier period of the grain.
 */
export async function queryRetention(engine: QueryEngine, period: ReportPeriod): Promise<RetentionSegment[]> {
  const raw = await engine.query(
    `SELECT CAST(period_start AS VARCHAR) AS period_start, family, segment, is_reference, customers, customers_pending, n, churned, churn_rate, churn_ci_low,
       churn_ci_high, relative_risk, rr_ci_low, rr_ci_high, low_sample, at_risk, revenue, revenue_customers,
       at_risk_revenue, horizon_days
     FROM service_retention_by_period
     WHERE grain = :grain AND period_start <= CAST(:period_start AS DATE)
     ORDER BY period_start DESC, family, segment`,
    { grain: period.grain, period_start: period.start },
  );
  return raw.map((r) => ({
    period_start: String(r.period_start),
    family: String(r.family),
    segment: String(r.segment),
    is_reference: flag(r.is_reference),
    customers: Number(r.customers),
    customers_pending: Number(r.customers_pending),
    n: Number(r.n),
    churned: Number(r.churned),
    churn_rate: numberOrNull(r.churn_rate),
    churn_ci_low: numberOrNull(r.churn_ci_low),
    churn_ci_high: numberOrNull(r.churn_ci_high),
    relative_risk: numberOrNull(r.relative_risk),
    rr_ci_low: numberOrNull(r.rr_ci_low),
    rr_ci_high: numberOrNull(r.rr_ci_high),
    low_sample: flag(r.low_sample),
    at_risk: numberOrNull(r.at_risk),
    revenue: numberOrNull(r.revenue),
    revenue_customers: Number(r.revenue_customers),
    at_risk_revenue: numberOrNull(r.at_risk_revenue),
    horizon_days: Number(r.horizon_days),
  }));
}

/**
 * Picks the period to show (the latest up to the reported one with no customer pending), groups its
 * rows by family and writes the summary. The headline compares the worst segment of a family with
 * its best, both with enough customers: the largest relative risk whose interval lies wholly above
 * 1, else the largest one, said to be within chance.
 */
export function retentionFacts(
  allRows: readonly RetentionSegment[],
  reported: ReportPeriod,
  options: { readonly horizonDays: number; readonly minSample: number },
): RetentionFacts {
  const starts = [...new Set(allRows.map((r) => r.period_start))].sort().reverse();
  const start = starts.find((p) => allRows.every((r) => r.period_start !== p || r.customers_pending === 0));
  if (start === undefined) {
    return {
      ...options,
      period: null,
      families: [],
      summary: [
        allRows.length === 0
          ? `No customer with a contact or survey answer up to ${reported.label} could be followed: churn by experience needs customer activity (signups, renewals, cancellations) under the same customer key as the contacts.`
          : `No ${reported.grain} up to ${reported.label} has had its ${options.horizonDays} days of follow-up pass yet, so its churn is not known.`,
      ],
    };
  }
  const period = periodStarting(reported, start);
  const rows = allRows.filter((r) => r.period_start === start);
  const families = RETENTION_FAMILIES.map((definition) => ({
    definition,
    segments: definition.segments
      .map((s) => rows.find((r) => r.family === definition.id && r.segment === s.id))
      .filter((r): r is RetentionSegment => r !== undefined),
  })).filter((f) => f.segments.length > 0);
  return { ...options, period, families, summary: summarise(families, period.label, options) };
}

interface Comparison {
  readonly family: RetentionFamily;
  readonly worst: RetentionSegment;
  readonly reference: RetentionSegment;
  readonly rr: number;
}

function summarise(
  families: readonly RetentionFamily[],
  periodLabel: string,
  options: { readonly horizonDays: number; readonly minSample: number },
): string[] {
  const days = `${options.horizonDays} days`;
  const comparisons: Comparison[] = [];
  for (const family of families) {
    const worstId = family.definition.segments.at(-1)?.id;
    const worst = family.segments.find((s) => s.segment === worstId);
    const reference = family.segments.find((s) => s.is_reference);
    if (!worst || !reference || worst.low_sample || reference.low_sample || worst.relative_risk === null) continue;
    comparisons.push({ family, worst, reference, rr: worst.relative_risk });
  }
  const byRisk = [...comparisons].sort((a, b) => b.rr - a.rr);
  const significant = byRisk.find((c) => c.worst.rr_ci_low !== null && c.worst.rr_ci_low > 1);
  const sentences: string[] = [];
  if (significant) {
    const { family, worst } = significant;
    sentences.push(
      `${family.definition.worse} in ${periodLabel} churned ${times(worst.relative_risk)} as often within ${days} as ${family.definition.better} (95% interval ${interval(worst)}).`,
    );
    sentences.push(atRiskSentence(worst));
  } else if (byRisk[0]) {
    const { family, worst } = byRisk[0];
    sentences.push(
      `No experience segment of ${periodLabel} churned clearly more often within ${days} than its best: the largest difference, ${family.definition.worse.toLowerCase()} at ${times(worst.relative_risk)} the churn of ${family.definition.better}, is within chance (95% interval ${interval(worst)}).`,
    );
  } else {
    sentences.push(
      `Too few customers of ${periodLabel} have a known outcome to compare churn between experiences: every family has a segment with fewer than ${options.minSample} customers followed for ${days}.`,
    );
  }
  sentences.push(
    `An association, not proof: customers about to leave may also complain more. Segments with fewer than ${options.minSample} customers whose outcome is known are shown but not ranked.`,
  );
  return sentences;
}

function atRiskSentence(worst: RetentionSegment): string {
  const atRisk = worst.at_risk ?? 0;
  const customers = `${count(atRisk)} of them ${atRisk === 1 ? 'has' : 'have'} not left yet`;
  if (worst.at_risk_revenue === null) return `${customers}; their revenue is not known.`;
  return `${customers}: ${money(worst.at_risk_revenue)} of revenue over the last twelve months is at risk (amounts known for ${count(worst.revenue_customers)} of the segment's ${count(worst.customers)} customers).`;
}

/** The page: the summary, then one table per family. */
export function retentionSection(facts: RetentionFacts | null, headingId = 'h-retention'): string {
  const open = `<section id="retention" aria-labelledby="${headingId}">
  <h2 id="${headingId}">${RETENTION_HEADING}</h2>`;
  if (facts === null) {
    return `${open}
  <p class="nodata-note" role="note"><span class="nodata-tag">Not read</span> Churn by experience was not read for this report.</p>
</section>`;
  }
  const summary = facts.summary.map((s) => `<p class="retention-summary">${escapeHtml(s)}</p>`).join('\n  ');
  const followed =
    facts.period === null
      ? ''
      : `${escapeHtml(facts.period.label)} is the latest ${facts.period.grain} whose ${facts.horizonDays} days of follow-up have passed. `;
  const lede = `<p class="section-lede">${followed}Customers with a contact or survey answer in the period, by their worst experience in each family; churn = a cancellation within ${facts.horizonDays} days after the period. Relative risk compares each segment with the family's best (95% interval by the log method). Revenue is the sum of known amounts over the last twelve months.</p>`;
  const tables = facts.families.map(familyTable).join('\n');
  return `${open}
  ${summary}
  ${lede}
  <div class="retention-families">
${tables}
  </div>
</section>`;
}

function familyTable(family: RetentionFamily): string {
  const rows = family.segments
    .map((s) => {
      const label = family.definition.segments.find((d) => d.id === s.segment)?.label ?? s.segment;
      const small = s.low_sample
        ? ' <span class="flag" title="fewer customers than the minimum sample: not ranked">low n</span>'
        : '';
      const rate =
        s.churn_rate === null
          ? '<span class="muted">not yet known</span>'
          : `${escapeHtml(formatValue(s.churn_rate, 'pct'))} <span class="muted">(${escapeHtml(formatValue(s.churn_ci_low, 'pct'))}–${escapeHtml(formatValue(s.churn_ci_high, 'pct'))})</span>`;
      const rr = s.is_reference
        ? '<span class="muted">reference</span>'
        : s.relative_risk === null
          ? '—'
          : `${times(s.relative_risk)}${s.rr_ci_low === null ? '' : ` <span class="muted">(${interval(s)})</span>`}`;
      return `<tr${s.low_sample ? ' class="low-sample"' : ''}><th scope="row">${escapeHtml(label)}${small}</th><td>${count(s.customers)}</td><td>${count(s.churned)} / ${count(s.n)}</td><td>${rate}</td><td>${rr}</td><td>${s.at_risk === null ? '—' : count(s.at_risk)}</td><td>${s.revenue === null ? '<span class="muted">unknown</span>' : money(s.revenue)}</td></tr>`;
    })
    .join('\n');
  return `<div class="retention-family">
  <h3>${escapeHtml(family.definition.label)}</h3>
  <div class="table-wrap"><table class="grid"><thead><tr><th scope="col">Segment</th><th scope="col">Customers</th><th scope="col">Churned / known</th><th scope="col">Churn (95% interval)</th><th scope="col">Relative risk</th><th scope="col">At risk</th><th scope="col">Revenue, 12 months</th></tr></thead><tbody>
${rows}
  </tbody></table></div>
</div>`;
}

/** A relative risk as "2.1×". */
function times(value: number | null): string {
  return value === null ? '—' : `${value.toFixed(1)}×`;
}

function interval(s: RetentionSegment): string {
  return s.rr_ci_low === null || s.rr_ci_high === null
    ? 'not defined'
    : `${s.rr_ci_low.toFixed(1)}–${s.rr_ci_high.toFixed(1)}`;
}

function count(value: number): string {
  return Math.round(value).toLocaleString('en-GB');
}

/** Amounts carry no currency in the data: whole units, grouped like counts. */
function money(value: number): string {
  return count(value);
}

function numberOrNull(value: SqlValue | undefined): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function flag(value: SqlValue | undefined): boolean {
  return value === true || value === 'true';
}
