/**
 * Refresh of the materialised metric_values table, the same on every engine: for each metric
 * family, clear its partition, then run the family's INSERT … SELECT (sql/materialised.ts). Only
 * clearing a partition differs between engines, so a target supplies that and runs statements.
 *
 * Idempotent: a refresh replaces each family's rows, so refreshing twice leaves the same rows.
 * One write per family keeps each statement small enough for Trino to plan (one write of every
 * family at once plans over Trino's stage limit). A family whose INSERT fails is left empty, and
 * the error names it; the next refresh writes it again.
 */
import {
  isMetricFamily,
  type MaterialisedTable,
  METRIC_FAMILIES,
  METRIC_VALUES,
  type MetricFamily,
  metricValuesInsertSql,
} from '../../../sql/materialised.ts';

/** Where a materialised table lives: an engine that can drop one partition and run statements. */
export interface RefreshTarget {
  /** Removes every row of the partition `column = value` of a materialised table. */
  clearPartition(table: MaterialisedTable, column: string, value: string): Promise<void>;
  /** Runs one trusted statement from this repository (no user input in its text). */
  execute(sql: string): Promise<void>;
}

export interface RefreshedFamily {
  readonly family: MetricFamily;
  /** Wall time of clearing and rewriting the family, in milliseconds. */
  readonly ms: number;
}

/** Rewrites metric_values for the given families (every family unless given), one after another. */
export async function refreshMetricValues(
  target: RefreshTarget,
  families: readonly MetricFamily[] = METRIC_FAMILIES,
): Promise<RefreshedFamily[]> {
  const unknown = families.filter((family) => !isMetricFamily(family));
  if (unknown.length > 0) {
    throw new Error(`unknown metric families ${unknown.join(', ')}; families: ${METRIC_FAMILIES.join(', ')}`);
  }
  const [partitionColumn] = METRIC_VALUES.partitionedBy;
  if (partitionColumn === undefined) throw new Error(`${METRIC_VALUES.name} declares no partition column`);
  const refreshed: RefreshedFamily[] = [];
  for (const family of families) {
    const started = performance.now();
    try {
      await target.clearPartition(METRIC_VALUES, partitionColumn, family);
      await target.execute(metricValuesInsertSql(family));
    } catch (error) {
      throw new Error(`refreshing ${METRIC_VALUES.name} family ${family} failed: ${errorMessage(error)}`, {
        cause: error,
      });
    }
    refreshed.push({ family, ms: performance.now() - started });
  }
  return refreshed;
}

/**
 * A target whose DELETE removes whole partitions: a DuckDB table, or a Trino Hive table (Trino's
 * Hive connector deletes from a non-transactional table only when the filter is on partition
 * columns, which this one is).
 */
export function deleteStatementTarget(execute: (sql: string) => Promise<unknown>): RefreshTarget {
  return {
    async clearPartition(table, column, value) {
      await execute(`DELETE FROM ${table.name} WHERE ${column} = ${sqlLiteral(value)}`);
    },
    async execute(sql) {
      await execute(sql);
    },
  };
}

export interface AthenaRefreshOptions {
  /** Runs one statement on Athena and waits for it to finish. */
  readonly execute: (sql: string) => Promise<unknown>;
  /** Deletes every object under a key prefix of the table's location (e.g. `s3://b/t/family=x/`). */
  readonly deletePrefix: (prefix: string) => Promise<void>;
  /** The table's location, as its Glue table declares it (`s3://bucket/prefix`). */
  readonly location: (table: MaterialisedTable) => string;
}

/**
 * Athena cannot DELETE from a Hive table: its files are removed from S3 and the partition dropped
 * from the catalog; the INSERT then writes new files and registers the partition again.
 */
export function athenaTarget(options: AthenaRefreshOptions): RefreshTarget {
  return {
    async clearPartition(table, column, value) {
      const root = options.location(table).replace(/\/+$/, '');
      await options.deletePrefix(`${root}/${column}=${value}/`);
      await options.execute(`ALTER TABLE ${table.name} DROP IF EXISTS PARTITION (${column} = ${sqlLiteral(value)})`);
    },
    async execute(sql) {
      await options.execute(sql);
    },
  };
}

function sqlLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
