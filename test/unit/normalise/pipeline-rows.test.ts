/**
 * How normaliseObject treats the rows an adapter hands it: completed in place (lineage and agent
 * directory) yet named as given when rejected, and repeated keys found alike in small and large
 * records (compared pairwise up to 16 rows, through a set beyond).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Lake, openLake } from '../../../cli/lake.ts';
import { parseConfig } from '../../../lambdas/core/config/config.ts';
import type { Adapter, MappedRow, SourceRecord } from '../../../lambdas/core/normalise/adapter.ts';
import { normaliseObject, resolveSource } from '../../../lambdas/core/normalise/pipeline.ts';
import { validInteraction } from '../../support/rows.ts';

const KEY = Buffer.alloc(32, 2);
const AT = new Date('2025-06-01T10:00:00Z');
const config = parseConfig({ sources: [{ name: 'calls', adapter: 'test-rows', options: {} }] });
const source = resolveSource(config, 'calls/x.json');

/** An adapter whose single record yields the given rows, whatever the file holds. */
function rowsAdapter(rows: () => MappedRow[]): Adapter {
  return {
    name: 'test-rows',
    description: 'yields fixed rows',
    optionsSchema: z.object({}),
    async *read(input): AsyncIterable<SourceRecord> {
      for await (const _ of input) {
        // the file's bytes only pace the record
      }
      yield { kind: 'mapped', rowNumber: 1, raw: { record: 1 }, rows: rows() };
    },
  };
}

function contact(id: string, overrides: Record<string, unknown> = {}): MappedRow {
  return {
    table: 'interactions',
    row: validInteraction({ source: 'calls', interaction_id: id, created_at: AT, updated_at: AT, ...overrides }),
  };
}

let lake: Lake;
beforeEach(async () => {
  lake = openLake(mkdtempSync(join(tmpdir(), 'sb-lake-')));
  await lake.stores.landing.write('calls/x.json', Buffer.from('{}'));
});

async function normaliseRows(rows: () => MappedRow[], agentIds?: Record<string, string>) {
  const result = await normaliseObject({
    stores: lake.stores,
    key: 'calls/x.json',
    source: agentIds === undefined ? source : { ...source, agentIds },
    adapter: rowsAdapter(rows),
    pseudonymKey: KEY,
  });
  const rejects =
    result.rejectKey === null
      ? []
      : readFileSync(join(lake.zoneDir('quarantine'), result.rejectKey), 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { field: string | null; reason: string });
  return { result, rejects };
}

describe('rows completed in place', () => {
  it('names a rejected agent_id as the adapter gave it, not as the directory renamed it', async () => {
    const { rejects } = await normaliseRows(() => [contact('a', { agent_id: '7' })], { '7': '' });
    expect(rejects).toEqual([
      expect.objectContaining({
        field: 'agent_id',
        reason: expect.stringMatching(/^interactions\.agent_id .* \(got "7"\)$/),
      }),
    ]);
  });
});

describe('repeated keys', () => {
  const reason = 'interactions key (source="calls", interaction_id="dup") appears twice in one record';

  it.each([3, 16, 17, 40])('finds a key repeated among %i rows and names it', async (count) => {
    const rows = () => [
      contact('dup'),
      ...Array.from({ length: count - 2 }, (_, i) => contact(`c${i}`)),
      contact('dup'),
    ];
    const { result, rejects } = await normaliseRows(rows);
    expect(result.audit).toMatchObject({ rows_read: 1, rows_accepted: 0, rows_rejected: 1 });
    expect(rejects).toEqual([expect.objectContaining({ field: null, reason })]);
  });

  it.each([3, 16, 17, 40])('accepts %i rows whose keys all differ', async (count) => {
    const rows = () => Array.from({ length: count }, (_, i) => contact(`c${i}`));
    const { result } = await normaliseRows(rows);
    expect(result.audit).toMatchObject({ rows_read: 1, rows_accepted: 1, rows_rejected: 0 });
    expect(result.rowsByTable).toEqual({ interactions: count });
  });

  it.each([2, 40])('keeps rows of two tables with the same key values apart (%i rows)', async (count) => {
    const survey = (id: string): MappedRow => ({
      table: 'survey_responses',
      row: { ...contact(id).row, response_id: id },
    });
    const rows = () => [
      ...Array.from({ length: count - 1 }, (_, i) => contact(`c${i}`)),
      // same source and id as c0's interaction, in another table
      survey('c0'),
    ];
    const { rejects } = await normaliseRows(rows);
    expect(rejects.filter((r) => r.reason.includes('appears twice'))).toEqual([]);
  });
});
