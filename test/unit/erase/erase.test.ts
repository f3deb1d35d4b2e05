/** Erasure over a local lake built by the real CLI ingest (test/unit/erase/support.ts). */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { landingKeyOf } from '../../../cli/ingest.ts';
import { openLake, pseudonymKey } from '../../../cli/lake.ts';
import {
  ERASURE_RECORD_PREFIX,
  type ErasureRecord,
  type ErasureStores,
  eraseCustomers,
} from '../../../lambdas/core/erase/erase.ts';
import { createPseudonymiser } from '../../../lambdas/core/normalise/pseudonymise.ts';
import type { ObjectStore } from '../../../lambdas/core/store/object-store.ts';
import { ANN, BOB, copyLake, createErasureFolder, filesUnder, ingestErasureFixtures } from './support.ts';

type Row = Record<string, unknown>;

let dir: string;
let baseLake: string;
let key: Uint8Array;
const landing = { calls: '', later: '', surveys: '' };

beforeAll(async () => {
  dir = createErasureFolder();
  await ingestErasureFixtures(dir);
  baseLake = join(dir, 'lake');
  key = pseudonymKey(openLake(baseLake), {}).key;
  landing.calls = landingKeyOf('calls', join(dir, 'calls.csv'));
  landing.later = landingKeyOf('calls', join(dir, 'calls-later.csv'));
  landing.surveys = landingKeyOf('surveys', join(dir, 'surveys.csv'));
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function storesOf(lakeDir: string): ErasureStores {
  const lake = openLake(lakeDir);
  return lake.stores;
}

/** Every row of a table's partition files, with its partition. */
async function tableRows(lakeDir: string, table: string): Promise<Row[]> {
  const root = join(lakeDir, 'curated', table);
  const rows: Row[] = [];
  for (const folder of readdirSync(root).sort()) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(root, folder, 'compacted.parquet'));
    } catch {
      continue;
    }
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    for (const row of await parquetReadObjects({ file })) rows.push({ dt: folder.slice(3), ...row });
  }
  return rows;
}

function idsOf(rows: readonly Row[], column: string): string[] {
  return rows.map((r) => `${r.dt}:${r[column]}`).sort();
}

function rejectLines(lakeDir: string): string[] {
  const file = join(lakeDir, 'quarantine', `${landing.calls}.rejects.jsonl`);
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

function records(lakeDir: string): ErasureRecord[] {
  const folder = join(lakeDir, 'curated', ERASURE_RECORD_PREFIX);
  return readdirSync(folder)
    .sort()
    .map((name) => JSON.parse(readFileSync(join(folder, name), 'utf8')) as ErasureRecord);
}

/** The lake's files but the erasure records, by path. */
function lakeFiles(lakeDir: string): Map<string, Buffer> {
  const files = filesUnder(lakeDir);
  for (const path of files.keys()) if (path.startsWith(join('curated', ERASURE_RECORD_PREFIX))) files.delete(path);
  return files;
}

const annKey = () => createPseudonymiser(key)('customer', '+15550001111') as string;

describe('eraseCustomers over a local lake', () => {
  it('holds both customers before the erasure (the fixture as described)', async () => {
    expect(idsOf(await tableRows(baseLake, 'interactions'), 'interaction_id')).toEqual([
      '2025-06-02:c1',
      '2025-06-02:c1',
      '2025-06-02:c2',
      '2025-06-03:c3',
      '2025-06-03:c6',
    ]);
    expect(idsOf(await tableRows(baseLake, 'survey_responses'), 'response_id')).toEqual([
      '2025-06-02:s1',
      '2025-06-03:s2',
    ]);
    expect(rejectLines(baseLake)).toHaveLength(2);
  });

  it("removes every version of Ann's records and her reject line, keeps Bob's rows as they were, and records the counts", async () => {
    const lake = copyLake(baseLake);
    const before = lakeFiles(lake);
    const interactions = await tableRows(lake, 'interactions');
    const surveys = await tableRows(lake, 'survey_responses');

    const result = await eraseCustomers({ stores: storesOf(lake), customers: [ANN], pseudonymKey: key });

    // c1 (both versions, the later one without a caller), c3 and s1 go; c2, c6 and s2 stay unchanged.
    const afterInteractions = await tableRows(lake, 'interactions');
    const afterSurveys = await tableRows(lake, 'survey_responses');
    expect(idsOf(afterInteractions, 'interaction_id')).toEqual(['2025-06-02:c2', '2025-06-03:c6']);
    expect(idsOf(afterSurveys, 'response_id')).toEqual(['2025-06-03:s2']);
    expect(afterInteractions).toEqual(interactions.filter((r) => ['c2', 'c6'].includes(r.interaction_id as string)));
    expect(afterSurveys).toEqual(surveys.filter((r) => r.response_id === 's2'));
    // The survey partition of 2025-06-02 held only Ann's answer: its file is gone.
    expect(existsSync(join(lake, 'curated', 'survey_responses', 'dt=2025-06-02', 'compacted.parquet'))).toBe(false);

    const rejects = rejectLines(lake);
    expect(rejects).toHaveLength(1);
    expect(JSON.parse(rejects[0] as string)).toMatchObject({ row_number: 5, raw: { call: 'c5', phone: BOB } });

    const after = lakeFiles(lake);
    for (const [path, bytes] of before) {
      const untouched = [
        'landing/',
        'curated/ingestion_audit/',
        'curated/_staging/ingestion_audit/',
        'curated/_manifests/',
      ];
      if (untouched.some((prefix) => path.startsWith(prefix))) expect(after.get(path), path).toEqual(bytes);
    }

    const expected: ErasureRecord = {
      erasedAt: result.record.erasedAt,
      status: 'completed',
      customerKeys: [annKey()],
      tables: [
        { table: 'interactions', rows: 3, stagedRows: 3, partitions: ['2025-06-02', '2025-06-03'] },
        { table: 'survey_responses', rows: 1, stagedRows: 1, partitions: ['2025-06-02'] },
        { table: 'customer_activity', rows: 0, stagedRows: 0, partitions: [] },
      ],
      rejectLines: 1,
      rejectFiles: [`${landing.calls}.rejects.jsonl`],
      landingObjects: [landing.calls, landing.later, landing.surveys].sort(),
      rowsWithoutLineage: 0,
    };
    expect(result.record).toEqual(expected);
    expect(records(lake)).toEqual([expected]);
    const written = readFileSync(join(lake, 'curated', result.recordKey as string), 'utf8');
    expect(written).not.toContain('5550001111');

    // A second run finds nothing left, changes nothing and records that.
    const settled = lakeFiles(lake);
    const again = await eraseCustomers({ stores: storesOf(lake), customers: [ANN], pseudonymKey: key });
    expect(lakeFiles(lake)).toEqual(settled);
    expect(again.record).toMatchObject({
      status: 'completed',
      tables: [
        { table: 'interactions', rows: 0, stagedRows: 0, partitions: [] },
        { table: 'survey_responses', rows: 0, stagedRows: 0, partitions: [] },
        { table: 'customer_activity', rows: 0, stagedRows: 0, partitions: [] },
      ],
      rejectLines: 0,
      rejectFiles: [],
      landingObjects: [],
    });
    expect(records(lake)).toHaveLength(2);
  });

  it('finds the same in a dry run and changes nothing', async () => {
    const lake = copyLake(baseLake);
    const before = filesUnder(lake);
    const dry = await eraseCustomers({ stores: storesOf(lake), customers: [ANN], pseudonymKey: key, dryRun: true });
    expect(dry.recordKey).toBeNull();
    expect(dry.record).toMatchObject({ status: 'dry-run', rejectLines: 1, landingObjects: expect.any(Array) });
    expect(dry.record.tables.map((t) => t.rows)).toEqual([3, 1, 0]);
    expect(filesUnder(lake)).toEqual(before);
  });

  it('ends, after a run that failed after its first partition and a rerun, in the lake an uninterrupted run leaves', async () => {
    const whole = copyLake(baseLake);
    await eraseCustomers({ stores: storesOf(whole), customers: [ANN], pseudonymKey: key });

    const broken = copyLake(baseLake);
    const stores = storesOf(broken);
    // The second partition's staging file is rewritten, then writing its partition file fails.
    const failing = failingOnWrite(stores.curated, 'interactions/dt=2025-06-03/compacted.parquet');
    await expect(
      eraseCustomers({ stores: { ...stores, curated: failing }, customers: [ANN], pseudonymKey: key }),
    ).rejects.toThrow(/disk full/);
    expect(idsOf(await tableRows(broken, 'interactions'), 'interaction_id')).toEqual([
      '2025-06-02:c2',
      '2025-06-03:c3',
      '2025-06-03:c6',
    ]);
    expect(records(broken).map((r) => r.status)).toEqual(['started']);

    const rerun = await eraseCustomers({ stores, customers: [ANN], pseudonymKey: key });
    expect(lakeFiles(broken)).toEqual(lakeFiles(whole));
    // The rerun removes what was left: c3 from the stale partition file (its staging file was already
    // rewritten), s1 and the reject line; the started record lists everything the first run found.
    expect(rerun.record.tables.map((t) => [t.rows, t.stagedRows])).toEqual([
      [1, 0],
      [1, 1],
      [0, 0],
    ]);
    expect(records(broken).map((r) => r.status)).toEqual(['started', 'completed']);
    expect(records(broken)[0]?.landingObjects).toEqual([landing.calls, landing.later, landing.surveys].sort());
  });

  it('names only the landing objects still there', async () => {
    const lake = copyLake(baseLake);
    rmSync(join(lake, 'landing', landing.later));
    const dry = await eraseCustomers({ stores: storesOf(lake), customers: [ANN], pseudonymKey: key, dryRun: true });
    expect(dry.record.landingObjects).toEqual([landing.calls, landing.surveys].sort());
  });

  it('fails naming a blank identifier, before touching the lake', async () => {
    await expect(
      eraseCustomers({ stores: storesOf(baseLake), customers: [BOB, '  '], pseudonymKey: key }),
    ).rejects.toThrow(/identifier\(s\) #2 are blank/);
  });
});

/** A store whose write of one key fails, as a full disk or a lost connection would. */
function failingOnWrite(store: ObjectStore, failingKey: string): ObjectStore {
  return {
    location: store.location,
    head: (k) => store.head(k),
    read: (k) => store.read(k),
    list: (prefix) => store.list(prefix),
    delete: (k) => store.delete(k),
    write: async (k: string, body: Buffer | string | Readable, contentType?: string) => {
      if (k === failingKey) throw new Error(`disk full writing ${k}`);
      await store.write(k, body, contentType);
    },
  };
}
