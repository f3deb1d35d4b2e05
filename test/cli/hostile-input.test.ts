/**
 * Hostile input through the CLI, in-process: files that nest JSON thousands of levels deep, empty
 * pages, gzip with bytes after its end, two files of one name, paths that cannot be read, periods
 * no data can fall in, and SQL that reaches for the machine. Each is refused with its reason while
 * everything else goes on.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { landingKeyOf } from '../../cli/ingest.ts';
import { parsePeriod } from '../../lambdas/core/time/periods.ts';
import { runCli } from '../support/cli.ts';
import { createCliFolder } from './support.ts';

/** A JSON Lines export of calls, mapped field by field. */
const JSONL_MAPPING = {
  table: 'interactions',
  format: { type: 'jsonl' },
  fields: {
    interaction_id: { column: 'call' },
    channel: { const: 'voice' },
    direction: { const: 'inbound' },
    created_at: { column: 'started', format: 'yyyy-MM-dd HH:mm:ss' },
    is_abandoned: { const: false },
    is_callback: { const: false },
    is_transfer: { const: false },
    is_escalated: { const: false },
    updated_at: { field: 'created_at' },
  },
};

/** The same calls as pages of `{ "calls": [...] }`. */
const PAGE_MAPPING = { ...JSONL_MAPPING, format: { type: 'json', recordsPath: 'calls' } };

const call = (id: string, day = '2025-06-02') => JSON.stringify({ call: id, started: `${day} 09:00:00` });
const DEEP_ARRAY = `${'['.repeat(5000)}${']'.repeat(5000)}`;
const DEEP_OBJECT = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;

let dir: string;
let config: string;

beforeAll(() => {
  dir = createCliFolder();
  writeFileSync(join(dir, 'jsonl.json'), JSON.stringify(JSONL_MAPPING));
  writeFileSync(join(dir, 'pages.json'), JSON.stringify(PAGE_MAPPING));
  config = join(dir, 'hostile.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      sources: [
        { name: 'calls', adapter: 'mapping', options: { mappingFile: 'calls.json' } },
        { name: 'lines', adapter: 'mapping', options: { mappingFile: 'jsonl.json' } },
        { name: 'pages', adapter: 'mapping', options: { mappingFile: 'pages.json' } },
        { name: 'tickets', adapter: 'zendesk' },
      ],
      ingest: { maxRejectShare: 1 },
    }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI on a lake of its own under the test folder; file arguments are absolute. */
function run(lake: string, ...args: string[]) {
  return runCli(['--lake', join(dir, lake), '--config', config, ...args]);
}

function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

function filesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function rejectsOf(lake: string, source: string, file: string): { row_number: number | null; reason: string }[] {
  const path = join(dir, lake, 'quarantine', `${landingKeyOf(source, file)}.rejects.jsonl`);
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

describe('ingest of hostile files', () => {
  it('rejects a record nested 5,000 levels deep as a row and a deep document whole, and ingests the files after', async () => {
    const deepLines = write('deep/lines.jsonl', `${DEEP_ARRAY}\n${DEEP_OBJECT}\n${call('d1')}\n`);
    const deepPage = write('deep/tickets.json', `{"tickets":[${DEEP_OBJECT}],"next_page":null}`);
    const after = write('deep/after.jsonl', `${call('d2')}\n`);

    const lines = await run('lake-deep', 'ingest', '--jobs', '1', '--source', 'lines', deepLines, after);
    expect(lines.code).toBe(0);
    expect(lines.stdout).toContain('lines.jsonl: 3 read, 1 accepted, 2 rejected');
    expect(lines.stdout).toContain('after.jsonl: 1 read, 1 accepted, 0 rejected');
    expect(rejectsOf('lake-deep', 'lines', deepLines)).toMatchObject([
      { row_number: 1, reason: 'the record nests arrays and objects deeper than 64 levels (the limit)' },
      { row_number: 2, reason: 'the record nests arrays and objects deeper than 64 levels (the limit)' },
    ]);

    const page = await run('lake-deep', 'ingest', '--jobs', '1', '--source', 'tickets', deepPage);
    expect(page.code).toBe(3);
    expect(page.stdout).toContain(
      'tickets.json: file rejected: the JSON document nests arrays and objects deeper than 64 levels (the limit)',
    );
    expect(rejectsOf('lake-deep', 'tickets', deepPage)).toMatchObject([
      { row_number: null, reason: expect.stringMatching(/^file rejected: .*deeper than 64 levels/) },
    ]);
  });

  it('rejects an empty, blank or BOM-only page whole where the records array is required', async () => {
    const files = [write('empty/a.json', ''), write('empty/b.json', ' \n\t'), write('empty/c.json', '\uFEFF')];
    const ok = write('empty/d.json', `{"calls":[${call('e1')}]}`);
    const result = await run('lake-empty', 'ingest', '--jobs', '1', '--source', 'pages', ...files, ok);
    expect(result.code).toBe(3);
    for (const name of ['a.json', 'b.json', 'c.json']) {
      expect(result.stdout).toContain(
        `${name}: file rejected: empty file: expected a JSON object with a "calls" array`,
      );
    }
    expect(result.stdout).toContain('d.json: 1 read, 1 accepted, 0 rejected');
  });

  it('rejects a JSON Lines file of blanks whole, and takes a CSV of a header and no rows as a file of none', async () => {
    const blank = write('blank/lines.jsonl', '\uFEFF\n\n  \n');
    const utf16 = write('blank/utf16.jsonl', Buffer.from([0xff, 0xfe, 0x0a, 0x00, 0x20, 0x00]));
    const header = write('blank/header.csv', 'call,started,wait,talk,outcome,agent,phone\n');
    const lines = await run('lake-blank', 'ingest', '--jobs', '1', '--source', 'lines', blank, utf16);
    expect(lines.code).toBe(3);
    for (const name of ['lines.jsonl', 'utf16.jsonl']) {
      expect(lines.stdout).toContain(
        `${name}: file rejected: empty file: no records, only whitespace or a byte-order mark`,
      );
    }
    const csv = await run('lake-blank', 'ingest', '--jobs', '1', '--source', 'calls', header);
    expect(csv.code).toBe(0);
    expect(csv.stdout).toContain('header.csv: 0 read, 0 accepted, 0 rejected');
  });

  it('reads every member of a multi-member gzip and rejects bytes after the last one', async () => {
    const members = write(
      'gz/members.jsonl.gz',
      Buffer.concat([gzipSync(`${call('g1')}\n`), gzipSync(`${call('g2')}\n`)]),
    );
    const trailing = write(
      'gz/trailing.jsonl.gz',
      Buffer.concat([gzipSync(`${call('g3')}\n`), Buffer.alloc(8), Buffer.from('junk')]),
    );
    const result = await run('lake-gz', 'ingest', '--jobs', '1', '--source', 'lines', members, trailing);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('members.jsonl.gz: 2 read, 2 accepted, 0 rejected');
    expect(result.stdout).toMatch(
      /trailing\.jsonl\.gz: file rejected: not a valid gzip stream: unexpected bytes after the end of the gzip data, at byte \d+ of the file/,
    );
  });

  it('keeps two files of one name from two folders, and re-ingesting either leaves the curated bytes unchanged', async () => {
    const may = write('2025-05/page-001.jsonl', `${call('m1', '2025-05-02')}\n${call('m2', '2025-05-03')}\n`);
    const june = write('2025-06/page-001.jsonl', `${call('j1', '2025-06-02')}\n`);
    expect(landingKeyOf('lines', may)).not.toBe(landingKeyOf('lines', june));
    const first = await run('lake-names', 'ingest', '--jobs', '1', '--source', 'lines', may, june);
    expect(first.code).toBe(0);
    expect(filesUnder(join(dir, 'lake-names', 'landing'))).toHaveLength(2);
    const curated = () =>
      filesUnder(join(dir, 'lake-names', 'curated', 'interactions')).map((file) => [file, readFileSync(file)]);
    const before = curated();
    expect(before.map(([file]) => String(file).match(/dt=[\d-]+/)?.[0])).toEqual([
      'dt=2025-05-02',
      'dt=2025-05-03',
      'dt=2025-06-02',
    ]);
    for (const file of [may, june]) {
      expect((await run('lake-names', 'ingest', '--jobs', '1', '--source', 'lines', file)).code).toBe(0);
      expect(curated()).toEqual(before);
    }
    const rows = await run('lake-names', 'query', '--format', 'csv', 'SELECT count(*) AS n FROM interactions_latest');
    expect(rows.stdout).toBe('n\r\n3\r\n');
  });

  it('names every path it cannot read with the reason, ingests the others and exits 1', async () => {
    const calls = join(dir, 'calls.csv');
    const missing = join(dir, 'nope.csv');
    const folder = join(dir, '2025-05');
    const throughFile = join(calls, 'inside.csv');
    const result = await run(
      'lake-paths',
      'ingest',
      '--jobs',
      '1',
      '--source',
      'calls',
      missing,
      folder,
      calls,
      throughFile,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`✗ ${missing}: not ingested: no such file`);
    expect(result.stdout).toContain(`✗ ${folder}: not ingested: not a file`);
    expect(result.stdout).toMatch(new RegExp(`✗ ${throughFile.replaceAll('.', '\\.')}: not ingested: ENOTDIR`));
    expect(result.stdout).toContain(`✓ ${calls}: 4 read, 3 accepted, 1 rejected`);
    expect(result.stderr).toContain('3 of 4 files could not be ingested (the others were)');
  });

  it('exits 1 naming the paths when none can be read, and creates no lake', async () => {
    const result = await run('lake-none', 'ingest', '--source', 'calls', join(dir, 'nope.csv'));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('nope.csv: not ingested: no such file');
    expect(result.stderr).toContain(
      `error: none of the files could be read, nothing was ingested: ${join(dir, 'nope.csv')}: no such file`,
    );
    expect(existsSync(join(dir, 'lake-none'))).toBe(false);
  });
});

describe('periods no data can fall in', () => {
  it('are a usage error of metrics and report, before any query', async () => {
    for (const [command, period] of [
      ['metrics', '9999-12'],
      ['metrics', '1989-12'],
      ['report', '9999-12'],
      ['report', '9999-W01'],
    ] as const) {
      const result = await run('lake-periods', command, '--period', period);
      expect(result.code, `${command} ${period}`).toBe(1);
      expect(result.stderr).toContain(`period "${period}" is outside the years the lake can hold data for (1990 to`);
    }
    expect(existsSync(join(dir, 'lake-periods'))).toBe(false);
  });

  it('run from 1990 to next year', () => {
    const at = (now: Date) => ({ timeZone: 'UTC', now });
    const now = at(new Date('2026-12-03T14:00:00Z'));
    expect(() => parsePeriod('1990-01', undefined, now)).not.toThrow();
    expect(() => parsePeriod('2027-W01', undefined, now)).not.toThrow();
    expect(() => parsePeriod('2028-01', undefined, now)).toThrow(
      'period "2028-01" is outside the years the lake can hold data for (1990 to 2027): rows are dated from 1990-01-01 to the day after their file landed',
    );
    // On 31 December a row may be dated 1 January: next year is then the year after.
    expect(() => parsePeriod('2028-01', undefined, at(new Date('2026-12-31T12:00:00Z')))).not.toThrow();
  });
});

describe('query sandbox', () => {
  beforeAll(async () => {
    expect((await run('lake-sql', 'ingest', '--jobs', '1', '--source', 'calls', join(dir, 'calls.csv'))).code).toBe(0);
  });

  it('answers SQL over the views and the materialised metrics', async () => {
    const calls = await run('lake-sql', 'query', '--format', 'csv', 'SELECT count(*) AS n FROM interactions_latest');
    expect(calls.stdout).toBe('n\r\n3\r\n');
    const metrics = await run(
      'lake-sql',
      'query',
      '--format',
      'csv',
      'SELECT count(*) > 0 AS filled FROM metric_values',
    );
    expect(metrics.code).toBe(0);
    expect(metrics.stdout).toBe('filled\r\ntrue\r\n');
  });

  it('refuses files outside the lake, ATTACH, INSTALL and settings, with a clear message and exit 1', async () => {
    const outside = join(dir, 'out.csv');
    for (const sql of [
      "SELECT * FROM read_text('/etc/hostname')",
      "SELECT * FROM read_csv('/etc/passwd')",
      `COPY (SELECT 1) TO '${outside}'`,
      `ATTACH '${join(dir, 'other.duckdb')}' AS other`,
      'INSTALL httpfs',
      'SET enable_external_access = true',
    ]) {
      const result = await run('lake-sql', 'query', sql);
      expect(result.code, sql).toBe(1);
      expect(result.stderr, sql).toContain('error: the query reaches outside the lake, which is not allowed');
    }
    expect(existsSync(outside)).toBe(false);
    expect(existsSync(join(dir, 'other.duckdb'))).toBe(false);
  });
});
