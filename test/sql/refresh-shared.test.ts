import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DuckDbEngine, openLakeEngine, REFRESH_ROUNDS } from '../../cli/duckdb.ts';
import { parseConfig } from '../../lambdas/core/config/config.ts';
import {
  familySlices,
  METRIC_FAMILIES,
  metricValuesSelectSql,
  SERVICE_RETENTION_BY_PERIOD,
  sliceSelectSql,
} from '../../sql/materialised.ts';
import { viewsReading } from '../../sql/registry.ts';
import { createTestLake, interaction, surveyResponse, type TestLake, utc } from '../support/lake.ts';

// The local refresh computes interaction_facts once into a file that the contact-centre, ticket
// and retention views read while it runs; afterwards the registry's view answers again.
describe('a relation shared by the families of a local refresh', () => {
  let lake: TestLake;
  let engine: DuckDbEngine;
  beforeAll(async () => {
    lake = createTestLake();
    lake.write('survey_responses', [
      surveyResponse({ response_id: 'r1', score: 5, interaction_id: 'c1', resolved: true, agent_id: 'ana' }),
    ]);
    lake.write('interactions', [
      interaction({
        interaction_id: 'c1',
        customer_key: 'k1',
        queued_at: utc('2025-06-10 09:00:00'),
        answered_at: utc('2025-06-10 09:00:10'),
        queue: 'sales',
        agent_id: 'ana',
        talk_s: 300,
      }),
      interaction({
        interaction_id: 'c2',
        customer_key: 'k1',
        created_at: utc('2025-06-11 10:00:00'),
        queued_at: utc('2025-06-11 10:00:00'),
        queue: 'sales',
        is_abandoned: true,
      }),
    ]);
    engine = await lake.engine();
    await engine.refresh();
  });
  afterAll(async () => {
    await engine.close();
    lake.remove();
  });

  it('gives the database its threads back', async () => {
    const fresh = await lake.engine();
    try {
      const [before] = await fresh.query("SELECT current_setting('threads') AS threads");
      await fresh.refresh();
      expect(await fresh.query("SELECT current_setting('threads') AS threads")).toEqual([before]);
    } finally {
      await fresh.close();
    }
  });

  it('leaves no temporary view nor file behind', async () => {
    expect(await engine.query('SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal')).toEqual([]);
    const tmp = join(lake.dir, '.servicebench', 'tmp');
    const left = existsSync(tmp) ? readdirSync(tmp).filter((f) => f.startsWith('interaction_facts')) : [];
    expect(left).toEqual([]);
  });

  it('writes the rows the views give once the refresh is over', async () => {
    for (const family of ['contact_centre', 'tickets'] as const) {
      const expected = await engine.query(`SELECT * FROM (${metricValuesSelectSql(family)}) ORDER BY ALL`);
      expect(expected.length).toBeGreaterThan(0);
      expect(await engine.query(`SELECT * FROM metric_values WHERE family = '${family}' ORDER BY ALL`)).toEqual(
        expected,
      );
    }
    expect(await engine.query('SELECT * FROM service_retention_by_period ORDER BY ALL')).toEqual(
      await engine.query(
        `SELECT * FROM (${sliceSelectSql({ kind: 'period-table', table: SERVICE_RETENTION_BY_PERIOD, family: 'retention' })}) ORDER BY ALL`,
      ),
    );
  });

  it('refreshes in a sandboxed engine, whose settings are locked', async () => {
    const sandboxed = await openLakeEngine({
      lakeDir: lake.dir,
      config: parseConfig({}, 'test config'),
      sandbox: true,
    });
    try {
      await sandboxed.refresh();
      expect(await sandboxed.query('SELECT * FROM metric_values ORDER BY ALL')).toEqual(
        await engine.query('SELECT * FROM metric_values ORDER BY ALL'),
      );
    } finally {
      await sandboxed.close();
    }
  });
});

describe('the rounds of a local refresh', () => {
  const lanes = REFRESH_ROUNDS.flat();
  const families = lanes.flatMap((lane) => ('families' in lane ? lane.families : []));

  it('refresh every family once', () => {
    expect([...families].sort()).toEqual([...METRIC_FAMILIES].sort());
  });

  it('run no family beside, nor before, the shared relations it reads', () => {
    const sharedLanes = lanes.filter((lane) => 'shared' in lane);
    const readers = sharedLanes.flatMap((lane) =>
      'shared' in lane ? [...lane.shared, ...viewsReading(lane.shared)] : [],
    );
    const sharedRound = REFRESH_ROUNDS.findIndex((round) => round.some((lane) => 'shared' in lane));
    const reads = (family: (typeof families)[number]) =>
      familySlices(family).some((slice) =>
        readers.some((name) => new RegExp(`\\b${name}\\b`).test(sliceSelectSql(slice))),
      );
    expect(readers).toContain('metrics_tickets');
    const early = REFRESH_ROUNDS.slice(0, sharedRound + 1).flatMap((round) =>
      round.flatMap((lane) => ('families' in lane ? lane.families : [])),
    );
    expect(early.filter(reads)).toEqual([]);
    expect(families.filter(reads).sort()).toEqual(['contact_centre', 'retention', 'tickets']);
  });
});
