/**
 * Everything the executive report shows, read through the QueryEngine from views only: the
 * scorecard for the tiles, trends, breakdowns and peers, and the views of lambdas/report/reads.ts
 * for QA criteria, comments and ingestion. Then the derived facts (verdict, trends, rankings,
 * themes) and their charts. Every value reaches SQL as a bound parameter.
 */
import { metricOptions, retentionHorizonDays } from '../core/config/config.ts';
import { METRIC_BY_ID, type MetricId, type MetricUnit } from '../core/metrics/catalogue.ts';
import { type Dimension, type Grain, SCORECARD_COLUMNS, type ScorecardRow } from '../core/metrics/scorecard.ts';
import type { QueryEngine, SqlValue } from '../core/query/engine.ts';
import { type ReportPeriod, trendStarts } from '../core/time/periods.ts';
import { renderCharts } from './charts.ts';
import { queryClosedLoop } from './closed-loop.ts';
import { readIntervalFacts } from './intervals.ts';
import type { Breakdown, Kpi, PeerEntry, PeerRanking, ReportData, ReportFacts, ReportOptions, Trend } from './model.ts';
import { queryComments, queryFiles, queryQaCriteria, querySources } from './reads.ts';
import { queryRetention, retentionFacts } from './retention.ts';
import { analyseComments, DEFAULT_TAXONOMY } from './themes.ts';

export type * from './model.ts';

/** The KPI tiles, in reading order: customer outcome, resolution, access, speed, quality, wider signals. */
export const HEADLINE_METRICS = [
  'csat_pct',
  'nps',
  'ces_easy_pct',
  'fcr_rate',
  'service_level_pct',
  'abandonment_rate',
  'asa_s',
  'aht_s',
  'first_response_median_s',
  'resolution_median_s',
  'sla_compliance_pct',
  'qa_score',
  'net_sentiment',
  'retention_rate',
  'enps',
] as const satisfies readonly MetricId[];

/** Columns of the channel and team breakdown tables (those with data are shown). */
export const BREAKDOWN_METRICS = [
  'csat_pct',
  'fcr_rate',
  'service_level_pct',
  'aht_s',
  'first_response_median_s',
  'qa_score',
] as const satisfies readonly MetricId[];

/** Metrics agents are ranked on among their peers. */
export const PEER_METRICS = ['qa_score', 'csat_pct', 'fcr_rate', 'aht_s'] as const satisfies readonly MetricId[];
/** People listed as top performers and as coaching candidates. */
export const PEERS_LISTED = 5;

export async function buildReportData(engine: QueryEngine, options: ReportOptions): Promise<ReportData> {
  const { period } = options;
  const scope = options.scope ?? null;
  if (scope !== null && scope.value.trim() === '') throw new Error('scope value must not be empty');
  const focus = { dimension: scope?.dimension ?? 'overall', value: scope?.value ?? 'all' };

  // Churn by experience reads every customer's activity history, and the interval figures every
  // queued contact of the period: each is read only for a report that shows it.
  const shows = (section: string) => options.sections === undefined || options.sections.includes(section);
  const [rows, trendRows, qaCriteria, comments, sources, files, retentionRows, intervals] = await Promise.all([
    queryPeriodRows(engine, period),
    queryTrendRows(engine, period, focus),
    queryQaCriteria(engine, period, scope),
    queryComments(engine, period, scope),
    querySources(engine),
    queryFiles(engine),
    shows('retention') ? queryRetention(engine, period) : null,
    shows('intervals') ? readIntervalFacts(engine, period, options.config, scope) : null,
  ]);

  const focusRows = rows.filter((r) => r.dimension === focus.dimension && r.dimension_value === focus.value);
  const byMetric = new Map(focusRows.map((r) => [r.metric, r]));
  // A headline metric with no value in any period of the trend is one no source feeds (no survey
  // of that kind, no field it needs): it gets no tile, since "No data" would read as a gap in a
  // feed the company does not have, and the report names it once instead.
  const fed = new Set([...trendRows, ...focusRows].filter((r) => r.value !== null).map((r) => r.metric));
  const unfedMetrics = HEADLINE_METRICS.filter((metric) => !fed.has(metric)).map((metric) => definition(metric).label);
  const kpis: Kpi[] = HEADLINE_METRICS.filter((metric) => fed.has(metric)).map((metric) => {
    const def = definition(metric);
    const row = byMetric.get(metric);
    return {
      metric,
      label: def.label,
      unit: def.unit,
      higherIsBetter: def.higherIsBetter,
      row: hasValue(row) ? row : null,
    };
  });
  const index = byMetric.get('service_index');
  const indexRow = hasValue(index) ? index : null;
  const voice = analyseComments(comments, options.taxonomy ?? DEFAULT_TAXONOMY);
  const answered = sumN(focusRows, ['csat_pct', 'nps', 'ces_mean']);
  const totalFiles = sources.reduce((sum, s) => sum + s.files, 0);

  const facts: ReportFacts = {
    organisation: options.config.organisation,
    period,
    scope,
    generatedAt: (options.generatedAt ?? new Date()).toISOString(),
    index: indexRow,
    verdict: verdictOf(indexRow, kpis),
    kpis,
    unfedMetrics,
    trends: buildTrends(trendRows, period),
    breakdowns: scope === null ? [breakdown(rows, 'channel'), breakdown(rows, 'team')] : [],
    peers: { ...peerRanking(rows), qaCriteria },
    voice: { ...voice, answered },
    quality: {
      sources,
      recentFiles: files,
      totalFiles,
      sourcesWithoutData: options.config.sources
        .map((s) => s.name)
        .filter((name) => !sources.some((a) => a.source === name)),
      metricOptions: metricOptions(options.config),
      benchmarkIndustry: options.config.benchmarks.industry,
      compositeWeights: options.config.compositeWeights ?? null,
    },
    retention:
      retentionRows === null
        ? null
        : retentionFacts(retentionRows, period, {
            horizonDays: retentionHorizonDays(options.config),
            minSample: metricOptions(options.config).minSample,
          }),
    intervals,
    closedLoop: await queryClosedLoop(engine, period, options.config, scope),
    rows,
  };
  return { ...facts, charts: await renderCharts(facts) };
}

function definition(metric: string) {
  const def = METRIC_BY_ID.get(metric);
  if (!def) throw new Error(`unknown metric id "${metric}" in the report layout`);
  return def;
}

function hasValue(row: ScorecardRow | undefined): row is ScorecardRow {
  return row !== undefined && row.value !== null;
}

function sumN(rows: readonly ScorecardRow[], metrics: readonly MetricId[]): number | null {
  const counted = rows.filter((r) => (metrics as readonly string[]).includes(r.metric) && r.value !== null);
  return counted.length === 0 ? null : Math.max(...counted.map((r) => r.n));
}

/**
 * The one-line verdict: the direction of the service index (called an improvement or a decline only
 * when it is statistically significant) and how many headline metrics meet their target, naming
 * the misses.
 */
export function verdictOf(index: ScorecardRow | null, kpis: readonly Kpi[]): string {
  const withTarget = kpis.filter((k) => k.row?.rag != null);
  const met = withTarget.filter((k) => k.row?.rag === 'green').length;
  const missed = withTarget.filter((k) => k.row?.rag === 'red').map((k) => k.label);
  let headline: string;
  if (index === null) headline = 'Not enough data for a service index this period';
  else if (index.prev_value === null || index.delta === null) headline = 'First period with a service index';
  else if (index.change_significant === true) headline = index.delta > 0 ? 'Service improved' : 'Service declined';
  else if (index.change_significant === false || index.delta === 0) headline = 'Service held steady';
  else {
    // The index carries no significance test: state the movement without calling it a change.
    headline = `Service index ${index.delta > 0 ? 'up' : 'down'} ${Math.abs(index.delta).toFixed(1)} points`;
  }
  const parts = [headline];
  if (withTarget.length > 0) parts.push(`${met} of ${withTarget.length} targets met`);
  if (missed.length > 0) parts.push(`off target: ${missed.join(', ')}`);
  if (kpis.every((k) => k.row === null)) parts.push('no metric has data for this period');
  return `${parts.join('; ')}.`;
}

function buildTrends(rows: readonly ScorecardRow[], period: ReportPeriod): Trend[] {
  const starts = trendWindow(rows, period);
  const trends: Trend[] = [];
  for (const metric of ['service_index', ...HEADLINE_METRICS] as MetricId[]) {
    const own = rows.filter((r) => r.metric === metric);
    if (!own.some((r) => r.value !== null)) continue;
    const def = definition(metric);
    const at = new Map(own.map((r) => [r.period_start, r]));
    const latest = [...own].reverse().find((r) => r.target !== null || r.bench_median !== null);
    const bench =
      latest?.bench_p25 != null && latest.bench_median != null && latest.bench_p75 != null
        ? { p25: latest.bench_p25, median: latest.bench_median, p75: latest.bench_p75 }
        : null;
    trends.push({
      metric,
      label: def.label,
      unit: def.unit,
      higherIsBetter: def.higherIsBetter,
      points: starts.map((start) => {
        const r = at.get(start);
        return { period_start: start, value: r?.value ?? null, n: r?.n ?? 0, low_sample: r?.low_sample ?? false };
      }),
      target: latest?.target ?? null,
      bench,
    });
  }
  return trends;
}

/**
 * The trend's periods, oldest first: twelve weeks, months or quarters; for years, those from the
 * first with any value (a lake rarely holds twelve years, and empty years would fill the chart);
 * for a range, the previous range and itself.
 */
function trendWindow(rows: readonly ScorecardRow[], period: ReportPeriod): string[] {
  const starts = trendStarts(period);
  if (period.grain !== 'year') return starts;
  const fed = new Set(rows.filter((r) => r.value !== null).map((r) => r.period_start));
  const first = starts.findIndex((start) => fed.has(start));
  return first === -1 ? starts.slice(-1) : starts.slice(first);
}

function breakdown(rows: readonly ScorecardRow[], dimension: 'channel' | 'team'): Breakdown {
  const own = rows.filter((r) => r.dimension === dimension && r.value !== null);
  const metrics = BREAKDOWN_METRICS.filter((m) => own.some((r) => r.metric === m));
  const values = [...new Set(own.map((r) => r.dimension_value))].sort((a, b) => a.localeCompare(b));
  return {
    dimension,
    metrics,
    rows: values.map((value) => ({
      value,
      cells: Object.fromEntries(own.filter((r) => r.dimension_value === value).map((r) => [r.metric, r])),
    })),
    chartMetric: metrics[0] ?? null,
  };
}

/**
 * Ranks agents by their mean peer percentile over PEER_METRICS. An agent is recognised or coached
 * on a metric only when its 95% interval lies wholly on one side of the peer median: an agent whose
 * interval contains the median cannot be told apart from their peers at this sample size, however
 * their point estimate ranks or compares with the target. Top performers have at least one metric
 * above the peers and none below; coaching candidates have at least one below.
 */
export function peerRanking(rows: readonly ScorecardRow[]): Omit<PeerRanking, 'qaCriteria'> {
  // The scorecard ranks only peers with enough data: those rows have a percentile.
  const ranked = rows.filter(
    (r) =>
      r.dimension === 'agent' &&
      (PEER_METRICS as readonly string[]).includes(r.metric) &&
      r.value !== null &&
      !r.low_sample &&
      r.peer_percentile !== null,
  );
  const medians = new Map(
    PEER_METRICS.map((m) => [m, median(ranked.filter((r) => r.metric === m).map((r) => r.value as number))]),
  );
  const sideOfPeers = (r: ScorecardRow) => intervalSide(r, medians.get(r.metric as (typeof PEER_METRICS)[number]));
  const agents = new Map<string, ScorecardRow[]>();
  for (const r of ranked) agents.set(r.dimension_value, [...(agents.get(r.dimension_value) ?? []), r]);
  const entries: PeerEntry[] = [...agents.entries()].map(([agent, own]) => {
    const ordered = PEER_METRICS.flatMap((m) => own.filter((r) => r.metric === m));
    return {
      agent,
      percentile: ordered.reduce((sum, r) => sum + (r.peer_percentile ?? 0), 0) / ordered.length,
      rows: ordered,
      strongMetrics: ordered.filter((r) => sideOfPeers(r) === 'better').map((r) => r.metric),
      weakMetrics: ordered.filter((r) => sideOfPeers(r) === 'worse').map((r) => r.metric),
    };
  });
  const top = entries
    .filter((e) => e.strongMetrics.length > 0 && e.weakMetrics.length === 0)
    .sort((a, b) => b.percentile - a.percentile || a.agent.localeCompare(b.agent))
    .slice(0, PEERS_LISTED);
  const coaching = entries
    .filter((e) => e.weakMetrics.length > 0)
    .sort((a, b) => a.percentile - b.percentile || a.agent.localeCompare(b.agent))
    .slice(0, PEERS_LISTED);
  return { agents: agents.size, top, coaching };
}

/** The middle value, or the mean of the two middle values; null without values. */
function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] as number) + upper) / 2;
}

/**
 * Which side of a reference value a row's 95% interval lies wholly on, in the metric's good
 * direction; null when the interval contains it or the row has no interval.
 */
function intervalSide(row: ScorecardRow, reference: number | null | undefined): 'better' | 'worse' | null {
  if (reference === null || reference === undefined || row.ci_low === null || row.ci_high === null) return null;
  if (row.ci_low > reference) return row.higher_is_better ? 'better' : 'worse';
  if (row.ci_high < reference) return row.higher_is_better ? 'worse' : 'better';
  return null;
}

async function queryPeriodRows(engine: QueryEngine, period: ReportPeriod): Promise<ScorecardRow[]> {
  const raw = await engine.query(
    `SELECT ${SCORECARD_COLUMNS.join(', ')}
     FROM scorecard
     WHERE grain = :grain AND period_start = CAST(:period_start AS DATE)
     ORDER BY dimension, dimension_value, metric`,
    { grain: period.grain, period_start: period.start },
  );
  return raw.map(toScorecardRow).sort(byDimensionThenCatalogue);
}

const CATALOGUE_ORDER: ReadonlyMap<string, number> = new Map([...METRIC_BY_ID.keys()].map((id, i) => [id, i]));

/** Rows read in the order of the metric catalogue within each dimension value. */
function byDimensionThenCatalogue(a: ScorecardRow, b: ScorecardRow): number {
  return (
    a.dimension.localeCompare(b.dimension) ||
    a.dimension_value.localeCompare(b.dimension_value) ||
    (CATALOGUE_ORDER.get(a.metric) ?? 0) - (CATALOGUE_ORDER.get(b.metric) ?? 0)
  );
}

async function queryTrendRows(
  engine: QueryEngine,
  period: ReportPeriod,
  focus: { dimension: string; value: string },
): Promise<ScorecardRow[]> {
  const raw = await engine.query(
    `SELECT ${SCORECARD_COLUMNS.join(', ')}
     FROM scorecard
     WHERE grain = :grain AND dimension = :dimension AND dimension_value = :dimension_value
       AND period_start BETWEEN CAST(:trend_start AS DATE) AND CAST(:period_start AS DATE)
     ORDER BY metric, period_start`,
    {
      grain: period.grain,
      dimension: focus.dimension,
      dimension_value: focus.value,
      trend_start: period.trendStart,
      period_start: period.start,
    },
  );
  return raw.map(toScorecardRow);
}

function num(value: SqlValue | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function bool(value: SqlValue | undefined): boolean | null {
  if (value === null || value === undefined) return null;
  return value === true || value === 'true';
}

/** Engines return JSON-friendly values; Athena may hand numbers and booleans back as text. */
export function toScorecardRow(raw: Record<string, SqlValue>): ScorecardRow {
  return {
    period_start: String(raw.period_start).slice(0, 10),
    grain: raw.grain as Grain,
    dimension: raw.dimension as Dimension,
    dimension_value: String(raw.dimension_value),
    metric: raw.metric as MetricId,
    value: num(raw.value),
    unit: raw.unit as MetricUnit,
    n: num(raw.n) ?? 0,
    ci_low: num(raw.ci_low),
    ci_high: num(raw.ci_high),
    low_sample: bool(raw.low_sample) ?? false,
    higher_is_better: bool(raw.higher_is_better) ?? true,
    target: num(raw.target),
    rag: (raw.rag ?? null) as ScorecardRow['rag'],
    gap_to_target: num(raw.gap_to_target),
    bench_p25: num(raw.bench_p25),
    bench_median: num(raw.bench_median),
    bench_p75: num(raw.bench_p75),
    bench_p90: num(raw.bench_p90),
    bench_position: (raw.bench_position ?? null) as ScorecardRow['bench_position'],
    bench_source: raw.bench_source === null || raw.bench_source === undefined ? null : String(raw.bench_source),
    peer_percentile: num(raw.peer_percentile),
    prev_value: num(raw.prev_value),
    delta: num(raw.delta),
    change_significant: bool(raw.change_significant),
    change_test: (raw.change_test ?? null) as ScorecardRow['change_test'],
  };
}
