import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetReadObjects, type SchemaElement } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Lake, openLake } from '../../../cli/lake.ts';
import {
  type CompactionResult,
  compactPartition,
  compactPartitions,
  curatedPartitions,
  lineageOf,
  settleCompactions,
} from '../../../lambdas/core/compact/compact.ts';
import { parseConfig } from '../../../lambdas/core/config/config.ts';
import type { Adapter, SourceRecord } from '../../../lambdas/core/normalise/adapter.ts';
import { parquetSchema, parquetValue } from '../../../lambdas/core/normalise/parquet.ts';
import {
  type NormaliseResult,
  normaliseObject,
  objectId,
  resolveSource,
} from '../../../lambdas/core/normalise/pipeline.ts';
import { TABLES } from '../../../lambdas/core/schema/canonical.ts';
import { columnsOf } from '../../../lambdas/core/schema/derive.ts';
import { compactedKey, type Partition, sortedPartitions, stagingKey } from '../../../lambdas/core/schema/layout.ts';
import type { ObjectInfo, ObjectStore } from '../../../lambdas/core/store/object-store.ts';
import { validInteraction } from '../../support/rows.ts';

/** One JSON object per line → one interaction version: id, day, version (updated_at) and talk time. */
const versionsAdapter: Adapter<Record<string, never>> = {
  name: 'test-versions',
  description: 'one interaction version per line',
  optionsSchema: z.object({}),
  async *read(input, _options, context): AsyncIterable<SourceRecord> {
    let rowNumber = 0;
    for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
      if (line.trim() === '') continue;
      rowNumber++;
      const raw = JSON.parse(line) as { id: string; day: string; version: number; talk: number };
      const created = new Date(`${raw.day}T09:00:00Z`);
      yield {
        kind: 'mapped',
        rowNumber,
        raw,
        rows: [
          {
            table: 'interactions',
            row: validInteraction({
              source: context.source,
              interaction_id: raw.id,
              created_at: created,
              talk_s: raw.talk,
              updated_at: new Date(created.getTime() + raw.version * 60_000),
              ingested_at: context.ingestedAt,
            }),
          },
        ],
      };
    }
  },
};

const KEY = Buffer.alloc(32, 7);
const config = parseConfig({ sources: [{ name: 'calls', adapter: 'test-versions' }] });
const source = resolveSource(config, 'calls/a.jsonl');
/** Landing times are fixed, so two lakes fed the same files hold the same rows. */
const LANDED = new Date('2025-07-01T00:00:00Z');

const line = (id: string, day: string, version: number, talk = 60) => JSON.stringify({ id, day, version, talk });
const A = [line('b', '2025-06-01', 1), line('a', '2025-06-01', 1), line('d', '2025-06-03', 1)].join('\n');
const B = [line('a', '2025-06-01', 2, 90), line('c', '2025-06-02', 1)].join('\n');
/** A changed: `d` moved from 2025-06-03 to 2025-06-02, so A no longer stages anything on 2025-06-03. */
const A2 = [line('b', '2025-06-01', 1), line('a', '2025-06-01', 1), line('d', '2025-06-02', 2)].join('\n');

function newLake(): Lake {
  return openLake(mkdtempSync(join(tmpdir(), 'sb-compact-')));
}

async function ingest(lake: Lake, name: string, body: string, store?: ObjectStore): Promise<NormaliseResult> {
  const key = `calls/${name}`;
  await lake.stores.landing.write(key, body);
  utimesSync(join(lake.zoneDir('landing'), key), LANDED, LANDED);
  return normaliseObject({
    stores: { ...lake.stores, curated: store ?? lake.stores.curated },
    key,
    source,
    adapter: versionsAdapter as Adapter,
    pseudonymKey: KEY,
  });
}

async function ingestAndCompact(lake: Lake, name: string, body: string): Promise<CompactionResult[]> {
  const result = await ingest(lake, name, body);
  return compactPartitions(lake.stores.curated, result.partitions);
}

async function keys(store: ObjectStore, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for await (const info of store.list(prefix)) found.push(info.key);
  return found;
}

/** Every file the tables read (outside the `_` prefixes), with its bytes. */
async function tableFiles(lake: Lake, except: RegExp = /^$/): Promise<Record<string, Buffer>> {
  const files: Record<string, Buffer> = {};
  for (const key of await keys(lake.stores.curated)) {
    if (key.startsWith('_') || except.test(key)) continue;
    files[key] = readFileSync(join(lake.zoneDir('curated'), key));
  }
  return files;
}

async function rowsOf(file: Buffer): Promise<Record<string, unknown>[]> {
  return parquetReadObjects({
    file: file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer,
  });
}

/** Rows of a table as the local engine reads them: every Parquet file under curated/<table>/<dt>/. */
async function engineRows(lake: Lake, sql: string): Promise<Record<string, unknown>[]> {
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  const glob = (table: string) => `read_parquet('${join(lake.zoneDir('curated'), table, '*', '*.parquet')}')`;
  const reader = await db.runAndReadAll(sql.replaceAll(/\{(\w+)\}/g, (_, table: string) => glob(table)));
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

/** Fails the n-th write of a partition file, before it lands or after it landed, as a killed process would. */
class CrashingStore implements ObjectStore {
  readonly location: string;
  private writes = 0;

  constructor(
    private readonly inner: ObjectStore,
    private readonly crashAt: number,
    private readonly when: 'before' | 'after',
  ) {
    this.location = inner.location;
  }

  head(key: string): Promise<ObjectInfo | undefined> {
    return this.inner.head(key);
  }

  read(key: string): Promise<Readable> {
    return this.inner.read(key);
  }

  list(prefix: string): AsyncIterable<ObjectInfo> {
    return this.inner.list(prefix);
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }

  async write(key: string, body: Buffer | string | Readable, contentType?: string): Promise<void> {
    const crashes = !key.startsWith('_') && ++this.writes === this.crashAt;
    if (crashes && this.when === 'before') throw new Error(`killed before writing ${key}`);
    await this.inner.write(key, body, contentType);
    if (crashes) throw new Error(`killed after writing ${key}`);
  }
}

/** Counts the compactions under way: one starts when it lists its staging files, ends when it writes. */
class CountingStore implements ObjectStore {
  readonly location: string;
  private running = 0;
  mostAtOnce = 0;

  constructor(private readonly inner: ObjectStore) {
    this.location = inner.location;
  }

  head(key: string): Promise<ObjectInfo | undefined> {
    return this.inner.head(key);
  }

  read(key: string): Promise<Readable> {
    return this.inner.read(key);
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    this.running++;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.running);
    yield* this.inner.list(prefix);
  }

  delete(key: string): Promise<void> {
    this.running--;
    return this.inner.delete(key);
  }

  async write(key: string, body: Buffer | string | Readable, contentType?: string): Promise<void> {
    await this.inner.write(key, body, contentType);
    this.running--;
  }
}

describe('compaction', () => {
  it('merges a partition into one file the tables read, ordered by key then version, with each object in its lineage', async () => {
    const lake = newLake();
    await ingestAndCompact(lake, 'a.jsonl', A);
    const results = await ingestAndCompact(lake, 'b.jsonl', B);
    expect(results.map((r) => [r.table, r.dt, r.action, r.rows])).toEqual([
      ['ingestion_audit', '2025-07-01', 'written', 2],
      ['interactions', '2025-06-01', 'written', 3],
      ['interactions', '2025-06-02', 'written', 1],
    ]);
    const files = await tableFiles(lake);
    expect(Object.keys(files).filter((k) => k.startsWith('interactions/'))).toEqual([
      'interactions/dt=2025-06-01/compacted.parquet',
      'interactions/dt=2025-06-02/compacted.parquet',
      'interactions/dt=2025-06-03/compacted.parquet',
    ]);
    const day = files['interactions/dt=2025-06-01/compacted.parquet'] as Buffer;
    const rows = await rowsOf(day);
    expect(rows.map((r) => [r.interaction_id, r.talk_s])).toEqual([
      ['a', 60],
      ['a', 90],
      ['b', 60],
    ]);
    expect(lineageOf(day)).toEqual(
      [
        { object: objectId('calls', 'calls/a.jsonl'), rows: 2 },
        { object: objectId('calls', 'calls/b.jsonl'), rows: 1 },
      ].sort((x, y) => (x.object < y.object ? -1 : 1)),
    );
  });

  it('writes the same bytes from the same objects, whatever order they were ingested in', async () => {
    const forward = newLake();
    await ingestAndCompact(forward, 'a.jsonl', A);
    await ingestAndCompact(forward, 'b.jsonl', B);
    const backward = newLake();
    await ingestAndCompact(backward, 'b.jsonl', B);
    await ingestAndCompact(backward, 'a.jsonl', A);
    const audit = /^ingestion_audit\//;
    expect(await tableFiles(backward, audit)).toEqual(await tableFiles(forward, audit));
  });

  it('leaves every table file byte-identical when an object is ingested again', async () => {
    const lake = newLake();
    await ingestAndCompact(lake, 'a.jsonl', A);
    await ingestAndCompact(lake, 'b.jsonl', B);
    // The audit records each run's start time and duration; the tables' rows do not change.
    const audit = /^ingestion_audit\//;
    const before = await tableFiles(lake, audit);
    await ingestAndCompact(lake, 'a.jsonl', A);
    expect(await tableFiles(lake, audit)).toEqual(before);
  });

  it('changes nothing when it runs twice', async () => {
    const lake = newLake();
    await ingest(lake, 'a.jsonl', A);
    await ingest(lake, 'b.jsonl', B);
    const partitions = await curatedPartitions(lake.stores.curated);
    const first = await compactPartitions(lake.stores.curated, partitions);
    const files = await tableFiles(lake);
    const second = await compactPartitions(lake.stores.curated, await curatedPartitions(lake.stores.curated));
    expect(second).toEqual(first);
    expect(await tableFiles(lake)).toEqual(files);
  });

  it('removes a partition file once no object stages rows there', async () => {
    const lake = newLake();
    await ingestAndCompact(lake, 'a.jsonl', A);
    const results = await ingestAndCompact(lake, 'a.jsonl', A2);
    expect(results).toContainEqual(expect.objectContaining({ dt: '2025-06-03', action: 'removed', rows: 0 }));
    expect(Object.keys(await tableFiles(lake)).filter((k) => k.startsWith('interactions/'))).toEqual([
      'interactions/dt=2025-06-01/compacted.parquet',
      'interactions/dt=2025-06-02/compacted.parquet',
    ]);
  });

  it('reconciles: the rows the tables read are the rows every audit accepted, once each', async () => {
    const lake = newLake();
    await ingestAndCompact(lake, 'a.jsonl', A);
    await ingestAndCompact(lake, 'b.jsonl', B);
    await ingestAndCompact(lake, 'a.jsonl', A2);
    const [counts] = await engineRows(
      lake,
      `SELECT (SELECT count(*) FROM {interactions}) AS curated,
              (SELECT count(DISTINCT (interaction_id, updated_at)) FROM {interactions}) AS versions,
              (SELECT sum(rows_accepted) FROM (SELECT object_key, arg_max(rows_accepted, started_at) AS rows_accepted
                                               FROM {ingestion_audit} GROUP BY object_key)) AS accepted`,
    );
    expect(counts).toEqual({ curated: '5', versions: '5', accepted: '5' });
  });

  describe('a compactor killed part-way, then run again', () => {
    /** A then B compacted, then A changed and staged: the partitions to compact hold old and new rows. */
    async function lakeAwaitingCompaction(): Promise<{ lake: Lake; partitions: Partition[] }> {
      const lake = newLake();
      await ingestAndCompact(lake, 'a.jsonl', A);
      await ingestAndCompact(lake, 'b.jsonl', B);
      const result = await ingest(lake, 'a.jsonl', A2);
      return { lake, partitions: result.partitions };
    }

    async function uninterrupted(): Promise<Record<string, Buffer>> {
      const { lake, partitions } = await lakeAwaitingCompaction();
      await compactPartitions(lake.stores.curated, partitions);
      return tableFiles(lake, /^ingestion_audit\//);
    }

    it.each([
      ['before its first write', 1, 'before'],
      ['before its second write', 2, 'before'],
      ['after its second write landed', 2, 'after'],
      ['after its last write landed', 3, 'after'],
    ] as const)('loses and duplicates no row when killed %s', async (_label, crashAt, when) => {
      const expected = await uninterrupted();
      const { lake, partitions } = await lakeAwaitingCompaction();
      const before = await tableFiles(lake);
      const crashing = new CrashingStore(lake.stores.curated, crashAt, when);
      await expect(compactPartitions(crashing, partitions)).rejects.toThrow(/^killed /);

      // Meanwhile each partition file is whole: the one before the run or the one after it.
      const during = await tableFiles(lake);
      for (const [key, bytes] of Object.entries(during)) {
        const old = before[key];
        const current = expected[key];
        expect(old?.equals(bytes) || current?.equals(bytes) || key.startsWith('ingestion_audit/'), key).toBe(true);
      }

      await compactPartitions(lake.stores.curated, partitions);
      expect(await tableFiles(lake, /^ingestion_audit\//)).toEqual(expected);
      const [counts] = await engineRows(
        lake,
        'SELECT count(*) AS n, count(DISTINCT (interaction_id, updated_at)) AS versions FROM {interactions}',
      );
      expect(counts).toEqual({ n: '5', versions: '5' });
    });

    it('rebuilds every partition from the staging files when the partitions it was given are lost', async () => {
      const expected = await uninterrupted();
      const { lake } = await lakeAwaitingCompaction();
      await compactPartitions(lake.stores.curated, await curatedPartitions(lake.stores.curated));
      expect(await tableFiles(lake, /^ingestion_audit\//)).toEqual(expected);
    });
  });

  it('reads a staging file written before a column existed with that column unknown, beside a current one', async () => {
    const lake = newLake();
    await ingestAndCompact(lake, 'a.jsonl', A);
    const partition: Partition = { table: 'interactions', dt: '2025-06-01' };
    // An older normaliser's file: the interactions schema without talk_s, one row 'c' (its talk is lost).
    const older = TABLES.interactions.schema.parse(
      validInteraction({
        interaction_id: 'c',
        created_at: new Date('2025-06-01T08:00:00Z'),
        talk_s: 75,
        reopen_count: 2,
      }),
    ) as Record<string, unknown>;
    const columns = columnsOf('interactions').filter((c) => c.name !== 'talk_s');
    const schema = parquetSchema('interactions').filter((e) => e.name !== 'talk_s');
    schema[0] = { ...(schema[0] as SchemaElement), num_children: columns.length };
    const file = parquetWriteBuffer({
      schema,
      columnData: columns.map((c) => ({ name: c.name, data: [parquetValue(c, older[c.name])] })),
    });
    await lake.stores.curated.write(stagingKey(partition, 'calls-0000000000000000'), Buffer.from(file));

    const result = await compactPartition(lake.stores.curated, partition);
    expect(result.objects).toEqual([
      { object: 'calls-0000000000000000', rows: 1 },
      { object: objectId('calls', 'calls/a.jsonl'), rows: 2 },
    ]);
    const rows = await rowsOf(readFileSync(join(lake.zoneDir('curated'), compactedKey(partition))));
    expect(rows.map((r) => [r.interaction_id, r.talk_s, r.reopen_count])).toEqual([
      ['a', 60, null],
      ['b', 60, null],
      ['c', null, 2n],
    ]);
  });

  it('fails naming the staging file it cannot read, and keeps the partition file it had', async () => {
    const lake = newLake();
    await ingestAndCompact(lake, 'a.jsonl', A);
    const partition: Partition = { table: 'interactions', dt: '2025-06-01' };
    const before = readFileSync(join(lake.zoneDir('curated'), compactedKey(partition)));
    const broken = stagingKey(partition, 'calls-0000000000000000');
    await lake.stores.curated.write(broken, 'not parquet');
    await expect(compactPartition(lake.stores.curated, partition)).rejects.toThrow(
      /cannot read staging file _staging\/interactions\/dt=2025-06-01\/calls-0{16}\.parquet/,
    );
    expect(readFileSync(join(lake.zoneDir('curated'), compactedKey(partition)))).toEqual(before);
  });

  it('compacts partitions several at once, at most as many as asked, with the bytes one at a time gives', async () => {
    const sequential = newLake();
    await ingest(sequential, 'a.jsonl', A);
    await ingest(sequential, 'b.jsonl', B);
    const partitions = await curatedPartitions(sequential.stores.curated);
    await compactPartitions(sequential.stores.curated, partitions);

    const concurrent = newLake();
    await ingest(concurrent, 'a.jsonl', A);
    await ingest(concurrent, 'b.jsonl', B);
    const counting = new CountingStore(concurrent.stores.curated);
    const outcomes = await settleCompactions(counting, partitions, 2);
    expect(outcomes.map((o) => [o.partition.table, o.partition.dt, o.result?.rows])).toEqual([
      ['ingestion_audit', '2025-07-01', 2],
      ['interactions', '2025-06-01', 3],
      ['interactions', '2025-06-02', 1],
      ['interactions', '2025-06-03', 1],
    ]);
    expect(counting.mostAtOnce).toBe(2);
    const audit = /^ingestion_audit\//;
    expect(await tableFiles(concurrent, audit)).toEqual(await tableFiles(sequential, audit));
  });

  it('reports a partition that cannot be compacted with the reason, and compacts the others', async () => {
    const lake = newLake();
    await ingest(lake, 'a.jsonl', A);
    const broken: Partition = { table: 'interactions', dt: '2025-06-01' };
    await lake.stores.curated.write(stagingKey(broken, 'calls-0000000000000000'), 'not parquet');
    const outcomes = await settleCompactions(lake.stores.curated, await curatedPartitions(lake.stores.curated), 4);
    expect(outcomes.map((o) => [o.partition.dt, o.result?.action ?? o.error?.slice(0, 24)])).toEqual([
      ['2025-07-01', 'written'],
      ['2025-06-01', 'cannot read staging file'],
      ['2025-06-03', 'written'],
    ]);
    expect(Object.keys(await tableFiles(lake)).filter((k) => k.startsWith('interactions/'))).toEqual([
      'interactions/dt=2025-06-03/compacted.parquet',
    ]);
  });

  it('lists partitions in table then date order, each once', () => {
    expect(
      sortedPartitions([
        { table: 'interactions', dt: '2025-06-02' },
        { table: 'ingestion_audit', dt: '2025-07-01' },
        { table: 'interactions', dt: '2025-06-01' },
        { table: 'interactions', dt: '2025-06-02' },
      ]),
    ).toEqual([
      { table: 'ingestion_audit', dt: '2025-07-01' },
      { table: 'interactions', dt: '2025-06-01' },
      { table: 'interactions', dt: '2025-06-02' },
    ]);
  });
});

describe('local ingest', () => {
  const activityConfig = parseConfig({ sources: [{ name: 'activity', adapter: 'customer-activity' }] });
  const header = 'customer_id,event_at,kind,amount,order_ref';
  const v1 = [header, 'C-1,2024-01-15T09:30:00Z,signup,,', 'C-1,2024-02-01T10:00:00Z,order,49.90,O-1'].join('\n');
  const v2 = [v1, 'C-2,2024-03-05T12:00:00Z,renewal,120,'].join('\n');

  it('compacts what it touched, and completes an ingest killed before compacting when run again', async () => {
    const { ingestFile, landingKeyOf } = await import('../../../cli/ingest.ts');
    const { getAdapter } = await import('../../../lambdas/adapters/registry.ts');
    const lake = newLake();
    const file = join(lake.dir, 'events.csv');
    const options = { lake, config: activityConfig, sourceName: 'activity', file, pseudonymKey: KEY };
    const count = async () => (await engineRows(lake, 'SELECT count(*) AS n FROM {customer_activity}'))[0]?.n as string;
    writeFileSync(file, v1);
    const first = await ingestFile(options);
    expect(first.compacted.map((r) => `${r.table}/${r.dt}`)).toEqual(first.partitions.map((p) => `${p.table}/${p.dt}`));
    expect(Object.keys(await tableFiles(lake)).every((k) => k.endsWith('/compacted.parquet'))).toBe(true);
    expect(await count()).toBe('2');

    // The export grows; a run lands and normalises it, then dies before compacting.
    writeFileSync(file, v2);
    const key = landingKeyOf('activity', file);
    await lake.stores.landing.write(key, v2);
    await normaliseObject({
      stores: lake.stores,
      key,
      source: resolveSource(activityConfig, key),
      adapter: getAdapter('customer-activity'),
      pseudonymKey: KEY,
    });
    expect(await count()).toBe('2');

    const again = await ingestFile(options);
    expect(again.landed).toBe(false);
    expect(again.audit.rows_accepted).toBe(3);
    expect(await count()).toBe('3');
    const rebuilt = await tableFiles(lake);
    await compactPartitions(lake.stores.curated, await curatedPartitions(lake.stores.curated));
    expect(await tableFiles(lake)).toEqual(rebuilt);
  });
});
