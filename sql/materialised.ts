/**
 * Materialised tables: results written once by a refresh and read by the views that follow, so no
 * query has to inline the whole chain of metric views (Trino inlines every view at each reference
 * and refuses a plan of more than 150 stages; the scorecard over the inlined chain plans over 300).
 *
 * `metric_values` holds every metric row of every family in the long shape, partitioned by family.
 * A family is refreshed by clearing its partition and writing it again from its view with one
 * INSERT … SELECT, the same statement on DuckDB, Trino and Athena. Engines create the table from
 * this declaration (Trino types, partition columns last).
 */

/** The SQL types a materialised column may have, spelled as Trino and Athena DML spell them. */
export type MaterialisedColumnType = 'DATE' | 'VARCHAR' | 'DOUBLE' | 'BIGINT';

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
  { name: 'period_start', type: 'DATE', description: 'First day of the month or ISO week (UTC).' },
  { name: 'grain', type: 'VARCHAR', description: "'month' or 'week'." },
  { name: 'dimension', type: 'VARCHAR', description: "'overall', 'channel', 'team', 'agent', 'source', …" },
  { name: 'dimension_value', type: 'VARCHAR', description: "The group within the dimension ('all' for overall)." },
  { name: 'metric', type: 'VARCHAR', description: 'Metric id from the metric catalogue.' },
  { name: 'value', type: 'DOUBLE', description: 'The metric value, in the unit of the catalogue.' },
  { name: 'unit', type: 'VARCHAR', description: "Unit the family view gives ('pct', 'seconds', 'score', …)." },
  { name: 'n', type: 'BIGINT', description: 'Sample size behind the value.' },
  { name: 'ci_low', type: 'DOUBLE', description: 'Lower bound of the 95% interval, when the metric has one.' },
  { name: 'ci_high', type: 'DOUBLE', description: 'Upper bound of the 95% interval, when the metric has one.' },
];

export const METRIC_VALUES: MaterialisedTable = {
  name: 'metric_values',
  description:
    'Every metric row of every family (the rows of metric_long), partitioned by the family that computes it.',
  columns: [...METRIC_COLUMNS, { name: 'family', type: 'VARCHAR', description: 'The metric family (partition).' }],
  partitionedBy: ['family'],
  dependsOn: METRIC_FAMILIES.map(familySourceView),
};

export const MATERIALISED_TABLES: readonly MaterialisedTable[] = [METRIC_VALUES];

/** The SELECT list of one family's rows in metric_values column order, partition column last. */
export function metricValuesSelectSql(family: MetricFamily): string {
  assertFamily(family);
  const columns = METRIC_COLUMNS.map((c) => (c.name === 'n' ? 'CAST(n AS BIGINT) AS n' : c.name));
  return `SELECT ${columns.join(', ')}, '${family}' AS family\nFROM ${familySourceView(family)}`;
}

/**
 * The statement that writes one family's rows into metric_values (after its partition was
 * cleared): the same text on DuckDB, Trino and Athena.
 */
export function metricValuesInsertSql(family: MetricFamily): string {
  const columns = METRIC_VALUES.columns.map((c) => c.name).join(', ');
  return `INSERT INTO ${METRIC_VALUES.name} (${columns})\n${metricValuesSelectSql(family)}`;
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
