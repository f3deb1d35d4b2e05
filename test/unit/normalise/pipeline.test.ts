import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Lake, openLake } from '../../../cli/lake.ts';
import { parseConfig } from '../../../lambdas/core/config/config.ts';
import { type Adapter, FileRejectedError, type SourceRecord } from '../../../lambdas/core/normalise/adapter.ts';
import { MAX_REASON_CHARS, normaliseObject, resolveSource } from '../../../lambdas/core/normalise/pipeline.ts';
import { validInteraction } from '../../support/rows.ts';

/** A deliberately tiny adapter: one JSON object per line → one interaction. */
const linesAdapter: Adapter<{ channel: string }> = {
  name: 'test-lines',
  description: 'one JSON object per line',
  optionsSchema: z.object({ channel: z.string().default('voice') }),
  async *read(input, options, context): AsyncIterable<SourceRecord> {
    let rowNumber = 0;
    for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
      if (line.trim() === '') continue;
      rowNumber++;
      if (line === 'NOT A RECORD') throw new FileRejectedError('line is not a record: wrong format');
      let raw: Record<string, unknown>;
      try {
        raw = JSON.parse(line) as Record<string, unknown>;
      } catch {
        yield { kind: 'rejected', rowNumber, raw: line, field: null, reason: 'not valid JSON' };
        continue;
      }
      const row = {
        table: 'interactions' as const,
        row: validInteraction({
          source: context.source,
          interaction_id: raw.id,
          channel: options.channel,
          created_at: new Date(String(raw.at)),
          // Text goes through Number(), as an adapter computing a figure would: "abc" becomes NaN.
          talk_s: typeof raw.talk === 'string' ? Number(raw.talk) : (raw.talk ?? null),
          agent_id: raw.agent ?? null,
          customer_key: context.pseudonymise('customer', raw.email as string | undefined),
          updated_at: new Date(String(raw.updated ?? raw.at)),
          ingested_at: context.ingestedAt,
        }),
      };
      // `"twice": true` makes one record yield its contact twice, as a form listing an item twice would.
      yield { kind: 'mapped', rowNumber, raw, rows: raw.twice === true ? [row, row] : [row] };
    }
  },
};

const KEY = Buffer.alloc(32, 1);
const config = parseConfig({ sources: [{ name: 'calls', adapter: 'test-lines', options: { channel: 'chat' } }] });
const source = resolveSource(config, 'calls/x.jsonl');

let lake: Lake;
beforeEach(() => {
  lake = openLake(mkdtempSync(join(tmpdir(), 'sb-lake-')));
});

async function land(key: string, body: string | Buffer) {
  await lake.stores.landing.write(key, typeof body === 'string' ? Buffer.from(body) : body);
}

function normalise(key: string) {
  return normaliseObject({ stores: lake.stores, key, source, adapter: linesAdapter as Adapter, pseudonymKey: KEY });
}

async function listAll(zone: 'curated' | 'quarantine'): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of lake.stores[zone].list('')) keys.push(o.key);
  return keys;
}

const GOOD = [
  '{"id":"a","at":"2025-06-01T10:00:00Z","talk":120,"email":"Ann@example.com"}',
  '{"id":"b","at":"2025-06-02T11:00:00Z","talk":-5}',
  'not json',
  '{"id":"c","at":"2025-06-02T12:00:00Z","talk":30}',
].join('\n');

describe('normaliseObject', () => {
  it('stages valid rows by date, quarantines the rest with reasons, and reconciles the counts', async () => {
    await land('calls/day.jsonl', GOOD);
    const result = await normalise('calls/day.jsonl');
    expect(result.audit).toMatchObject({ rows_read: 4, rows_accepted: 2, rows_rejected: 2, file_error: null });
    expect(result.outputs.sort()).toEqual([
      expect.stringMatching(/^_staging\/interactions\/dt=2025-06-01\/calls-[0-9a-f]{16}\.parquet$/),
      expect.stringMatching(/^_staging\/interactions\/dt=2025-06-02\/calls-[0-9a-f]{16}\.parquet$/),
    ]);
    const rejects = readFileSync(join(lake.zoneDir('quarantine'), 'calls/day.jsonl.rejects.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejects).toEqual([
      {
        object_key: 'calls/day.jsonl',
        row_number: 2,
        field: 'talk_s',
        reason: 'interactions.talk_s must not be negative (got -5)',
        raw: { id: 'b', at: '2025-06-02T11:00:00Z', talk: -5 },
      },
      { object_key: 'calls/day.jsonl', row_number: 3, field: null, reason: 'not valid JSON', raw: 'not json' },
    ]);
    expect(result.audit.object_sha256).toBe(createHash('sha256').update(GOOD).digest('hex'));
    expect(await listAll('curated')).toContainEqual(
      expect.stringMatching(/^_staging\/ingestion_audit\/dt=\d{4}-\d\d-\d\d\//),
    );
  });

  it('reports every partition it staged, its audit included, for compaction; the tables read none of them yet', async () => {
    await land('calls/day.jsonl', GOOD);
    const result = await normalise('calls/day.jsonl');
    const landedOn = result.audit.landed_at.toISOString().slice(0, 10);
    expect(result.partitions).toEqual([
      { table: 'ingestion_audit', dt: landedOn },
      { table: 'interactions', dt: '2025-06-01' },
      { table: 'interactions', dt: '2025-06-02' },
    ]);
    expect((await listAll('curated')).filter((k) => !k.startsWith('_'))).toEqual([]);
  });

  it('never writes the raw identifier, only its pseudonym', async () => {
    await land('calls/day.jsonl', GOOD);
    const result = await normalise('calls/day.jsonl');
    const bytes = readFileSync(join(lake.zoneDir('curated'), result.outputs.sort()[0] as string));
    expect(bytes.includes('Ann@example.com')).toBe(false);
    expect(bytes.includes('c_')).toBe(true);
  });

  it('re-ingesting the same object leaves the curated data byte-identical and the landing object untouched', async () => {
    await land('calls/day.jsonl', GOOD);
    const first = await normalise('calls/day.jsonl');
    const snapshot = first.outputs.map((k) => readFileSync(join(lake.zoneDir('curated'), k)));
    const second = await normalise('calls/day.jsonl');
    expect(second.outputs).toEqual(first.outputs);
    expect(second.outputs.map((k) => readFileSync(join(lake.zoneDir('curated'), k)))).toEqual(snapshot);
    expect((await listAll('curated')).filter((k) => k.startsWith('_staging/ingestion_audit/'))).toHaveLength(1);
    expect(readFileSync(join(lake.zoneDir('landing'), 'calls/day.jsonl'), 'utf8')).toBe(GOOD);
  });

  it('removes the partitions an object no longer produces when it is re-ingested with new content', async () => {
    await land('calls/day.jsonl', GOOD);
    await normalise('calls/day.jsonl');
    await land('calls/day.jsonl', '{"id":"a","at":"2025-06-01T10:00:00Z","talk":1}\n');
    const result = await normalise('calls/day.jsonl');
    expect(result.rejectKey).toBeNull();
    const data = (await listAll('curated')).filter((k) => k.startsWith('_staging/interactions/'));
    expect(data).toEqual([expect.stringMatching(/^_staging\/interactions\/dt=2025-06-01\//)]);
    expect(result.partitions).toContainEqual({ table: 'interactions', dt: '2025-06-02' });
    expect(await listAll('quarantine')).toEqual([]);
  });

  it('names agents through the source directory, leaving identifiers it does not list', async () => {
    await land(
      'calls/agents.jsonl',
      [
        '{"id":"a","at":"2025-06-01T10:00:00Z","agent":"381200000117"}',
        '{"id":"b","at":"2025-06-01T11:00:00Z","agent":"42"}',
      ].join('\n'),
    );
    const directory = { ...source, agentIds: { '381200000117': 'ann.lee' } };
    const result = await normaliseObject({
      stores: lake.stores,
      key: 'calls/agents.jsonl',
      source: directory,
      adapter: linesAdapter as Adapter,
      pseudonymKey: KEY,
    });
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const reader = await db.runAndReadAll(
      `SELECT interaction_id, agent_id FROM read_parquet('${join(lake.zoneDir('curated'), result.outputs[0] as string)}') ORDER BY 1`,
    );
    expect(reader.getRowObjectsJson()).toEqual([
      { interaction_id: 'a', agent_id: 'ann.lee' },
      { interaction_id: 'b', agent_id: '42' },
    ]);
  });

  it('reads gzip exports transparently', async () => {
    await land('calls/day.jsonl.gz', gzipSync(GOOD));
    const result = await normalise('calls/day.jsonl.gz');
    expect(result.audit).toMatchObject({ rows_read: 4, rows_accepted: 2, rows_rejected: 2 });
  });

  it('fails the whole file when the gzip is corrupt, curating nothing and saying why', async () => {
    const gz = gzipSync(GOOD);
    gz.fill(0, 20, 40);
    await land('calls/bad.jsonl.gz', gz);
    const result = await normalise('calls/bad.jsonl.gz');
    expect(result.fileError).toMatch(/gzip|header|invalid|incorrect/i);
    expect(result.outputs).toEqual([]);
    expect(result.audit.rows_accepted).toBe(0);
    expect(result.audit.rows_read).toBe(result.audit.rows_rejected);
    const reject = JSON.parse(
      readFileSync(join(lake.zoneDir('quarantine'), 'calls/bad.jsonl.gz.rejects.jsonl'), 'utf8'),
    );
    expect(reject.reason).toMatch(/^file rejected: /);
  });

  it('fails the whole file when the adapter says the format is wrong, and counts what it had read', async () => {
    await land('calls/wrong.jsonl', `${GOOD}\nNOT A RECORD\n`);
    const result = await normalise('calls/wrong.jsonl');
    expect(result.fileError).toBe('line is not a record: wrong format');
    expect(result.audit).toMatchObject({ rows_read: 4, rows_accepted: 0, rows_rejected: 4 });
    expect(
      (await listAll('curated')).filter(
        (k) => !k.startsWith('_staging/ingestion_audit/') && !k.startsWith('_manifests/'),
      ),
    ).toEqual([]);
  });

  it('fails with a clear message when the source options are invalid', async () => {
    await land('calls/day.jsonl', GOOD);
    const bad = { ...source, options: { channel: 7 } };
    await expect(
      normaliseObject({
        stores: lake.stores,
        key: 'calls/day.jsonl',
        source: bad,
        adapter: linesAdapter as Adapter,
        pseudonymKey: KEY,
      }),
    ).rejects.toThrow(/source "calls" \(adapter test-lines\) has invalid options: options\.channel/);
  });

  it('fails when the landing key names no configured source', () => {
    expect(() => resolveSource(config, 'zendesk/x.json')).toThrow(
      /not under a configured source prefix \(sources: calls\)/,
    );
  });

  it('fails when the landing object does not exist', async () => {
    await expect(normalise('calls/missing.jsonl')).rejects.toThrow(/object not found: calls\/missing\.jsonl/);
  });

  it('stamps every curated row with its landing object and record number', async () => {
    await land('calls/day.jsonl', GOOD);
    const result = await normalise('calls/day.jsonl');
    const files = result.outputs
      .filter((k) => k.includes('/interactions/'))
      .map((k) => join(lake.zoneDir('curated'), k));
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const reader = await db.runAndReadAll(
      `SELECT interaction_id, source_object, source_row FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}])
       ORDER BY interaction_id`,
    );
    expect(reader.getRowObjectsJS()).toEqual([
      { interaction_id: 'a', source_object: 'calls/day.jsonl', source_row: 1n },
      { interaction_id: 'c', source_object: 'calls/day.jsonl', source_row: 4n },
    ]);
  });

  it('rejects a record that yields one key twice, keeping the rest of the file', async () => {
    await land(
      'calls/twice.jsonl',
      ['{"id":"a","at":"2025-06-01T10:00:00Z","twice":true}', '{"id":"b","at":"2025-06-01T11:00:00Z"}'].join('\n'),
    );
    const result = await normalise('calls/twice.jsonl');
    expect(result.audit).toMatchObject({ rows_read: 2, rows_accepted: 1, rows_rejected: 1, file_error: null });
    const rejects = readFileSync(join(lake.zoneDir('quarantine'), 'calls/twice.jsonl.rejects.jsonl'), 'utf8');
    expect(JSON.parse(rejects)).toMatchObject({
      row_number: 1,
      field: null,
      reason: 'interactions key (source="calls", interaction_id="a") appears twice in one record',
    });
  });

  it('rejects rows dated before lake.partitionsFrom or after the day after their file landed, naming the bound', async () => {
    await land(
      'calls/dates.jsonl',
      [
        '{"id":"old","at":"2014-12-31T23:00:00Z"}',
        '{"id":"first","at":"2015-01-01T00:00:00Z"}',
        '{"id":"future","at":"9999-01-01T00:00:00Z"}',
      ].join('\n'),
    );
    const landed = (await lake.stores.landing.head('calls/dates.jsonl'))?.lastModified as Date;
    const result = await normaliseObject({
      stores: lake.stores,
      key: 'calls/dates.jsonl',
      source,
      adapter: linesAdapter as Adapter,
      pseudonymKey: KEY,
      partitionsFrom: '2015-01-01',
    });
    expect(result.audit).toMatchObject({ rows_read: 3, rows_accepted: 1, rows_rejected: 2 });
    const dayAfter = new Date(landed.getTime() + 86_400_000).toISOString().slice(0, 10);
    const rejects = readFileSync(join(lake.zoneDir('quarantine'), 'calls/dates.jsonl.rejects.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejects.map((r) => [r.row_number, r.field, r.reason])).toEqual([
      [
        1,
        'created_at',
        'interactions.created_at dates the row 2014-12-31, before lake.partitionsFrom (2015-01-01); set an earlier lake.partitionsFrom to keep it',
      ],
      [
        3,
        'created_at',
        `interactions.created_at dates the row 9999-01-01, more than a day after its file landed (${dayAfter} at the latest)`,
      ],
    ]);
  });

  it('rejects a row whose other timestamps fall before 1990 or more than a day after the file landed', async () => {
    await land(
      'calls/years.jsonl',
      [
        '{"id":"zero","at":"2025-06-01T10:00:00Z","updated":"0000-06-01T00:00:00Z"}',
        '{"id":"far","at":"2025-06-01T10:00:00Z","updated":"9999-12-31T00:00:00Z"}',
        '{"id":"placeholder","at":"2025-06-01T10:00:00Z","updated":"1899-12-30T00:00:00Z"}',
        '{"id":"huge","at":"+010000-01-01T00:00:00Z"}',
        '{"id":"ok","at":"2025-06-01T10:00:00Z","updated":"1990-01-01T00:00:00Z"}',
      ].join('\n'),
    );
    const landed = (await lake.stores.landing.head('calls/years.jsonl'))?.lastModified as Date;
    const dayAfter = new Date(landed.getTime() + 86_400_000).toISOString().slice(0, 10);
    const result = await normalise('calls/years.jsonl');
    expect(result.audit).toMatchObject({ rows_read: 5, rows_accepted: 1, rows_rejected: 4 });
    const rejects = readFileSync(join(lake.zoneDir('quarantine'), 'calls/years.jsonl.rejects.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejects.map((r) => [r.row_number, r.field, r.reason])).toEqual([
      [
        1,
        'updated_at',
        'interactions.updated_at is 0000-06-01T00:00:00.000Z, before 1990-01-01: not a plausible date (a placeholder?)',
      ],
      [
        2,
        'updated_at',
        `interactions.updated_at is 9999-12-31T00:00:00.000Z, more than a day after its file landed (${dayAfter} at the latest)`,
      ],
      [
        3,
        'updated_at',
        'interactions.updated_at is 1899-12-30T00:00:00.000Z, before 1990-01-01: not a plausible date (a placeholder?)',
      ],
      [
        4,
        'created_at',
        `interactions.created_at dates the row +010000-01, more than a day after its file landed (${dayAfter} at the latest)`,
      ],
    ]);
  });

  it('rejects a figure beyond 2^53 - 1, which would overflow the metric views', async () => {
    await land(
      'calls/huge.jsonl',
      [
        '{"id":"a","at":"2025-06-01T10:00:00Z","talk":1e308}',
        '{"id":"b","at":"2025-06-01T10:00:00Z","talk":9007199254740991}',
        '{"id":"c","at":"2025-06-01T10:00:00Z","talk":9007199254740992}',
      ].join('\n'),
    );
    const result = await normalise('calls/huge.jsonl');
    expect(result.audit).toMatchObject({ rows_read: 3, rows_accepted: 1, rows_rejected: 2 });
    const rejects = readFileSync(join(lake.zoneDir('quarantine'), 'calls/huge.jsonl.rejects.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejects.map((r) => [r.row_number, r.field, r.reason])).toEqual([
      [1, 'talk_s', 'interactions.talk_s is 1e+308, beyond ±9007199254740991 (2^53 − 1): not a plausible figure'],
      [
        3,
        'talk_s',
        'interactions.talk_s is 9007199254740992, beyond ±9007199254740991 (2^53 − 1): not a plausible figure',
      ],
    ]);
  });

  it('cuts a reason that quotes a huge value to MAX_REASON_CHARS, keeping the record in raw', async () => {
    // An adapter that names the value it refuses, as one refusing an unknown kind does.
    const quoting: Adapter = {
      ...(linesAdapter as Adapter),
      async *read(input) {
        const text = (await input.toArray()).join('');
        yield { kind: 'rejected', rowNumber: 1, raw: text, field: 'kind', reason: `"${text}" is not a kind` };
      },
    };
    const huge = 'x'.repeat(2_000_000);
    await land('calls/huge-text.jsonl', huge);
    const result = await normaliseObject({
      stores: lake.stores,
      key: 'calls/huge-text.jsonl',
      source,
      adapter: quoting,
      pseudonymKey: KEY,
    });
    expect(result.audit).toMatchObject({ rows_read: 1, rows_rejected: 1 });
    const reject = JSON.parse(
      readFileSync(join(lake.zoneDir('quarantine'), 'calls/huge-text.jsonl.rejects.jsonl'), 'utf8'),
    );
    expect(reject.reason).toBe(
      `"${'x'.repeat(MAX_REASON_CHARS - 1)}… (cut from 2000016 characters; the record is in raw)`,
    );
    expect(reject.raw).toBe(huge);
  });

  it('names Infinity and NaN in a reason as themselves, not as null', async () => {
    await land(
      'calls/nan.jsonl',
      [
        '{"id":"a","at":"2025-06-01T10:00:00Z","talk":1e999}',
        '{"id":"b","at":"2025-06-01T10:00:00Z","talk":"abc"}',
      ].join('\n'),
    );
    await normalise('calls/nan.jsonl');
    const reasons = readFileSync(join(lake.zoneDir('quarantine'), 'calls/nan.jsonl.rejects.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).reason);
    expect(reasons).toHaveLength(2);
    expect(reasons[0]).toMatch(/^interactions\.talk_s .* \(got Infinity\)$/);
    expect(reasons[1]).toMatch(/^interactions\.talk_s .* \(got NaN\)$/);
  });

  it('rejects an object holding only whitespace or a byte-order mark, gzipped or not', async () => {
    const blanks = {
      'empty.jsonl': Buffer.alloc(0),
      'blank.jsonl': Buffer.from(' \n\t\r\n  \n'),
      'bom.jsonl': Buffer.from('\uFEFF\r\n\r\n'),
      'empty.jsonl.gz': gzipSync(''),
    };
    for (const [name, body] of Object.entries(blanks)) {
      await land(`calls/${name}`, body);
      const result = await normalise(`calls/${name}`);
      expect(result.fileError, name).toBe('empty file: no records, only whitespace or a byte-order mark');
      expect(result.audit).toMatchObject({ rows_read: 0, rows_accepted: 0, rows_rejected: 0 });
      expect(result.rejectKey).toBe(`calls/${name}.rejects.jsonl`);
    }
  });

  it('hashes the whole object for the audit when the file is rejected part-way through', async () => {
    // 256 KiB after the line that rejects the file: far more than the first chunk the reader takes.
    const body = `NOT A RECORD\n${'{"id":"a","at":"2025-06-01T10:00:00Z"}\n'.repeat(7_000)}`;
    expect(body.length).toBeGreaterThan(256 * 1024);
    await land('calls/rejected.jsonl', body);
    const result = await normalise('calls/rejected.jsonl');
    expect(result.fileError).toBe('line is not a record: wrong format');
    expect(result.audit.object_sha256).toBe(createHash('sha256').update(body).digest('hex'));
  });

  it('spools partitions to disk as row groups when rows arrive in random date order', async () => {
    const lines = Array.from({ length: 6_000 }, (_, i) =>
      JSON.stringify({
        id: `r${i}`,
        at: `2025-0${1 + (i % 6)}-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00Z`,
        talk: i % 600,
      }),
    );
    const file = join(lake.dir, 'big.jsonl');
    writeFileSync(file, lines.join('\n'));
    await land('calls/big.jsonl', readFileSync(file));
    const result = await normaliseObject({
      stores: lake.stores,
      key: 'calls/big.jsonl',
      source,
      adapter: linesAdapter as Adapter,
      pseudonymKey: KEY,
      maxBufferedRows: 1000,
    });
    expect(result.audit.rows_accepted).toBe(6_000);
    expect(result.outputs).toHaveLength(84); // lcm(6 months, 28 days) distinct dates;
  });

  it('spools to disk only for an object that needs it, and leaves its spool folder empty', async () => {
    // A file where the spool folder should be: making anything in it fails.
    const notAFolder = join(mkdtempSync(join(tmpdir(), 'sb-spool-')), 'file');
    writeFileSync(notAFolder, '');
    await land('calls/clean.jsonl', '{"id":"a","at":"2025-06-01T10:00:00Z","talk":120}');
    const clean = await normaliseObject({ ...request('calls/clean.jsonl'), tmpDir: notAFolder });
    expect(clean).toMatchObject({ rejectKey: null, audit: { rows_accepted: 1 } });

    // Rejected records and more rows than are buffered each need a spool file, removed at the end.
    await land('calls/day.jsonl', GOOD);
    await expect(normaliseObject({ ...request('calls/day.jsonl'), tmpDir: notAFolder })).rejects.toThrow(/ENOTDIR/);
    const spool = mkdtempSync(join(tmpdir(), 'sb-spool-'));
    const day = await normaliseObject({ ...request('calls/day.jsonl'), tmpDir: spool, maxBufferedRows: 1 });
    expect(day.audit).toMatchObject({ rows_accepted: 2, rows_rejected: 2 });
    expect(readdirSync(spool)).toEqual([]);
  });
});

function request(key: string) {
  return { stores: lake.stores, key, source, adapter: linesAdapter as Adapter, pseudonymKey: KEY };
}
