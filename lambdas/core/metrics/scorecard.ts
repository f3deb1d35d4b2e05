/**
 * The shape of one row of the `scorecard` view, as the CLI, report and exporter consume it, and the
 * grains, dimensions and scopes it is cut by: the config schema, the CLI options, the exporter and
 * the tests all read them here.
 */
import type { MetricId, MetricUnit } from './catalogue.ts';

/**
 * The grains metric_values is materialised in, each period a run of local days in the reporting
 * zone (calendar_periods): ISO weeks start on Monday. Custom ranges are grain `range`, computed on
 * demand (time/calendar-periods.ts).
 */
export const GRAINS = ['month', 'week', 'quarter', 'year'] as const;
export type Grain = (typeof GRAINS)[number];

/** `overall` first: every other dimension is a breakdown of it. */
export const DIMENSIONS = ['overall', 'channel', 'team', 'agent', 'queue', 'source'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** The dimensions a report or a target can be narrowed to. */
export const SCOPE_DIMENSIONS = DIMENSIONS.filter(
  (d): d is Exclude<Dimension, 'overall'> => d !== 'overall',
) as readonly Exclude<Dimension, 'overall'>[];
export type ScopeDimension = (typeof SCOPE_DIMENSIONS)[number];

/** One team, channel, agent, queue or source. */
export interface Scope {
  readonly dimension: ScopeDimension;
  readonly value: string;
}

/** The scope of the whole organisation, as configs and CLI arguments write it. */
export const OVERALL = 'overall';

/**
 * Reads `overall` (undefined: no narrowing) or `<dimension>:<value>` such as `team:Billing`, as the
 * config's reports and the CLI's `--scope` write a scope. The value may itself contain colons.
 */
export function parseScope(text: string): Scope | undefined {
  if (text === OVERALL) return undefined;
  const at = text.indexOf(':');
  const dimension = text.slice(0, at);
  const value = text.slice(at + 1);
  if (at < 1 || value === '' || !(SCOPE_DIMENSIONS as readonly string[]).includes(dimension)) {
    throw new Error(
      `scope "${text}" must be "${OVERALL}" or "<dimension>:<value>" with a dimension of ${SCOPE_DIMENSIONS.join(', ')}, e.g. team:Billing`,
    );
  }
  return { dimension: dimension as ScopeDimension, value };
}

export type Rag = 'green' | 'amber' | 'red';
/** Where a value sits among the industry quartiles, in the metric's good direction. */
export type BenchmarkPosition = 'below_p25' | 'p25_to_median' | 'median_to_p75' | 'p75_to_p90' | 'above_p90';

/**
 * How the change since the previous period was judged (the scorecard's `change_test`; NULL when
 * there is no previous value): a z-test; equal values (never significant); too few observations
 * for the normal approximation (significance unknown); or a metric that has no test.
 */
export const CHANGE_TESTS = ['z_test', 'no_change', 'too_few_to_test', 'not_tested'] as const;
export type ChangeTest = (typeof CHANGE_TESTS)[number];

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
  readonly change_test: ChangeTest | null;
}

/** The view's columns in order: the CSV writes them so and the report selects them so. */
export const SCORECARD_COLUMNS = [
  'period_start',
  'grain',
  'dimension',
  'dimension_value',
  'metric',
  'value',
  'unit',
  'n',
  'ci_low',
  'ci_high',
  'low_sample',
  'higher_is_better',
  'target',
  'rag',
  'gap_to_target',
  'bench_p25',
  'bench_median',
  'bench_p75',
  'bench_p90',
  'bench_position',
  'bench_source',
  'peer_percentile',
  'prev_value',
  'delta',
  'change_significant',
  'change_test',
] as const satisfies readonly (keyof ScorecardRow)[];
