/** When `query` reads the config: only for a statement that needs the reference tables built from it. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as run } from '../support/cli.ts';
import { createCliFolder } from './support.ts';

let dir: string;
let previousDir: string;
beforeAll(async () => {
  dir = createCliFolder();
  previousDir = process.cwd();
  process.chdir(dir);
  expect((await run(['ingest', '--source', 'calls', 'calls.csv'])).code).toBe(0);
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ metrics: { minSample: -1 } }));
});
afterAll(() => process.chdir(previousDir));

describe('query and the config', () => {
  it('answers a statement over the canonical tables without reading the config', async () => {
    const result = await run([
      '--config',
      'bad.json',
      'query',
      '--format',
      'csv',
      'SELECT count(*) AS n FROM interactions',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('n\r\n3\r\n');
  });

  it('fails naming the config problem when a statement reads a reference table or a view', async () => {
    for (const sql of ['SELECT * FROM metric_options', 'SELECT count(*) FROM interactions_latest']) {
      const result = await run(['--config', 'bad.json', 'query', sql]);
      expect(result.code, sql).toBe(1);
      expect(result.stderr, sql).toContain('metrics.minSample');
    }
  });

  it('reads the config the reference tables are built from', async () => {
    const result = await run([
      'query',
      '--format',
      'csv',
      "SELECT value FROM metric_options WHERE name = 'min_sample'",
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('value\r\n30\r\n');
  });
});
