/**
 * What the CLI, the report and the exporter need from a SQL engine. DuckDB (local) and Athena
 * (deployed) implement it over the same view SQL.
 */
export type SqlValue = string | number | boolean | null;

export interface QueryEngine {
  /**
   * Runs one statement. Named parameters are bound by the engine (`:name` placeholders), never
   * spliced into the text. Result values are JSON-friendly: BIGINT and DOUBLE as number,
   * timestamps as ISO-8601 strings, dates as YYYY-MM-DD.
   */
  query<T = Record<string, SqlValue>>(sql: string, params?: Readonly<Record<string, SqlValue>>): Promise<T[]>;
  close(): Promise<void>;
}
