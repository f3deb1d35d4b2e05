/**
 * The engine options (--engine, --server, --catalog, --schema, --user), the `ddl` command and the
 * `refresh` command on the local engine, run in-process. The Trino side runs in test/trino/cli.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ddlScript, REFERENCE_PREFIX, referenceFiles, trinoDdl } from '../../lambdas/core/catalog/trino-ddl.ts';
import { loadConfig } from '../../lambdas/core/config/config.ts';
import { TRINO_DEFAULTS } from '../../lambdas/core/query/trino.ts';
import { referenceTables } from '../../lambdas/core/reference/tables.ts';
import { TABLE_NAMES } from '../../lambdas/core/schema/canonical.ts';
import { METRIC_FAMILIES, metricValuesSelectSql } from '../../sql/materialised.ts';
import { runCli } from '../support/cli.ts';
import { createCliFolder } from './support.ts';

let dir: string;
let config: string;
let lake: string;
/** The folder's config, lake and arguments: the CLI resolves nothing against the working directory. */
const run = (args: readonly string[]) => runCli(['--config', config, '--lake', lake, ...args]);

beforeAll(async () => {
  dir = createCliFolder();
  config = join(dir, 'servicebench.config.json');
  lake = join(dir, 'lake');
  const ingested = await run(['ingest', '--source', 'calls', join(dir, 'calls.csv')]);
  expect(ingested.code).toBe(0);
});

/** The lines of a usage error after its heading, one per problem. */
function problems(stderr: string): string[] {
  expect(stderr).toMatch(/^error: invalid options:\n/);
  return stderr.trimEnd().split('\n').slice(1);
}

describe('engine options', () => {
  it.each([
    [
      '--server without --engine trino',
      ['--server', 'http://trino:8080', 'metrics', '--period', '2025-06'],
      [
        '--server http://trino:8080: applies to --engine trino only (the engine is duckdb); add --engine trino, or drop --server',
      ],
    ],
    [
      '--catalog and --user with --engine duckdb',
      ['--engine', 'duckdb', '--catalog', 'lake', '--user', 'ann', 'query', 'SELECT 1'],
      [
        '--catalog lake: applies to --engine trino only (the engine is duckdb); add --engine trino, or drop --catalog',
        '--user ann: applies to --engine trino only (the engine is duckdb); add --engine trino, or drop --user',
      ],
    ],
    [
      '--engine trino without --server',
      ['--engine', 'trino', 'report', '--period', '2025-06'],
      ['--engine trino needs --server URL, the coordinator to query (e.g. --server http://trino.internal:8080)'],
    ],
    [
      'a server that is not an http URL',
      ['--engine', 'trino', '--server', 'trino:8080', '--schema', '', 'refresh'],
      [
        "--server trino:8080: expected the coordinator's http:// or https:// URL, e.g. http://trino.internal:8080",
        '--schema is empty; give a name or drop --schema',
      ],
    ],
    [
      'engine options on a command that queries no engine',
      ['--engine', 'trino', '--server', 'http://t:8080', 'ingest', '--source', 'calls', 'calls.csv'],
      [
        '--engine trino: ingest queries no engine (--engine applies to query, metrics, report, refresh and ddl); drop --engine',
        '--server http://t:8080: ingest queries no engine (--server applies to query, metrics, report, refresh and ddl); drop --server',
      ],
    ],
    [
      '--family on the local engine',
      ['refresh', '--family', 'tickets,surveys'],
      [
        '--family tickets,surveys: the local DuckDB engine refreshes every family together whenever the lake, the config or the views change; drop --family, or add --engine trino --server URL',
      ],
    ],
  ])('fails with exit 1 on %s, naming each problem and its fix', async (_case, args, expected) => {
    const result = await run(args);
    expect(result.code).toBe(1);
    expect(problems(result.stderr)).toEqual(expected.map((line) => `  ${line}`));
    expect(result.stdout).toBe('');
  });

  it('names a Trino server that does not answer, with exit 1', async () => {
    const result = await run(['--engine', 'trino', '--server', 'http://127.0.0.1:9', 'query', 'SELECT 1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: Trino at http:\/\/127\.0\.0\.1:9 did not answer: .*ECONNREFUSED/);
  });
});

describe('servicebench ddl', () => {
  it('prints the generator statements for the catalog and schema given, and writes the reference files under a local lake', async () => {
    const result = await run([
      '--engine',
      'trino',
      '--catalog',
      'lakehouse',
      '--schema',
      'cs',
      'ddl',
      '--location',
      `local://${lake}/`,
    ]);
    expect(result.code).toBe(0);
    const tables = referenceTables(loadConfig(config));
    expect(result.stdout).toBe(
      ddlScript(trinoDdl({ location: `local://${lake}`, catalog: 'lakehouse', schema: 'cs', referenceTables: tables })),
    );
    expect(result.stdout.startsWith('CREATE SCHEMA IF NOT EXISTS lakehouse.cs;\n')).toBe(true);
    for (const file of referenceFiles(tables)) {
      expect(readFileSync(join(lake, file.key), 'utf8'), file.key).toBe(file.body);
    }
    // Trino refuses an external location that does not exist: every canonical table gets its folder.
    for (const table of TABLE_NAMES) expect(existsSync(join(lake, 'curated', table)), table).toBe(true);
    expect(result.stderr).toContain(`wrote the reference tables' files under ${join(lake, REFERENCE_PREFIX)}`);
  });

  it('defaults to the catalog and schema the Trino engine queries', async () => {
    const result = await run(['--engine', 'trino', 'ddl', '--location', 's3://bucket/lake']);
    expect(result.code).toBe(0);
    expect(
      result.stdout.startsWith(`CREATE SCHEMA IF NOT EXISTS ${TRINO_DEFAULTS.catalog}.${TRINO_DEFAULTS.schema};\n`),
    ).toBe(true);
    expect(result.stdout).toContain("external_location = 's3://bucket/lake/curated/interactions'");
  });

  it('writes the reference files of an object-store location under --lake, and says where to copy them', async () => {
    const elsewhere = join(dir, 'for-s3');
    const result = await runCli([
      '--config',
      config,
      '--lake',
      elsewhere,
      '--engine',
      'trino',
      'ddl',
      '--location',
      's3://bucket/lake',
    ]);
    expect(result.code).toBe(0);
    expect(existsSync(join(elsewhere, REFERENCE_PREFIX, 'targets', 'rows.json'))).toBe(true);
    expect(result.stderr).toContain(`copy them to s3://bucket/lake/${REFERENCE_PREFIX} before running the statements`);
  });

  it('fails with exit 1 naming every problem: no --engine trino, a --server, a missing local folder', async () => {
    const result = await run(['--server', 'http://t:8080', 'ddl', '--location', `local://${join(dir, 'nowhere')}`]);
    expect(result.code).toBe(1);
    expect(problems(result.stderr)).toEqual([
      '  ddl needs --engine trino: ddl writes Trino statements (the local DuckDB engine creates its tables itself when it opens the lake)',
      '  --server http://t:8080: ddl prints the statements and connects to no server; drop --server and run the output with the Trino CLI (trino --server http://t:8080 --file ddl.sql)',
      `  --location local://${join(dir, 'nowhere')}: ${join(dir, 'nowhere')} is not a folder; give the lake folder as local:///absolute/path (servicebench --lake DIR demo writes one)`,
    ]);
    expect(result.stdout).toBe('');
  });
});

it('fails with exit 1 naming each bad ddl option: a location that is no URI, a catalog and schema that are no identifiers', async () => {
  const result = await run(['--engine', 'trino', '--catalog', 'Hive', '--schema', 'a-b', 'ddl', '--location', lake]);
  expect(result.code).toBe(1);
  expect(problems(result.stderr)).toEqual([
    `  --location "${lake}" must be a URI such as local:///abs/path/to/lake or s3://bucket/prefix`,
    '  --catalog "Hive" must be a lower-case identifier',
    '  --schema "a-b" must be a lower-case identifier',
  ]);
});

describe('servicebench refresh on the local engine', () => {
  it('rewrites every family and prints each one with its rows and time', async () => {
    const result = await run(['refresh']);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    for (const family of METRIC_FAMILIES)
      expect(
        lines.some((l) => l.startsWith(`${family} `)),
        family,
      ).toBe(true);
    const rows = (family: string) => Number(lines.find((l) => l.startsWith(`${family} `))?.split(/\s+/)[1]);
    // Each family's rows are what its refresh selects: its view's rows at the dimensions that can carry each metric.
    const sql = METRIC_FAMILIES.map(
      (f) => `SELECT '${f}' AS family, count(*) AS n FROM (${metricValuesSelectSql(f)}) AS family_rows`,
    );
    const counts = await run(['query', '--format', 'json', sql.join(' UNION ALL ')]);
    const expected = JSON.parse(counts.stdout) as { family: string; n: number }[];
    for (const { family, n } of expected) expect(rows(family), family).toBe(n);
    expect(rows('contact_centre')).toBeGreaterThan(0);
    const total = METRIC_FAMILIES.reduce((sum, family) => sum + rows(family), 0);
    expect(result.stdout).toMatch(
      new RegExp(
        `metric_values: 7 families, ${total.toLocaleString('en')} rows rewritten on DuckDB over .* \\(cached in the lake\\) in \\d+\\.\\d s\\n$`,
      ),
    );
  });

  it('leaves the metrics in the lake for the next command, which reads them without a refresh', async () => {
    const refreshed = await run(['refresh']);
    expect(refreshed.stderr).toContain('refreshing metrics (family 1/7: contact_centre)…');
    expect(existsSync(join(lake, '.servicebench', 'cache', 'metric_values.parquet'))).toBe(true);
    const metrics = await run(['metrics', '--period', '2025-06', '--format', 'json']);
    expect(metrics.code).toBe(0);
    expect(metrics.stderr).not.toContain('refreshing metrics');
  });

  it('says in its help that it rewrites whole families, not periods', async () => {
    const help = await run(['refresh', '--help']);
    expect(help.stdout).toContain(
      'A refresh rewrites whole families, every period at once: there is no per-period refresh.',
    );
  });
});
