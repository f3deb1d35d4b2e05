#!/usr/bin/env -S npx tsx
/**
 * The `servicebench` CLI: the local, embedded mode of the product. It runs the same normaliser as
 * the Lambda and the same view SQL as Athena, on a lake folder and an embedded DuckDB.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { formatRows, OUTPUT_FORMATS, type OutputFormat } from '../cli/format.ts';
import { ingestFile } from '../cli/ingest.ts';
import { openLake, pseudonymKey } from '../cli/lake.ts';
import { DEMO_DEFAULTS, parseDemoScale, runDemo } from '../demo/index.ts';
import { listAdapters } from '../lambdas/adapters/registry.ts';
import { ConfigError, loadConfig, type ServiceBenchConfig } from '../lambdas/core/config/config.ts';
import { DEFAULTS } from '../lambdas/core/config/defaults.ts';
import { METRIC_BY_ID } from '../lambdas/core/metrics/catalogue.ts';
import { scorecardRows } from '../lambdas/core/metrics/compute.ts';
import type { Dimension, Grain, ScorecardRow } from '../lambdas/core/metrics/scorecard.ts';
import { openLakeEngine } from '../lambdas/core/query/duckdb.ts';
import { renderCsv } from '../lambdas/report/csv.ts';
import { type ReportFormat, writeReport } from '../lambdas/report/write.ts';

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

const GRAINS: readonly Grain[] = ['month', 'week'];
const DIMENSIONS: readonly Dimension[] = ['overall', 'channel', 'team', 'agent', 'queue', 'source'];
const REPORT_FORMATS: readonly ReportFormat[] = ['html', 'csv', 'pdf'];

function oneOf<T extends string>(allowed: readonly T[]) {
  return (value: string): T => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}`);
    }
    return value as T;
  };
}

function listOf<T extends string>(allowed: readonly T[]) {
  const parse = oneOf(allowed);
  return (value: string): T[] => value.split(',').map((v) => parse(v.trim()));
}

/** Scope of a report, written `team:Billing`, `channel:voice`, ... */
function parseScope(value: string): { dimension: Exclude<Dimension, 'overall'>; value: string } {
  const [dimension, ...rest] = value.split(':');
  const scopeValue = rest.join(':');
  if (!dimension || dimension === 'overall' || !DIMENSIONS.includes(dimension as Dimension) || !scopeValue) {
    throw new InvalidArgumentError('expected DIMENSION:VALUE, e.g. team:Billing or channel:voice');
  }
  return { dimension: dimension as Exclude<Dimension, 'overall'>, value: scopeValue };
}

/** The people-facing columns of `metrics --format table`; csv and json carry every column. */
function scorecardTable(rows: readonly ScorecardRow[]): Record<string, unknown>[] {
  const round = (v: number | null, digits = 1) => (v === null ? null : Number(v.toFixed(digits)));
  return rows.map((r) => ({
    metric: r.metric,
    [r.dimension]: r.dimension_value,
    value: round(r.value),
    unit: r.unit,
    n: r.n,
    '95% ci': r.ci_low === null || r.ci_high === null ? '' : `${round(r.ci_low)}–${round(r.ci_high)}`,
    sample: r.low_sample ? 'LOW' : '',
    target: r.target,
    rag: r.rag ?? '',
    bench: r.bench_position ?? '',
    peer_pct: round(r.peer_percentile, 0),
    prev: round(r.prev_value),
    delta: round(r.delta),
    significant: r.change_significant === null ? '' : r.change_significant ? 'yes' : 'no',
  }));
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

/** Turns a parser's Error into commander's usage error, so it prints as one and exits 1. */
function wrapParser<T>(parse: (value: string) => T) {
  return (value: string): T => {
    try {
      return parse(value);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
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
    .command('metrics')
    .description('Print the scorecard: every metric with its target, benchmark, peer rank and change.')
    .requiredOption('--period <period>', 'YYYY-MM (month), YYYY-Www (ISO week) or YYYY-MM-DD')
    .addOption(new Option('--grain <grain>', 'month or week (default: what the period names)').argParser(oneOf(GRAINS)))
    .addOption(new Option('--by <dimension>', DIMENSIONS.join(', ')).argParser(oneOf(DIMENSIONS)).default('overall'))
    .addOption(new Option('--format <format>', 'table, csv or json').argParser(parseFormat).default('table'))
    .action(async (cmd: { period: string; grain?: Grain; by: Dimension; format: OutputFormat }) => {
      const globals = program.opts<GlobalOptions>();
      const config = readConfig(globals);
      const engine = await openLakeEngine({ lakeDir: openLake(globals.lake).dir, config });
      try {
        const rows = await scorecardRows(engine, {
          period: cmd.period,
          by: cmd.by,
          ...(cmd.grain ? { grain: cmd.grain } : {}),
        });
        if (rows.length === 0) process.stderr.write(`no metric has data for ${cmd.period} (by ${cmd.by})\n`);
        if (cmd.format === 'json')
          process.stdout.write(formatRows(rows as unknown as Record<string, unknown>[], 'json'));
        else if (cmd.format === 'csv') process.stdout.write(renderCsv(rows));
        else {
          process.stdout.write(formatRows(scorecardTable(rows), 'table'));
          const labels = [...new Set(rows.map((r) => r.metric))].map(
            (m) => `${m} = ${METRIC_BY_ID.get(m)?.label ?? m}`,
          );
          if (labels.length > 0 && cmd.by === 'overall') process.stdout.write(`\n${labels.join('; ')}\n`);
        }
      } finally {
        await engine.close();
      }
    });

  program
    .command('report')
    .description('Write the executive benchmark report (HTML, CSV, and PDF when Chromium is installed).')
    .requiredOption('--period <period>', 'YYYY-MM (month) or YYYY-Www (ISO week)')
    .addOption(new Option('--grain <grain>', 'month or week (default: what the period names)').argParser(oneOf(GRAINS)))
    .option('--scope <dimension:value>', 'report on one team, channel, agent, queue or source', parseScope)
    .option('--name <name>', 'report name used in file names', 'executive')
    .addOption(
      new Option('--format <formats>', 'comma-separated: html,csv,pdf')
        .argParser(listOf(REPORT_FORMATS))
        .default(REPORT_FORMATS),
    )
    .option('--out <dir>', 'also copy the files to this folder')
    .action(
      async (cmd: {
        period: string;
        grain?: Grain;
        scope?: ReturnType<typeof parseScope>;
        name: string;
        format: ReportFormat[];
        out?: string;
      }) => {
        const globals = program.opts<GlobalOptions>();
        const config = readConfig(globals);
        const lake = openLake(globals.lake);
        const grain = cmd.grain ?? (/^\d{4}-W\d{2}$/.test(cmd.period) ? 'week' : 'month');
        const engine = await openLakeEngine({ lakeDir: lake.dir, config });
        try {
          // The lake's exports store is the exports zone itself: no extra `exports/` prefix.
          const result = await writeReport(engine, lake.stores.exports, {
            keyPrefix: '',
            period: cmd.period,
            grain,
            config,
            name: cmd.name,
            formats: cmd.format,
            ...(cmd.scope ? { scope: cmd.scope } : {}),
          });
          for (const key of result.files) {
            const path = `${lake.zoneDir('exports')}/${key}`;
            if (cmd.out) {
              mkdirSync(cmd.out, { recursive: true });
              copyFileSync(path, join(cmd.out, basename(key)));
              process.stdout.write(`wrote ${join(cmd.out, basename(key))}\n`);
            } else process.stdout.write(`wrote ${path}\n`);
          }
          for (const line of result.skipped) process.stderr.write(`skipped ${line}\n`);
        } finally {
          await engine.close();
        }
      },
    );

  program
    .command('demo')
    .description(
      'Generate a year of sample exports in every supported format, ingest them, compute the views and write the report.',
    )
    .option('--seed <n>', 'random seed (same seed, same data)', positiveInteger, DEMO_DEFAULTS.seed)
    .option('--months <n>', 'months of history', positiveInteger, DEMO_DEFAULTS.months)
    .option('--end <YYYY-MM>', 'last month of the history', DEMO_DEFAULTS.endMonth)
    .option(
      '--scale <scale>',
      'volume: small, full or a factor such as 0.5',
      wrapParser(parseDemoScale),
      DEMO_DEFAULTS.scale,
    )
    .action(async (cmd: { seed: number; months: number; end: string; scale: number }) => {
      const globals = program.opts<GlobalOptions>();
      const config = readConfig(globals);
      const say = (message: string) => process.stderr.write(`${message}\n`);
      const summary = await runDemo({
        lakeDir: globals.lake,
        config,
        seed: cmd.seed,
        months: cmd.months,
        endMonth: cmd.end,
        scale: cmd.scale,
        onProgress: say,
      });
      process.stdout.write(
        `${summary.files} files, ${summary.rowsRead.toLocaleString('en')} records read, ${summary.rowsAccepted.toLocaleString('en')} curated, ${summary.rowsRejected.toLocaleString('en')} rejected with reasons in ${summary.lakeDir}/quarantine (generated in ${(summary.timings.generateMs / 1000).toFixed(1)} s, ingested in ${(summary.timings.ingestMs / 1000).toFixed(1)} s)\n`,
      );
      process.stdout.write(
        `story: ${summary.plot.improvingTeam} improves, ${summary.plot.worseningTeam} worsens, staffing dip in ${summary.plot.dipMonth}\n`,
      );
      say(`computing the views and writing the ${summary.endMonth} report…`);
      const lake = openLake(summary.lakeDir);
      const engine = await openLakeEngine({ lakeDir: lake.dir, config: summary.config });
      try {
        const result = await writeReport(engine, lake.stores.exports, {
          keyPrefix: '',
          period: summary.endMonth,
          grain: 'month',
          config: summary.config,
        });
        for (const key of result.files) process.stdout.write(`report: ${lake.zoneDir('exports')}/${key}\n`);
        for (const line of result.skipped) process.stderr.write(`skipped ${line}\n`);
      } finally {
        await engine.close();
      }
      process.stdout.write(
        `\nnext: npm run servicebench -- metrics --period ${summary.endMonth} --by team\n      npm run servicebench -- query "SELECT * FROM scorecard LIMIT 10"\n`,
      );
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
