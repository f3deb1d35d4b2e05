/**
 * Driver correlations that sit on a knife edge come out the same, and right, on DuckDB and Trino:
 * a correlation that is exactly 0 is 0 (unrounded, DuckDB gives -5.7e-17 here), and durations
 * equal to the millisecond that differ in their last bit do not "vary" (unguarded, they correlate
 * rounding noise: 0.354).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDbEngine } from '../../cli/duckdb.ts';
import { parseConfig } from '../../lambdas/core/config/config.ts';
import type { QueryEngine } from '../../lambdas/core/query/engine.ts';
import { referenceTables } from '../../lambdas/core/reference/tables.ts';
import { createTestLake, interaction, surveyResponse, type TestLake, utc } from '../support/lake.ts';
import { expectSameRows, loadLakeIntoTrino, type TrinoLake } from './support.ts';

/** A contact with its first response time and its CSAT answer on a 1-7 scale (0-100: 100 × (score - 1) / 6). */
function surveyedContact(id: string, team: string, month: string, firstResponseS: number, score: number) {
  return {
    contact: interaction({
      interaction_id: id,
      team,
      created_at: utc(`${month}-10 09:00:00`),
      first_response_s: firstResponseS,
    }),
    survey: surveyResponse({
      response_id: `s-${id}`,
      interaction_id: id,
      team,
      score,
      scale_min: 1,
      scale_max: 7,
      responded_at: utc(`${month}-12 12:00:00`),
    }),
  };
}

const FIXTURE = [
  // June, billing: CSAT 16.7, 33.3, 33.3, 16.7 against 10, 20, 30, 40 s, symmetric: r = 0 exactly.
  surveyedContact('b1', 'billing', '2025-06', 10, 2),
  surveyedContact('b2', 'billing', '2025-06', 20, 3),
  surveyedContact('b3', 'billing', '2025-06', 30, 3),
  surveyedContact('b4', 'billing', '2025-06', 40, 2),
  // May, support: three first responses of 3600.123 s, one a bit lower in its last bit.
  surveyedContact('p1', 'support', '2025-05', 3600.123, 1),
  surveyedContact('p2', 'support', '2025-05', 3600.1229999999996, 4),
  surveyedContact('p3', 'support', '2025-05', 3600.123, 7),
];

const config = parseConfig({});
let lake: TestLake;
let duckdb: DuckDbEngine;
let trino: TrinoLake;

beforeAll(async () => {
  lake = createTestLake();
  lake.write(
    'interactions',
    FIXTURE.map((f) => f.contact),
  );
  lake.write(
    'survey_responses',
    FIXTURE.map((f) => f.survey),
  );
  duckdb = await lake.engine(config);
  trino = await loadLakeIntoTrino(lake.dir, referenceTables(config), 'drivers_edges');
});

afterAll(async () => {
  await trino?.drop();
  await duckdb?.close();
  lake?.remove();
});

async function firstResponseDriver(
  engine: QueryEngine,
  team: string,
): Promise<{ correlation: number | null; n: number } | undefined> {
  const [row] = await engine.query<{ correlation: number | null; n: number }>(
    `SELECT correlation, n FROM drivers
     WHERE dimension = 'team' AND dimension_value = :team AND driver = 'first_response_vs_csat'`,
    { team },
  );
  return row;
}

describe.each([
  ['DuckDB', () => duckdb],
  ['Trino', () => trino.engine],
] as const)('drivers on %s', (_name, engine) => {
  it('gives 0 for a correlation that is exactly 0', async () => {
    const row = await firstResponseDriver(engine(), 'billing');
    expect(row?.n).toBe(4);
    expect(Math.abs(row?.correlation ?? Number.NaN)).toBe(0);
  });

  it('gives no correlation when the durations differ only in their last bit', async () => {
    expect(await firstResponseDriver(engine(), 'support')).toEqual({ correlation: null, n: 3 });
  });
});

it('gives the same drivers rows on both engines', async () => {
  await expectSameRows(duckdb, trino.engine, 'SELECT * FROM drivers');
});
