import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { openLake } from '../../../cli/lake.ts';
import { compactPartition } from '../../../lambdas/core/compact/compact.ts';
import { encodeParquet } from '../../../lambdas/core/normalise/parquet.ts';
import { stagingKey } from '../../../lambdas/core/schema/layout.ts';
import { validInteraction } from '../../support/rows.ts';

const partition = { table: 'interactions', dt: '2025-06-03' } as const;

async function compactedIds(staged: readonly string[][]): Promise<string[]> {
  const lake = openLake(mkdtempSync(join(tmpdir(), 'sb-compact-order-')));
  const store = lake.stores.curated;
  for (const [i, ids] of staged.entries()) {
    const rows = ids.map((id) => validInteraction({ interaction_id: id, customer_key: `${id}|ké` }));
    await store.write(stagingKey(partition, `object-${i}`), Buffer.from(encodeParquet('interactions', rows)));
  }
  const result = await compactPartition(store, partition);
  const file = readFileSync(join(lake.zoneDir('curated'), result.key));
  const rows = await parquetReadObjects({ file: file.buffer.slice(file.byteOffset, file.byteOffset + file.length) });
  for (const row of rows) expect(row.customer_key).toBe(`${row.interaction_id}|ké`);
  return rows.map((row) => row.interaction_id as string);
}

describe('compaction row order', () => {
  it('orders strings by their UTF-8 bytes (code points), across staging files, and keeps them as written', async () => {
    // UTF-16 order would put the astral 😀 (a surrogate pair, 0xD83D…) before the full-width ！ (0xFF01).
    const ids = await compactedIds([
      ['😀', 'b'],
      ['！', 'a', 'é'],
    ]);
    expect(ids).toEqual(['a', 'b', 'é', '！', '😀']);
  });

  it('gives the same order whatever the order of the staged rows', async () => {
    expect(await compactedIds([['c', 'ä', 'a']])).toEqual(await compactedIds([['a'], ['ä', 'c']]));
  });
});
