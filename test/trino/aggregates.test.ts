/**
 * Every aggregate the views use gives the same result on DuckDB (with sql/compat/duckdb.sql) as on
 * Trino over no rows, over only NULLs, over one row and over a constant column; and the ticket SLA
 * counts that depend on count_if are Trino's on both engines. Expected values are Trino's.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { COMPAT_SQL_FILE, DuckDbEngine } from '../../cli/duckdb.ts';
import { parseConfig } from '../../lambdas/core/config/config.ts';
import { TrinoEngine } from '../../lambdas/core/query/trino.ts';
import { referenceTables } from '../../lambdas/core/reference/tables.ts';
import { createTestLake, interaction, type TestLake, utc } from '../support/lake.ts';
import { expectSameRows, loadLakeIntoTrino, type TrinoLake } from './support.ts';

/** Each aggregate of the views over (x DOUBLE, y DOUBLE, flag BOOLEAN). */
const AGGREGATES = [
  'count_if(flag)',
  'count(x)',
  'sum(x)',
  'avg(x)',
  'min(x)',
  'max(x)',
  'max_by(x, y)',
  'stddev_samp(x)',
  'variance(x)',
  'var_pop(x)',
  'corr(x, y)',
  'bool_or(flag)',
  'bool_and(flag)',
] as const;

const INPUTS = {
  'no rows': 'SELECT * FROM (VALUES (1e0, 1e0, true)) AS t (x, y, flag) WHERE false',
  'only NULLs':
    'SELECT * FROM (VALUES (CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), CAST(NULL AS BOOLEAN)), ' +
    '(CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), CAST(NULL AS BOOLEAN))) AS t (x, y, flag)',
  'one row': 'SELECT * FROM (VALUES (2e0, 3e0, false)) AS t (x, y, flag)',
  'a constant x': 'SELECT * FROM (VALUES (2e0, 3e0, false), (2e0, 4e0, true)) AS t (x, y, flag)',
} as const;

/**
 * Trino's results: counts are 0 over nothing, every other aggregate NULL; one row has no sample
 * spread; a correlation that is not a finite number is NULL.
 */
const EXPECTED: Readonly<Record<keyof typeof INPUTS, readonly (number | boolean | null)[]>> = {
  'no rows': [0, 0, null, null, null, null, null, null, null, null, null, null, null],
  'only NULLs': [0, 0, null, null, null, null, null, null, null, null, null, null, null],
  'one row': [0, 1, 2, 2, 2, 2, 2, null, null, 0, null, false, false],
  'a constant x': [1, 2, 4, 2, 2, 2, 2, 0, 0, 0, null, true, false],
};

let duckdb: DuckDbEngine;
let trino: TrinoEngine;

beforeAll(async () => {
  duckdb = await DuckDbEngine.create();
  await duckdb.exec(readFileSync(COMPAT_SQL_FILE, 'utf8'));
  trino = new TrinoEngine({ server: inject('trinoUrl'), catalog: inject('trinoCatalog'), schema: 'default' });
});

afterAll(async () => {
  await duckdb?.close();
});

describe.each(Object.keys(INPUTS) as (keyof typeof INPUTS)[])('aggregates over %s', (input) => {
  const sql = `SELECT ${AGGREGATES.map((a, i) => `${a} AS a${i}`).join(', ')} FROM (${INPUTS[input]}) AS s`;
  const expected = Object.fromEntries(EXPECTED[input].map((value, i) => [`a${i}`, value]));

  it('are what Trino gives, on both engines', async () => {
    expect(await trino.query(sql)).toEqual([expected]);
    expect(await duckdb.query(sql)).toEqual([expected]);
  });
});

it('count_if is 0 in a group of only NULL and false, on both engines', async () => {
  const grouped = `SELECT g, count_if(flag) AS kept FROM (VALUES (1, CAST(NULL AS BOOLEAN)), (1, false), (2, NULL), (3, true))
    AS t (g, flag) GROUP BY g ORDER BY g`;
  const rows = [
    { g: 1, kept: 0 },
    { g: 2, kept: 0 },
    { g: 3, kept: 1 },
  ];
  expect(await trino.query(grouped)).toEqual(rows);
  expect(await duckdb.query(grouped)).toEqual(rows);
});

describe('ticket SLA compliance when no ticket of the period has a first-response verdict', () => {
  let lake: TestLake;
  let local: DuckDbEngine;
  let remote: TrinoLake;
  const config = parseConfig({});

  beforeAll(async () => {
    lake = createTestLake();
    // Created in June, resolved in July: June's group holds only its creation, whose
    // first-response verdict is unknown; the source's resolution verdict says kept.
    lake.write('interactions', [
      interaction({
        interaction_id: 'z1',
        source: 'zendesk',
        channel: 'email',
        agent_id: 'A1',
        agent_replies: 1,
        created_at: utc('2025-06-30 10:00:00'),
        status: 'resolved',
        resolved_at: utc('2025-07-01 09:00:00'),
        sla_resolution_target_s: 86_400,
        sla_resolution_met: true,
      }),
    ]);
    local = await lake.engine(config);
    remote = await loadLakeIntoTrino(lake.dir, referenceTables(config), 'sla_counts');
  });

  afterAll(async () => {
    await remote?.drop();
    await local?.close();
    lake?.remove();
  });

  const june = `SELECT sla_first_response_decided, sla_first_response_kept, sla_resolution_decided,
      sla_resolution_kept, sla_compliance_pct
    FROM ticket_stats WHERE grain = 'month' AND dimension = 'overall' AND period_start = DATE '2025-06-01'`;
  const expected = [
    {
      sla_first_response_decided: 0,
      sla_first_response_kept: 0,
      sla_resolution_decided: 1,
      sla_resolution_kept: 1,
      sla_compliance_pct: 100,
    },
  ];

  it('counts no first response kept (0, not unknown) and 100 % of commitments kept, on both engines', async () => {
    expect(await remote.engine.query(june)).toEqual(expected);
    expect(await local.query(june)).toEqual(expected);
  });

  it('gives the same ticket_stats rows on both engines', async () => {
    await expectSameRows(local, remote.engine, 'SELECT * FROM ticket_stats');
  });
});
