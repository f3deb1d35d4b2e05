/**
 * Loading a lake folder into the test run's Trino through the project's own DDL generator, and
 * comparing a query's rows on DuckDB and on Trino.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { type DuckDbEngine, openLakeEngine } from '../../cli/duckdb.ts';
import { prepareLocalLake, trinoDdl } from '../../lambdas/core/catalog/trino-ddl.ts';
import type { QueryEngine, SqlValue } from '../../lambdas/core/query/engine.ts';
import { deleteStatementTarget, refreshFamilies } from '../../lambdas/core/query/refresh.ts';
import { TrinoEngine, type TrinoEngineOptions, type TrinoRun } from '../../lambdas/core/query/trino.ts';
import { type ReferenceTable, referenceTables } from '../../lambdas/core/reference/tables.ts';
import { MATERIALISED_TABLES, METRIC_FAMILIES } from '../../sql/materialised.ts';
import { VIEWS, viewsReading } from '../../sql/registry.ts';
import { compareRows, describeComparison, isSame, type Row } from '../support/compare.ts';
import type { BuiltLake } from './lakes.ts';

export interface TrinoLake {
  readonly engine: TrinoEngine;
  readonly schema: string;
  /** Drops the schema with everything in it (the lake's files stay). */
  drop(): Promise<void>;
}

const MATERIALISED_NAMES = MATERIALISED_TABLES.map((table) => table.name);

/** A statement naming a materialised table, or a view reading one, waits for the refresh. */
const READS_MATERIALISED = new RegExp(
  `\\b(${[...MATERIALISED_NAMES, ...viewsReading(MATERIALISED_NAMES)].join('|')})\\b`,
  'i',
);

/**
 * A Trino engine whose materialised tables are refreshed before the first statement that names
 * one or a view reading one, as the local engine does: a file that reads neither does not pay for
 * a refresh (seven INSERTs over every metric view). The families are written at once, each with
 * the product's refresh, since each clears and writes only its own rows.
 */
class RefreshedOnFirstRead extends TrinoEngine {
  private refresh: Promise<unknown> | undefined;

  override async run<T = Record<string, SqlValue>>(
    sql: string,
    params?: Readonly<Record<string, SqlValue>>,
  ): Promise<TrinoRun<T>> {
    if (READS_MATERIALISED.test(sql)) {
      this.refresh ??= Promise.all(
        METRIC_FAMILIES.map((family) =>
          refreshFamilies(
            deleteStatementTarget(
              (statement) => super.run(statement),
              async (statement) => (await super.run(statement)).rows,
            ),
            [family],
          ),
        ),
      );
      await this.refresh;
    }
    return super.run<T>(sql, params);
  }
}

/**
 * Readies the lake folder (reference files, table folders) and runs every statement of the
 * generated DDL in a schema of its own (named after `label`, unique per call). The materialised
 * tables are refreshed on first read. A failure drops the schema again.
 */
export async function loadLakeIntoTrino(
  lakeDir: string,
  tables: readonly ReferenceTable[],
  label: string,
): Promise<TrinoLake> {
  const catalog = inject('trinoCatalog');
  const schema = `${label}_${randomUUID().replaceAll('-', '').slice(0, 8)}`;
  const options: TrinoEngineOptions = { server: inject('trinoUrl'), catalog, schema };
  // The DDL names the materialised tables before they exist: it runs on an engine that never refreshes.
  const ddl = new TrinoEngine(options);
  const drop = () => ddl.exec(`DROP SCHEMA IF EXISTS ${catalog}.${schema} CASCADE`);
  await prepareLocalLake(lakeDir, tables);
  try {
    for (const statement of trinoDdl({ location: `local://${lakeDir}`, catalog, schema, referenceTables: tables })) {
      await ddl.exec(statement.sql);
    }
  } catch (error) {
    await drop();
    throw error;
  }
  return { engine: new RefreshedOnFirstRead(options), schema, drop };
}

/** Runs the query on both engines and expects the same rows (numbers within the tolerance). */
export async function expectSameRows(duckdb: QueryEngine, trino: QueryEngine, sql: string): Promise<number> {
  const [left, right] = await Promise.all([duckdb.query<Row>(sql), trino.query<Row>(sql)]);
  const comparison = compareRows(left, right);
  expect(isSame(comparison), `${sql}\n${describeComparison(comparison, ['DuckDB', 'Trino'])}`).toBe(true);
  return comparison.leftRows;
}

/** Every relation a report can read: each view, then each materialised table. */
export const RELATIONS = [...VIEWS.map((v) => v.name), ...MATERIALISED_NAMES];

/**
 * The columns compared where not all are: interaction_slices repeats every column of
 * interaction_facts (compared row for row on its own) once per grain and dimension, so its own
 * columns and the contact's identity are compared, on every row. Sending all its columns from
 * both engines took 75 s on the real-export lake.
 */
const PARITY_COLUMNS: Readonly<Record<string, string>> = {
  interaction_slices: 'grain, dimension, dimension_value, created_period, resolved_period, source, interaction_id',
};

/** Building a lake and loading it into Trino takes minutes on 2 busy cores. */
const PARITY_SETUP_TIMEOUT_MS = 600_000;
/**
 * A relation's test includes its wait for the one before it on DuckDB, for the refresh when it
 * reads metric_values, and for Trino shared with the queries beside it.
 */
const PARITY_QUERY_TIMEOUT_MS = 600_000;

/**
 * One test per relation: every row of it is the same on Trino as on the local DuckDB engine over
 * the lake, and it holds rows unless `expectedEmpty` names it (a parity check over nothing proves
 * nothing). Trino gets its tables, reference tables, views and materialised tables from the DDL
 * generator the product ships; DuckDB opens the lake folder the way the CLI does.
 *
 * The relations run concurrently (the project's maxConcurrency at a time), so Trino plans one
 * query while it runs another; DuckDB, one connection, takes them one after another.
 */
export function describeParity(
  label: string,
  lake: () => Promise<BuiltLake>,
  expectedEmpty: ReadonlySet<string> = new Set(),
): void {
  let duckdb: DuckDbEngine | undefined;
  let local: QueryEngine | undefined;
  let trino: TrinoLake | undefined;

  beforeAll(async () => {
    const { lakeDir, config } = await lake();
    [duckdb, trino] = await Promise.all([
      openLakeEngine({ lakeDir, config }),
      loadLakeIntoTrino(lakeDir, referenceTables(config), `parity_${label}`),
    ]);
    local = oneAtATime(duckdb);
  }, PARITY_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await trino?.drop();
    await duckdb?.close();
  });

  it.concurrent.each(RELATIONS)(
    '%s',
    async (relation) => {
      if (!local || !trino) throw new Error('the engines did not open');
      const rows = await expectSameRows(
        local,
        trino.engine,
        `SELECT ${PARITY_COLUMNS[relation] ?? '*'} FROM ${relation}`,
      );
      if (expectedEmpty.has(relation)) expect(rows, `${relation} rows`).toBe(0);
      else expect(rows, `${relation} rows`).toBeGreaterThan(0);
    },
    PARITY_QUERY_TIMEOUT_MS,
  );
}

/** The engine with its queries run one after another, in the order they were asked. */
function oneAtATime(engine: QueryEngine): QueryEngine {
  let last: Promise<unknown> = Promise.resolve();
  return {
    query<T>(sql: string, params?: Readonly<Record<string, SqlValue>>) {
      const result = last.then(() => engine.query<T>(sql, params));
      last = result.catch(() => undefined);
      return result;
    },
    close: () => engine.close(),
  };
}
