/**
 * The reference tables the views read, built from the config and the metric catalogue (each has one
 * source of truth). The local engine loads them into DuckDB; the stack writes the same rows for
 * Athena.
 */
import type { ServiceBenchConfig } from '../config/config.ts';
import { DEFAULTS, type MetricOptions, metricOptions, retentionHorizonDays } from '../config/defaults.ts';
import { METRICS, type MetricId } from '../metrics/catalogue.ts';
import type { LogicalType } from '../schema/columns.ts';
import { calendarPeriodsTable, type ReportRange, reportRangesTable } from '../time/calendar-periods.ts';
import { businessCalendarTable, scheduleAssignmentsTable } from '../time/schedules.ts';
import { reportingZonesTable, zoneDaysTable } from '../time/zones.ts';
import { BENCHMARK_COLUMNS, type BenchmarkRow, loadBenchmarks, selectBenchmarks } from './benchmarks.ts';

/** A reference column has a canonical logical type, so every engine's type comes from TYPE_MAPPING. */
export type ReferenceColumnType = LogicalType;

export interface ReferenceTable {
  readonly name: string;
  readonly columns: readonly { readonly name: string; readonly type: ReferenceColumnType }[];
  /**
   * Row values by column name: a `date` column holds `yyyy-MM-dd` (referenceDate), a `timestamp`
   * column `yyyy-MM-dd HH:mm:ss.SSS` in UTC (referenceTimestamp); NULL is null or absent.
   */
  readonly rows: readonly Record<string, unknown>[];
}

const DATE_TEXT = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP_TEXT = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/;

const DAY_MS = 86_400_000;
/** The instants a Date can hold: ±100,000,000 days around 1970. */
const MAX_INSTANT_MS = 8.64e15;
/** Bound on the dates remembered by utcDateText (a century of days). */
const MAX_CACHED_DATES = 40_000;
const dateTexts = new Map<number, string>();

/**
 * `yyyy-MM-dd` of a UTC day (days since 1970-01-01), remembered: the reference tables write the
 * same few thousand dates tens of thousands of times, and toISOString took most of building them.
 */
function utcDateText(day: number): string {
  let text = dateTexts.get(day);
  if (text === undefined) {
    text = new Date(day * DAY_MS).toISOString().slice(0, 10);
    if (dateTexts.size >= MAX_CACHED_DATES) dateTexts.clear();
    dateTexts.set(day, text);
  }
  return text;
}

/** An instant in whole milliseconds, truncated and refused as Date truncates and refuses it. */
function wholeInstant(epochMs: number): number {
  if (!(Math.abs(epochMs) <= MAX_INSTANT_MS)) throw new RangeError(`Invalid time value: ${epochMs}`);
  return Math.trunc(epochMs);
}

/** The UTC date of an instant as a `date` reference value (`yyyy-MM-dd`). */
export function referenceDate(epochMs: number): string {
  return utcDateText(Math.floor(wholeInstant(epochMs) / DAY_MS));
}

/** An instant as a `timestamp` reference value (`yyyy-MM-dd HH:mm:ss.SSS`, UTC). */
export function referenceTimestamp(epochMs: number): string {
  const instant = wholeInstant(epochMs);
  const day = Math.floor(instant / DAY_MS);
  const ms = instant - day * DAY_MS;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor(ms / 60_000) % 60;
  const seconds = Math.floor(ms / 1000) % 60;
  return `${utcDateText(day)} ${twoDigits(hours)}:${twoDigits(minutes)}:${twoDigits(seconds)}.${String(ms % 1000).padStart(3, '0')}`;
}

function twoDigits(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/**
 * One row as the engines read it: exactly the table's columns in order, a missing value null.
 * Dates and timestamps stay text in the one form that Athena's OpenX JSON SerDe, Trino's JSON
 * tables and DuckDB's from_json all read as DATE and TIMESTAMP (`yyyy-MM-dd`,
 * `yyyy-MM-dd HH:mm:ss.SSS`); any other form is refused here rather than read differently (or as
 * NULL) by one engine.
 */
export function referenceRecord(table: Pick<ReferenceTable, 'name' | 'columns'>, row: Record<string, unknown>) {
  const record: Record<string, unknown> = {};
  for (const column of table.columns) {
    const value = row[column.name] ?? null;
    const form = column.type === 'date' ? DATE_TEXT : column.type === 'timestamp' ? TIMESTAMP_TEXT : undefined;
    if (value !== null && form && !(typeof value === 'string' && form.test(value))) {
      throw new Error(
        `reference table ${table.name}: ${column.name} ${JSON.stringify(value)} is not a ${column.type} (${column.type === 'date' ? 'yyyy-MM-dd' : 'yyyy-MM-dd HH:mm:ss.SSS'})`,
      );
    }
    record[column.name] = value;
  }
  return record;
}

/**
 * Weights of the service index when the config sets none: the customer's verdict first (CSAT,
 * NPS), then resolution (FCR), then access (service level, abandonment) and quality (QA). Every
 * metric here has a natural bounded scale, so the index needs no target to be computed. Weights are
 * relative: the index renormalises over the metrics that have enough data.
 */
export const DEFAULT_COMPOSITE_WEIGHTS: Readonly<Partial<Record<MetricId, number>>> = {
  csat_pct: 3,
  nps: 2,
  fcr_rate: 2,
  service_level_pct: 1,
  abandonment_rate: 1,
  qa_score: 1,
};

const OPTION_NAMES: Readonly<Record<keyof MetricOptions, string>> = {
  minSample: 'min_sample',
  shortAbandonS: 'short_abandon_s',
  serviceLevelS: 'service_level_s',
  fcrWindowDays: 'fcr_window_days',
};

export interface ReferenceOptions {
  /** Benchmark rows to choose from; defaults to the shipped benchmarks/industry.csv. */
  readonly benchmarks?: readonly BenchmarkRow[] | undefined;
  /**
   * Today, which decides how far zone_days reaches (the end of next year).
   * @default the clock
   */
  readonly now?: Date | undefined;
  /**
   * The custom ranges asked for (grain `range`): a range and the equal-length range just before it,
   * which the scorecard compares it with. No two may share a day.
   * @default none: the views give the materialised grains only
   */
  readonly ranges?: readonly ReportRange[] | undefined;
}

/**
 * The names of the tables referenceTables builds, in its order, for an engine that loads them only
 * when a statement names one (building them takes longer than opening the rest of a lake). Literal
 * names, as the time modules that declare some of them import this one; a test pins the list to
 * what referenceTables builds.
 */
export const REFERENCE_TABLE_NAMES: readonly string[] = [
  'metric_catalogue',
  'metric_options',
  'retention_options',
  'targets',
  'composite_weights',
  'benchmarks',
  'zone_days',
  'reporting_zones',
  'calendar_periods',
  'report_ranges',
  'business_calendar',
  'schedule_assignments',
  'interval_length',
];

/** Every reference table, named as REFERENCE_TABLE_NAMES lists them. */
export function referenceTables(config: ServiceBenchConfig, options: ReferenceOptions = {}): ReferenceTable[] {
  const seen = new Set<string>();
  for (const target of config.targets) {
    const key = `${target.metric} ${target.scope}`;
    if (seen.has(key)) {
      throw new Error(
        `targets: metric "${target.metric}" has two targets for scope "${target.scope}"; keep one per metric and scope`,
      );
    }
    seen.add(key);
  }
  const opts = metricOptions(config);
  const weights = config.compositeWeights ?? DEFAULT_COMPOSITE_WEIGHTS;
  const benchmarks = selectBenchmarks(
    options.benchmarks ?? loadBenchmarks(),
    config.benchmarks.industry,
    config.benchmarks.region,
  );
  return [
    {
      name: 'metric_catalogue',
      columns: [
        { name: 'metric', type: 'string' },
        { name: 'label', type: 'string' },
        { name: 'unit', type: 'string' },
        { name: 'higher_is_better', type: 'boolean' },
        { name: 'is_proportion', type: 'boolean' },
        { name: 'domain', type: 'string' },
        { name: 'scale_min', type: 'double' },
        { name: 'scale_max', type: 'double' },
      ],
      rows: METRICS.map((m) => ({
        metric: m.id,
        label: m.label,
        unit: m.unit,
        higher_is_better: m.higherIsBetter,
        is_proportion: m.isProportion,
        domain: m.domain,
        scale_min: m.scale?.min ?? null,
        scale_max: m.scale?.max ?? null,
      })),
    },
    {
      name: 'metric_options',
      columns: [
        { name: 'name', type: 'string' },
        { name: 'value', type: 'double' },
      ],
      rows: (Object.keys(OPTION_NAMES) as (keyof MetricOptions)[]).map((key) => ({
        name: OPTION_NAMES[key],
        value: opts[key],
      })),
    },
    {
      // Its own table, not a metric option: it configures one view (service_retention), not the metrics.
      name: 'retention_options',
      columns: [
        { name: 'name', type: 'string' },
        { name: 'value', type: 'double' },
      ],
      rows: [{ name: 'horizon_days', value: retentionHorizonDays(config) }],
    },
    {
      name: 'targets',
      columns: [
        { name: 'metric', type: 'string' },
        { name: 'scope', type: 'string' },
        { name: 'goal', type: 'double' },
        { name: 'amber_band', type: 'double' },
      ],
      rows: config.targets.map((t) => ({
        metric: t.metric,
        scope: t.scope,
        goal: t.goal,
        amber_band: t.amberBand ?? DEFAULTS.amberBand,
      })),
    },
    {
      name: 'composite_weights',
      columns: [
        { name: 'metric', type: 'string' },
        { name: 'weight', type: 'double' },
      ],
      rows: Object.entries(weights).map(([metric, weight]) => ({ metric, weight })),
    },
    {
      name: 'benchmarks',
      columns: BENCHMARK_COLUMNS.map((name) => ({
        name,
        type: name === 'year' ? 'bigint' : ['p25', 'median', 'p75', 'p90'].includes(name) ? 'double' : 'string',
      })),
      rows: benchmarks.map((row) => ({ ...row, sample: row.sample ?? null })),
    },
    zoneDaysTable(config, options.now ?? new Date()),
    reportingZonesTable(config),
    calendarPeriodsTable(config, options.now ?? new Date(), options.ranges ?? []),
    reportRangesTable(options.ranges ?? []),
    businessCalendarTable(config, options.now ?? new Date()),
    scheduleAssignmentsTable(config),
    {
      // The length of an interval of the day (reporting.intervalMinutes), for contact_centre_intervals.
      name: 'interval_length',
      columns: [{ name: 'interval_minutes', type: 'bigint' }],
      rows: [{ interval_minutes: config.reporting.intervalMinutes }],
    },
  ];
}
