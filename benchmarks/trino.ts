/**
 * Query health on Trino (not a test): what each query of `metrics` and of the report costs on a
 * real Trino 476 node, over demo lakes of 13 months and of 3 years that end in the same month. A
 * monthly query should read what its period needs, not the whole history: the 3-year/13-month
 * ratio of bytes read says whether it does (1 when it reads one period, about 2.8 when it reads all).
 *
 *   npm run bench:trino                      # small demo lakes (scale 0.2)
 *   npm run bench:trino -- --scale full
 *
 * Each lake is created through `servicebench ddl` run by the Trino CLI, then metric_values is
 * refreshed (each family's statements are measured too, summed per family: the question of which
 * partitions it writes, then one INSERT per run of at most 100 of them). The queries are the ones the code sends:
 * scorecardRows (what `metrics` runs) for every dimension, and buildReportData (what the report
 * runs), through an engine that runs them one at a time and keeps Trino's statistics of each.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatRows } from '../cli/format.ts';
import { scorecardRows } from '../cli/scorecard.ts';
import { runDemo } from '../demo/index.ts';
import { DEMO_DEFAULTS, parseDemoScale } from '../demo/options.ts';
import { loadConfig, type ServiceBenchConfig } from '../lambdas/core/config/config.ts';
import { DIMENSIONS } from '../lambdas/core/metrics/scorecard.ts';
import type { QueryEngine, SqlValue } from '../lambdas/core/query/engine.ts';
import { deleteStatementTarget, refreshFamilies } from '../lambdas/core/query/refresh.ts';
import { TrinoEngine, type TrinoQueryStats } from '../lambdas/core/query/trino.ts';
import { parsePeriod } from '../lambdas/core/time/periods.ts';
import { buildReportData } from '../lambdas/report/data.ts';
import { METRIC_FAMILIES } from '../sql/materialised.ts';
import { runCli } from '../test/support/cli.ts';
import { runTrinoFile, startTrinoServer, type TrinoServer } from '../test/support/trino/server.ts';

const CONFIG = fileURLToPath(new URL('../examples/servicebench.config.jsonc', import.meta.url));
/** The two histories compared, both ending in DEMO_DEFAULTS.endMonth, the period every query asks for. */
const LAKES = [
  { name: '13 months', months: 13 },
  { name: '3 years', months: 36 },
] as const;
/** Trino warns above 50 stages; every query of metrics and the report stays within it. */
const STAGE_BUDGET = 50;

const { values: args } = parseArgs({ options: { scale: { type: 'string', default: 'small' } } });
const scale = parseDemoScale(args.scale ?? 'small');
const period = parsePeriod(DEMO_DEFAULTS.endMonth);

/** One statement and what it cost: Trino's statistics, and wall time seen by the client. */
interface Measured {
  readonly label: string;
  readonly stats: TrinoQueryStats;
  readonly wallMs: number;
  /** Statements summed under the label (a refresh sends several per family). */
  readonly statements: number;
}

/**
 * A QueryEngine over Trino that runs one statement at a time (the report sends its queries
 * together) so each figure is the query's own, and keeps the statistics of each under a label:
 * the phase, and the function of the report that sent it.
 */
class MeasuringEngine implements QueryEngine {
  readonly measured: Measured[] = [];
  phase = '';
  /** Off for a warm-up pass: the statements run, their figures are not kept. */
  keep = true;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly trino: TrinoEngine) {}

  query<T = Record<string, SqlValue>>(sql: string, params?: Readonly<Record<string, SqlValue>>): Promise<T[]> {
    const sender = senderOf(new Error().stack);
    const label = sender === undefined || sender === 'scorecardRows' ? this.phase : `${this.phase}: ${sender}`;
    const result = this.queue.then(() => this.measure<T>(label, sql, params));
    this.queue = result.catch(() => undefined);
    return result;
  }

  async measure<T>(label: string, sql: string, params?: Readonly<Record<string, SqlValue>>): Promise<T[]> {
    const started = performance.now();
    const { rows, stats } = await this.trino.run<T>(sql, params);
    if (this.keep) this.keepFigures({ label, stats, wallMs: performance.now() - started, statements: 1 });
    return rows;
  }

  /** Adds to the previous figures when they carry the same label: bytes and time summed, the most stages and memory. */
  private keepFigures(measured: Measured): void {
    const last = this.measured.at(-1);
    if (last?.label !== measured.label) {
      this.measured.push(measured);
      return;
    }
    this.measured[this.measured.length - 1] = {
      label: last.label,
      wallMs: last.wallMs + measured.wallMs,
      statements: last.statements + 1,
      stats: {
        ...last.stats,
        stages: Math.max(last.stats.stages, measured.stats.stages),
        physicalInputBytes: last.stats.physicalInputBytes + measured.stats.physicalInputBytes,
        peakMemoryBytes: Math.max(last.stats.peakMemoryBytes, measured.stats.peakMemoryBytes),
        elapsedTimeMillis: last.stats.elapsedTimeMillis + measured.stats.elapsedTimeMillis,
        cpuTimeMillis: last.stats.cpuTimeMillis + measured.stats.cpuTimeMillis,
      },
    };
  }

  async close(): Promise<void> {}
}

/** The function that called MeasuringEngine.query: the frame after it in the stack. */
function senderOf(stack: string | undefined): string | undefined {
  const frames = (stack ?? '').split('\n').slice(2);
  return /^\s+at (?:async )?([\w$.]+) /.exec(frames[0] ?? '')?.[1];
}

interface LakeHealth {
  readonly name: string;
  readonly curatedBytes: number;
  readonly curatedFiles: number;
  readonly demoMs: number;
  readonly ddlMs: number;
  readonly measured: readonly Measured[];
}

async function measureLake(
  server: TrinoServer,
  root: string,
  lake: (typeof LAKES)[number],
  config: ServiceBenchConfig,
): Promise<LakeHealth> {
  const lakeDir = join(root, `lake-${lake.months}`);
  const schema = `bench_${lake.months}m`;
  let started = performance.now();
  const demo = await runDemo({ lakeDir, config, months: lake.months, scale });
  const demoMs = performance.now() - started;
  const [curatedBytes, curatedFiles] = curatedSize(lakeDir);
  log(
    `${lake.name}: demo lake of ${demo.rowsAccepted.toLocaleString('en')} curated rows, ${curatedFiles} Parquet files (${mib(curatedBytes)}) in ${seconds(demoMs)}`,
  );

  started = performance.now();
  const ddl = await runCli([
    '--config',
    CONFIG,
    '--engine',
    'trino',
    '--catalog',
    server.catalog,
    '--schema',
    schema,
    'ddl',
    '--location',
    `local://${lakeDir}`,
  ]);
  if (ddl.code !== 0) throw new Error(`servicebench ddl failed: ${ddl.stderr}`);
  const file = join(root, `ddl-${lake.months}.sql`);
  await writeFile(file, ddl.stdout);
  await runTrinoFile(server.installation, server.url, file);
  const ddlMs = performance.now() - started;
  log(`${lake.name}: ddl run by the Trino CLI in ${seconds(ddlMs)}`);

  const trino = new TrinoEngine({ server: server.url, catalog: server.catalog, schema });
  const engine = new MeasuringEngine(trino);
  for (const family of METRIC_FAMILIES) {
    engine.phase = `refresh ${family}`;
    // Given a query, the refresh writes at most 100 partitions per INSERT, as on Athena.
    const run = (sql: string) => engine.measure(engine.phase, sql);
    await refreshFamilies(deleteStatementTarget(run, run), [family]);
  }
  // Twice, keeping the second pass: the first pays for the JVM compiling the operators it uses.
  for (const keep of [false, true]) {
    engine.keep = keep;
    for (const by of DIMENSIONS) {
      engine.phase = `metrics --by ${by}`;
      await scorecardRows(engine, { period, by });
    }
    engine.phase = 'report';
    await buildReportData(engine, { period, config });
  }
  return { name: lake.name, curatedBytes, curatedFiles, demoMs, ddlMs, measured: engine.measured };
}

function curatedSize(lakeDir: string): [bytes: number, files: number] {
  const curated = join(lakeDir, 'curated');
  const bytes = Number(execFileSync('du', ['-sb', '--exclude=_*', curated]).toString().split('\t')[0]);
  const files = execFileSync('find', [curated, '-name', '*.parquet', '-not', '-path', '*/_*'])
    .toString()
    .split('\n')
    .filter(Boolean).length;
  return [bytes, files];
}

function table(short: LakeHealth, long: LakeHealth): string {
  const rows = short.measured.map((s, i) => {
    const l = long.measured[i];
    if (l === undefined || l.label !== s.label) throw new Error(`the lakes ran different queries at ${s.label}`);
    const ratio = s.stats.physicalInputBytes > 0 ? l.stats.physicalInputBytes / s.stats.physicalInputBytes : Number.NaN;
    return {
      query: s.label,
      statements: s.statements === l.statements ? String(s.statements) : `${s.statements} / ${l.statements}`,
      stages: s.stats.stages === l.stats.stages ? String(s.stats.stages) : `${s.stats.stages} / ${l.stats.stages}`,
      [`read ${short.name}`]: mib(s.stats.physicalInputBytes),
      [`read ${long.name}`]: mib(l.stats.physicalInputBytes),
      'read ratio': Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '–',
      [`peak mem ${short.name}`]: mib(s.stats.peakMemoryBytes),
      [`peak mem ${long.name}`]: mib(l.stats.peakMemoryBytes),
      [`wall ${short.name}`]: seconds(s.wallMs),
      [`wall ${long.name}`]: seconds(l.wallMs),
    };
  });
  return formatRows(rows, 'table');
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const log = (line: string) => process.stderr.write(`${line}\n`);

const root = await mkdtemp(join(tmpdir(), 'sb-bench-trino-'));
const server = await startTrinoServer({ log });
try {
  const config = loadConfig(CONFIG);
  const health: LakeHealth[] = [];
  for (const lake of LAKES) health.push(await measureLake(server, root, lake, config));
  const [short, long] = health as [LakeHealth, LakeHealth];
  process.stdout.write(
    `Query health on Trino 476 (one node, started in ${server.startupSeconds} s), demo scale ${scale}, period ${period.id}\n`,
  );
  for (const h of health) {
    process.stdout.write(
      `  ${h.name}: ${h.curatedFiles} curated Parquet files, ${mib(h.curatedBytes)}; demo ${seconds(h.demoMs)}, ddl ${seconds(h.ddlMs)}\n`,
    );
  }
  process.stdout.write(
    `  read = physical input bytes; read ratio = ${long.name} / ${short.name}; one query at a time; metrics and report queries\n  measured on their second run (the refresh of the first lake pays for the JVM's warm-up)\n\n`,
  );
  process.stdout.write(table(short, long));
  const reportRead = (h: LakeHealth) =>
    h.measured.filter((m) => m.label.startsWith('report')).reduce((sum, m) => sum + m.stats.physicalInputBytes, 0);
  process.stdout.write(
    `\na whole monthly report (every query of buildReportData) read ${mib(reportRead(short))} on ${short.name}, ${mib(reportRead(long))} on ${long.name}: ${(reportRead(long) / reportRead(short)).toFixed(2)}×\n`,
  );
  const over = health.flatMap((h) =>
    h.measured
      .filter((m) => !m.label.startsWith('refresh') && m.stats.stages > STAGE_BUDGET)
      .map((m) => `${h.name} ${m.label}`),
  );
  process.stdout.write(
    `\nmetrics and report queries over ${STAGE_BUDGET} stages: ${over.length === 0 ? 'none' : over.join(', ')}\n`,
  );
} finally {
  await server.stop();
  await rm(root, { recursive: true, force: true });
}
