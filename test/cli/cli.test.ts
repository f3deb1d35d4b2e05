/** The CLI's commands on real files, run in-process; process.test.ts starts it as a process. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { landingKeyOf } from '../../cli/ingest.ts';
import { runCli as run } from '../support/cli.ts';
import { createCliFolder } from './support.ts';

const COMMANDS = [
  'ingest',
  'query',
  'metrics',
  'report',
  'refresh',
  'ddl',
  'validate-config',
  'adapters',
  'demo',
  'alerts',
  'erase',
];

let dir: string;
let previousDir: string;
beforeAll(() => {
  dir = createCliFolder();
  // The CLI resolves ./lake, ./servicebench.config.json and file arguments against the working directory.
  previousDir = process.cwd();
  process.chdir(dir);
});
afterAll(() => process.chdir(previousDir));

describe('servicebench CLI', () => {
  it('prints help for every command and exits 0', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const command of COMMANDS) {
      expect(help.stdout).toContain(command);
      const sub = await run([command, '--help']);
      expect(sub.code, command).toBe(0);
      expect(sub.stdout).toContain(`Usage: servicebench ${command}`);
    }
  });

  it('ingests a file, reports the counts and where the rejects are, and exits 0', async () => {
    const result = await run(['ingest', '--source', 'calls', 'calls.csv']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('calls.csv: 4 read, 3 accepted, 1 rejected (interactions: 3)');
    const rejects = join(dir, 'lake', 'quarantine', `${landingKeyOf('calls', 'calls.csv')}.rejects.jsonl`);
    expect(result.stdout).toContain(rejects);
    expect(result.stderr).toContain('created a new pseudonymisation key');
    const reject = JSON.parse(readFileSync(rejects, 'utf8'));
    expect(reject).toMatchObject({ row_number: 4, field: 'wait' });
  });

  it('exits 4 with --strict when a row was rejected', async () => {
    const result = await run(['ingest', '--strict', '--source', 'calls', 'calls.csv']);
    expect(result.code).toBe(4);
  });

  it('exits 3 when a file is rejected whole, after ingesting the others', async () => {
    const result = await run(['ingest', '--source', 'calls', 'broken.csv.gz', 'calls.csv']);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/✗ broken\.csv\.gz: file rejected: .*gzip/);
    expect(result.stdout).toContain('calls.csv: 4 read, 3 accepted');
  });

  it('answers SQL over the curated tables as a table, CSV or JSON', async () => {
    const sql = 'SELECT interaction_id, is_abandoned FROM interactions_latest ORDER BY 1';
    const table = await run(['query', sql]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('(3 rows)');
    const csv = await run(['query', '--format', 'csv', sql]);
    expect(csv.stdout).toBe('interaction_id,is_abandoned\r\nc1,false\r\nc2,true\r\nc3,false\r\n');
    const json = await run(['query', '--format', 'json', sql]);
    expect(JSON.parse(json.stdout)).toEqual([
      { interaction_id: 'c1', is_abandoned: false },
      { interaction_id: 'c2', is_abandoned: true },
      { interaction_id: 'c3', is_abandoned: false },
    ]);
  });

  it('prints scorecard rows for a period, and the same values as JSON', async () => {
    const json = await run(['metrics', '--period', '2025-06', '--format', 'json']);
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout) as { metric: string; value: number; n: number; low_sample: boolean }[];
    // 1 abandoned of 3 queued (the abandon waited 40 s, above the 5 s short-abandon threshold)
    const abandonment = rows.find((r) => r.metric === 'abandonment_rate');
    expect(abandonment).toMatchObject({ n: 3, low_sample: true });
    expect(abandonment?.value).toBeCloseTo(100 / 3, 9);
    // (12 + 3) / 2 answered
    expect(rows.find((r) => r.metric === 'asa_s')?.value).toBe(7.5);
    const table = await run(['metrics', '--period', '2025-06']);
    expect(table.stdout).toMatch(/abandonment_rate\s+all\s+33\.3\s+pct\s+3/);
  });

  it('writes CSV that parses back to the same values as the JSON, with a BOM and no live formula', async () => {
    const csv = await run(['metrics', '--period', '2025-06', '--by', 'agent', '--format', 'csv']);
    const json = await run(['metrics', '--period', '2025-06', '--by', 'agent', '--format', 'json']);
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
  });

  it('writes the report into the lake exports zone', async () => {
    const result = await run(['report', '--period', '2025-06', '--format', 'html,csv']);
    expect(result.code).toBe(0);
    const html = join(dir, 'lake/exports/executive/2025-06/executive-2025-06.html');
    expect(result.stdout).toContain(`wrote ${html}`);
    expect(existsSync(html)).toBe(true);
  });

  it('fails with exit 1 and names the problem: unknown source, bad period, bad format, missing file', async () => {
    const unknown = await run(['ingest', '--source', 'nope', 'calls.csv']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown source "nope"; configured sources: calls');
    const period = await run(['metrics', '--period', 'June']);
    expect(period.code).toBe(1);
    expect(period.stderr).toContain('period "June" is not recognised');
    const format = await run(['query', '--format', 'xml', 'SELECT 1']);
    expect(format.code).toBe(1);
    expect(format.stderr).toContain('expected one of table, csv, json');
    const missing = await run(['ingest', '--source', 'calls', 'nowhere.csv']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nowhere.csv');
  });

  it('reports every config problem at once with exit 1', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ sources: [{ name: 'Bad', adapter: 'nope' }], metrics: { minSample: -1 } }));
    const result = await run(['--config', bad, 'validate-config']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('2 problem(s)');
    expect(result.stderr).toContain('sources.0.name');
    expect(result.stderr).toContain('metrics.minSample');
  });
});
