/** The shape of one row of the `scorecard` view, as the CLI, report and exporter consume it. */
import type { MetricId, MetricUnit } from './catalogue.ts';

export type Grain = 'month' | 'week';
export type Dimension = 'overall' | 'channel' | 'team' | 'agent' | 'queue' | 'source';
export type Rag = 'green' | 'amber' | 'red';
/** Where a value sits among the industry quartiles, in the metric's good direction. */
export type BenchmarkPosition = 'below_p25' | 'p25_to_median' | 'median_to_p75' | 'p75_to_p90' | 'above_p90';

export interface ScorecardRow {
  readonly period_start: string; // YYYY-MM-DD
  readonly grain: Grain;
  readonly dimension: Dimension;
  readonly dimension_value: string; // 'all' for overall
  readonly metric: MetricId;
  readonly value: number | null;
  readonly unit: MetricUnit;
  readonly n: number;
  readonly ci_low: number | null;
  readonly ci_high: number | null;
  readonly low_sample: boolean;
  readonly higher_is_better: boolean;
  readonly target: number | null;
  readonly rag: Rag | null;
  readonly gap_to_target: number | null;
  readonly bench_p25: number | null;
  readonly bench_median: number | null;
  readonly bench_p75: number | null;
  readonly bench_p90: number | null;
  readonly bench_position: BenchmarkPosition | null;
  readonly bench_source: string | null;
  readonly peer_percentile: number | null;
  readonly prev_value: number | null;
  readonly delta: number | null;
  readonly change_significant: boolean | null;
}
