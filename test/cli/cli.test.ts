/** The CLI as a user runs it: a real process, real files, real exit codes. */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';

const CLI = new URL('../../bin/servicebench.ts', import.meta.url).pathname;
const TSX = new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url).pathname;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [TSX, CLI, ...args],
      { cwd, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

const CALLS = [
  'call,started,wait,talk,outcome,agent,phone',
  'c1,2025-06-02 09:00:00,12,300,answered,ann,+15550001',
  'c2,2025-06-02 09:05:00,40,,abandoned,,+15550002',
  'c3,2025-06-03 10:00:00,3,120,answered,bob,+15550001',
  'c4,2025-06-03 10:00:00,-7,60,answered,bob,+15550003',
].join('\n');

const MAPPING = {
  table: 'interactions',
  format: { type: 'csv' },
  fields: {
    interaction_id: { column: 'call' },
    channel: { const: 'voice' },
    direction: { const: 'inbound' },
    created_at: { column: 'started', format: 'yyyy-MM-dd HH:mm:ss' },
    queued_at: { field: 'created_at' },
    queue_s: { column: 'wait', type: 'duration' },
    talk_s: { column: 'talk', type: 'duration' },
    answered_at: {
      cases: [
        {
          when: { column: 'outcome', equals: 'answered' },
          use: { add: { to: 'created_at', amount: 'queue_s', unit: 'seconds' } },
        },
      ],
    },
    agent_id: { column: 'agent' },
    customer_key: { pseudonymise: 'customer', column: 'phone' },
    is_abandoned: { column: 'outcome', map: { answered: false, abandoned: true } },
    is_callback: { const: false },
    is_transfer: { const: false },
    is_escalated: { const: false },
    updated_at: { field: 'created_at' },
  },
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sb-cli-'));
  writeFileSync(join(dir, 'calls.csv'), CALLS);
  writeFileSync(join(dir, 'calls.json'), JSON.stringify(MAPPING));
  writeFileSync(
    join(dir, 'servicebench.config.json'),
    JSON.stringify({ sources: [{ name: 'calls', adapter: 'mapping', options: { mappingFile: 'calls.json' } }] }),
  );
  writeFileSync(join(dir, 'broken.csv.gz'), gzipSync(CALLS).subarray(0, 30));
});

describe('servicebench CLI', () => {
  it('prints help for every command and exits 0', async () => {
    const help = await run(['--help'], dir);
    expect(help.code).toBe(0);
    for (const command of ['ingest', 'query', 'metrics', 'report', 'validate-config', 'adapters', 'demo']) {
      expect(help.stdout).toContain(command);
      const sub = await run([command, '--help'], dir);
      expect(sub.code, command).toBe(0);
      expect(sub.stdout).toContain(`Usage: servicebench ${command}`);
    }
  }, 120_000);

  it('ingests a file, reports the counts and where the rejects are, and exits 0', async () => {
    const result = await run(['ingest', '--source', 'calls', 'calls.csv'], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('calls.csv: 4 read, 3 accepted, 1 rejected (interactions: 3)');
    expect(result.stdout).toContain(join(dir, 'lake', 'quarantine', 'calls', 'calls.csv.rejects.jsonl'));
    expect(result.stderr).toContain('created a new pseudonymisation key');
    const reject = JSON.parse(readFileSync(join(dir, 'lake/quarantine/calls/calls.csv.rejects.jsonl'), 'utf8'));
    expect(reject).toMatchObject({ row_number: 4, field: 'wait' });
  }, 60_000);

  it('exits 4 with --strict when a row was rejected', async () => {
    const result = await run(['ingest', '--strict', '--source', 'calls', 'calls.csv'], dir);
    expect(result.code).toBe(4);
  }, 60_000);

  it('exits 3 when a file is rejected whole, after ingesting the others', async () => {
    const result = await run(['ingest', '--source', 'calls', 'broken.csv.gz', 'calls.csv'], dir);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/✗ broken\.csv\.gz: file rejected: .*gzip/);
    expect(result.stdout).toContain('calls.csv: 4 read, 3 accepted');
  }, 60_000);

  it('answers SQL over the curated tables as a table, CSV or JSON', async () => {
    const sql = 'SELECT interaction_id, is_abandoned FROM interactions_latest ORDER BY 1';
    const table = await run(['query', sql], dir);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('(3 rows)');
    const csv = await run(['query', '--format', 'csv', sql], dir);
    expect(csv.stdout).toBe('interaction_id,is_abandoned\r\nc1,false\r\nc2,true\r\nc3,false\r\n');
    const json = await run(['query', '--format', 'json', sql], dir);
    expect(JSON.parse(json.stdout)).toEqual([
      { interaction_id: 'c1', is_abandoned: false },
      { interaction_id: 'c2', is_abandoned: true },
      { interaction_id: 'c3', is_abandoned: false },
    ]);
  }, 60_000);

  it('prints scorecard rows for a period, and the same values as JSON', async () => {
    const json = await run(['metrics', '--period', '2025-06', '--format', 'json'], dir);
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout) as { metric: string; value: number; n: number; low_sample: boolean }[];
    // 1 abandoned of 3 queued (the abandon waited 40 s, above the 5 s short-abandon threshold)
    const abandonment = rows.find((r) => r.metric === 'abandonment_rate');
    expect(abandonment).toMatchObject({ n: 3, low_sample: true });
    expect(abandonment?.value).toBeCloseTo(100 / 3, 9);
    // (12 + 3) / 2 answered
    expect(rows.find((r) => r.metric === 'asa_s')?.value).toBe(7.5);
    const table = await run(['metrics', '--period', '2025-06'], dir);
    expect(table.stdout).toMatch(/abandonment_rate\s+all\s+33\.3\s+pct\s+3/);
  }, 60_000);

  it('writes CSV that parses back to the same values as the JSON, with a BOM and no live formula', async () => {
    const csv = await run(['metrics', '--period', '2025-06', '--by', 'agent', '--format', 'csv'], dir);
    const json = await run(['metrics', '--period', '2025-06', '--by', 'agent', '--format', 'json'], dir);
    expect(csv.code).toBe(0);
    expect(csv.stdout.startsWith('\uFEFF')).toBe(true);
    const parsed = parse(csv.stdout.slice(1), { columns: true }) as Record<string, string>[];
    const rows = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(parsed).toHaveLength(rows.length);
    expect(rows.length).toBeGreaterThan(0);
    parsed.forEach((cells, i) => {
      const row = rows[i] as Record<string, unknown>;
      for (const [column, text] of Object.entries(cells)) {
        const value = row[column];
        if (value === null) expect(text, column).toBe('');
        else if (typeof value === 'number') expect(Number(text), column).toBe(value);
        else expect(text.replace(/^'(?=[=+\-@\t\r])/, ''), column).toBe(String(value));
      }
    });
  }, 60_000);

  it('writes the report into the lake exports zone', async () => {
    const result = await run(['report', '--period', '2025-06', '--format', 'html,csv'], dir);
    expect(result.code).toBe(0);
    const html = join(dir, 'lake/exports/executive/2025-06/executive-2025-06.html');
    expect(result.stdout).toContain(`wrote ${html}`);
    expect(existsSync(html)).toBe(true);
  }, 60_000);

  it('fails with exit 1 and names the problem: unknown source, bad period, bad format, missing file', async () => {
    const unknown = await run(['ingest', '--source', 'nope', 'calls.csv'], dir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown source "nope"; configured sources: calls');
    const period = await run(['metrics', '--period', 'June'], dir);
    expect(period.code).toBe(1);
    expect(period.stderr).toContain('period "June" is not recognised');
    const format = await run(['query', '--format', 'xml', 'SELECT 1'], dir);
    expect(format.code).toBe(1);
    expect(format.stderr).toContain('expected one of table, csv, json');
    const missing = await run(['ingest', '--source', 'calls', 'nowhere.csv'], dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nowhere.csv');
  }, 120_000);

  it('reports every config problem at once with exit 1', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ sources: [{ name: 'Bad', adapter: 'nope' }], metrics: { minSample: -1 } }));
    const result = await run(['--config', bad, 'validate-config'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('2 problem(s)');
    expect(result.stderr).toContain('sources.0.name');
    expect(result.stderr).toContain('metrics.minSample');
  }, 60_000);
});
