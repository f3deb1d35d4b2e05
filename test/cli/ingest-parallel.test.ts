/**
 * Ingesting on worker threads: the same lake as one file at a time, every failure reported on its
 * own, and one landing object per file even when two files share a name.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestTask, ingestAll, landingKeyOf } from '../../cli/ingest.ts';
import { IngestPool } from '../../cli/ingest-pool.ts';
import { type Lake, openLake } from '../../cli/lake.ts';
import { DEMO_SOURCES, demoConfig, generateDemoExports } from '../../demo/index.ts';
import { loadConfig } from '../../lambdas/core/config/config.ts';
import { EXAMPLE_CONFIG_FILE } from '../../lambdas/core/config/locate.ts';
import { runCli } from '../support/cli.ts';
import { createCliFolder } from './support.ts';

const KEY = Buffer.alloc(32, 5);
/** Ingesting a month of demo exports takes tens of seconds on a busy two-core machine. */
const WHOLE_LAKE = 300_000;
const root = mkdtempSync(join(tmpdir(), 'sb-ingest-parallel-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every file under `dir` by its path below it, in name order. */
function filesUnder(dir: string, under = dir): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path, under) : [relative(under, path)];
    });
}

function contents(dir: string, except: RegExp = /^$/): Record<string, Buffer> {
  return Object.fromEntries(filesUnder(dir).flatMap((f) => (except.test(f) ? [] : [[f, readFileSync(join(dir, f))]])));
}

/** The audit rows of a lake's compacted ingestion_audit, without the fields that time the run. */
async function auditRows(lake: Lake): Promise<Record<string, unknown>[]> {
  const dir = join(lake.zoneDir('curated'), 'ingestion_audit');
  const rows: Record<string, unknown>[] = [];
  for (const file of filesUnder(dir).filter((f) => f.endsWith('compacted.parquet'))) {
    const bytes = readFileSync(join(dir, file));
    const read = await parquetReadObjects({
      file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    });
    for (const { started_at: _, duration_ms: __, ...row } of read) rows.push(row);
  }
  return rows.sort((a, b) => String(a.object_key).localeCompare(String(b.object_key)));
}

describe('ingest on worker threads', () => {
  const config = demoConfig(loadConfig(EXAMPLE_CONFIG_FILE));
  const exportsDir = join(root, 'exports');
  const single = openLake(join(root, 'single'));
  const parallel = openLake(join(root, 'parallel'));
  let tasks: IngestTask[];

  beforeAll(async () => {
    await generateDemoExports({ months: 1, scale: 0.1, dir: exportsDir });
    tasks = DEMO_SOURCES.flatMap((source) =>
      filesUnder(join(exportsDir, source.name)).map((path) => {
        const file = join(exportsDir, source.name, path);
        return { source: source.name, key: landingKeyOf(source.name, file), file };
      }),
    );
  });

  it(
    'builds the lake that one file at a time builds, byte for byte, with the same audit and rejects',
    async () => {
      const one = await ingestAll({ lake: single, config, pseudonymKey: KEY, sentiment: 'lexicon', jobs: 1, tasks });
      expect(one.outcomes.every((o) => o.result?.landed)).toBe(true);
      // The landing time is every row's ingested_at: the parallel lake lands the same objects at the
      // same times, so its ingest finds them in place, as a repeated ingest does.
      cpSync(single.zoneDir('landing'), parallel.zoneDir('landing'), { recursive: true, preserveTimestamps: true });
      const reported: string[] = [];
      const rowsReadSoFar: number[] = [];
      const compactedSoFar: [number, number][] = [];
      const two = await ingestAll({
        lake: parallel,
        config,
        pseudonymKey: KEY,
        sentiment: 'lexicon',
        jobs: 2,
        tasks,
        onOutcome: (o) => reported.push(o.task.key),
        onProgress: (rows) => rowsReadSoFar.push(rows),
        onCompactProgress: (compacted, partitions) => compactedSoFar.push([compacted, partitions]),
      });
      expect(reported).toEqual(tasks.map((t) => t.key));
      // Progress only grows, and ends on every record read and every partition compacted.
      const ascending = (values: readonly number[]) => values.every((v, i) => i === 0 || v >= (values[i - 1] ?? 0));
      expect(ascending(rowsReadSoFar)).toBe(true);
      expect(rowsReadSoFar.at(-1)).toBe(two.outcomes.reduce((sum, o) => sum + (o.result?.audit.rows_read ?? 0), 0));
      const partitions = two.compacted.length;
      expect(compactedSoFar[0]).toEqual([0, partitions]);
      expect(compactedSoFar.at(-1)).toEqual([partitions, partitions]);
      expect(ascending(compactedSoFar.map(([compacted]) => compacted))).toBe(true);
      expect(two.outcomes.map((o) => o.error ?? null)).toEqual(tasks.map(() => null));
      expect(two.outcomes.some((o) => o.result?.landed)).toBe(false);

      const timed = /(^|\/)ingestion_audit\//;
      const curated = contents(single.zoneDir('curated'), timed);
      expect(Object.keys(curated).filter((k) => k.endsWith('compacted.parquet')).length).toBeGreaterThan(20);
      expect(contents(parallel.zoneDir('curated'), timed)).toEqual(curated);
      expect(contents(parallel.zoneDir('quarantine'))).toEqual(contents(single.zoneDir('quarantine')));
      const audit = await auditRows(single);
      expect(audit).toHaveLength(tasks.length);
      expect(await auditRows(parallel)).toEqual(audit);
      for (const row of audit)
        expect(Number(row.rows_read)).toBe(Number(row.rows_accepted) + Number(row.rows_rejected));
      const rejected = audit.reduce((sum, row) => sum + Number(row.rows_rejected), 0);
      const quarantined = Object.values(contents(single.zoneDir('quarantine'))).reduce(
        (sum, body) => sum + body.toString('utf8').trim().split('\n').length,
        0,
      );
      expect(rejected).toBeGreaterThan(0);
      expect(quarantined).toBe(rejected);
      expect(one.compacted.map((c) => c.key)).toEqual(two.compacted.map((c) => c.key));
    },
    WHOLE_LAKE,
  );

  it(
    'starts with fewer workers until told, then all of them, and builds the same lake',
    async () => {
      const timed = /(^|\/)ingestion_audit\//;
      const before = contents(parallel.zoneDir('curated'), timed);
      let release: () => void = () => {};
      const until = new Promise<void>((resolve) => {
        release = resolve;
      });
      const reported: string[] = [];
      const fewer = await ingestAll({
        lake: parallel,
        config,
        pseudonymKey: KEY,
        sentiment: 'lexicon',
        jobs: 2,
        fewerJobsUntil: { jobs: 1, until },
        tasks,
        onOutcome: (o) => {
          reported.push(o.task.key);
          // Half the files on one worker, the rest on two.
          if (reported.length === Math.ceil(tasks.length / 2)) release();
        },
      });
      expect(reported).toEqual(tasks.map((t) => t.key));
      expect(fewer.outcomes.map((o) => o.error ?? null)).toEqual(tasks.map(() => null));
      expect(contents(parallel.zoneDir('curated'), timed)).toEqual(before);
    },
    WHOLE_LAKE,
  );

  it(
    'gives the same curated bytes when the same files are ingested again on workers',
    async () => {
      const timed = /(^|\/)ingestion_audit\//;
      const before = contents(parallel.zoneDir('curated'), timed);
      const again = await ingestAll({
        lake: parallel,
        config,
        pseudonymKey: KEY,
        sentiment: 'lexicon',
        jobs: 2,
        tasks,
      });
      expect(again.outcomes.some((o) => o.error !== undefined || o.result?.landed)).toBe(false);
      expect(contents(parallel.zoneDir('curated'), timed)).toEqual(before);
    },
    WHOLE_LAKE,
  );

  it('fails a request alone when its worker cannot do it, and keeps serving the others', async () => {
    const pool = new IngestPool({ lakeDir: parallel.dir, config, pseudonymKey: KEY }, 2);
    try {
      const [missing, present] = await Promise.allSettled([
        pool.normalise({ source: 'demo-pulse', key: 'demo-pulse/not-there.csv' }, () => {}),
        pool.normalise(tasks.find((t) => t.source === 'demo-pulse') as IngestTask, () => {}),
      ]);
      expect(missing).toMatchObject({ status: 'rejected', reason: { message: expect.stringMatching(/not found/) } });
      expect(present).toMatchObject({ status: 'fulfilled', value: { fileError: null } });
    } finally {
      await pool.close();
    }
  });
});

describe('servicebench ingest', () => {
  let dir: string;
  const rowsOf = async (lake: string) => {
    const folder = join(lake, 'curated', 'interactions');
    let rows = 0;
    for (const file of filesUnder(folder).filter((f) => f.endsWith('compacted.parquet'))) {
      const bytes = readFileSync(join(folder, file));
      rows += (
        await parquetReadObjects({
          file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
        })
      ).length;
    }
    return rows;
  };
  const run = (lake: string, ...args: string[]) =>
    runCli(['--lake', lake, '--config', join(dir, 'servicebench.config.json'), 'ingest', '--source', 'calls', ...args]);

  beforeAll(() => {
    dir = createCliFolder();
    const calls = readFileSync(join(dir, 'calls.csv'), 'utf8');
    for (const month of ['2025-05', '2025-06']) {
      mkdirSync(join(dir, 'a', month), { recursive: true });
      mkdirSync(join(dir, 'b', month), { recursive: true });
    }
    writeFileSync(join(dir, 'a', '2025-05', 'page-001.csv'), calls);
    // The same name in another folder, other calls: c1..c4 become d1..d4.
    writeFileSync(join(dir, 'b', '2025-06', 'page-001.csv'), calls.replace(/^c(\d)/gm, 'd$1'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps two files of one name from two folders apart, and lands each on the same key again', async () => {
    const lake = join(dir, 'lake-names');
    const files = [join(dir, 'a', '2025-05', 'page-001.csv'), join(dir, 'b', '2025-06', 'page-001.csv')];
    const first = await run(lake, ...files);
    expect(first.code).toBe(0);
    expect(await rowsOf(lake)).toBe(6);
    const landed = filesUnder(join(lake, 'landing'));
    expect(landed).toHaveLength(2);
    expect(landed.every((key) => key.endsWith('/page-001.csv'))).toBe(true);
    expect((await run(lake, '--jobs', '1', files[1] as string, files[0] as string)).code).toBe(0);
    expect(filesUnder(join(lake, 'landing'))).toEqual(landed);
    expect(await rowsOf(lake)).toBe(6);
  });

  it('reports a file that fails on its worker with the reason, lands the others and exits 1', async () => {
    const lake = join(dir, 'lake-failure');
    const blocked = join(dir, 'b', '2025-06', 'page-001.csv');
    // A folder where the file's landing object belongs: writing the object fails.
    mkdirSync(join(lake, 'landing', landingKeyOf('calls', blocked), 'in-the-way'), { recursive: true });
    const result = await run(
      lake,
      '--jobs',
      '2',
      join(dir, 'calls.csv'),
      blocked,
      join(dir, 'a', '2025-05', 'page-001.csv'),
    );
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n').filter((line) => /^[✓✗]/.test(line));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^✓ .*calls\.csv: 4 read, 3 accepted, 1 rejected/);
    expect(lines[1]).toMatch(/^✗ .*b\/2025-06\/page-001\.csv: not ingested: .*(EISDIR|ENOTEMPTY|EEXIST)/);
    expect(lines[2]).toMatch(/^✓ .*a\/2025-05\/page-001\.csv: 4 read, 3 accepted/);
    expect(result.stderr).toContain('1 of 3 files could not be ingested');
    expect(await rowsOf(lake)).toBe(6);
  });

  it('names every file it cannot read, ingests the others and exits 1', async () => {
    const lake = join(dir, 'lake-missing');
    const result = await run(lake, join(dir, 'calls.csv'), join(dir, 'nope.csv'), join(dir, 'a'));
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n').filter((line) => /^[✓✗]/.test(line));
    expect(lines).toHaveLength(3);
    expect(lines.filter((line) => line.startsWith('✗')).sort()).toEqual([
      expect.stringMatching(/^✗ .*\/a: not ingested: .*not a file/),
      expect.stringMatching(/^✗ .*nope\.csv: not ingested: no such file/),
    ]);
    expect(lines.find((line) => line.startsWith('✓'))).toMatch(/calls\.csv: 4 read, 3 accepted, 1 rejected/);
    expect(await rowsOf(lake)).toBe(3);
  });

  it('opens no lake when no file can be read', async () => {
    const lake = join(dir, 'lake-none');
    const result = await run(lake, join(dir, 'nope.csv'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/none of the files could be read, nothing was ingested: .*nope\.csv: no such file/);
    expect(existsSync(lake)).toBe(false);
  });
});
