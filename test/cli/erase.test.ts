/** `servicebench erase` in-process, on a lake built by `servicebench ingest` (test/unit/erase/support.ts). */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { landingKeyOf } from '../../cli/ingest.ts';
import { runCli as run } from '../support/cli.ts';
import { ANN, BOB, createErasureFolder, filesUnder, ingestErasureFixtures } from '../unit/erase/support.ts';

let dir: string;
let previousDir: string;
beforeAll(async () => {
  dir = createErasureFolder();
  await ingestErasureFixtures(dir);
  previousDir = process.cwd();
  process.chdir(dir);
}, 120_000);
afterAll(() => {
  process.chdir(previousDir);
  rmSync(dir, { recursive: true, force: true });
});

const callIds = async () => {
  const result = await run(['query', 'SELECT interaction_id FROM interactions_latest ORDER BY 1', '--format', 'csv']);
  expect(result.code).toBe(0);
  return result.stdout.trim().split(/\r?\n/).slice(1);
};

describe('servicebench erase', () => {
  it('prints what a run would remove with --dry-run, and changes nothing', async () => {
    const before = filesUnder(join(dir, 'lake'));
    const result = await run(['erase', '--customer', ANN, '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('dry run: nothing was changed; a run would remove');
    expect(result.stdout).toContain('interactions: 3 row(s) (3 staged) in 2 partition(s): 2025-06-02, 2025-06-03');
    expect(result.stdout).toContain('survey_responses: 1 row(s) (1 staged) in 1 partition(s): 2025-06-02');
    expect(result.stdout).toContain('reject lines: 1 in 1 file(s)');
    expect(result.stdout).toContain(join(dir, 'lake', 'landing', landingKeyOf('calls', 'calls-later.csv')));
    expect(result.stdout).not.toContain('erasure record');
    expect(filesUnder(join(dir, 'lake'))).toEqual(before);
    expect(await callIds()).toEqual(['c1', 'c2', 'c3', 'c6']);
  });

  it('erases the customers named, prints where the record is, and a second run finds nothing', async () => {
    const result = await run(['erase', '--customer', ANN, '--customer', 'nobody@example.com']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^removed\n {2}interactions: 3 row\(s\)/);
    expect(result.stdout).toMatch(/erasure record: .*\/lake\/curated\/_erasures\/.*\.json\n$/);
    expect(await callIds()).toEqual(['c2', 'c6']);

    const again = await run(['erase', '--customer', ANN]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('interactions: 0 row(s) (0 staged)\n');
    expect(again.stdout).not.toContain('landing objects');
  });

  it('exits 1 naming the problem when no customer is given, one is blank, or the lake has no key', async () => {
    const missing = await run(['erase']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("required option '--customer <id>' not specified");
    const blank = await run(['erase', '--customer', BOB, '--customer', ' ']);
    expect(blank.code).toBe(1);
    expect(blank.stderr).toContain('#2 are blank');
    const empty = await run(['--lake', 'other-lake', 'erase', '--customer', BOB]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('this lake had no pseudonymisation key');
  });
});
