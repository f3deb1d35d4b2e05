/** `servicebench erase` in-process, on a lake built by `servicebench ingest` (test/unit/erase/support.ts). */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LakeCache } from '../../cli/duckdb-cache.ts';
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

/** The survey comments of the monthly periods, read from the materialised table (and so from the cache when it is fresh). */
const monthlyComments = async () => {
  const result = await run([
    'query',
    "SELECT comment FROM survey_comments_by_period WHERE grain = 'month' ORDER BY 1",
    '--format',
    'csv',
  ]);
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
    // The query of the dry run before opened the lake, which left the cache folder.
    expect(result.stdout).toMatch(
      /erasure record: .*\/lake\/curated\/_erasures\/.*\.json\nremoved the metric cache .*\/lake\/\.servicebench\/cache: /,
    );
    expect(await callIds()).toEqual(['c2', 'c6']);

    const again = await run(['erase', '--customer', ANN]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('interactions: 0 row(s) (0 staged)\n');
    expect(again.stdout).not.toContain('landing objects');
  });

  it('removes the metric cache, which held the erased answers, after a run but not after a dry run', async () => {
    const cache = new LakeCache(join(dir, 'lake'), '');
    expect(await monthlyComments()).toEqual(['too slow']);
    expect(existsSync(cache.file('survey_comments_by_period'))).toBe(true);

    const dry = await run(['erase', '--customer', BOB, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).not.toContain('metric cache');
    expect(existsSync(cache.file('survey_comments_by_period'))).toBe(true);

    const result = await run(['erase', '--customer', BOB]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `removed the metric cache ${cache.cacheDir}: the next command computes the metrics without the erased rows\n`,
    );
    expect(existsSync(cache.cacheDir)).toBe(false);
    expect(await monthlyComments()).toEqual([]);
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
