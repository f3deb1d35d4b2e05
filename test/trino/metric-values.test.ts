/**
 * metric_values on Trino, partitioned by family, grain and period start: a family with more
 * partitions than one INSERT may write (Trino's default hive.max-partitions-per-writers, 100) is
 * written in runs within the limit, and a scorecard query for one period reads the partitions of
 * that period and of the one before it, however much history the table holds.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DuckDbEngine } from '../../cli/duckdb.ts';
import { prepareLocalLake, trinoDdl } from '../../lambdas/core/catalog/trino-ddl.ts';
import { parseConfig } from '../../lambdas/core/config/config.ts';
import { deleteStatementTarget, refreshFamilies } from '../../lambdas/core/query/refresh.ts';
import { TrinoEngine } from '../../lambdas/core/query/trino.ts';
import { referenceTables } from '../../lambdas/core/reference/tables.ts';
import { MAX_PARTITIONS_PER_INSERT } from '../../sql/materialised.ts';
import { createTestLake, surveyResponse, type TestLake, utc } from '../support/lake.ts';
import { expectSameRows } from './support.ts';

/** One CSAT answer a day for 130 weeks, 2023-01-02 to 2025-06-29: about 160 survey partitions. */
const DAYS = 130 * 7;
const FIRST_DAY = utc('2023-01-02 12:00:00');

const JUNE = `SELECT * FROM scorecard
  WHERE period_start = DATE '2025-06-01' AND grain = 'month' AND dimension = 'overall' ORDER BY metric`;
const WEEK = `SELECT * FROM scorecard
  WHERE period_start = DATE '2025-06-16' AND grain = 'week' AND dimension = 'overall' ORDER BY metric`;

let lake: TestLake;
let duckdb: DuckDbEngine;
let trino: TrinoEngine;
/** Every statement the refresh sent to Trino. */
const sent: string[] = [];

beforeAll(async () => {
  lake = createTestLake();
  lake.write(
    'survey_responses',
    Array.from({ length: DAYS }, (_, day) =>
      surveyResponse({
        response_id: `r${day}`,
        score: 1 + (day % 5),
        agent_id: `agent-${day % 3}`,
        responded_at: new Date(FIRST_DAY.getTime() + day * 86_400_000),
      }),
    ),
  );
  const config = parseConfig({}, 'test config');
  duckdb = await lake.engine();
  const tables = referenceTables(config);
  const catalog = inject('trinoCatalog');
  const schema = `metric_values_${randomUUID().replaceAll('-', '').slice(0, 8)}`;
  trino = new TrinoEngine({ server: inject('trinoUrl'), catalog, schema });
  await prepareLocalLake(lake.dir, tables);
  for (const statement of trinoDdl({ location: `local://${lake.dir}`, catalog, schema, referenceTables: tables })) {
    await trino.exec(statement.sql);
  }
  await refreshFamilies(
    deleteStatementTarget(
      (sql) => {
        sent.push(sql);
        return trino.query(sql);
      },
      (sql) => {
        sent.push(sql);
        return trino.query(sql);
      },
    ),
  );
}, 600_000);

afterAll(async () => {
  await trino?.exec(`DROP SCHEMA IF EXISTS ${trino.catalog}.${trino.schema} CASCADE`);
  await duckdb?.close();
  lake?.remove();
});

describe('metric_values on Trino', () => {
  it('writes a family of more partitions than one INSERT may write in runs within the limit, the rows DuckDB writes', async () => {
    const [partitions] = await trino.query<{ n: number }>(
      `SELECT count(*) AS n FROM "metric_values$partitions" WHERE family = 'surveys'`,
    );
    expect(partitions?.n).toBeGreaterThan(MAX_PARTITIONS_PER_INSERT);
    const surveyInserts = sent.filter((sql) => sql.startsWith('INSERT') && sql.includes("'surveys' AS family"));
    expect(surveyInserts.length).toBeGreaterThanOrEqual(2);
    await expectSameRows(duckdb, trino, 'SELECT * FROM metric_values');
    await expectSameRows(duckdb, trino, JUNE);
    await expectSameRows(duckdb, trino, WEEK);
  });

  it('reads for one period the same bytes, and gives the same rows, whether it holds 30 months or two', async () => {
    const full = await Promise.all([trino.run(JUNE), trino.run(WEEK)]);
    for (const { rows } of full) expect(rows.some((row) => row.prev_value !== null)).toBe(true);
    // The columns the scorecard reads, from every partition.
    const everything = await trino.run(
      'SELECT max(dimension), max(dimension_value), max(metric), max(value), max(n), max(ci_low), max(ci_high) FROM metric_values',
    );

    await trino.exec(
      "DELETE FROM metric_values WHERE period_start < DATE '2025-05-01' OR period_start > DATE '2025-06-30'",
    );
    const [rest] = await trino.query<{ n: number }>(`SELECT count(*) AS n FROM "metric_values$partitions"`);
    expect(rest?.n).toBeLessThan(20);
    const twoMonths = await Promise.all([trino.run(JUNE), trino.run(WEEK)]);
    twoMonths.forEach((run, i) => {
      expect(run.rows).toEqual(full[i]?.rows);
      expect(run.stats.physicalInputBytes).toBe(full[i]?.stats.physicalInputBytes);
      expect(run.stats.physicalInputBytes).toBeLessThan(everything.stats.physicalInputBytes / 4);
    });
  });
});
