/**
 * The CLI on a real Trino, as a company with its own cluster uses it: `servicebench ddl` over the
 * demo lake, run by the Trino CLI; `refresh`; then `metrics` on Trino gives DuckDB's rows, in
 * the same order, and no query the commands sent ran in more than Trino's soft limit of stages.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EXAMPLE_CONFIG_FILE } from '../../lambdas/core/config/locate.ts';
import type { DIMENSIONS } from '../../lambdas/core/metrics/scorecard.ts';
import { TrinoEngine } from '../../lambdas/core/query/trino.ts';
import { type CliRun, runCli } from '../support/cli.ts';
import { compareRows, describeComparison, isSame, type Row } from '../support/compare.ts';
import { installTrino, runTrinoFile } from '../support/trino/server.ts';
import { demoLake } from './lakes.ts';

/** The last month of the demo's history. */
const PERIOD = '2025-06';
const BY = ['overall', 'team', 'agent'] as const satisfies readonly (typeof DIMENSIONS)[number][];
/** Trino warns above 50 stages (its hard limit is 150); every query of metrics and report stays within it. */
const STAGE_BUDGET = 50;
/** Building the demo lake (shared with the parity tests) takes about a minute on 2 busy cores. */
const SETUP_TIMEOUT_MS = 600_000;
/**
 * The refresh plans and writes seven families; on a node shared with the parity files on 2 busy
 * cores it took 300 s and more (about 130 s on an idle node).
 */
const REFRESH_TIMEOUT_MS = 900_000;

const suffix = randomUUID().replaceAll('-', '').slice(0, 8);
const schema = `cli_${suffix}`;
/** One Trino user per command, so this file finds its own queries among those of parallel test files. */
const users = { refresh: `refresh_${suffix}`, metrics: `metrics_${suffix}`, report: `report_${suffix}` };

let root: string;
let lake: string;
let trino: TrinoEngine;
const timings: Record<string, number> = {};

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    timings[label] = Math.round(performance.now() - started);
  }
}

/** The CLI on the demo lake: DuckDB by default, Trino as `user` with `onTrino`. */
function cli(args: readonly string[], onTrino?: { user: string }): Promise<CliRun> {
  const engine = onTrino
    ? [
        '--engine',
        'trino',
        '--server',
        inject('trinoUrl'),
        '--catalog',
        inject('trinoCatalog'),
        '--schema',
        schema,
        '--user',
        onTrino.user,
      ]
    : [];
  return runCli(['--config', EXAMPLE_CONFIG_FILE, '--lake', lake, ...engine, ...args]);
}

/**
 * Every statement a user sent that finished, as Trino recorded it (parameters bound), with the
 * stages Trino plans for it (the tasks of finished queries are not kept long enough to count).
 */
async function stagesByQuery(user: string): Promise<{ query: string; stages: number }[]> {
  const sent = await trino.query<{ query: string }>(
    `SELECT query FROM system.runtime.queries WHERE "user" = :user AND state = 'FINISHED'`,
    { user },
  );
  const planned: { query: string; stages: number }[] = [];
  for (const { query } of sent) planned.push({ query, stages: await trino.plannedStages(query) });
  return planned;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sb-trino-cli-'));
  trino = new TrinoEngine({ server: inject('trinoUrl'), catalog: inject('trinoCatalog'), schema });
  lake = (await timed('demo lake', demoLake)).lakeDir;
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await trino?.exec(`DROP SCHEMA IF EXISTS ${inject('trinoCatalog')}.${schema} CASCADE`);
  if (root) await rm(root, { recursive: true, force: true });
  console.log(`trino cli test timings (ms): ${JSON.stringify(timings)}`);
});

describe('servicebench on Trino over the demo lake', () => {
  it('creates everything with the ddl output, run as one file by the Trino CLI', async () => {
    const ddl = await cli([
      '--engine',
      'trino',
      '--catalog',
      inject('trinoCatalog'),
      '--schema',
      schema,
      'ddl',
      '--location',
      `local://${lake}`,
    ]);
    expect(ddl.code, ddl.stderr).toBe(0);
    const file = join(root, 'ddl.sql');
    await writeFile(file, ddl.stdout);
    const installation = await installTrino();
    await timed('ddl', () => runTrinoFile(installation, inject('trinoUrl'), file));
    const views = await trino.query(`SELECT table_name FROM information_schema.views WHERE table_schema = :schema`, {
      schema,
    });
    expect(views.map((v) => v.table_name)).toContain('scorecard');
  });

  it(
    'refreshes every metric family',
    async () => {
      const result = await timed('refresh', () => cli(['refresh'], { user: users.refresh }));
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/metric_values: 7 families, [\d,]+ rows rewritten on Trino at /);
    },
    REFRESH_TIMEOUT_MS,
  );

  it.each(BY)('metrics --by %s gives the DuckDB rows, row for row', async (by) => {
    const args = ['metrics', '--period', PERIOD, '--by', by, '--format', 'json'];
    const local = await timed(`duckdb metrics ${by}`, () => cli(args));
    const remote = await timed(`trino metrics ${by}`, () => cli(args, { user: users.metrics }));
    expect(local.code, local.stderr).toBe(0);
    expect(remote.code, remote.stderr).toBe(0);
    const [duckdb, onTrino] = [JSON.parse(local.stdout) as Row[], JSON.parse(remote.stdout) as Row[]];
    expect(duckdb.length).toBeGreaterThan(0);
    const order = (rows: readonly Row[]) => rows.map((r) => `${r.metric} ${r.dimension_value}`);
    expect(order(onTrino)).toEqual(order(duckdb));
    const comparison = compareRows(duckdb, onTrino);
    expect(isSame(comparison), describeComparison(comparison, ['DuckDB', 'Trino'])).toBe(true);
  });

  it(`runs every query of metrics and report in at most ${STAGE_BUDGET} stages`, async () => {
    const report = await timed('trino report', () =>
      cli(['report', '--period', PERIOD, '--format', 'html,csv'], { user: users.report }),
    );
    expect(report.code, report.stderr).toBe(0);
    for (const [command, expected] of [
      ['metrics', BY.length],
      ['report', 6],
    ] as const) {
      const queries = await stagesByQuery(users[command]);
      expect(queries.length, command).toBeGreaterThanOrEqual(expected);
      for (const q of queries) expect(q.stages, `${command}: ${q.query}`).toBeLessThanOrEqual(STAGE_BUDGET);
      expect(Math.min(...queries.map((q) => q.stages)), command).toBeGreaterThan(0);
    }
  });

  it("shows Trino's error and query id, and how to create missing tables, with exit 1", async () => {
    const result = await cli(['query', 'SELECT * FROM no_such_table'], { user: users.metrics });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: Trino query \d{8}_\d{6}_\d{5}_[a-z0-9]{5} failed \(TABLE_NOT_FOUND\): /);
    expect(result.stderr).toContain('hint: create the schema, tables and views first: servicebench --engine trino ddl');
  });
});
