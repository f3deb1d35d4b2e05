/**
 * The DDL that makes a lake queryable on any Hive-compatible Trino catalog (a self-hosted Trino over
 * a local folder or S3, Starburst, Athena's Glue catalog): the schema, every canonical table with
 * the columns the Glue tables are derived from, its partitions, the reference tables, every view of
 * the registry and the materialised tables, in the order one Trino CLI file can run them.
 *
 * Generating is pure; the reference rows the JSON tables read are returned as files for the caller
 * to write (to a bucket with `writeReferenceFiles`, to a local lake with `prepareLocalLake`).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BUILD_ORDER, createViewSql } from '../../../sql/registry.ts';
import { TRINO_DEFAULTS } from '../query/trino.ts';
import { type ReferenceTable, referenceRecord } from '../reference/tables.ts';
import { TABLE_NAMES } from '../schema/canonical.ts';
import { TYPE_MAPPING } from '../schema/columns.ts';
import { glueColumns } from '../schema/derive.ts';
import { LocalObjectStore } from '../store/local.ts';
import type { ObjectStore } from '../store/object-store.ts';

/** Where the DDL creates everything: the catalog and schema the Trino engine queries by default. */
export const DDL_DEFAULTS = {
  catalog: TRINO_DEFAULTS.catalog,
  schema: TRINO_DEFAULTS.schema,
} as const;

/**
 * Folders under the lake root: canonical Parquet (a local lake's curated zone; the stack's curated
 * bucket holds the tables at its root) and reference JSON lines.
 */
export const CURATED_PREFIX = 'curated/';
export const REFERENCE_PREFIX = 'reference/';

/** The one partition column of every canonical table (Hive requires partition columns last). */
export const PARTITION_COLUMN = 'dt';

/** Glue/Hive column types as Trino names them. Hive timestamps are millisecond precision. */
const TRINO_TYPES: Readonly<Record<string, string>> = {
  string: 'varchar',
  timestamp: 'timestamp(3)',
  double: 'double',
  bigint: 'bigint',
  boolean: 'boolean',
  date: 'date',
};

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
/** `local:///abs/path` (Trino's native local file system) or an object-store URI such as `s3://bucket/prefix`. */
const LOCATION = /^(local:\/\/\/|[a-z][a-z0-9+.-]*:\/\/[^/]+)/;

export type DdlStep = 'schema' | 'session' | 'table' | 'partitions' | 'reference' | 'view' | 'materialised';

export interface DdlStatement {
  readonly step: DdlStep;
  /** The table or view the statement creates (the schema's name for the schema and session steps). */
  readonly name: string;
  /** One statement, without a trailing semicolon. */
  readonly sql: string;
}

export interface TrinoDdlOptions {
  /** Lake root as the engine sees it: `local:///abs/path` or `s3://bucket/prefix`. */
  readonly location: string;
  /** @default DDL_DEFAULTS.catalog */
  readonly catalog?: string;
  /** @default DDL_DEFAULTS.schema */
  readonly schema?: string;
  /**
   * Folder of the canonical tables under the location, ending with `/`; `''` for the stack's
   * curated bucket, whose tables are at `s3://<bucket>/<table>/`.
   * @default CURATED_PREFIX
   */
  readonly curatedPrefix?: string;
  /** The reference tables the views read (referenceTables(config)); only names and columns are used. */
  readonly referenceTables: readonly Pick<ReferenceTable, 'name' | 'columns'>[];
}

/** One file the reference tables read, keyed relative to the lake root. */
export interface ReferenceFile {
  readonly key: string;
  /** JSON lines, one object per row with exactly the table's columns. */
  readonly body: string;
}

/**
 * Every statement, in the order they must run: schema, session, canonical tables each followed by
 * its partition sync, reference tables, then views and materialised tables in the registry's build
 * order.
 * Canonical and reference tables are external (dropping one leaves its files), so they are dropped
 * and recreated and a rerun picks up a changed column list.
 */
export function trinoDdl(options: TrinoDdlOptions): DdlStatement[] {
  const problems = ddlOptionProblems(options);
  if (problems.length > 0) throw new Error(`cannot generate the Trino DDL: ${problems.join('; ')}`);
  const catalog = options.catalog ?? DDL_DEFAULTS.catalog;
  const schema = options.schema ?? DDL_DEFAULTS.schema;
  const curatedPrefix = options.curatedPrefix ?? CURATED_PREFIX;
  const root = options.location.replace(/\/+$/, '');
  const statements: DdlStatement[] = [
    { step: 'schema', name: schema, sql: `CREATE SCHEMA IF NOT EXISTS ${catalog}.${schema}` },
    { step: 'session', name: schema, sql: `USE ${catalog}.${schema}` },
  ];
  for (const table of TABLE_NAMES) {
    const columns = glueColumns(table).map((c) => ({ name: c.name, type: trinoType(c.type), comment: c.comment }));
    columns.push({
      name: PARTITION_COLUMN,
      type: 'varchar',
      comment: 'UTC date of the partition column (yyyy-MM-dd).',
    });
    statements.push(
      { step: 'table', name: table, sql: `DROP TABLE IF EXISTS ${table}` },
      {
        step: 'table',
        name: table,
        sql: createTable(table, columns, [
          `external_location = ${literal(`${root}/${curatedPrefix}${table}`)}`,
          `format = 'PARQUET'`,
          `partitioned_by = ARRAY['${PARTITION_COLUMN}']`,
        ]),
      },
      {
        step: 'partitions',
        name: table,
        sql: `CALL ${catalog}.system.sync_partition_metadata(${literal(schema)}, ${literal(table)}, 'FULL')`,
      },
    );
  }
  for (const table of options.referenceTables) {
    const columns = table.columns.map((c) => ({
      name: c.name,
      type: trinoType(TYPE_MAPPING[c.type].glue),
      comment: undefined,
    }));
    statements.push(
      { step: 'reference', name: table.name, sql: `DROP TABLE IF EXISTS ${table.name}` },
      {
        step: 'reference',
        name: table.name,
        sql: createTable(table.name, columns, [
          `external_location = ${literal(`${root}/${REFERENCE_PREFIX}${table.name}`)}`,
          `format = 'JSON'`,
        ]),
      },
    );
  }
  // Views and materialised tables in the registry's build order: a view is resolved when it is
  // created, so a materialised table comes before the first view that reads it. Materialised tables
  // are managed (the catalog's warehouse holds their files, so a stock catalog can write them) and
  // hold what a refresh wrote: created only when missing, never dropped here.
  for (const step of BUILD_ORDER) {
    if (step.kind === 'view') {
      statements.push(viewStatement(step.view.name));
      continue;
    }
    const table = step.table;
    const columns = table.columns.map((c) => ({ name: c.name, type: c.type.toLowerCase(), comment: c.description }));
    statements.push({
      step: 'materialised',
      name: table.name,
      sql: createTable(
        table.name,
        columns,
        [`format = 'PARQUET'`, `partitioned_by = ARRAY[${table.partitionedBy.map(literal).join(', ')}]`],
        { ifNotExists: true },
      ),
    });
  }
  return statements;
}

/** Every problem of the options, each naming the option and its bad value; trinoDdl throws them together. */
export function ddlOptionProblems(options: TrinoDdlOptions): string[] {
  const catalog = options.catalog ?? DDL_DEFAULTS.catalog;
  const schema = options.schema ?? DDL_DEFAULTS.schema;
  const curatedPrefix = options.curatedPrefix ?? CURATED_PREFIX;
  const problems: string[] = [];
  if (!LOCATION.test(options.location)) {
    problems.push(
      `location ${JSON.stringify(options.location)} must be a URI such as local:///abs/path/to/lake or s3://bucket/prefix`,
    );
  }
  if (!IDENTIFIER.test(catalog)) problems.push(`catalog ${JSON.stringify(catalog)} must be a lower-case identifier`);
  if (!IDENTIFIER.test(schema)) problems.push(`schema ${JSON.stringify(schema)} must be a lower-case identifier`);
  if (!/^([\w.-]+\/)*$/.test(curatedPrefix)) {
    problems.push(`curatedPrefix ${JSON.stringify(curatedPrefix)} must be '' or folder names each ending with /`);
  }
  for (const table of options.referenceTables) {
    if (!IDENTIFIER.test(table.name)) {
      problems.push(`reference table ${JSON.stringify(table.name)} must be a lower-case identifier`);
    }
  }
  return problems;
}

/**
 * Every view's `CREATE OR REPLACE VIEW`, in build order, for a catalog whose tables (canonical,
 * reference, materialised) are declared elsewhere, as the stack's Glue catalog declares them for
 * Athena. The same statements trinoDdl returns for the views.
 */
export function viewStatements(): DdlStatement[] {
  return BUILD_ORDER.flatMap((step) => (step.kind === 'view' ? [viewStatement(step.view.name)] : []));
}

function viewStatement(name: string): DdlStatement {
  return { step: 'view', name, sql: createViewSql(name) };
}

/** The statements as one script for the Trino CLI (`trino --file`), each ending with a semicolon. */
export function ddlScript(statements: readonly DdlStatement[]): string {
  return statements.map((s) => `${s.sql};\n`).join('\n');
}

/** The JSON-lines files of the reference tables, under `reference/<table>/` of the lake root. */
export function referenceFiles(tables: readonly ReferenceTable[]): ReferenceFile[] {
  return tables.map((table) => ({
    key: `${REFERENCE_PREFIX}${table.name}/rows.json`,
    body: table.rows.map((row) => `${JSON.stringify(referenceRecord(table, row))}\n`).join(''),
  }));
}

/** Writes the reference files to the store holding the lake root (a local lake or the curated bucket). */
export async function writeReferenceFiles(store: ObjectStore, files: readonly ReferenceFile[]): Promise<void> {
  for (const file of files) await store.write(file.key, file.body, 'application/x-ndjson');
}

/**
 * Readies a lake folder for the DDL of a `local:///` location: writes the reference files and
 * creates every canonical table's folder, because Trino refuses an external location that does not
 * exist (a lake without QA evaluations has no curated/qa_evaluations/). Object stores need only
 * the reference files.
 */
export async function prepareLocalLake(lakeDir: string, tables: readonly ReferenceTable[]): Promise<void> {
  for (const table of TABLE_NAMES) await mkdir(join(lakeDir, CURATED_PREFIX, table), { recursive: true });
  await writeReferenceFiles(new LocalObjectStore(lakeDir), referenceFiles(tables));
}

/** The folder of a `local:///abs/path` location, or undefined for any other scheme. */
export function localLakeDir(location: string): string | undefined {
  return location.startsWith('local:///') ? location.slice('local://'.length).replace(/(.)\/+$/, '$1') : undefined;
}

function trinoType(glueType: string): string {
  const type = TRINO_TYPES[glueType];
  if (!type) throw new Error(`no Trino type for the Glue type ${JSON.stringify(glueType)}`);
  return type;
}

function createTable(
  name: string,
  columns: readonly { name: string; type: string; comment: string | undefined }[],
  properties: readonly string[],
  { ifNotExists = false } = {},
): string {
  const lines = columns.map((c) => `  ${c.name} ${c.type}${c.comment ? ` COMMENT ${literal(c.comment)}` : ''}`);
  return `CREATE TABLE ${ifNotExists ? 'IF NOT EXISTS ' : ''}${name} (\n${lines.join(',\n')}\n)\nWITH (\n  ${properties.join(',\n  ')}\n)`;
}

function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
