/**
 * The shape of the executive report: what buildReportData reads and derives, what the charts, the
 * HTML, the PDF and the CSV are rendered from. Types only, so the modules that build and the ones
 * that render depend on it and not on each other.
 */
import type { MetricOptions, ServiceBenchConfig } from '../core/config/config.ts';
import type { MetricId, MetricUnit } from '../core/metrics/catalogue.ts';
import type { Scope, ScorecardRow } from '../core/metrics/scorecard.ts';
import type { ReportPeriod } from '../core/time/periods.ts';
import type { ClosedLoopFacts } from './closed-loop.ts';
import type { IntervalFacts } from './intervals.ts';
import type { RetentionFacts } from './retention.ts';
import type { ThemeTaxonomy, VoiceAnalysis } from './themes.ts';

export interface ReportOptions {
  /** The period reported, as resolvePeriod or scheduledPeriod (lambdas/core/time/periods.ts) give it. */
  readonly period: ReportPeriod;
  /** Report on one team, channel, agent, queue or source instead of the whole service. */
  readonly scope?: Scope;
  readonly config: ServiceBenchConfig;
  /** Comment themes; the shipped default taxonomy when absent. */
  readonly taxonomy?: ThemeTaxonomy;
  /** Stamped on the report; now when absent. */
  readonly generatedAt?: Date;
  /**
   * Sections the report shows (the config's `reports[].sections`); all when absent. A section's
   * data is read only when it is shown.
   */
  readonly sections?: readonly string[];
}

export interface Kpi {
  readonly metric: MetricId;
  readonly label: string;
  readonly unit: MetricUnit;
  readonly higherIsBetter: boolean;
  /** Null when the metric has no data for the period. */
  readonly row: ScorecardRow | null;
}

export interface TrendPoint {
  readonly period_start: string;
  readonly value: number | null;
  readonly n: number;
  readonly low_sample: boolean;
}

export interface Trend {
  readonly metric: MetricId;
  readonly label: string;
  readonly unit: MetricUnit;
  readonly higherIsBetter: boolean;
  /** One point per period of the window, oldest first; value null where there was no data. */
  readonly points: readonly TrendPoint[];
  readonly target: number | null;
  readonly bench: { readonly p25: number; readonly median: number; readonly p75: number } | null;
}

export interface Breakdown {
  readonly dimension: 'channel' | 'team';
  /** Metrics with data for at least one value of the dimension. */
  readonly metrics: readonly MetricId[];
  readonly rows: readonly { readonly value: string; readonly cells: Partial<Record<MetricId, ScorecardRow>> }[];
  /** The metric charted as bars (the first of `metrics`). */
  readonly chartMetric: MetricId | null;
}

export interface PeerRanking {
  readonly agents: number;
  readonly top: readonly PeerEntry[];
  readonly coaching: readonly PeerEntry[];
  readonly qaCriteria: readonly QaCriterionNeed[];
}

export interface PeerEntry {
  readonly agent: string;
  /** Mean peer percentile over the ranked metrics (100 = best of the peers). */
  readonly percentile: number;
  readonly rows: readonly ScorecardRow[];
  /** Metrics whose 95% interval lies wholly on the better side of the peer median. */
  readonly strongMetrics: readonly MetricId[];
  /** Metrics whose 95% interval lies wholly on the worse side of the peer median. */
  readonly weakMetrics: readonly MetricId[];
}

export interface QaCriterionNeed {
  readonly criterion: string;
  readonly section: string | null;
  readonly evaluations: number;
  readonly score_pct: number;
  readonly critical_misses: number;
}

export interface SourceAudit {
  readonly source: string;
  readonly files: number;
  readonly rows_read: number;
  readonly rows_accepted: number;
  readonly rows_rejected: number;
  readonly files_rejected: number;
  readonly last_ingested: string | null;
}

export interface IngestedFile {
  readonly source: string;
  readonly object_key: string;
  readonly rows_accepted: number;
  readonly rows_rejected: number;
  readonly file_error: string | null;
}

export interface DataQuality {
  readonly sources: readonly SourceAudit[];
  readonly recentFiles: readonly IngestedFile[];
  readonly totalFiles: number;
  /** Sources in the config that have no ingested file yet. */
  readonly sourcesWithoutData: readonly string[];
  readonly metricOptions: MetricOptions;
  readonly benchmarkIndustry: string;
  readonly compositeWeights: Readonly<Record<string, number>> | null;
}

/** Everything the report shows, before its charts are drawn. */
export interface ReportFacts {
  readonly organisation: string;
  readonly period: ReportPeriod;
  readonly scope: Scope | null;
  readonly generatedAt: string;
  /** The composite service index of the scope, when there was enough data to compute it. */
  readonly index: ScorecardRow | null;
  readonly verdict: string;
  /** Tiles of the headline metrics that have a value in some period of the trend. */
  readonly kpis: readonly Kpi[];
  /** Labels of the headline metrics no period of the trend has a value for: no source feeds them. */
  readonly unfedMetrics: readonly string[];
  readonly trends: readonly Trend[];
  readonly breakdowns: readonly Breakdown[];
  readonly peers: PeerRanking;
  readonly voice: VoiceAnalysis & { readonly answered: number | null };
  readonly quality: DataQuality;
  /** Churn by experience ("What service is worth"); null when the report's sections do not ask for it. */
  readonly retention: RetentionFacts | null;
  /** Service level by interval of the day and weekday ("When service slips"); null when the report's sections do not show it. */
  readonly intervals: IntervalFacts | null;
  /** Closed-loop alerts of the period per team; null when the config has no alert rules. */
  readonly closedLoop: ClosedLoopFacts | null;
  /** Every scorecard row of the period (all dimensions), as the CSV carries them. */
  readonly rows: readonly ScorecardRow[];
}

/** One drawn chart, inlined in the HTML and the PDF. */
export interface ChartSvg {
  readonly id: string;
  readonly title: string;
  /** Text alternative: what the chart shows, with its latest figures. */
  readonly description: string;
  readonly svg: string;
}

/** The facts and their charts: what every format of the report is rendered from. */
export interface ReportData extends ReportFacts {
  /** SVG charts keyed by id: `trend-<metric>`, `breakdown-<dimension>`, `themes`. */
  readonly charts: Readonly<Record<string, ChartSvg>>;
}
