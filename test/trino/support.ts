/**
 * Loading a lake folder into the test run's Trino through the project's own DDL generator, and
 * comparing a query's rows on DuckDB and on Trino.
 */
import { randomUUID } from 'node:crypto';
import { expect, inject } from 'vitest';
import { prepareLocalLake, trinoDdl } from '../../lambdas/core/catalog/trino-ddl.ts';
import type { QueryEngine } from '../../lambdas/core/query/engine.ts';
import { deleteStatementTarget, refreshMetricValues } from '../../lambdas/core/query/refresh.ts';
import { TrinoEngine } from '../../lambdas/core/query/trino.ts';
import type { ReferenceTable } from '../../lambdas/core/reference/tables.ts';
import { compareRows, describeComparison, isSame, type Row } from '../support/compare.ts';

export interface TrinoLake {
  readonly engine: TrinoEngine;
  readonly schema: string;
  /** Drops the schema with everything in it (the lake's files stay). */
  drop(): Promise<void>;
}

/**
 * Readies the lake folder (reference files, table folders), runs every statement of the generated
 * DDL in a schema of its own (named after `label`, unique per call) and refreshes the materialised
 * tables. A failure drops the schema again.
 */
export async function loadLakeIntoTrino(
  lakeDir: string,
  tables: readonly ReferenceTable[],
  label: string,
): Promise<TrinoLake> {
  const catalog = inject('trinoCatalog');
  const schema = `${label}_${randomUUID().replaceAll('-', '').slice(0, 8)}`;
  const engine = new TrinoEngine({ server: inject('trinoUrl'), catalog, schema });
  const drop = () => engine.exec(`DROP SCHEMA IF EXISTS ${catalog}.${schema} CASCADE`);
  await prepareLocalLake(lakeDir, tables);
  try {
    for (const statement of trinoDdl({ location: `local://${lakeDir}`, catalog, schema, referenceTables: tables })) {
      await engine.exec(statement.sql);
    }
    await refreshMetricValues(deleteStatementTarget((sql) => engine.exec(sql)));
  } catch (error) {
    await drop();
    throw error;
  }
  return { engine, schema, drop };
}

/** Runs the query on both engines and expects the same rows (numbers within the tolerance). */
export async function expectSameRows(duckdb: QueryEngine, trino: QueryEngine, sql: string): Promise<number> {
  const [left, right] = await Promise.all([duckdb.query<Row>(sql), trino.query<Row>(sql)]);
  const comparison = compareRows(left, right);
  expect(isSame(comparison), `${sql}\n${describeComparison(comparison, ['DuckDB', 'Trino'])}`).toBe(true);
  return comparison.leftRows;
}
