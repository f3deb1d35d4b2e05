/**
 * The local query engine of the CLI: an embedded DuckDB over a lake folder, with the canonical
 * tables under their canonical names (the curated Parquet, one compacted file per table and day,
 * read when the engine opens), the reference tables built from the config, the Trino compatibility
 * macros, and every view of the registry from the same `sql/views` files Athena runs. The
 * materialised tables are in-memory tables, filled by the same refresh statements Trino and Athena
 * run, before the first query that reads them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { ServiceBenchConfig } from '../lambdas/core/config/config.ts';
import type { QueryEngine, SqlValue } from '../lambdas/core/query/engine.ts';
import { rewritePlaceholders } from '../lambdas/core/query/placeholders.ts';
import { deleteStatementTarget, type RefreshedFamily, refreshMetricValues } from '../lambdas/core/query/refresh.ts';
import type { BenchmarkRow } from '../lambdas/core/reference/benchmarks.ts';
import { type ReferenceTable, referenceTables } from '../lambdas/core/reference/tables.ts';
import { TABLE_NAMES, type TableName } from '../lambdas/core/schema/canonical.ts';
import { duckdbColumns } from '../lambdas/core/schema/derive.ts';
import { MATERIALISED_TABLES, type MaterialisedTable } from '../sql/materialised.ts';
import { BUILD_ORDER, createViewSql, viewsReading } from '../sql/registry.ts';

export const COMPAT_SQL_FILE = new URL('../sql/compat/duckdb.sql', import.meta.url);

/** Extensions beyond the built-in ones would be downloaded: refused, so a missing one fails fast. */
const INSTANCE_OPTIONS = {
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
} as const;

/**
 * Session settings that make DuckDB read and compute like Athena: UTC session time, integer
 * division that truncates, and the hive partition `dt` kept as the string Glue declares.
 */
const SESSION_SETTINGS = ["SET TimeZone = 'UTC'", 'SET integer_division = true'];

const MATERIALISED_NAMES = MATERIALISED_TABLES.map((table) => table.name);

/**
 * Matches a statement that names a materialised table or a view reading one. Such a statement
 * waits for the refresh; any other (a canonical table, a metric view, `SELECT 1`) runs at once,
 * so opening the engine does not pay for metrics it is not asked for. A name in a comment or a
 * literal only refreshes early.
 */
const READS_MATERIALISED = new RegExp(
  `\\b(${[...MATERIALISED_NAMES, ...viewsReading(MATERIALISED_NAMES)].join('|')})\\b`,
  'i',
);

const REFERENCE_TYPES: Readonly<Record<ReferenceTable['columns'][number]['type'], string>> = {
  string: 'VARCHAR',
  double: 'DOUBLE',
  bigint: 'BIGINT',
  boolean: 'BOOLEAN',
};

export interface LakeEngineOptions {
  /** Lake folder; its `curated/<table>/dt=YYYY-MM-DD/*.parquet` files are the tables. */
  readonly lakeDir: string;
  readonly config: ServiceBenchConfig;
  /** Benchmark rows to choose from instead of the shipped benchmarks/industry.csv. */
  readonly benchmarks?: readonly BenchmarkRow[];
}

/** Opens DuckDB over a lake folder, with every reference table and view ready to query. */
export async function openLakeEngine(options: LakeEngineOptions): Promise<DuckDbEngine> {
  const engine = await DuckDbEngine.create();
  try {
    for (const table of TABLE_NAMES) {
      await engine.exec(await canonicalTableSql(table, resolve(options.lakeDir), engine));
    }
    await engine.installReferenceAndViews(referenceTables(options.config, { benchmarks: options.benchmarks }));
  } catch (error) {
    await engine.close();
    throw error;
  }
  return engine;
}

export class DuckDbEngine implements QueryEngine {
  /** Whether the (empty) materialised tables were created; they are filled on first read. */
  private hasMaterialised = false;
  /** The refresh of the materialised tables, once started. */
  private refresh: Promise<RefreshedFamily[]> | null = null;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async create(): Promise<DuckDbEngine> {
    const instance = await DuckDBInstance.create(':memory:', INSTANCE_OPTIONS);
    const connection = await instance.connect();
    for (const setting of SESSION_SETTINGS) await connection.run(setting);
    return new DuckDbEngine(instance, connection);
  }

  /** Runs trusted statements (DDL from this repository); user input goes through `query`. */
  async exec(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  async columnsOf(sql: string): Promise<string[]> {
    const reader = await this.connection.runAndReadAll(`DESCRIBE ${sql}`);
    return reader.getRowObjectsJS().map((row) => String(row.column_name));
  }

  /**
   * Loads the reference tables and the compatibility macros and creates every view and (empty)
   * materialised table in registry order. The first query that reads a materialised table refreshes
   * them from the views.
   */
  async installReferenceAndViews(tables: readonly ReferenceTable[]): Promise<void> {
    for (const table of tables) await this.loadReferenceTable(table);
    await this.exec(readFileSync(COMPAT_SQL_FILE, 'utf8'));
    for (const step of BUILD_ORDER) {
      await this.exec(step.kind === 'view' ? createViewSql(step.view.name) : createMaterialisedTableSql(step.table));
    }
    this.hasMaterialised = true;
  }

  /**
   * Fills the materialised tables from the views (every metric family), once per engine: a second
   * call, or a query while it runs, waits for the same refresh.
   */
  async materialise(): Promise<RefreshedFamily[]> {
    if (!this.hasMaterialised) throw new Error('the materialised tables are not installed in this engine');
    this.refresh ??= refreshMetricValues(deleteStatementTarget((sql) => this.exec(sql)));
    return this.refresh;
  }

  async query<T = Record<string, SqlValue>>(
    sql: string,
    params: Readonly<Record<string, SqlValue>> = {},
  ): Promise<T[]> {
    if (this.hasMaterialised && READS_MATERIALISED.test(sql)) await this.materialise();
    const { text, names } = toDuckParameters(sql);
    const values: Record<string, DuckDBValue> = {};
    for (const name of names) {
      if (!(name in params)) throw new Error(`query parameter :${name} has no value`);
      values[name] = params[name] ?? null;
    }
    const reader = await this.connection.runAndReadAll(text, names.length > 0 ? values : undefined);
    const columns = reader.columnNames();
    const types = reader.columnTypes();
    return reader.getRowsJS().map((row) => {
      const out: Record<string, SqlValue> = {};
      columns.forEach((name, i) => {
        out[name] = toSqlValue(row[i], types[i]);
      });
      return out as T;
    });
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
  }

  private async insertRows(table: string, rows: readonly Record<string, SqlValue>[]): Promise<void> {
    for (const row of rows) {
      const names = Object.keys(row);
      await this.connection.run(
        `INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`,
        names.map((name) => row[name] ?? null),
      );
    }
  }

  private async loadReferenceTable(table: ReferenceTable): Promise<void> {
    const columns = table.columns.map((c) => `${c.name} ${REFERENCE_TYPES[c.type]}`).join(', ');
    await this.exec(`CREATE TABLE ${table.name} (${columns})`);
    await this.insertRows(
      table.name,
      table.rows.map((row) =>
        Object.fromEntries(table.columns.map((c) => [c.name, (row[c.name] ?? null) as SqlValue])),
      ),
    );
  }
}

/**
 * One canonical table: its Parquet files when there are any, each canonical column cast to its
 * declared type (a column missing from every file reads as NULL), or an empty typed relation.
 * The files are copied into the engine once, as the metric views scan each table several times.
 */
async function canonicalTableSql(table: TableName, lakeDir: string, engine: DuckDbEngine): Promise<string> {
  const columns = duckdbColumns(table);
  const tableDir = join(lakeDir, 'curated', table);
  if (!hasParquetPartitions(tableDir)) {
    const select = columns.map((c) => `CAST(NULL AS ${c.type}) AS ${c.name}`).join(', ');
    return `CREATE VIEW ${table} AS SELECT ${select}, CAST(NULL AS VARCHAR) AS dt WHERE false`;
  }
  const glob = sqlString(join(tableDir, '*', '*.parquet'));
  const source = `read_parquet(${glob}, hive_partitioning = true, union_by_name = true, hive_types_autocast = false)`;
  const found = new Set(await engine.columnsOf(`SELECT * FROM ${source}`));
  const select = columns.map((c) =>
    found.has(c.name) ? `CAST(${c.name} AS ${c.type}) AS ${c.name}` : `CAST(NULL AS ${c.type}) AS ${c.name}`,
  );
  return `CREATE TABLE ${table} AS SELECT ${select.join(', ')}, CAST(dt AS VARCHAR) AS dt FROM ${source}`;
}

/** An empty in-memory table with the declared columns (the declared types are also DuckDB types). */
function createMaterialisedTableSql(table: MaterialisedTable): string {
  return `CREATE TABLE ${table.name} (${table.columns.map((c) => `${c.name} ${c.type}`).join(', ')})`;
}

function hasParquetPartitions(tableDir: string): boolean {
  if (!existsSync(tableDir)) return false;
  return readdirSync(tableDir, { withFileTypes: true }).some(
    (entry) =>
      entry.isDirectory() &&
      entry.name.startsWith('dt=') &&
      readdirSync(join(tableDir, entry.name)).some((file) => file.endsWith('.parquet')),
  );
}

function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Rewrites `:name` placeholders as DuckDB's `$name`, leaving string literals, quoted identifiers,
 * comments and `::` casts alone.
 */
export function toDuckParameters(sql: string): { text: string; names: string[] } {
  const { text, names } = rewritePlaceholders(sql, (name) => `$${name}`);
  return { text, names: [...new Set(names)] };
}

/** The QueryEngine value contract: numbers for every numeric type, ISO strings for time. */
function toSqlValue(value: unknown, type: DuckDBType | undefined): SqlValue {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) {
    return type?.typeId === DuckDBTypeId.DATE ? value.toISOString().slice(0, 10) : value.toISOString();
  }
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
}
