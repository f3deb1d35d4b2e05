/**
 * Which engine a command queries: the embedded DuckDB over the local lake (the default), or a
 * self-hosted Trino or Starburst cluster whose catalog holds the tables and views `servicebench ddl`
 * created. The global options are checked together, against the command they were given to, and
 * every problem is reported at once with its fix.
 *
 * The engines are imported when a command opens one, so `--help` and a usage error load neither.
 */
import type { ServiceBenchConfig } from '../lambdas/core/config/config.ts';
import type { QueryEngine } from '../lambdas/core/query/engine.ts';
import type { ReportRange } from '../lambdas/core/time/calendar-periods.ts';
import { RANGES_ARE_LOCAL, type ReportPeriod } from '../lambdas/core/time/periods.ts';
import type { CliIo } from './context.ts';

export const ENGINES = ['duckdb', 'trino'] as const;
export type EngineName = (typeof ENGINES)[number];

/** The engine the commands query when --engine is not given. */
export const DEFAULT_ENGINE: EngineName = 'duckdb';

/** Commands that read through a query engine, and so take --engine and the Trino connection options. */
export const ENGINE_COMMANDS = ['query', 'metrics', 'report', 'refresh'] as const;

/** The command that writes Trino's DDL: it takes --engine trino, --catalog and --schema, and connects nowhere. */
export const DDL_COMMAND = 'ddl';

/** The global engine options as given on the command line (undefined when absent). */
export interface EngineFlags {
  readonly engine?: EngineName;
  readonly server?: string;
  readonly catalog?: string;
  readonly schema?: string;
  readonly user?: string;
}

const TRINO_FLAGS = ['server', 'catalog', 'schema', 'user'] as const;

/** Where a command sends its SQL. Catalog, schema and user left undefined take TrinoEngine's defaults. */
export type EngineChoice =
  | { readonly engine: 'duckdb' }
  | {
      readonly engine: 'trino';
      readonly server: string;
      readonly catalog?: string;
      readonly schema?: string;
      readonly user?: string;
    };

/** Options a user must change: every problem, each naming the option, its value and the fix. */
export class UsageError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid options:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'UsageError';
  }
}

/**
 * Every problem of the engine options for one command: Trino options without `--engine trino`,
 * `--engine trino` without a server, a server that is not an http(s) URL, and engine options given
 * to a command that queries no engine. `ddl` takes `--engine trino`, `--catalog` and `--schema`
 * only: it prints statements and connects to no server.
 */
export function engineOptionProblems(flags: EngineFlags, command: string): string[] {
  const given = TRINO_FLAGS.filter((flag) => flags[flag] !== undefined);
  if (command === DDL_COMMAND) {
    const problems: string[] = [];
    if (flags.engine !== 'trino') {
      const given =
        flags.engine === undefined ? 'ddl needs --engine trino' : `--engine ${flags.engine}: use --engine trino`;
      problems.push(
        `${given}: ddl writes Trino statements (the local DuckDB engine creates its tables itself when it opens the lake)`,
      );
    }
    if (flags.server !== undefined) {
      problems.push(
        `--server ${flags.server}: ddl prints the statements and connects to no server; drop --server and run the output with the Trino CLI (trino --server ${flags.server} --file ddl.sql)`,
      );
    }
    if (flags.user !== undefined) problems.push(`--user ${flags.user}: ddl connects to no server; drop --user`);
    return problems;
  }
  if (!(ENGINE_COMMANDS as readonly string[]).includes(command)) {
    const named = [...(flags.engine === undefined ? [] : (['engine'] as const)), ...given];
    return named.map(
      (flag) =>
        `--${flag} ${flags[flag]}: ${command} queries no engine (--${flag} applies to ${ENGINE_COMMANDS.join(', ')} and ${DDL_COMMAND}); drop --${flag}`,
    );
  }
  if (flags.engine !== 'trino') {
    return given.map(
      (flag) =>
        `--${flag} ${flags[flag]}: applies to --engine trino only (the engine is ${flags.engine ?? DEFAULT_ENGINE}); add --engine trino, or drop --${flag}`,
    );
  }
  const problems: string[] = [];
  if (flags.server === undefined) {
    problems.push(
      '--engine trino needs --server URL, the coordinator to query (e.g. --server http://trino.internal:8080)',
    );
  } else if (!isHttpUrl(flags.server)) {
    problems.push(
      `--server ${flags.server}: expected the coordinator's http:// or https:// URL, e.g. http://trino.internal:8080`,
    );
  }
  for (const flag of ['catalog', 'schema', 'user'] as const) {
    if (flags[flag] === '') problems.push(`--${flag} is empty; give a name or drop --${flag}`);
  }
  return problems;
}

/**
 * The engine a command queries; throws a UsageError naming every problem of the engine options and
 * of the command's own options (checked by the command, reported with these).
 */
export function chooseEngine(
  flags: EngineFlags,
  command: string,
  commandProblems: readonly string[] = [],
): EngineChoice {
  const problems = [...engineOptionProblems(flags, command), ...commandProblems];
  if (problems.length > 0) throw new UsageError(problems);
  if (flags.engine !== 'trino' || flags.server === undefined) return { engine: 'duckdb' };
  return {
    engine: 'trino',
    server: flags.server,
    ...(flags.catalog === undefined ? {} : { catalog: flags.catalog }),
    ...(flags.schema === undefined ? {} : { schema: flags.schema }),
    ...(flags.user === undefined ? {} : { user: flags.user }),
  };
}

/** Refuses a range on Trino, whose metric_values holds the materialised grains only (a usage error, exit 1). */
export function checkEngineTakes(choice: EngineChoice, period: ReportPeriod): void {
  if (period.grain === 'range' && choice.engine !== 'duckdb') {
    throw new UsageError([`period ${period.id} on --engine ${choice.engine}: ${RANGES_ARE_LOCAL}`]);
  }
}

/** A short label for messages: `DuckDB over ./lake` or `Trino at URL`. */
export function describeEngine(choice: EngineChoice, lakeDir: string): string {
  return choice.engine === 'duckdb' ? `DuckDB over ${lakeDir}` : `Trino at ${choice.server}`;
}

export interface OpenEngineOptions {
  readonly choice: EngineChoice;
  readonly lakeDir: string;
  /**
   * Read only by DuckDB, when it first builds its reference tables from the config: a statement
   * over the canonical tables alone reads no config.
   */
  readonly config: () => ServiceBenchConfig | Promise<ServiceBenchConfig>;
  /** Told of each step that takes seconds (DuckDB refreshing the metrics of a changed lake). */
  readonly onProgress?: (message: string) => void;
  /**
   * Custom ranges (first and last day, inclusive) DuckDB computes metric rows of grain `range` for,
   * beside its cached metric_values (rangesOf in lambdas/core/time/periods.ts).
   * @default none
   */
  readonly ranges?: readonly ReportRange[];
  /**
   * The SQL is a user's: DuckDB then reaches only the lake's files and cannot change its settings
   * (Trino enforces its own access control).
   * @default false
   */
  readonly sandbox?: boolean;
}

/** Opens the chosen engine: DuckDB over the lake folder, or a client of the Trino coordinator. */
export async function openQueryEngine(options: OpenEngineOptions): Promise<QueryEngine> {
  const { choice } = options;
  if (choice.engine === 'duckdb') {
    const { openLakeEngine } = await import('./duckdb.ts');
    return openLakeEngine({
      lakeDir: options.lakeDir,
      config: options.config,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.sandbox === true ? { sandbox: true } : {}),
      ...(options.ranges && options.ranges.length > 0 ? { ranges: options.ranges } : {}),
    });
  }
  const { TrinoEngine } = await import('../lambdas/core/query/trino.ts');
  return new TrinoEngine(choice);
}

/** Runs `use` on an open engine and closes it, also when `use` fails. */
export async function withQueryEngine<T>(
  options: OpenEngineOptions,
  use: (engine: QueryEngine) => Promise<T>,
): Promise<T> {
  const engine = await openQueryEngine(options);
  try {
    return await use(engine);
  } finally {
    await engine.close();
  }
}

/** Trino error names that mean the catalog lacks what `servicebench ddl` creates. */
const MISSING_OBJECT_ERRORS = new Set(['CATALOG_NOT_FOUND', 'SCHEMA_NOT_FOUND', 'TABLE_NOT_FOUND']);

/**
 * What the CLI prints for a failed command: the error's message (a Trino failure's names Trino's
 * error and the query id), and for a catalog without the project's tables, how to create them.
 */
export function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const trino = trinoFailure(error);
  if (trino === undefined || !MISSING_OBJECT_ERRORS.has(trino.errorName)) return message;
  return `${message}\nhint: create the schema, tables and views first: servicebench --engine trino ${DDL_COMMAND} --location URI [--catalog C] [--schema S] > ddl.sql, then trino --server URL --file ddl.sql (see docs/trino.md)`;
}

/** The TrinoQueryError in an error's cause chain (a refresh wraps it with the family it was writing). */
function trinoFailure(error: unknown): { errorName: string; queryId: string } | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (current.name === 'TrinoQueryError') return current as Error & { errorName: string; queryId: string };
  }
  return undefined;
}

/** Writes a note on stderr when a Trino scorecard is empty: most often its refresh has not run. */
export function noteEmptyScorecard(io: CliIo, choice: EngineChoice): void {
  if (choice.engine !== 'trino') return;
  io.stderr.write(
    `note: metrics read the materialised metric_values table; after the lake changes, refresh it: servicebench --engine trino --server ${choice.server} refresh\n`,
  );
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
