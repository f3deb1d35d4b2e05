/**
 * The QueryEngine on a self-hosted Trino (or Starburst) cluster: the same view SQL Athena runs,
 * sent through Trino's REST protocol by the official `trino-client` package. Named `:name`
 * parameters are bound by Trino (`EXECUTE IMMEDIATE … USING`), never spliced into the statement.
 */
import type { QueryError, QueryResult, QueryStage, QueryStats, Trino } from 'trino-client';
import type { QueryEngine, SqlValue } from './engine.ts';
import { rewritePlaceholders } from './placeholders.ts';

export const TRINO_DEFAULTS = {
  /** Trino's own default HTTP port on this machine. */
  server: 'http://localhost:8080',
  /** The catalog name the Trino documentation and most deployments give the Hive connector. */
  catalog: 'hive',
  /** The Glue database name of the stack, so one set of queries serves both. */
  schema: 'servicebench',
  /** Shown in Trino's query list; without authentication it is only a label. */
  user: 'servicebench',
  /** The X-Trino-Source of every query, to find this tool's queries in the Trino UI. */
  source: 'servicebench',
} as const;

export interface TrinoEngineOptions {
  /** Coordinator URL, e.g. `http://trino.internal:8080`. @default TRINO_DEFAULTS.server */
  readonly server?: string;
  /** @default TRINO_DEFAULTS.catalog */
  readonly catalog?: string;
  /** @default TRINO_DEFAULTS.schema */
  readonly schema?: string;
  /** @default TRINO_DEFAULTS.user */
  readonly user?: string;
  /** Sent with basic authentication (a cluster behind TLS with password authentication). @default none */
  readonly password?: string;
}

/** A query Trino reported as failed, with Trino's own message, error name and query id. */
export class TrinoQueryError extends Error {
  constructor(
    readonly queryId: string,
    readonly errorName: string,
    readonly errorType: string,
    readonly trinoMessage: string,
  ) {
    super(`Trino query ${queryId} failed (${errorName}): ${trinoMessage}`);
    this.name = 'TrinoQueryError';
  }
}

/** What one query cost, from the statistics Trino sends with its last result. */
export interface TrinoQueryStats {
  readonly queryId: string;
  /** Stages the query ran in (Trino's default hard limit is 150, with a warning above 50). */
  readonly stages: number;
  readonly physicalInputBytes: number;
  readonly peakMemoryBytes: number;
  readonly elapsedTimeMillis: number;
  readonly cpuTimeMillis: number;
}

export interface TrinoRun<T> {
  readonly rows: T[];
  readonly stats: TrinoQueryStats;
}

export class TrinoEngine implements QueryEngine {
  readonly server: string;
  readonly catalog: string;
  readonly schema: string;
  private readonly user: string;
  private readonly password: string | undefined;
  /**
   * Created on the first query: the client package is imported then, so importing this module (for
   * TRINO_DEFAULTS, as the DDL generator in the Lambda bundles does) does not load it.
   */
  private client: Promise<Trino> | undefined;

  constructor(options: TrinoEngineOptions = {}) {
    this.server = options.server ?? TRINO_DEFAULTS.server;
    this.catalog = options.catalog ?? TRINO_DEFAULTS.catalog;
    this.schema = options.schema ?? TRINO_DEFAULTS.schema;
    this.user = options.user ?? TRINO_DEFAULTS.user;
    this.password = options.password;
  }

  async query<T = Record<string, SqlValue>>(sql: string, params?: Readonly<Record<string, SqlValue>>): Promise<T[]> {
    return (await this.run<T>(sql, params)).rows;
  }

  /** Runs one statement (DDL included) to completion and discards any rows. */
  async exec(sql: string, params?: Readonly<Record<string, SqlValue>>): Promise<void> {
    await this.run(sql, params);
  }

  /** Runs one statement and returns its rows with what it cost (stages, input bytes, memory, time). */
  async run<T = Record<string, SqlValue>>(
    sql: string,
    params?: Readonly<Record<string, SqlValue>>,
  ): Promise<TrinoRun<T>> {
    return this.send<T>(bindParameters(withoutTrailingSemicolon(sql), params ?? {}));
  }

  /**
   * Stages Trino plans for a query: the distinct fragments of `EXPLAIN (TYPE DISTRIBUTED)`.
   * Trino refuses a query over `query.max-stage-count` (150 by default) and warns above 50.
   */
  async plannedStages(sql: string, params?: Readonly<Record<string, SqlValue>>): Promise<number> {
    // EXPLAIN does not pass parameters on to the statement it explains, EXECUTE IMMEDIATE does.
    const statement = bindParameters(withoutTrailingSemicolon(sql), params ?? {});
    const { rows } = await this.send<Record<string, SqlValue>>(`EXPLAIN (TYPE DISTRIBUTED) ${statement}`);
    const plan = rows.map((row) => String(Object.values(row)[0] ?? '')).join('\n');
    return new Set(plan.match(/^Fragment \d+/gm) ?? []).size;
  }

  /** Nothing to release: the client holds no connection between requests. */
  async close(): Promise<void> {}

  private async send<T>(statement: string): Promise<TrinoRun<T>> {
    let results: AsyncIterator<QueryResult>;
    try {
      results = await (await this.connect()).query({ query: statement, user: this.user });
    } catch (error) {
      throw this.unreachable(error);
    }
    const rows: Record<string, SqlValue>[] = [];
    let last: QueryResult | undefined;
    for (;;) {
      let step: IteratorResult<QueryResult>;
      try {
        step = await results.next();
      } catch (error) {
        throw this.unreachable(error);
      }
      const result = step.value as QueryResult | undefined;
      if (result?.error) throw toQueryError(result.id, result.error);
      // The iterator ends by repeating the last page it returned.
      if (step.done) break;
      last = result;
      const columns = result?.columns ?? [];
      for (const values of result?.data ?? []) {
        const row: Record<string, SqlValue> = {};
        columns.forEach((column, i) => {
          row[column.name] = convertValue(values[i], column.type);
        });
        rows.push(row);
      }
    }
    return { rows: rows as T[], stats: summarise(last) };
  }

  private connect(): Promise<Trino> {
    this.client ??= import('trino-client').then(({ BasicAuth, Trino }) =>
      Trino.create({
        server: this.server,
        catalog: this.catalog,
        schema: this.schema,
        source: TRINO_DEFAULTS.source,
        // Trino refuses credentials over plain HTTP, so only a password turns basic authentication on.
        ...(this.password === undefined ? {} : { auth: new BasicAuth(this.user, this.password) }),
      }),
    );
    return this.client;
  }

  private unreachable(error: unknown): Error {
    const reason = error instanceof Error ? error.message : String(error);
    return new Error(`Trino at ${this.server} did not answer: ${reason}`, { cause: error });
  }
}

function toQueryError(queryId: string, error: QueryError): TrinoQueryError {
  return new TrinoQueryError(queryId, error.errorName, error.errorType, error.message);
}

function summarise(result: QueryResult | undefined): TrinoQueryStats {
  const stats: Partial<QueryStats> = result?.stats ?? {};
  return {
    queryId: result?.id ?? '',
    stages: countStages(stats.rootStage),
    physicalInputBytes: stats.physicalInputBytes ?? 0,
    peakMemoryBytes: stats.peakMemoryBytes ?? 0,
    elapsedTimeMillis: stats.elapsedTimeMillis ?? 0,
    cpuTimeMillis: stats.cpuTimeMillis ?? 0,
  };
}

function countStages(stage: QueryStage | undefined): number {
  if (!stage) return 0;
  return 1 + (stage.subStages ?? []).reduce((sum, sub) => sum + countStages(sub), 0);
}

/** Trino takes one statement without a terminator; the view files end theirs with `;`. */
function withoutTrailingSemicolon(sql: string): string {
  return sql.replace(/[\s;]+$/, '');
}

/**
 * `:name` placeholders become `?` and the statement runs as `EXECUTE IMMEDIATE '<sql>' USING
 * <values>`, so Trino binds each value with its type. Without placeholders the text is sent as is.
 */
export function bindParameters(sql: string, params: Readonly<Record<string, SqlValue>>): string {
  const { text, names } = rewritePlaceholders(sql, () => '?');
  if (names.length === 0) return sql;
  const missing = [...new Set(names.filter((name) => !Object.hasOwn(params, name)))];
  if (missing.length > 0) {
    throw new Error(`cannot bind parameters: ${missing.map((name) => `:${name} has no value`).join('; ')}`);
  }
  const values = names.map((name) => toTrinoLiteral(params[name] as SqlValue, name));
  return `EXECUTE IMMEDIATE ${quoteString(text)} USING ${values.join(', ')}`;
}

/**
 * A parameter value as a typed Trino literal: strings as VARCHAR with quotes doubled, whole
 * numbers as integers, other numbers as DOUBLE (a bare `2.5` would be a DECIMAL), NULL untyped.
 */
export function toTrinoLiteral(value: SqlValue, name: string): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`parameter :${name} must be a finite number (got ${value})`);
    if (Number.isSafeInteger(value)) return String(value);
    return `DOUBLE ${quoteString(String(value))}`;
  }
  return quoteString(value);
}

function quoteString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'integer', 'bigint']);
const FLOAT_TYPES = new Set(['double', 'real']);
const SPECIAL_FLOATS: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
};

/**
 * Trino's JSON values in the QueryEngine contract: numbers for every numeric type (DECIMAL arrives
 * as text, non-finite DOUBLE as a word), timestamps as ISO-8601 in UTC, dates as YYYY-MM-DD,
 * nested values (arrays, maps, rows) as JSON text.
 */
export function convertValue(value: unknown, type: string): SqlValue {
  if (value === null || value === undefined) return null;
  // `timestamp(3) with time zone` → `timestamp with time zone`, `decimal(10,2)` → `decimal`.
  const base = type.toLowerCase().replace(/\(\d+(?:,\s*\d+)?\)/, '');
  if (INTEGER_TYPES.has(base)) return Number(value);
  if (FLOAT_TYPES.has(base))
    return typeof value === 'string' ? (SPECIAL_FLOATS[value] ?? Number(value)) : Number(value);
  if (base === 'decimal') return Number(value);
  if (base === 'timestamp' || base === 'timestamp with time zone') return toIsoTimestamp(String(value), type);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

/**
 * `2025-06-01 12:00:00.000` (a TIMESTAMP, read as UTC like the session) or with a zone,
 * `… UTC` / `… +02:00` / `… Europe/Paris` (a TIMESTAMP WITH TIME ZONE), to milliseconds in UTC.
 */
function toIsoTimestamp(text: string, type: string): string {
  const match = /^(-?\d{4,}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)?(?: (.+))?$/.exec(text);
  if (!match) throw new Error(`unexpected ${type} value from Trino: ${text}`);
  const [, date, time, fraction, zone] = match;
  const local = `${date}T${time}${(fraction ?? '.000').padEnd(4, '0').slice(0, 4)}`;
  if (zone === undefined || zone === 'UTC' || zone === 'Z') return new Date(`${local}Z`).toISOString();
  if (/^[+-]\d{2}:\d{2}$/.test(zone)) return new Date(`${local}${zone}`).toISOString();
  return new Date(zonedToUtc(local, zone)).toISOString();
}

/** Epoch milliseconds of a wall-clock time in an IANA zone (the offset taken at that instant). */
function zonedToUtc(local: string, zone: string): number {
  const asUtc = Date.parse(`${local}Z`);
  const offsetAt = (instant: number): number => {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }).formatToParts(instant);
    const field = (kind: string) => Number(parts.find((part) => part.type === kind)?.value);
    const wall = Date.UTC(
      field('year'),
      field('month') - 1,
      field('day'),
      field('hour'),
      field('minute'),
      field('second'),
    );
    return wall - Math.floor(instant / 1000) * 1000;
  };
  const first = asUtc - offsetAt(asUtc);
  return asUtc - offsetAt(first);
}
