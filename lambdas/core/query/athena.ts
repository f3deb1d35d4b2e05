/**
 * The QueryEngine on Amazon Athena: the same view SQL the local DuckDB engine runs, executed in the
 * deployed workgroup. Named `:name` parameters become positional execution parameters, so values
 * are bound by Athena and never spliced into the statement text.
 */
import {
  AthenaClient,
  type ColumnInfo,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type QueryExecution,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { QueryEngine, SqlValue } from './engine.ts';
import { rewritePlaceholders } from './placeholders.ts';

/** Tuning of the polling loop and retries; each default is a named constant below. */
export const ATHENA_DEFAULTS = {
  /** First wait between two GetQueryExecution calls. */
  pollInitialMs: 250,
  /** Longest wait between two polls (the wait doubles until it reaches this). */
  pollMaxMs: 5_000,
  /** A query still running after this long is stopped and reported as timed out. */
  timeoutMs: 10 * 60_000,
  /** Attempts for throttled starts and for failures Athena marks as retryable. */
  maxAttempts: 4,
  /** Rows per GetQueryResults page (the API maximum). */
  pageSize: 1_000,
  catalog: 'AwsDataCatalog',
} as const;

export interface AthenaEngineOptions {
  readonly workGroup: string;
  readonly database: string;
  readonly client?: AthenaClient;
  /** @default ATHENA_DEFAULTS.catalog */
  readonly catalog?: string;
  /** @default ATHENA_DEFAULTS.pollInitialMs */
  readonly pollInitialMs?: number;
  /** @default ATHENA_DEFAULTS.pollMaxMs */
  readonly pollMaxMs?: number;
  /** @default ATHENA_DEFAULTS.timeoutMs */
  readonly timeoutMs?: number;
  /** @default ATHENA_DEFAULTS.maxAttempts */
  readonly maxAttempts?: number;
  /** Replaced in tests so polling does not wait for real. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A query Athena reported as FAILED or CANCELLED; the message is Athena's own StateChangeReason. */
export class AthenaQueryError extends Error {
  constructor(
    readonly queryExecutionId: string,
    readonly state: string,
    readonly reason: string,
  ) {
    super(`Athena query ${queryExecutionId} ${state}: ${reason}`);
    this.name = 'AthenaQueryError';
  }
}

export interface CompletedQuery {
  readonly queryExecutionId: string;
  readonly execution: QueryExecution;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const THROTTLING_ERRORS = new Set(['TooManyRequestsException', 'ThrottlingException']);

export class AthenaEngine implements QueryEngine {
  private readonly client: AthenaClient;
  private readonly catalog: string;
  private readonly pollInitialMs: number;
  private readonly pollMaxMs: number;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: AthenaEngineOptions) {
    this.client = options.client ?? new AthenaClient({});
    this.catalog = options.catalog ?? ATHENA_DEFAULTS.catalog;
    this.pollInitialMs = options.pollInitialMs ?? ATHENA_DEFAULTS.pollInitialMs;
    this.pollMaxMs = options.pollMaxMs ?? ATHENA_DEFAULTS.pollMaxMs;
    this.timeoutMs = options.timeoutMs ?? ATHENA_DEFAULTS.timeoutMs;
    this.maxAttempts = options.maxAttempts ?? ATHENA_DEFAULTS.maxAttempts;
    this.sleep = options.sleep ?? sleepFor;
  }

  async query<T = Record<string, SqlValue>>(sql: string, params?: Readonly<Record<string, SqlValue>>): Promise<T[]> {
    const { text, values } = toPositional(sql, params ?? {});
    const { queryExecutionId, execution } = await this.execute(text, values);
    return (await this.readResults(queryExecutionId, execution.StatementType === 'DML')) as T[];
  }

  /**
   * Runs one statement to completion (DDL included) and returns its execution. Throttled starts
   * and failures Athena marks as retryable are retried; anything else throws AthenaQueryError.
   */
  async execute(sql: string, executionParameters: readonly string[] = []): Promise<CompletedQuery> {
    for (let attempt = 1; ; attempt++) {
      const queryExecutionId = await this.start(sql, executionParameters);
      const execution = await this.waitFor(queryExecutionId);
      const state = execution.Status?.State ?? 'UNKNOWN';
      if (state === 'SUCCEEDED') return { queryExecutionId, execution };
      const retryable = execution.Status?.AthenaError?.Retryable === true;
      const reason =
        execution.Status?.StateChangeReason ?? execution.Status?.AthenaError?.ErrorMessage ?? 'no reason given';
      if (!retryable || attempt >= this.maxAttempts) throw new AthenaQueryError(queryExecutionId, state, reason);
      await this.sleep(this.backoff(attempt));
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private async start(sql: string, executionParameters: readonly string[]): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      try {
        const started = await this.client.send(
          new StartQueryExecutionCommand({
            QueryString: sql,
            WorkGroup: this.options.workGroup,
            QueryExecutionContext: { Database: this.options.database, Catalog: this.catalog },
            ...(executionParameters.length > 0 ? { ExecutionParameters: [...executionParameters] } : {}),
          }),
        );
        if (!started.QueryExecutionId) throw new Error('Athena returned no QueryExecutionId');
        return started.QueryExecutionId;
      } catch (error) {
        const name = (error as { name?: string }).name ?? '';
        if (!THROTTLING_ERRORS.has(name) || attempt >= this.maxAttempts) throw error;
        await this.sleep(this.backoff(attempt));
      }
    }
  }

  private async waitFor(queryExecutionId: string): Promise<QueryExecution> {
    let waited = 0;
    let delay = this.pollInitialMs;
    for (;;) {
      const { QueryExecution: execution } = await this.client.send(
        new GetQueryExecutionCommand({ QueryExecutionId: queryExecutionId }),
      );
      const state = execution?.Status?.State;
      if (execution && (state === 'SUCCEEDED' || state === 'FAILED' || state === 'CANCELLED')) return execution;
      if (waited >= this.timeoutMs) {
        await this.client.send(new StopQueryExecutionCommand({ QueryExecutionId: queryExecutionId }));
        throw new AthenaQueryError(
          queryExecutionId,
          'TIMED_OUT',
          `still ${state ?? 'unknown'} after ${Math.round(waited / 1000)} s; the query was stopped`,
        );
      }
      await this.sleep(delay);
      waited += delay;
      delay = Math.min(delay * 2, this.pollMaxMs);
    }
  }

  private backoff(attempt: number): number {
    return Math.min(this.pollInitialMs * 2 ** attempt, this.pollMaxMs);
  }

  private async readResults(queryExecutionId: string, hasHeaderRow: boolean): Promise<Record<string, SqlValue>[]> {
    const rows: Record<string, SqlValue>[] = [];
    let columns: ColumnInfo[] | undefined;
    let nextToken: string | undefined;
    let first = true;
    do {
      const page = await this.client.send(
        new GetQueryResultsCommand({
          QueryExecutionId: queryExecutionId,
          MaxResults: ATHENA_DEFAULTS.pageSize,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      );
      columns ??= page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
      const pageRows = page.ResultSet?.Rows ?? [];
      // Athena repeats the column labels as the first row of a SELECT's first page.
      const start = first && hasHeaderRow ? 1 : 0;
      for (const row of pageRows.slice(start)) {
        const record: Record<string, SqlValue> = {};
        columns.forEach((column, i) => {
          record[column.Name ?? `_col${i}`] = convertValue(row.Data?.[i]?.VarCharValue, column.Type ?? 'varchar');
        });
        rows.push(record);
      }
      first = false;
      nextToken = page.NextToken;
    } while (nextToken);
    return rows;
  }
}

const NUMERIC_TYPES = new Set(['tinyint', 'smallint', 'integer', 'int', 'bigint', 'double', 'real', 'float']);

/** Athena returns every value as text; this restores the JSON-friendly types of the QueryEngine contract. */
export function convertValue(text: string | undefined, type: string): SqlValue {
  if (text === undefined) return null;
  const base = type.toLowerCase();
  if (NUMERIC_TYPES.has(base) || base.startsWith('decimal')) {
    if (text === 'NaN') return Number.NaN;
    if (text === 'Infinity') return Number.POSITIVE_INFINITY;
    if (text === '-Infinity') return Number.NEGATIVE_INFINITY;
    return Number(text);
  }
  if (base === 'boolean') return text === 'true';
  if (base === 'timestamp' || base.startsWith('timestamp(')) return toIsoTimestamp(text);
  if (base.startsWith('timestamp with time zone') || base.startsWith('timestamp(3) with time zone'))
    return toIsoTimestamp(text);
  return text;
}

/** `2025-06-01 12:00:00.000` (UTC) or `2025-06-01 12:00:00.000 UTC` → `2025-06-01T12:00:00.000Z`. */
function toIsoTimestamp(text: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?(?: (UTC|Z|[+-]\d{2}:\d{2}))?$/.exec(text);
  if (!match) return text;
  const [, date, time, fraction, zone] = match;
  const millis = (fraction ?? '.000').padEnd(4, '0').slice(0, 4);
  const offset = zone === undefined || zone === 'UTC' || zone === 'Z' ? 'Z' : zone;
  const parsed = new Date(`${date}T${time}${millis}${offset}`);
  return Number.isNaN(parsed.getTime()) ? text : parsed.toISOString();
}

/** A JS value as the SQL literal Athena expects in ExecutionParameters (strings quoted, quotes doubled). */
export function toSqlLiteral(value: SqlValue, name: string): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`parameter :${name} must be a finite number (got ${value})`);
    return String(value);
  }
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Rewrites `:name` placeholders to positional `?` in order of appearance and returns the matching
 * execution parameters. Placeholders inside string literals, quoted identifiers and comments are
 * left alone. Every placeholder must have a value.
 */
export function toPositional(
  sql: string,
  params: Readonly<Record<string, SqlValue>>,
): { text: string; values: string[] } {
  const { text, names } = rewritePlaceholders(sql, () => '?');
  const missing = [...new Set(names.filter((name) => !Object.hasOwn(params, name)))];
  if (missing.length > 0) {
    throw new Error(`cannot bind parameters: ${missing.map((name) => `:${name} has no value`).join('; ')}`);
  }
  return { text, values: names.map((name) => toSqlLiteral(params[name] as SqlValue, name)) };
}
