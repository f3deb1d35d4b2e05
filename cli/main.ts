/**
 * The `servicebench` CLI: the local, embedded mode of the product. It runs the same normaliser as
 * the Lambda and the same view SQL as Athena, on a lake folder and an embedded DuckDB.
 *
 * Only the option parsing is loaded up front: each command imports its own dependencies (DuckDB,
 * the AWS SDK through the adapters, vega for the charts) when it runs, so `--help` and a mistyped
 * option answer at once.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEMO_DEFAULTS, parseDemoScale } from '../demo/options.ts';
import { DEFAULTS } from '../lambdas/core/config/defaults.ts';
import { DEFAULT_REPORT_NAME, REPORT_FORMATS, type ReportFormat } from '../lambdas/core/config/reports.ts';
import {
  DIMENSIONS,
  type Dimension,
  GRAINS,
  type Grain,
  parseScope,
  type Scope,
} from '../lambdas/core/metrics/scorecard.ts';
import { TRINO_DEFAULTS } from '../lambdas/core/query/trino.ts';
import { METRIC_FAMILIES, type MetricFamily } from '../sql/materialised.ts';
import type { CliIo, CommandContext } from './context.ts';
import { chooseEngine, DDL_COMMAND, describeFailure, ENGINES, type EngineFlags } from './engine.ts';
import { EXIT } from './exit.ts';
import { OUTPUT_FORMATS, type OutputFormat } from './format.ts';

interface GlobalOptions extends EngineFlags {
  readonly lake: string;
  readonly config?: string;
}

/** Turns a parser's Error into commander's usage error, so it prints as one and exits 1. */
function usage<T>(parse: (value: string) => T) {
  return (value: string): T => {
    try {
      return parse(value);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

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

/** A repeatable option that also takes comma-separated values: `--family a --family b,c`. */
function collectOf<T extends string>(allowed: readonly T[]) {
  const parse = listOf(allowed);
  return (value: string, previous: T[] | undefined): T[] => [...new Set([...(previous ?? []), ...parse(value)])];
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

/** The period options of `metrics` and `report`: one of --period, or --from with --to. */
interface PeriodOptions {
  readonly period?: string;
  readonly grain?: Grain;
  readonly from?: string;
  readonly to?: string;
  /** Shorthand of `--period ytd`. */
  readonly ytd?: boolean;
}

/** The period options with `--ytd` spelled as `--period ytd`, which the period parser reads. */
function periodOf<T extends PeriodOptions>(options: T): T {
  if (options.ytd !== true) return options;
  if (options.period !== undefined) throw new Error(`give either --ytd or --period ${options.period}, not both`);
  return { ...options, period: 'ytd' };
}

const PERIOD_HELP = 'YYYY-MM (month), YYYY-Www (ISO week), YYYY-Qn (quarter), YYYY (year), YYYY-MM-DD (a day) or ytd';

const RANGE_HELP = {
  from: 'first day of a custom range (with --to)',
  to: 'last day of a custom range, included (with --from)',
  ytd: 'the year to date in reporting.timeZone, today included (same as --period ytd)',
} as const;

const PERIOD_NOTES = `
Give --period, or --from and --to. Periods are local days of reporting.timeZone (default UTC).
A day, ytd (the year to date, today included) and --from/--to are ranges: compared with the
equal-length range just before, and computed on the local engine only. With --grain week, a
date is the week starting that Monday.
  --period 2025-06   --period 2025-W23   --period 2025-Q2   --period 2025
  --period 2025-06-04   --period ytd   --from 2025-04-15 --to 2025-06-15`;

function buildProgram(io: CliIo, exitWith: (code: number) => void): Command {
  const program = new Command('servicebench')
    .description(
      'Customer-service scoring and benchmarking on a local lake: ingest exports, query the metric views, report.',
    )
    .option('--lake <dir>', 'local lake folder (landing/, curated/, quarantine/, exports/)', DEFAULTS.lakeDir)
    .option('--config <file>', `config file (default: ./${DEFAULTS.configFile}, else the shipped example)`)
    .addOption(
      new Option(
        '--engine <engine>',
        `engine of query, metrics, report and refresh: duckdb (the local lake) or trino (a cluster, with --server); ddl takes trino (default: duckdb)`,
      ).argParser(oneOf(ENGINES)),
    )
    .option('--server <url>', 'Trino coordinator URL, e.g. http://trino.internal:8080 (with --engine trino)')
    .option('--catalog <name>', `Trino catalog holding the tables (default: ${TRINO_DEFAULTS.catalog})`)
    .option('--schema <name>', `Trino schema holding the tables (default: ${TRINO_DEFAULTS.schema})`)
    .option('--user <name>', `Trino user the queries run as (default: ${TRINO_DEFAULTS.user})`)
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError()
    .exitOverride();
  /** The context of one command, once its engine options are valid for it (else a UsageError lists every problem). */
  const context = (command: string, commandProblems: readonly string[] = []): CommandContext => {
    const { lake, config, ...engineFlags } = program.opts<GlobalOptions>();
    const engine = chooseEngine(engineFlags, command, commandProblems);
    return { io, lakeDir: lake, configFile: config, engine, engineFlags };
  };
  const formatOption = () =>
    new Option('--format <format>', OUTPUT_FORMATS.join(', ')).argParser(oneOf(OUTPUT_FORMATS)).default('table');
  const jobsOption = () =>
    new Option(
      '--jobs <n>',
      "files normalised at once, each on its own worker thread; 1 runs them one by one in this process (default: the machine's cores)",
    ).argParser(positiveInteger);
  const grainOption = () =>
    new Option('--grain <grain>', `${GRAINS.join(' or ')} (default: what the period names)`).argParser(oneOf(GRAINS));

  program
    .command('ingest')
    .description('Land export files under a source and normalise them into the curated zone.')
    .requiredOption('--source <name>', 'source name from the config (decides the adapter and its options)')
    .option('--strict', `exit ${EXIT.rowsRejected} when any row is rejected`)
    .option(
      '--no-sentiment',
      `leave social posts without sentiment (default: scored by the local ${DEFAULTS.sentimentAnalyser} analyser)`,
    )
    .addOption(jobsOption())
    .argument('<files...>', 'export files to ingest')
    .action(
      async (files: string[], options: { source: string; strict?: boolean; sentiment: boolean; jobs?: number }) => {
        const { ingest } = await import('./commands/ingest.ts');
        exitWith(await ingest(context('ingest'), files, options));
      },
    );

  program
    .command('query')
    .description('Run SQL over the curated tables and every metric view (DuckDB or Trino, same view SQL as Athena).')
    .argument('<sql>', 'one SQL statement')
    .addOption(formatOption())
    .action(async (sql: string, options: { format: OutputFormat }) => {
      const { query } = await import('./commands/query.ts');
      await query(context('query'), sql, options.format);
    });

  program
    .command('metrics')
    .description('Print the scorecard: every metric with its target, benchmark, peer rank and change.')
    .option('--period <period>', PERIOD_HELP)
    .addOption(grainOption())
    .option('--from <YYYY-MM-DD>', RANGE_HELP.from)
    .option('--to <YYYY-MM-DD>', RANGE_HELP.to)
    .option('--ytd', RANGE_HELP.ytd)
    .addOption(new Option('--by <dimension>', DIMENSIONS.join(', ')).argParser(oneOf(DIMENSIONS)).default('overall'))
    .addOption(formatOption())
    .addHelpText('after', PERIOD_NOTES)
    .action(async (options: PeriodOptions & { by: Dimension; format: OutputFormat }) => {
      const { metrics } = await import('./commands/metrics.ts');
      await metrics(context('metrics'), periodOf(options));
    });

  program
    .command('alerts')
    .description(
      'List the closed-loop alerts of the lake (the configured alerts.rules) with their follow-ups, and write them to exports/alerts/.',
    )
    .option('--since <YYYY-MM-DD>', 'first day listed (UTC; default: every alert of the lake)')
    .addOption(formatOption())
    .action(async (options: { since?: string; format: OutputFormat }) => {
      const { alerts, alertsProblems } = await import('./commands/alerts.ts');
      await alerts(context('alerts', alertsProblems(options)), options);
    });

  program
    .command('report')
    .description('Write the executive benchmark report (HTML, CSV, and PDF when Chromium is installed).')
    .option('--period <period>', PERIOD_HELP)
    .addOption(grainOption())
    .option('--from <YYYY-MM-DD>', RANGE_HELP.from)
    .option('--to <YYYY-MM-DD>', RANGE_HELP.to)
    .option('--ytd', RANGE_HELP.ytd)
    .option('--scope <dimension:value>', 'report on one team, channel, agent, queue or source', usage(parseScope))
    .option('--name <name>', 'report name used in file names', DEFAULT_REPORT_NAME)
    .addOption(
      new Option('--format <formats>', `comma-separated: ${REPORT_FORMATS.join(',')}`)
        .argParser(listOf(REPORT_FORMATS))
        .default(REPORT_FORMATS),
    )
    .option('--out <dir>', 'also copy the files to this folder')
    .addHelpText('after', PERIOD_NOTES)
    .action(
      async (
        options: PeriodOptions & {
          scope?: Scope;
          name: string;
          format: ReportFormat[];
          out?: string;
        },
      ) => {
        const { report } = await import('./commands/report.ts');
        await report(context('report'), periodOf(options));
      },
    );

  program
    .command('refresh')
    .description(
      "Rewrite the materialised metric_values table from the metric views, one metric family after another, and print each family's rows and time.",
    )
    .addOption(
      new Option(
        '--family <families>',
        `metric families to rewrite, repeatable or comma-separated: ${METRIC_FAMILIES.join(', ')} (default: all; with --engine trino only)`,
      ).argParser(collectOf(METRIC_FAMILIES)),
    )
    .addHelpText(
      'after',
      `
A refresh rewrites whole families, every period at once: there is no per-period refresh. Run it
after the lake changes (ingest, compaction) and before metrics or report.
With --engine trino it writes the cluster's metric_values table, which metrics and report read.
The local DuckDB engine keeps metric_values in memory and refreshes every family each time it opens
the lake, so there refresh only shows what a refresh computes and how long it takes.`,
    )
    .action(async (options: { family?: MetricFamily[] }) => {
      const { refresh, refreshProblems } = await import('./commands/refresh.ts');
      await refresh(context('refresh', refreshProblems(options, program.opts<GlobalOptions>())), options);
    });

  program
    .command(DDL_COMMAND)
    .description(
      'Print the Trino DDL of the lake (schema, canonical, reference and materialised tables, views) as one file for the Trino CLI.',
    )
    .requiredOption(
      '--location <uri>',
      'lake root as Trino sees it: local:///abs/path/to/lake (a local lake: its reference files are written there) or s3://bucket/prefix',
    )
    .addHelpText(
      'after',
      `
Takes the global --engine trino (required), --catalog and --schema, e.g.
  servicebench --engine trino ddl --location local://$PWD/lake > ddl.sql
  trino --server http://localhost:8080 --file ddl.sql
For an s3:// location, the reference tables read reference/<table>/rows.json under it: copy the
files a local run writes (servicebench --engine trino ddl --location local://…) to the bucket.`,
    )
    .action(async (options: { location: string }) => {
      const { ddl, ddlProblems } = await import('./commands/ddl.ts');
      await ddl(context(DDL_COMMAND, ddlProblems(options.location, program.opts<GlobalOptions>())), options);
    });

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
      usage(parseDemoScale),
      DEMO_DEFAULTS.scale,
    )
    .addOption(jobsOption())
    .action(async (options: { seed: number; months: number; end: string; scale: number; jobs?: number }) => {
      const { demo } = await import('./commands/demo.ts');
      await demo(context('demo'), options);
    });

  program
    .command('erase')
    .description(
      'Erase customers from the lake: every version of their curated records and the reject lines holding them, with a record of what went under curated/_erasures/.',
    )
    .requiredOption(
      '--customer <id>',
      'e-mail, phone or external id as the exports hold it; repeat it for every identifier the customer has in any source',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--dry-run', 'print what would be removed, change nothing and write no record')
    .addHelpText(
      'after',
      `
Raw landing objects are never modified: the command names those the customer's rows came from;
delete them, or ingesting them again brings the rows back. A second run finds nothing left.
Reports already written under exports/ are not changed.`,
    )
    .action(async (options: { customer: string[]; dryRun?: boolean }) => {
      const { erase } = await import('./commands/erase.ts');
      exitWith(await erase(context('erase'), options));
    });

  program
    .command('validate-config')
    .description('Check the config file and report every problem at once.')
    .action(async () => {
      const { validateConfigFile } = await import('./commands/validate-config.ts');
      validateConfigFile(context('validate-config'));
    });

  program
    .command('adapters')
    .description('List the export formats the normaliser reads.')
    .action(async () => {
      const { adapters } = await import('./commands/adapters.ts');
      adapters(context('adapters'));
    });

  return program;
}

/** Runs one command line (without the node and script arguments) and returns its exit code. */
export async function main(
  argv: readonly string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return exitCode;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version') return EXIT.ok;
    if (typeof code === 'string' && code.startsWith('commander.')) return EXIT.error;
    io.stderr.write(`error: ${describeFailure(error)}\n`);
    return EXIT.error;
  }
}
