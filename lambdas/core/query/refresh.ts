/**
 * Refresh of the materialised tables, the same on every engine: for each metric family, clear its
 * partitions of metric_values, then write the family's rows with INSERT … SELECT from its view; then
 * the same for each period table the family owns (sql/materialised.ts: the QA criteria with
 * quality, the survey comments with surveys), whole. Only clearing a slice, and whether an INSERT
 * is limited in the partitions it writes, differ between engines, so a target supplies those and
 * runs statements.
 *
 * Every materialised table is partitioned by grain and period start (metric_values by family
 * first). Athena, and Trino on its default settings, refuse an INSERT that writes more than
 * MAX_PARTITIONS_PER_INSERT partitions: on those engines the refresh first asks which partitions a
 * slice's view gives and writes them in runs of consecutive periods, each within the limit (one
 * INSERT for a year or so of months and weeks). The first run is open towards the past and the last
 * towards the future, so a period that appears between the question and the writes is still written.
 *
 * Idempotent: a refresh replaces each slice's rows, so refreshing twice leaves the same rows.
 * One slice at a time keeps each statement small enough for Trino to plan (one write of every
 * family at once plans over Trino's stage limit). A slice whose INSERT fails is left incomplete,
 * and the error names it; the next refresh writes it again.
 */
import {
  familySlices,
  isMetricFamily,
  MAX_PARTITIONS_PER_INSERT,
  METRIC_FAMILIES,
  type MetricFamily,
  type PeriodRange,
  type RefreshSlice,
  sliceInsertSql,
  sliceLabel,
  slicePartitionsSql,
} from '../../../sql/materialised.ts';

/** One partition a slice writes (below its family folder in metric_values). */
export interface FamilyPartition {
  readonly grain: string;
  /** `YYYY-MM-DD`. */
  readonly period_start: string;
}

/** Where the materialised tables live: an engine that can clear a slice and run statements. */
export interface RefreshTarget {
  /** Removes every row of one slice (a family of metric_values, or a period table), whatever periods it held. */
  clear(slice: RefreshSlice): Promise<void>;
  /** Runs one trusted statement from this repository (no user input in its text). */
  execute(sql: string): Promise<void>;
  /**
   * The partitions a slice's view gives, on an engine whose INSERT writes at most
   * MAX_PARTITIONS_PER_INSERT partitions (Trino, Athena). Undefined on an engine without that
   * limit (DuckDB's in-memory tables), which then writes each slice with one INSERT.
   */
  partitions(slice: RefreshSlice): Promise<readonly FamilyPartition[] | undefined>;
}

export interface RefreshedFamily {
  readonly family: MetricFamily;
  /** Wall time of clearing and rewriting the family and its period tables, in milliseconds. */
  readonly ms: number;
}

/**
 * Rewrites the materialised tables for the given families (every family unless given), one after
 * another: each family's rows of metric_values, then the period tables it owns.
 */
export async function refreshFamilies(
  target: RefreshTarget,
  families: readonly MetricFamily[] = METRIC_FAMILIES,
): Promise<RefreshedFamily[]> {
  const unknown = families.filter((family) => !isMetricFamily(family));
  if (unknown.length > 0) {
    throw new Error(`unknown metric families ${unknown.join(', ')}; families: ${METRIC_FAMILIES.join(', ')}`);
  }
  const refreshed: RefreshedFamily[] = [];
  for (const family of families) {
    const started = performance.now();
    for (const slice of familySlices(family)) await refreshSlice(target, slice);
    refreshed.push({ family, ms: performance.now() - started });
  }
  return refreshed;
}

async function refreshSlice(target: RefreshTarget, slice: RefreshSlice): Promise<void> {
  try {
    const partitions = await target.partitions(slice);
    await target.clear(slice);
    const runs = partitions === undefined ? [{}] : periodRuns(partitions, MAX_PARTITIONS_PER_INSERT);
    for (const periods of runs) await target.execute(sliceInsertSql(slice, periods));
  } catch (error) {
    throw new Error(`refreshing ${sliceLabel(slice)} failed: ${errorMessage(error)}`, { cause: error });
  }
}

/**
 * Splits a slice's partitions into runs of consecutive period starts, each holding at most
 * `limit` partitions (a period start holds one partition per grain that has it). The first run is
 * open towards the past and the last towards the future; one run, open both ways, when everything
 * fits; none for a slice whose view gives no rows.
 */
export function periodRuns(partitions: readonly FamilyPartition[], limit: number): PeriodRange[] {
  const grainsByStart = new Map<string, Set<string>>();
  for (const { grain, period_start } of partitions) {
    const grains = grainsByStart.get(period_start) ?? new Set<string>();
    grains.add(grain);
    grainsByStart.set(period_start, grains);
  }
  const starts = [...grainsByStart.keys()].sort();
  const runs: { from: string; to: string }[] = [];
  let count = 0;
  for (const start of starts) {
    const size = grainsByStart.get(start)?.size ?? 0;
    const current = runs.at(-1);
    if (current === undefined || count + size > limit) {
      runs.push({ from: start, to: start });
      count = size;
    } else {
      current.to = start;
      count += size;
    }
  }
  return runs.map((run, i) => ({
    ...(i === 0 ? {} : { from: run.from }),
    ...(i === runs.length - 1 ? {} : { to: run.to }),
  }));
}

/**
 * A target whose DELETE removes whole partitions: a DuckDB table, or a Trino Hive table (Trino's
 * Hive connector deletes from a non-transactional table only when the filter is on partition
 * columns, which this one is: the family of metric_values, the grain of a period table).
 *
 * `execute` runs one statement. `query`, given for an engine whose INSERT writes at most
 * MAX_PARTITIONS_PER_INSERT partitions (Trino), reads a statement's rows: the refresh then asks which
 * partitions a slice gives and writes them in runs within that limit. Without it (DuckDB's
 * in-memory tables, which have no partitions) each slice is written by one INSERT.
 */
export function deleteStatementTarget(
  execute: (sql: string) => Promise<unknown>,
  query?: (sql: string) => Promise<unknown>,
): RefreshTarget {
  return {
    async clear(slice) {
      await execute(
        slice.kind === 'family'
          ? `DELETE FROM ${slice.table.name} WHERE family = ${sqlLiteral(slice.family)}`
          : `DELETE FROM ${slice.table.name} WHERE grain IS NOT NULL`,
      );
    },
    async execute(sql) {
      await execute(sql);
    },
    async partitions(slice) {
      return query === undefined ? undefined : partitionRows(await query(slicePartitionsSql(slice)));
    },
  };
}

export interface AthenaRefreshOptions {
  /** Runs one statement on Athena and waits for it to finish. */
  readonly execute: (sql: string) => Promise<unknown>;
  /** Runs one query on Athena and returns its rows. */
  readonly query: (sql: string) => Promise<readonly Record<string, unknown>[]>;
  /** Deletes every object under a key prefix of a table's location (e.g. `s3://b/t/family=x/`). */
  readonly deletePrefix: (prefix: string) => Promise<void>;
  /** A materialised table's location, as its Glue table declares it (`s3://bucket/prefix`). */
  readonly location: (table: string) => string;
}

/** Partitions one `ALTER TABLE … DROP PARTITION` names; Athena takes a list, within its statement size. */
export const PARTITIONS_PER_DROP = 100;

/**
 * Athena cannot DELETE from a Hive table: a slice's files (a family's folder of metric_values, a
 * period table's whole folder) are removed from S3 and its partitions, as the catalog lists them
 * (`<table>$partitions`), dropped from the catalog, a list at a time (DROP PARTITION takes no
 * filter); the INSERTs then write new files and register their partitions.
 */
export function athenaTarget(options: AthenaRefreshOptions): RefreshTarget {
  return {
    async clear(slice) {
      const root = options.location(slice.table.name).replace(/\/+$/, '');
      const family = slice.kind === 'family' ? sqlLiteral(slice.family) : undefined;
      await options.deletePrefix(slice.kind === 'family' ? `${root}/family=${slice.family}/` : `${root}/`);
      const registered = partitionRows(
        await options.query(
          `SELECT grain, CAST(period_start AS VARCHAR) AS period_start FROM "${slice.table.name}$partitions"${
            family === undefined ? '' : ` WHERE family = ${family}`
          }`,
        ),
      );
      for (let i = 0; i < registered.length; i += PARTITIONS_PER_DROP) {
        const specs = registered
          .slice(i, i + PARTITIONS_PER_DROP)
          .map(
            (p) =>
              `PARTITION (${family === undefined ? '' : `family = ${family}, `}grain = ${sqlLiteral(p.grain)}, period_start = ${sqlLiteral(p.period_start)})`,
          );
        await options.execute(`ALTER TABLE ${slice.table.name} DROP IF EXISTS ${specs.join(', ')}`);
      }
    },
    async execute(sql) {
      await options.execute(sql);
    },
    async partitions(slice) {
      return partitionRows(await options.query(slicePartitionsSql(slice)));
    },
  };
}

/** Partition rows as an engine returns them, checked: a grain and a `YYYY-MM-DD` period start. */
function partitionRows(rows: unknown): FamilyPartition[] {
  if (!Array.isArray(rows)) throw new Error('the engine returned no rows for a query of partitions');
  return rows.map((row: Record<string, unknown>) => {
    const grain = row.grain;
    const start = row.period_start;
    if (typeof grain !== 'string' || typeof start !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(start)) {
      throw new Error(`unexpected partition row ${JSON.stringify(row)}`);
    }
    return { grain, period_start: start };
  });
}

function sqlLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
