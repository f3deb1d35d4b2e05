import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDbEngine } from '../../cli/duckdb.ts';
import { TABLE_NAMES, TABLES } from '../../lambdas/core/schema/canonical.ts';
import { columnsOf } from '../../lambdas/core/schema/derive.ts';
import { viewSql } from '../../sql/registry.ts';
import { createTestLake, interaction, type TestLake, utc } from '../support/lake.ts';

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

describe('every dedup view', () => {
  it.each(TABLE_NAMES)('%s_latest selects every canonical column and dt', (table) => {
    const select = viewSql(`${table}_latest`).split(/\nFROM \(/)[0] ?? '';
    const listed = [...select.matchAll(/^ {2}([a-z_0-9]+),?$/gm)].map((m) => m[1]);
    expect(listed).toEqual([...columnsOf(table).map((c) => c.name), 'dt']);
  });

  it.each(TABLE_NAMES)('%s_latest ranks versions on its key and version columns only', (table) => {
    const window = /PARTITION BY ([^\n]+)\n\s+ORDER BY ([^\n]+)\n/.exec(viewSql(`${table}_latest`));
    expect(window?.[1]).toBe(TABLES[table].key.join(', '));
    expect(window?.[2]).toBe(TABLES[table].versionBy.map((c) => `${c} DESC NULLS LAST`).join(', '));
    const columns = new Set(columnsOf(table).map((c) => c.name));
    for (const column of TABLES[table].versionBy) expect(columns).toContain(column);
  });
});
