#!/usr/bin/env -S npx tsx
/**
 * The `servicebench` CLI: the local, embedded mode of the product. It runs the same normaliser as
 * the Lambda and the same view SQL as Athena, on a lake folder and an embedded DuckDB.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { listAdapters } from '../lambdas/adapters/registry.ts';
import { ConfigError, loadConfig, type ServiceBenchConfig } from '../lambdas/core/config/config.ts';
import { DEFAULTS } from '../lambdas/core/config/defaults.ts';
import { openLakeEngine } from '../lambdas/core/query/duckdb.ts';
import { formatRows, OUTPUT_FORMATS, type OutputFormat } from '../lambdas/local/format.ts';
import { ingestFile } from '../lambdas/local/ingest.ts';
import { openLake, pseudonymKey } from '../lambdas/local/lake.ts';

/** Exit codes scripts can rely on (documented in README.md). */
export const EXIT = {
  ok: 0,
  /** Configuration, usage or runtime error: nothing (more) was done. */
  error: 1,
  /** At least one file was rejected whole (the others were ingested). */
  fileRejected: 3,
  /** --strict: at least one row was rejected. */
  rowsRejected: 4,
} as const;

const EXAMPLE_CONFIG = new URL('../examples/servicebench.config.jsonc', import.meta.url).pathname;

interface GlobalOptions {
  lake: string;
  config?: string;
}

function configPath(options: GlobalOptions): string {
  if (options.config) return resolve(options.config);
  const local = resolve(DEFAULTS.configFile);
  if (existsSync(local)) return local;
  return EXAMPLE_CONFIG;
}

function readConfig(options: GlobalOptions): ServiceBenchConfig {
  const file = configPath(options);
  if (file === EXAMPLE_CONFIG && !options.config) {
    process.stderr.write(`note: no ${DEFAULTS.configFile} here; using the shipped example ${file}\n`);
  }
  return loadConfig(file);
}

function parseFormat(value: string): OutputFormat {
  if (!(OUTPUT_FORMATS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${OUTPUT_FORMATS.join(', ')}`);
  }
  return value as OutputFormat;
}

const progress = (label: string) => (rows: number) => {
  if (process.stderr.isTTY) process.stderr.write(`\r${label}: ${rows.toLocaleString('en')} records read`);
};

export function buildProgram(): Command {
  const program = new Command('servicebench')
    .description(
      'Customer-service scoring and benchmarking on a local lake: ingest exports, query the metric views, report.',
    )
    .option('--lake <dir>', 'local lake folder (landing/, curated/, quarantine/, exports/)', DEFAULTS.lakeDir)
    .option('--config <file>', `config file (default: ./${DEFAULTS.configFile}, else the shipped example)`)
    .showHelpAfterError()
    .exitOverride();

  program
    .command('ingest')
    .description('Land export files under a source and normalise them into the curated zone.')
    .requiredOption('--source <name>', 'source name from the config (decides the adapter and its options)')
    .option('--strict', `exit ${EXIT.rowsRejected} when any row is rejected`)
    .argument('<files...>', 'export files to ingest')
    .action(async (files: string[], cmd: { source: string; strict?: boolean }) => {
      const globals = program.opts<GlobalOptions>();
      const config = readConfig(globals);
      const lake = openLake(globals.lake);
      const key = pseudonymKey(lake);
      if (key.createdAt) {
        process.stderr.write(
          `warning: created a new pseudonymisation key at ${key.origin}. Back it up: without it, customers ingested later get different pseudonyms.\n`,
        );
      }
      let filesRejected = 0;
      let rowsRejected = 0;
      for (const file of files) {
        const label = `${cmd.source} ← ${file}`;
        const result = await ingestFile({
          lake,
          config,
          sourceName: cmd.source,
          file,
          pseudonymKey: key.key,
          onProgress: progress(label),
        });
        if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
        const { audit } = result;
        const tables = Object.entries(result.rowsByTable)
          .map(([t, n]) => `${t}: ${n}`)
          .join(', ');
        if (result.fileError) {
          filesRejected++;
          process.stdout.write(`✗ ${file}: file rejected: ${result.fileError}\n`);
        } else {
          process.stdout.write(
            `✓ ${file}: ${audit.rows_read} read, ${audit.rows_accepted} accepted, ${audit.rows_rejected} rejected${tables ? ` (${tables})` : ''} in ${audit.duration_ms} ms\n`,
          );
        }
        if (result.rejectKey) {
          rowsRejected += audit.rows_rejected;
          process.stdout.write(`  rejects with reasons: ${lake.zoneDir('quarantine')}/${result.rejectKey}\n`);
        }
      }
      if (filesRejected > 0) process.exitCode = EXIT.fileRejected;
      else if (cmd.strict && rowsRejected > 0) process.exitCode = EXIT.rowsRejected;
    });

  program
    .command('query')
    .description('Run SQL over the curated tables and every metric view (DuckDB, same view SQL as Athena).')
    .argument('<sql>', 'one SQL statement')
    .addOption(new Option('--format <format>', 'table, csv or json').argParser(parseFormat).default('table'))
    .action(async (sql: string, cmd: { format: OutputFormat }) => {
      const globals = program.opts<GlobalOptions>();
      const config = readConfig(globals);
      const engine = await openLakeEngine({ lakeDir: openLake(globals.lake).dir, config });
      try {
        process.stdout.write(formatRows(await engine.query(sql), cmd.format));
      } finally {
        await engine.close();
      }
    });

  program
    .command('validate-config')
    .description('Check the config file and report every problem at once.')
    .action(() => {
      const globals = program.opts<GlobalOptions>();
      const file = configPath(globals);
      const config = loadConfig(file);
      const adapters = new Set(listAdapters().map((a) => a.name));
      const problems = config.sources.flatMap((s, i) => {
        if (!adapters.has(s.adapter)) return [`sources.${i}.adapter: unknown adapter "${s.adapter}"`];
        const adapter = listAdapters().find((a) => a.name === s.adapter);
        const parsed = adapter?.optionsSchema.safeParse(s.options);
        return parsed && !parsed.success
          ? parsed.error.issues.map((issue) => `sources.${i}.options.${issue.path.join('.')}: ${issue.message}`)
          : [];
      });
      if (problems.length > 0) throw new ConfigError(file, problems);
      process.stdout.write(`${file}: valid (${config.sources.length} sources, ${config.reports.length} reports)\n`);
    });

  program
    .command('adapters')
    .description('List the export formats the normaliser reads.')
    .action(() => {
      process.stdout.write(
        formatRows(
          listAdapters().map((a) => ({ adapter: a.name, reads: a.description })),
          'table',
        ),
      );
    });

  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version') return EXIT.ok;
    if (typeof code === 'string' && code.startsWith('commander.')) return EXIT.error;
    process.stderr.write(`error: ${(error as Error).message}\n`);
    return EXIT.error;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('servicebench.ts')) {
  process.exitCode = await main(process.argv.slice(2));
}
