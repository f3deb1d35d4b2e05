import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDbEngine } from '../../cli/duckdb.ts';
import { TABLE_NAMES, TABLES } from '../../lambdas/core/schema/canonical.ts';
import { columnsOf } from '../../lambdas/core/schema/derive.ts';
import { viewSql } from '../../sql/registry.ts';
import { createTestLake, interaction, surveyResponse, type TestLake, utc } from '../support/lake.ts';

const v1 = interaction({ interaction_id: 't1', status: 'open', updated_at: utc('2025-06-10 10:00:00') });
const v2 = { ...v1, status: 'resolved' as const, updated_at: utc('2025-06-11 10:00:00') };
const reingested = { ...v2, team: 'billing', ingested_at: utc('2025-07-02 00:00:00') };
// Same timestamps, same object: the later record of the object is the newer version.
const tieA = interaction({
  interaction_id: 't2',
  team: 'alpha',
  source_object: 'zendesk/page-001.json',
  source_row: 7,
});
const tieB = { ...tieA, team: 'beta', source_row: 9 };

async function latestOf(lake: TestLake): Promise<Record<string, unknown>[]> {
  const engine: DuckDbEngine = await lake.engine();
  try {
    return await engine.query(
      'SELECT interaction_id, status, team, dt FROM interactions_latest ORDER BY interaction_id',
    );
  } finally {
    await engine.close();
  }
}

describe('interactions_latest', () => {
  let lake: TestLake;
  let reversed: TestLake;
  beforeAll(() => {
    lake = createTestLake();
    lake.write('interactions', [v1, tieA]);
    lake.write('interactions', [v2, tieB]);
    lake.write('interactions', [reingested]);
    lake.write('interactions', [v1]);
    reversed = createTestLake();
    reversed.write('interactions', [tieB, v1]);
    reversed.write('interactions', [reingested, tieA, v2]);
  });
  afterAll(() => {
    lake.remove();
    reversed.remove();
  });

  it('keeps one row per (source, id): the latest updated_at, then the latest ingested_at', async () => {
    expect(await latestOf(lake)).toEqual([
      { interaction_id: 't1', status: 'resolved', team: 'billing', dt: '2025-06-10' },
      { interaction_id: 't2', status: null, team: 'beta', dt: '2025-06-10' },
    ]);
  });

  it('breaks a tie on the timestamps by lineage, whatever the order of the files', async () => {
    expect(await latestOf(reversed)).toEqual(await latestOf(lake));
  });

  it('keeps the same id from two sources apart', async () => {
    const other = createTestLake();
    try {
      other.write('interactions', [v1, { ...v1, source: 'zendesk' }]);
      expect((await latestOf(other)).length).toBe(2);
    } finally {
      other.remove();
    }
  });
});

describe('latest versions and partitions', () => {
  it('chooses within a dt partition where versions share one, so a dt filter on the view keeps the record', async () => {
    const lake = createTestLake();
    try {
      lake.write('interactions', [v1, interaction({ interaction_id: 't3', created_at: utc('2025-06-12 08:00:00') })]);
      lake.write('interactions', [v2]);
      const engine = await lake.engine();
      try {
        expect(
          await engine.query(
            "SELECT interaction_id, status, dt FROM interactions_latest WHERE dt >= '2025-06-11' ORDER BY interaction_id",
          ),
        ).toEqual([{ interaction_id: 't3', status: null, dt: '2025-06-12' }]);
        expect(
          await engine.query("SELECT interaction_id, status FROM interactions_latest WHERE dt = '2025-06-10'"),
        ).toEqual([{ interaction_id: 't1', status: 'resolved' }]);
      } finally {
        await engine.close();
      }
    } finally {
      lake.remove();
    }
  });

  it('keeps one version of a survey answer whose versions lie in two partitions (no offer or answer time: by edit time)', async () => {
    const lake = createTestLake();
    try {
      const first = surveyResponse({
        response_id: 'r1',
        sent_at: null,
        responded_at: null,
        score: 2,
        updated_at: utc('2025-06-03 09:00:00'),
      });
      lake.write('survey_responses', [first]);
      lake.write('survey_responses', [{ ...first, score: 5, updated_at: utc('2025-06-09 09:00:00') }]);
      const engine = await lake.engine();
      try {
        expect(await engine.query('SELECT response_id, score, dt FROM survey_responses_latest')).toEqual([
          { response_id: 'r1', score: 5, dt: '2025-06-09' },
        ]);
      } finally {
        await engine.close();
      }
    } finally {
      lake.remove();
    }
  });
});

describe('every dedup view', () => {
  it.each(TABLE_NAMES)('%s_latest selects every canonical column and dt', (table) => {
    const select = viewSql(`${table}_latest`).split(/\nFROM \(/)[0] ?? '';
    const listed = [...select.matchAll(/^ {2}([a-z_0-9]+),?$/gm)].map((m) => m[1]);
    expect(listed).toEqual([...columnsOf(table).map((c) => c.name), 'dt']);
  });

  it.each(TABLE_NAMES)('%s_latest ranks versions on its key (and dt) and version columns only', (table) => {
    const window = /PARTITION BY ([^\n]+)\n\s+ORDER BY ([^\n]+)\n/.exec(viewSql(`${table}_latest`));
    const within = TABLES[table].latestWithinPartition;
    expect(window?.[1]).toBe([...TABLES[table].key, ...(within ? ['dt'] : [])].join(', '));
    expect(window?.[2]).toBe(TABLES[table].versionBy.map((c) => `${c} DESC NULLS LAST`).join(', '));
    const columns = new Set(columnsOf(table).map((c) => c.name));
    for (const column of TABLES[table].versionBy) expect(columns).toContain(column);
  });
});
