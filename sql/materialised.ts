/**
 * Materialised tables: results written once by a refresh and read by the views that follow, so no
 * query has to inline the whole chain of metric views (Trino inlines every view at each reference
 * and refuses a plan of more than 150 stages; the scorecard over the inlined chain plans over 300).
 *
 * `metric_values` holds every metric row of every family in the long shape, partitioned by family,
 * grain and period start: a query for one period reads the files of that period (and of the period
 * before it, for the comparison), not the years of history. A family is refreshed by clearing its
 * partitions and writing them again from its view with INSERT … SELECT, the same statements on
 * DuckDB, Trino and Athena. An INSERT may write at most MAX_PARTITIONS_PER_INSERT partitions on
 * Athena and on a stock Trino, so a family spanning more periods than that is written in runs of
 * consecutive periods, each within the limit (lambdas/core/query/refresh.ts).
 *
 * Why this layout. Measured on Trino 476 with `npm run bench:trino` (demo lakes of 13 months and
 * 3 years ending in the month asked for) and with the same scorecard queries on its 3-year demo
 * lake (scale 0.2); read = physical input bytes:
 * - partitioned by family only, a scorecard query for one month read 2.4 times as much on 3 years
 *   as on 13 months (2.09 MiB against 0.87 MiB, 27 stages): every period of metric_values.
 * - partitioned by (family, grain, period_start), with the scorecard computing each period in a
 *   frame with the one before it, keyed so the period predicate reaches the table
 *   (sql/views/scorecard.sql): 0.13 MiB on both lakes (ratio 1.00, bench:trino), the same rows
 *   (prev_value, delta and peer ranks included), 27 stages (29 for the report's queries); the
 *   12-month trend 1.16 MiB on both.
 * - a materialised scorecard (the scorecard view over the whole history written at refresh into a
 *   table partitioned by grain and period, one INSERT per year): 0.03 MB and 1 stage for June on
 *   the same lake, the trend 0.34 MB; flat in history too. Not kept: it freezes targets,
 *   benchmarks, weights and min_sample at refresh time, so the scorecard would stop being a view
 *   of the current configuration (a changed target would show only after the next refresh), and
 *   it adds a second table, its view and its refresh to every engine, for a difference of a tenth
 *   of a megabyte per query. The cost of the kept layout is in the refresh: each run of at most
 *   100 partitions reads the family's view again, plus once to learn its partitions.
 * Grain is a partition column so that the scorecard's "next period" of a row (7 days, a month, a
 * quarter or a year on, by grain) is computed from partition values alone, which lets Trino prune on it.
 *
 * The period tables (PERIOD_TABLES) hold the rows of the views the report reads beyond the
 * scorecard: the QA criteria, the survey comments, the survey answers its alerts are evaluated
 * from, and churn by experience. Those views date a row by a local date or an answer time that no
 * range of `dt` partitions bounds (a survey answer lies in the partition of the day its survey was
 * sent, any time earlier), so read directly each scanned every partition of its tables: on Trino,
 * a monthly report read 1.3 to 2.8 times as much of them on a 3-year demo lake as on a 13-month
 * one. Written by the refresh of the family that owns them, partitioned like metric_values (the
 * alert answers by UTC month, since alerts are instants), a report reads its period's files.
 *
 * Engines create the tables from these declarations (Trino types, partition columns last).
 */

import { METRICS } from '../lambdas/core/metrics/catalogue.ts';

/** The SQL types a materialised column may have, spelled as Trino and Athena DML spell them. */
export type MaterialisedColumnType = 'DATE' | 'TIMESTAMP' | 'VARCHAR' | 'DOUBLE' | 'BIGINT' | 'BOOLEAN';

export interface MaterialisedColumn {
  readonly name: string;
  readonly type: MaterialisedColumnType;
  readonly description: string;
}

export interface MaterialisedTable {
  readonly name: string;
  readonly description: string;
  /** Every column in table order; the partition columns come last, in `partitionedBy` order. */
  readonly columns: readonly MaterialisedColumn[];
  /** Hive-style partition columns (`partitioned_by` on Trino, `PARTITIONED BY` on Athena). */
  readonly partitionedBy: readonly string[];
  /** The views a refresh reads (sql/registry.ts); they exist before the table is refreshed. */
  readonly dependsOn: readonly string[];
}

/** The metric families, one per metric view, in the order metric_long stacks them. */
export const METRIC_FAMILIES = [
  'contact_centre',
  'tickets',
  'surveys',
  'quality',
  'social',
  'retention',
  'employee',
] as const;

export type MetricFamily = (typeof METRIC_FAMILIES)[number];

/** The view a family's rows are computed by. */
export function familySourceView(family: MetricFamily): string {
  return `metrics_${family}`;
}

/** The long metric columns every family view returns, in the order metric_long returns them. */
const METRIC_COLUMNS: readonly MaterialisedColumn[] = [
  {
    name: 'period_start',
    type: 'DATE',
    description: 'First local day of the period in the reporting zone (a team with its own zone: in that zone).',
  },
  {
    name: 'grain',
    type: 'VARCHAR',
    description:
      "'week' (ISO, Monday first), 'month', 'quarter', 'year', or 'range' (a custom range, local engine only).",
  },
  { name: 'dimension', type: 'VARCHAR', description: "'overall', 'channel', 'team', 'agent', 'source', …" },
  { name: 'dimension_value', type: 'VARCHAR', description: "The group within the dimension ('all' for overall)." },
  { name: 'metric', type: 'VARCHAR', description: 'Metric id from the metric catalogue.' },
  { name: 'value', type: 'DOUBLE', description: 'The metric value, in the unit of the catalogue.' },
  { name: 'unit', type: 'VARCHAR', description: "Unit the family view gives ('pct', 'seconds', 'score', …)." },
  { name: 'n', type: 'BIGINT', description: 'Sample size behind the value.' },
  { name: 'ci_low', type: 'DOUBLE', description: 'Lower bound of the 95% interval, when the metric has one.' },
  { name: 'ci_high', type: 'DOUBLE', description: 'Upper bound of the 95% interval, when the metric has one.' },
];

function metricColumn(name: string): MaterialisedColumn {
  const column = METRIC_COLUMNS.find((c) => c.name === name);
  if (!column) throw new Error(`no metric column ${name}`);
  return column;
}

const FAMILY_COLUMN: MaterialisedColumn = {
  name: 'family',
  type: 'VARCHAR',
  description: 'The metric family that computes the row.',
};

export const METRIC_VALUES: MaterialisedTable = {
  name: 'metric_values',
  description:
    'Every metric row of every family (the rows of metric_long), partitioned by family, grain and period start.',
  columns: [
    ...METRIC_COLUMNS.filter((c) => c.name !== 'grain' && c.name !== 'period_start'),
    FAMILY_COLUMN,
    metricColumn('grain'),
    metricColumn('period_start'),
  ],
  // Folders family=…/grain=…/period_start=…/.
  partitionedBy: ['family', 'grain', 'period_start'],
  dependsOn: METRIC_FAMILIES.map(familySourceView),
};

/**
 * Most partitions one INSERT may write: Athena's limit for INSERT INTO and CTAS, and the default of
 * Trino's `hive.max-partitions-per-writers`.
 */
export const MAX_PARTITIONS_PER_INSERT = 100;

/** Consecutive periods one INSERT writes: period_start from `from` to `to` inclusive, `YYYY-MM-DD`; open when absent. */
export interface PeriodRange {
  readonly from?: string;
  readonly to?: string;
}

/**
 * A period table: the rows of one view that gives them per grain and period start, written whole by
 * the refresh of one metric family (the family whose canonical table the view reads) and
 * partitioned like metric_values, so a report reads the files of its period only. These are the
 * report's reads beyond the scorecard whose view cannot prune by `dt`: a period's rows are dated by
 * a local date or an answer time that no range of partitions bounds (lambdas/report/reads.ts).
 */
export interface PeriodTable extends MaterialisedTable {
  /** The view whose rows the table holds; its columns are the table's, partition columns included. */
  readonly sourceView: string;
  /** The metric family whose refresh rewrites it. */
  readonly family: MetricFamily;
}

function periodColumns(columns: readonly MaterialisedColumn[]): readonly MaterialisedColumn[] {
  return [...columns, metricColumn('grain'), metricColumn('period_start')];
}

export const QA_CRITERIA_BY_PERIOD: PeriodTable = {
  name: 'qa_criteria_by_period',
  description:
    'How each QA criterion scored per period, team, agent and source (the rows of qa_criterion_attainment), partitioned by grain and period start.',
  columns: periodColumns([
    { name: 'dimension', type: 'VARCHAR', description: "'overall', 'team', 'agent' or 'source'." },
    { name: 'dimension_value', type: 'VARCHAR', description: "The group within the dimension ('all' for overall)." },
    { name: 'criterion', type: 'VARCHAR', description: 'Criterion (question) of the scorecard.' },
    { name: 'section', type: 'VARCHAR', description: 'The greatest section name the criterion appears under.' },
    { name: 'evaluations', type: 'BIGINT', description: 'Scored answers to the criterion.' },
    { name: 'score_pct', type: 'DOUBLE', description: 'Mean of points / max points, in percent.' },
    { name: 'critical_misses', type: 'BIGINT', description: 'Critical answers below full points.' },
  ]),
  partitionedBy: ['grain', 'period_start'],
  sourceView: 'qa_criterion_attainment',
  family: 'quality',
  dependsOn: ['qa_criterion_attainment'],
};

export const SURVEY_COMMENTS_BY_PERIOD: PeriodTable = {
  name: 'survey_comments_by_period',
  description:
    'Scored survey answers with a comment, in each period their answer is dated in (the rows of survey_comments), partitioned by grain and period start.',
  columns: periodColumns([
    { name: 'source', type: 'VARCHAR', description: 'Source name from the config.' },
    { name: 'response_id', type: 'VARCHAR', description: 'Identifier of the answer.' },
    { name: 'survey_kind', type: 'VARCHAR', description: 'Instrument: csat, nps, ces, enps or custom.' },
    { name: 'score', type: 'DOUBLE', description: 'Answer on the instrument scale.' },
    { name: 'scale_min', type: 'DOUBLE', description: 'Lowest value of the scale.' },
    { name: 'scale_max', type: 'DOUBLE', description: 'Highest value of the scale.' },
    { name: 'higher_is_better', type: 'BOOLEAN', description: 'Direction of the scale.' },
    { name: 'comment', type: 'VARCHAR', description: 'The free-text comment.' },
    { name: 'team', type: 'VARCHAR', description: 'Team of the contact surveyed, when known.' },
    { name: 'channel', type: 'VARCHAR', description: 'Channel of the contact surveyed, when known.' },
    { name: 'agent_id', type: 'VARCHAR', description: 'Agent of the contact surveyed, when known.' },
  ]),
  partitionedBy: ['grain', 'period_start'],
  sourceView: 'survey_comments',
  family: 'surveys',
  dependsOn: ['survey_comments'],
};

export const SERVICE_RETENTION_BY_PERIOD: PeriodTable = {
  name: 'service_retention_by_period',
  description:
    'Churn after a contact per period, experience family and segment (the rows of service_retention), partitioned by grain and period start.',
  columns: periodColumns([
    {
      name: 'family',
      type: 'VARCHAR',
      description: "Experience family: 'nps', 'csat', 'abandonment', 'first_contact_resolution', 'resolution_time'.",
    },
    { name: 'segment', type: 'VARCHAR', description: "Segment within the family ('promoter', 'detractor', …)." },
    {
      name: 'is_reference',
      type: 'BOOLEAN',
      description: 'The best segment of its family, the reference of its relative risk.',
    },
    {
      name: 'customers',
      type: 'BIGINT',
      description: 'Customers of the segment in the period, pending ones included.',
    },
    { name: 'customers_pending', type: 'BIGINT', description: 'Customers whose follow-up window has not passed.' },
    { name: 'n', type: 'BIGINT', description: 'Customers whose outcome is known (churned, or their window elapsed).' },
    { name: 'churned', type: 'BIGINT', description: 'Customers who cancelled within the follow-up window.' },
    { name: 'churn_rate', type: 'DOUBLE', description: 'churned / n, in percent; NULL when no outcome is known.' },
    { name: 'churn_ci_low', type: 'DOUBLE', description: 'Lower bound of the 95% Wilson interval of churn_rate.' },
    { name: 'churn_ci_high', type: 'DOUBLE', description: 'Upper bound of the 95% Wilson interval of churn_rate.' },
    { name: 'relative_risk', type: 'DOUBLE', description: "Churn rate against the family's reference segment." },
    { name: 'rr_ci_low', type: 'DOUBLE', description: 'Lower bound of the 95% interval of the relative risk.' },
    { name: 'rr_ci_high', type: 'DOUBLE', description: 'Upper bound of the 95% interval of the relative risk.' },
    { name: 'low_sample', type: 'BOOLEAN', description: 'Fewer customers with a known outcome than min_sample.' },
    { name: 'risk_rank', type: 'BIGINT', description: 'Rank by churn rate within the family, low samples unranked.' },
    {
      name: 'at_risk',
      type: 'BIGINT',
      description: 'Customers of a worse segment not cancelled since their first contact; NULL for the reference.',
    },
    {
      name: 'revenue',
      type: 'DOUBLE',
      description: "Known amounts of the customers' events in the twelve months before the period end.",
    },
    { name: 'revenue_customers', type: 'BIGINT', description: 'Customers with at least one known amount there.' },
    { name: 'at_risk_revenue', type: 'DOUBLE', description: 'Revenue of the customers still at risk.' },
    { name: 'horizon_days', type: 'BIGINT', description: 'The follow-up window, in days.' },
  ]),
  partitionedBy: ['grain', 'period_start'],
  sourceView: 'service_retention',
  family: 'retention',
  dependsOn: ['service_retention'],
};

/** The grain of survey_alert_answers_by_month: the UTC calendar month of an answer. */
export const UTC_MONTH_GRAIN = 'utc_month';

export const SURVEY_ALERT_ANSWERS_BY_MONTH: PeriodTable = {
  name: 'survey_alert_answers_by_month',
  description:
    "The latest version of each survey answer naming a customer, with the columns the alert rules read (the rows of survey_alert_answers), partitioned by grain ('utc_month') and the first day of the answer's UTC month.",
  columns: [
    { name: 'source', type: 'VARCHAR', description: 'Source name from the config.' },
    { name: 'response_id', type: 'VARCHAR', description: 'Identifier of the answer.' },
    { name: 'survey_kind', type: 'VARCHAR', description: 'Instrument: csat, nps, ces, enps or custom.' },
    { name: 'score', type: 'DOUBLE', description: 'Answer on the instrument scale; NULL when offered, unanswered.' },
    { name: 'scale_min', type: 'DOUBLE', description: 'Lowest value of the scale.' },
    { name: 'scale_max', type: 'DOUBLE', description: 'Highest value of the scale.' },
    { name: 'higher_is_better', type: 'BOOLEAN', description: 'Direction of the scale.' },
    { name: 'interaction_id', type: 'VARCHAR', description: 'Contact the survey is about, when known.' },
    { name: 'customer_key', type: 'VARCHAR', description: 'Pseudonymised respondent.' },
    { name: 'agent_id', type: 'VARCHAR', description: 'Agent of the contact surveyed, when known.' },
    { name: 'team', type: 'VARCHAR', description: 'Team of the contact surveyed, when known.' },
    { name: 'responded_at', type: 'TIMESTAMP', description: 'When it was answered (UTC).' },
    { name: 'updated_at', type: 'TIMESTAMP', description: 'Last update in the source (UTC).' },
    { name: 'comment', type: 'VARCHAR', description: 'Free-text verbatim.' },
    { name: 'resolved', type: 'BOOLEAN', description: 'Answer to "was your issue resolved?".' },
    { name: 'grain', type: 'VARCHAR', description: `'${UTC_MONTH_GRAIN}': the UTC calendar month of the answer.` },
    {
      name: 'period_start',
      type: 'DATE',
      description: 'First day of the UTC month of the answer time (responded_at, else updated_at).',
    },
  ],
  partitionedBy: ['grain', 'period_start'],
  sourceView: 'survey_alert_answers',
  family: 'surveys',
  dependsOn: ['survey_alert_answers'],
};

export const PERIOD_TABLES: readonly PeriodTable[] = [
  QA_CRITERIA_BY_PERIOD,
  SURVEY_COMMENTS_BY_PERIOD,
  SURVEY_ALERT_ANSWERS_BY_MONTH,
  SERVICE_RETENTION_BY_PERIOD,
];

export const MATERIALISED_TABLES: readonly MaterialisedTable[] = [METRIC_VALUES, ...PERIOD_TABLES];

/**
 * What one refresh step rewrites: one family's rows of metric_values, or a whole period table. A
 * family's refresh rewrites its slice of metric_values, then the period tables of that family.
 */
export type RefreshSlice =
  | { readonly kind: 'family'; readonly table: MaterialisedTable; readonly family: MetricFamily }
  | { readonly kind: 'period-table'; readonly table: PeriodTable; readonly family: MetricFamily };

/** The slices a family's refresh rewrites, in order. */
export function familySlices(family: MetricFamily): RefreshSlice[] {
  assertFamily(family);
  return [
    { kind: 'family', table: METRIC_VALUES, family },
    ...PERIOD_TABLES.filter((t) => t.family === family).map((table) => ({
      kind: 'period-table' as const,
      table,
      family,
    })),
  ];
}

/** The SELECT of a slice's rows, in its table's column order, of the periods in `periods` (all when absent). */
export function sliceSelectSql(slice: RefreshSlice, periods: PeriodRange = {}): string {
  if (slice.kind === 'family') return metricValuesSelectSql(slice.family, periods);
  const bounds = periodBounds(periods);
  const where = bounds.length > 0 ? `\nWHERE ${bounds.join(' AND ')}` : '';
  return `SELECT ${slice.table.columns.map((c) => c.name).join(', ')}\nFROM ${slice.table.sourceView}${where}`;
}

/** The statement that writes a slice's rows of the given periods (after its partitions were cleared). */
export function sliceInsertSql(slice: RefreshSlice, periods: PeriodRange = {}): string {
  if (slice.kind === 'family') return metricValuesInsertSql(slice.family, periods);
  const columns = slice.table.columns.map((c) => c.name).join(', ');
  return `INSERT INTO ${slice.table.name} (${columns})\n${sliceSelectSql(slice, periods)}`;
}

/** The partitions (grain, period start as `YYYY-MM-DD`) a slice's view gives, one row each. */
export function slicePartitionsSql(slice: RefreshSlice): string {
  if (slice.kind === 'family') return metricValuesPartitionsSql(slice.family);
  return `SELECT DISTINCT grain, CAST(period_start AS VARCHAR) AS period_start\nFROM ${slice.table.sourceView}`;
}

/** How a slice is named in messages: `metric_values family surveys`, `survey_comments_by_period`. */
export function sliceLabel(slice: RefreshSlice): string {
  return slice.kind === 'family' ? `${slice.table.name} family ${slice.family}` : slice.table.name;
}

function periodBounds(periods: PeriodRange): string[] {
  return [
    periods.from === undefined ? undefined : `period_start >= DATE '${isoDate(periods.from)}'`,
    periods.to === undefined ? undefined : `period_start <= DATE '${isoDate(periods.to)}'`,
  ].filter((b) => b !== undefined);
}

/**
 * The condition that keeps each metric of a family at the dimensions its catalogue entry lists
 * (lambdas/core/metrics/catalogue.ts, the one source of that fact): the family views cut every
 * metric by every dimension they know, and a cut that cannot attribute a metric (agent-level
 * abandonment: abandoned calls reach no agent) would read 0% and rank as the best. Metrics outside
 * the catalogue pass; the scorecard drops them.
 */
function attributionSql(family: MetricFamily): string {
  assertFamily(family);
  const cases = METRICS.filter((m) => m.domain === family).map(
    (m) => `WHEN '${m.id}' THEN dimension IN (${m.dimensions.map((d) => `'${d}'`).join(', ')})`,
  );
  return `CASE metric ${cases.join(' ')} ELSE true END`;
}

/**
 * The SELECT of one family's rows in metric_values column order, the partition columns last, of
 * the periods in `periods` (every period when absent), each metric at the dimensions that can
 * attribute it.
 */
export function metricValuesSelectSql(family: MetricFamily, periods: PeriodRange = {}): string {
  assertFamily(family);
  const columns = METRIC_VALUES.columns.map((c) =>
    c.name === 'n' ? 'CAST(n AS BIGINT) AS n' : c.name === 'family' ? `'${family}' AS family` : c.name,
  );
  const bounds = [...periodBounds(periods), attributionSql(family)];
  const where = `\nWHERE ${bounds.join(' AND ')}`;
  return `SELECT ${columns.join(', ')}\nFROM ${familySourceView(family)}${where}`;
}

/**
 * The statement that writes one family's rows of the given periods into metric_values (after its
 * partitions were cleared): the same text on DuckDB, Trino and Athena.
 */
export function metricValuesInsertSql(family: MetricFamily, periods: PeriodRange = {}): string {
  const columns = METRIC_VALUES.columns.map((c) => c.name).join(', ');
  return `INSERT INTO ${METRIC_VALUES.name} (${columns})\n${metricValuesSelectSql(family, periods)}`;
}

/** The partitions (grain, period start as `YYYY-MM-DD`) a family's view gives, one row each. */
export function metricValuesPartitionsSql(family: MetricFamily): string {
  assertFamily(family);
  return `SELECT DISTINCT grain, CAST(period_start AS VARCHAR) AS period_start\nFROM ${familySourceView(family)}`;
}

/** Whether a string names a metric family (e.g. a command-line argument). */
export function isMetricFamily(value: string): value is MetricFamily {
  return (METRIC_FAMILIES as readonly string[]).includes(value);
}

function assertFamily(family: string): asserts family is MetricFamily {
  if (!isMetricFamily(family)) {
    throw new Error(`unknown metric family "${family}"; families: ${METRIC_FAMILIES.join(', ')}`);
  }
}

function isoDate(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new Error(`period bound "${value}" is not a date (YYYY-MM-DD)`);
  return value;
}
