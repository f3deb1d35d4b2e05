import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DuckDbEngine, MEMORY_LIMIT_ENV, openLakeEngine } from '../../cli/duckdb.ts';
import { STATE_DIR } from '../../cli/duckdb-cache.ts';
import { parseConfig } from '../../lambdas/core/config/config.ts';
import { DEFAULTS } from '../../lambdas/core/config/defaults.ts';
import type { SurveyResponse } from '../../lambdas/core/schema/canonical.ts';
import { METRIC_VALUES } from '../../sql/materialised.ts';
import { createTestLake, surveyResponse, type TestLake } from '../support/lake.ts';

const ORDERED = 'ORDER BY family, grain, period_start, dimension, dimension_value, metric';
const CSAT_JUNE =
  "SELECT value, n, target FROM scorecard WHERE metric = 'csat_pct' AND grain = 'month' AND dimension = 'overall' AND period_start = DATE '2025-06-01'";

function csat(id: string, score: number): SurveyResponse {
  return surveyResponse({ response_id: id, score, agent_id: 'ana', team: 'billing', channel: 'voice' });
}

describe('the cache of metric_values in the lake', () => {
  let lake: TestLake;
  const open: DuckDbEngine[] = [];
  const cacheFile = () => join(lake.dir, STATE_DIR, 'cache', `${METRIC_VALUES.name}.parquet`);

  /** Opens the engine, reads the June CSAT row, and says how metric_values was filled. */
  async function scorecard(config: unknown = {}) {
    const engine = await openLakeEngine({ lakeDir: lake.dir, config: parseConfig(config, 'test config') });
    open.push(engine);
    const [row] = await engine.query(CSAT_JUNE);
    const filled = await engine.materialise();
    const rows = await engine.query(`SELECT * FROM metric_values ${ORDERED}`);
    return { row, from: filled.from, rows };
  }

  beforeEach(() => {
    lake = createTestLake();
    lake.write('survey_responses', [csat('r1', 5), csat('r2', 2), csat('r3', 4)]);
  });
  afterEach(async () => {
    for (const engine of open.splice(0)) await engine.close();
    lake.remove();
  });

  it('is written by the first refresh and read, with the same rows, while nothing changed', async () => {
    const first = await scorecard();
    expect(first.from).toBe('refresh');
    expect(first.row).toMatchObject({ value: 100 * (2 / 3), n: 3 });
    expect(existsSync(cacheFile())).toBe(true);
    const second = await scorecard();
    expect(second.from).toBe('cache');
    expect(second.rows).toEqual(first.rows);
    expect(second.row).toEqual(first.row);
  });

  it('is refreshed after a new ingest', async () => {
    await scorecard();
    lake.write('survey_responses', [csat('r4', 5)]);
    const after = await scorecard();
    expect(after.from).toBe('refresh');
    expect(after.row).toMatchObject({ value: 75, n: 4 });
    expect((await scorecard()).from).toBe('cache');
  });

  it('is refreshed after a target in the config changes', async () => {
    const before = await scorecard({ targets: [{ metric: 'csat_pct', goal: 80 }] });
    expect(before.row?.target).toBe(80);
    const after = await scorecard({ targets: [{ metric: 'csat_pct', goal: 90 }] });
    expect(after.from).toBe('refresh');
    expect(after.row?.target).toBe(90);
  });

  it.each([
    ['truncated to half', (bytes: Buffer) => bytes.subarray(0, Math.floor(bytes.length / 2))],
    ['overwritten with garbage', (bytes: Buffer) => Buffer.alloc(bytes.length, 0x5a)],
    ['with its data damaged behind an intact footer', (bytes: Buffer) => damageData(bytes)],
  ])('is rebuilt, never trusted, when %s', async (_case, damage) => {
    const fresh = await scorecard();
    writeFileSync(cacheFile(), damage(readFileSync(cacheFile())));
    const rebuilt = await scorecard();
    expect(rebuilt.from).toBe('refresh');
    expect(rebuilt.rows).toEqual(fresh.rows);
    expect((await scorecard()).from).toBe('cache');
  });

  it('leaves no temporary file, and removes those of a process that died while writing', async () => {
    const tmp = join(lake.dir, STATE_DIR, 'tmp');
    mkdirSync(tmp, { recursive: true });
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const orphans = [`${METRIC_VALUES.name}-${dead}-0badc0de.parquet`, `duckdb-${dead}`];
    writeFileSync(join(tmp, orphans[0] as string), 'PAR1 half a file');
    mkdirSync(join(tmp, orphans[1] as string));
    await scorecard();
    expect(readdirSync(tmp).filter((name) => orphans.includes(name))).toEqual([]);
    expect(readdirSync(tmp).filter((name) => name.endsWith('.parquet'))).toEqual([]);
  });
});

describe('canonical tables read in place', () => {
  let lake: TestLake;
  let engine: DuckDbEngine | undefined;
  beforeEach(() => {
    lake = createTestLake();
    lake.write('survey_responses', [csat('r1', 5)]);
  });
  afterEach(async () => {
    await engine?.close();
    lake.remove();
  });

  /** Writes a Parquet file of one SELECT into the lake with DuckDB, as another writer could have. */
  async function writeFile(relative: string, select: string): Promise<void> {
    const writer = await openLakeEngine({ lakeDir: lake.dir, config: parseConfig({}, 'test config') });
    try {
      mkdirSync(join(lake.dir, relative, '..'), { recursive: true });
      await writer.exec(`COPY (${select}) TO '${join(lake.dir, relative)}' (FORMAT parquet)`);
    } finally {
      await writer.close();
    }
  }

  it('reads files with other columns by name: a column a file lacks is NULL, and a column no file has', async () => {
    await writeFile(
      'curated/survey_responses/dt=2025-06-06/older.parquet',
      "SELECT 'r2' AS response_id, 'qualtrics' AS source, 'csat' AS survey_kind, 4.0 AS score, 'extra' AS retired_column",
    );
    await writeFile('curated/employee_pulse/dt=2025-06-01/partial.parquet', "SELECT 'p1' AS response_id");
    engine = await openLakeEngine({ lakeDir: lake.dir, config: parseConfig({}, 'test config') });
    expect(await engine.query('SELECT response_id, score, typeof(score) AS score_type FROM employee_pulse')).toEqual([
      { response_id: 'p1', score: null, score_type: 'DOUBLE' },
    ]);
    expect(
      await engine.query(
        'SELECT response_id, score, team, typeof(team) AS team_type, dt FROM survey_responses ORDER BY response_id',
      ),
    ).toEqual([
      { response_id: 'r1', score: 5, team: 'billing', team_type: 'VARCHAR', dt: '2025-06-05' },
      { response_id: 'r2', score: 4, team: null, team_type: 'VARCHAR', dt: '2025-06-06' },
    ]);
  });

  it('never reads the staging files of compaction as a table', async () => {
    await writeFile('curated/_staging/survey_responses/dt=2025-06-05/object.parquet', "SELECT 'staged' AS response_id");
    engine = await openLakeEngine({ lakeDir: lake.dir, config: parseConfig({}, 'test config') });
    expect(await engine.query('SELECT response_id FROM survey_responses')).toEqual([{ response_id: 'r1' }]);
  });
});

describe('the memory limit of the local engine', () => {
  let lake: TestLake;
  beforeEach(() => {
    lake = createTestLake();
  });
  afterEach(() => {
    delete process.env[MEMORY_LIMIT_ENV];
    lake.remove();
  });

  const setting = async (name: string) => {
    const engine = await openLakeEngine({ lakeDir: lake.dir, config: parseConfig({}, 'test config') });
    try {
      const [row] = await engine.query(`SELECT current_setting('${name}') AS value`);
      return row?.value;
    } finally {
      await engine.close();
    }
  };

  it('defaults to DEFAULTS.duckdbMemoryLimit and spills under the lake', async () => {
    expect(DEFAULTS.duckdbMemoryLimit).toBe('512MiB');
    expect(await setting('memory_limit')).toBe('512.0 MiB');
    expect(await setting('temp_directory')).toMatch(new RegExp(`${STATE_DIR}/tmp/duckdb-${process.pid}$`));
  });

  it(`takes ${MEMORY_LIMIT_ENV} instead`, async () => {
    process.env[MEMORY_LIMIT_ENV] = '1.5GiB';
    expect(await setting('memory_limit')).toBe('1.5 GiB');
  });

  it(`fails naming ${MEMORY_LIMIT_ENV} when DuckDB refuses its value`, async () => {
    process.env[MEMORY_LIMIT_ENV] = 'plenty';
    await expect(setting('memory_limit')).rejects.toThrow(/"plenty" \(SERVICEBENCH_DUCKDB_MEMORY_LIMIT.*1GiB/);
  });
});

/**
 * Overwrites the bytes just after the leading magic, where DuckDB writes the first column chunk:
 * the footer (and so the fingerprint) still reads, the data does not.
 */
function damageData(bytes: Buffer): Buffer {
  const damaged = Buffer.from(bytes);
  damaged.fill(0xff, 4, Math.min(64, damaged.length - 8));
  return damaged;
}
