/**
 * Industry benchmarks shipped as `benchmarks/industry.csv` (real, cited figures). The scorecard
 * compares every metric row with one benchmark row per metric, chosen here from the config.
 *
 * Convention of the file: p25, median, p75 and p90 are performance percentiles in the metric's
 * good direction, so p90 is always the best of the four (the highest CSAT, the shortest ASA). A row
 * whose figures are not ordered that way is rejected rather than silently misread.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { METRIC_BY_ID, type MetricId } from '../metrics/catalogue.ts';

export const BENCHMARKS_CSV = new URL('../../../benchmarks/industry.csv', import.meta.url);
export const BENCHMARK_COLUMNS = [
  'metric',
  'industry',
  'region',
  'year',
  'p25',
  'median',
  'p75',
  'p90',
  'unit',
  'source_name',
  'source_url',
  'sample',
  'note',
] as const;

/**
 * The catalogue metrics for which a public figure with a stated method was found: each has at
 * least one row in benchmarks/industry.csv (a test holds the file to this list). Every other
 * metric is in UNBENCHMARKED_METRICS with the reason, so adding a metric to the catalogue means
 * deciding which list it joins.
 */
export const BENCHMARKED_METRICS: readonly MetricId[] = [
  'csat_pct',
  'csat_mean',
  'nps',
  'fcr_rate',
  'aht_s',
  'asa_s',
  'abandonment_rate',
  'service_level_pct',
  'transfer_rate',
  'first_response_median_s',
  'resolution_median_s',
  'sla_first_response_pct',
  'qa_score',
  'brand_response_rate',
  'brand_response_median_s',
  'enps',
];

/** Why the remaining metrics have no row: shown in docs/benchmarks.md, checked against the catalogue by a test. */
export const UNBENCHMARKED_METRICS: Readonly<Partial<Record<MetricId, string>>> = {
  ces_mean: 'published CES figures use the 1-7 CES 2.0 scale or give no method; ours is pooled on 0-100',
  ces_easy_pct: 'no published share of "easy" answers with a stated scale and sample was found',
  survey_response_rate: 'the published response rates found are vendor rules of thumb without a sample',
  avg_hold_s: 'published hold figures are changes in percent or per-call averages over all calls, not per held call',
  sla_resolution_pct: 'no published share of resolution commitments kept with a stated denominator was found',
  sla_compliance_pct: 'it pools first-response and resolution commitments; published SLA figures are per kind',
  escalation_rate: 'no published escalation share with a stated denominator was found',
  reopen_rate: 'no published reopen share with a stated denominator was found',
  first_response_p90_s: 'published response-time figures are medians or means, never the 90th percentile of tickets',
  resolution_p90_s: 'published resolution-time figures are medians or means, never the 90th percentile of tickets',
  first_response_business_median_s: "published response times are in calendar time or in a vendor's own business hours",
  first_response_business_p90_s: "published response times are in calendar time or in a vendor's own business hours",
  resolution_business_median_s: "published resolution times are in calendar time or in a vendor's own business hours",
  resolution_business_p90_s: "published resolution times are in calendar time or in a vendor's own business hours",
  mystery_shop_score: "mystery-shopping scores are published per programme, on each programme's own scorecard",
  social_volume: 'a count of mentions depends on the size of the brand; no comparable figure exists',
  net_sentiment: "published sentiment shares use each vendor's own classifier and are not comparable",
  retention_rate: 'published retention figures are annual; ours are monthly or weekly',
  churn_rate: 'published churn figures are annual; ours are monthly or weekly',
  repeat_purchase_rate: 'no published repeat-purchase share with a stated window and sample was found',
  engagement_score: 'published engagement figures are shares of "engaged" employees (Gallup), not a 0-100 mean',
  service_index: "the service index is ServiceBench's own composite",
};

/** Rows from this year on count as recent in the file's own checks and in docs/benchmarks.md. */
export const RECENT_FROM_YEAR = 2020;

/** Industry and region of rows that apply to every company; used when the configured ones have no figure. */
export const ANY_INDUSTRY = 'all';
export const ANY_REGION = 'global';

export interface BenchmarkRow {
  readonly metric: string;
  readonly industry: string;
  readonly region: string;
  readonly year: number | null;
  readonly p25: number | null;
  readonly median: number | null;
  readonly p75: number | null;
  readonly p90: number | null;
  readonly unit: string;
  readonly source_name: string;
  readonly source_url: string;
  /**
   * Who was measured: the population, its size and the period, as the source states them. Every
   * row parsed from the CSV has one (the parser rejects a row without); rows built in code for
   * tests may leave it out.
   */
  readonly sample?: string;
  readonly note: string | null;
}

/** A row with a published spread (quartiles, or the 90th percentile) beyond a single figure. */
export function hasPercentiles(row: Pick<BenchmarkRow, 'p25' | 'p75' | 'p90'>): boolean {
  return (row.p25 !== null && row.p75 !== null) || row.p90 !== null;
}

/** Reads the shipped CSV; an absent file means no benchmarks (the scorecard leaves them null). */
export function loadBenchmarks(file: URL | string = BENCHMARKS_CSV): BenchmarkRow[] {
  if (!existsSync(file)) return [];
  return parseBenchmarks(readFileSync(file, 'utf8'));
}

/** Parses and checks benchmark CSV text; every problem is reported together with its line. */
export function parseBenchmarks(text: string): BenchmarkRow[] {
  const records = parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  const problems: string[] = [];
  const header = Object.keys(records[0] ?? {});
  const missing = BENCHMARK_COLUMNS.filter((c) => records.length > 0 && !header.includes(c));
  if (missing.length > 0) throw new Error(`benchmarks CSV: missing column(s) ${missing.join(', ')}`);
  const rows: BenchmarkRow[] = [];
  records.forEach((record, index) => {
    const line = index + 2;
    const metric = METRIC_BY_ID.get(record.metric ?? '');
    const numbers = (['p25', 'median', 'p75', 'p90'] as const).map((c) => [c, toNumber(record[c])] as const);
    const rowProblems: string[] = [];
    if (!metric) rowProblems.push(`metric "${record.metric}" is not a metric id of the catalogue`);
    for (const [column, value] of numbers) {
      if (Number.isNaN(value)) rowProblems.push(`${column} "${record[column]}" is not a number`);
    }
    if (metric && record.unit !== metric.unit) {
      rowProblems.push(`unit "${record.unit}" differs from the catalogue unit "${metric.unit}" of ${metric.id}`);
    }
    if (!record.source_name || !record.source_url) rowProblems.push('source_name and source_url are required');
    if (!record.sample) rowProblems.push('sample is required: say who was measured, how many and when');
    const figures = numbers.map(([, v]) => v).filter((v): v is number => v !== null && !Number.isNaN(v));
    const ordered = figures.every((v, i) => {
      const previous = figures[i - 1];
      return previous === undefined || (metric?.higherIsBetter === false ? v <= previous : v >= previous);
    });
    if (metric && !ordered) {
      rowProblems.push(
        `p25..p90 must run from worst to best (${metric.higherIsBetter ? 'increasing' : 'decreasing'} for ${metric.id})`,
      );
    }
    const year = toNumber(record.year);
    if (Number.isNaN(year)) rowProblems.push(`year "${record.year}" is not a number`);
    if (rowProblems.length > 0) {
      problems.push(...rowProblems.map((p) => `line ${line}: ${p}`));
      return;
    }
    const value = (c: 'p25' | 'median' | 'p75' | 'p90') => numbers.find(([name]) => name === c)?.[1] ?? null;
    rows.push({
      metric: record.metric as string,
      industry: record.industry || ANY_INDUSTRY,
      region: record.region || ANY_REGION,
      year,
      p25: value('p25'),
      median: value('median'),
      p75: value('p75'),
      p90: value('p90'),
      unit: record.unit as string,
      source_name: record.source_name as string,
      source_url: record.source_url as string,
      sample: record.sample as string,
      note: record.note || null,
    });
  });
  if (problems.length > 0)
    throw new Error(`benchmarks CSV: ${problems.length} problem(s)\n  - ${problems.join('\n  - ')}`);
  return rows;
}

/**
 * One benchmark row per metric for a company: its industry when the file has figures for it, else
 * the cross-industry figures; its region first, then global figures; the most recent year first;
 * within one year a row with published percentiles before a single figure (it places the company
 * in a distribution and draws the report's bands); then the earlier line of the file.
 */
export function selectBenchmarks(rows: readonly BenchmarkRow[], industry: string, region?: string): BenchmarkRow[] {
  const rank = (row: BenchmarkRow): number[] => [
    row.industry === industry ? 2 : row.industry === ANY_INDUSTRY ? 1 : 0,
    region !== undefined && row.region === region ? 2 : row.region === ANY_REGION ? 1 : 0,
    row.year ?? 0,
    hasPercentiles(row) ? 1 : 0,
  ];
  const best = new Map<string, { row: BenchmarkRow; rank: number[] }>();
  for (const row of rows) {
    const r = rank(row);
    if (r[0] === 0) continue;
    const current = best.get(row.metric);
    if (!current || compareRanks(r, current.rank) > 0) best.set(row.metric, { row, rank: r });
  }
  return [...best.values()].map((b) => b.row);
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

function toNumber(value: string | undefined): number | null {
  if (value === undefined || value.trim() === '') return null;
  return Number(value);
}
