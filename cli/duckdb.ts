/**
 * The local query engine of the CLI: an embedded DuckDB over a lake folder. Nothing of the lake is
 * copied at open: each canonical table is a view over its curated Parquet (one compacted file per
 * table and day), so a query reads only the partitions and columns it needs and DuckDB keeps within
 * its memory limit, spilling to the lake's temporary folder beyond it. The Trino compatibility
 * macros are created at open; the reference tables, built from the config, and every view of the
 * registry, from the same `sql/views` files Athena runs, when a statement first needs them, so a
 * statement over the canonical tables alone pays for none of them.
 *
 * The materialised tables are filled before the first query that reads them: from the lake's cache
 * (duckdb-cache.ts) when it was computed from the same curated files, reference tables and SQL, else
 * by the same refresh statements Trino and Athena run, whose result then replaces the cache.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { ServiceBenchConfig } from '../lambdas/core/config/config.ts';
import { DEFAULTS } from '../lambdas/core/config/defaults.ts';
import type { QueryEngine, SqlValue } from '../lambdas/core/query/engine.ts';
import { rewritePlaceholders } from '../lambdas/core/query/placeholders.ts';
import { deleteStatementTarget, type RefreshedFamily, refreshFamilies } from '../lambdas/core/query/refresh.ts';
import type { BenchmarkRow } from '../lambdas/core/reference/benchmarks.ts';
import {
  REFERENCE_TABLE_NAMES,
  type ReferenceTable,
  referenceRecord,
  referenceTables,
} from '../lambdas/core/reference/tables.ts';
import { TABLE_NAMES, type TableName } from '../lambdas/core/schema/canonical.ts';
import { type LogicalType, TYPE_MAPPING } from '../lambdas/core/schema/columns.ts';
import { duckdbColumns } from '../lambdas/core/schema/derive.ts';
import { RANGE_GRAIN, type ReportRange } from '../lambdas/core/time/calendar-periods.ts';
import {
  familySlices,
  MATERIALISED_TABLES,
  type MaterialisedTable,
  METRIC_FAMILIES,
  type MetricFamily,
  sliceInsertSql,
  sliceSelectSql,
} from '../sql/materialised.ts';
import { BUILD_ORDER, type BuildStep, createViewSql, VIEWS, type ViewDialect, viewsReading } from '../sql/registry.ts';
import {
  type CuratedFile,
  curatedFiles,
  FINGERPRINT_KEY,
  fingerprintOf,
  LakeCache,
  type TableLayout,
} from './duckdb-cache.ts';
import { remindWhile } from './progress.ts';

export const COMPAT_SQL_FILE = new URL('../sql/compat/duckdb.sql', import.meta.url);

/** Environment variable that overrides DEFAULTS.duckdbMemoryLimit (a DuckDB size such as `2GiB`). */
export const MEMORY_LIMIT_ENV = 'SERVICEBENCH_DUCKDB_MEMORY_LIMIT';

/** Extensions beyond the built-in ones would be downloaded: refused, so a missing one fails fast. */
const INSTANCE_OPTIONS = {
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
} as const;

/**
 * Session settings that make DuckDB read and compute like Athena: UTC session time and integer
 * division that truncates. Parquet footers are cached, as the metric views scan each table several
 * times.
 */
const SESSION_SETTINGS = ["SET TimeZone = 'UTC'", 'SET integer_division = true', 'SET parquet_metadata_cache = true'];

const MATERIALISED_NAMES = MATERIALISED_TABLES.map((table) => table.name);

/**
 * Views that several families of a refresh read, computed once per refresh (shareRelations) and
 * read from that result until the refresh ends. DuckDB looks a name up in the temp schema first
 * and binds a view's text each time a query reads it, so a TEMP view of the same name shadows the
 * registry's view for every view that names it; the view files stay the ones Trino and Athena run.
 * In dependency order. On the scale-10 demo lake interaction_facts was computed by the
 * contact_centre, tickets and retention families, ~6 s CPU each.
 */
const SHARED_RELATIONS = ['interaction_facts'] as const;

/**
 * The rounds of a local refresh: the lanes of a round run at once, each on a connection of its own,
 * with the database's threads shared out among them (one each on two cores); the next round starts
 * when every lane of this one is done. The two steps that run on one thread no longer leave the
 * other core idle: interaction_facts is computed once (SHARED_RELATIONS) beside the families that do
 * not read it, then the tickets family beside contact_centre. Surveys and retention, the families
 * whose own peak of memory is highest (639 and 880 MiB RSS for the refresh command on the scale-10
 * demo lake, against 517 for tickets), run alone on every thread.
 *
 * Why one thread for those two steps: the tickets family's percentiles (quantile_cont in
 * ticket_percentiles' DuckDB form) hold every timing value of a group in the aggregate's state,
 * outside DuckDB's memory limit, and on two threads each thread held its own states before they were
 * merged (the refresh command peaked at 1,151 MiB RSS with the family on every thread, 917 MiB on
 * one); interaction_facts took the same time on two threads (its windows are partitioned by
 * source) and peaked higher (893-930 MiB against 860-884).
 *
 * Measured on the scale-10 demo lake (refresh command, quiet machine): one family after another
 * took 17.3-18.8 s of wall time for 22.6-24.2 s of CPU, 10.7 s of it in the two one-thread steps;
 * these rounds 16.1-17.0 s for 22.8-24.0 s, peaking at 889-909 MiB RSS against 878-891 (three
 * paired runs). With retention beside tickets as well, 13.0-14.1 s, but 1,086-1,134 MiB of peak
 * RSS; with surveys beside tickets, the scale-10 demo peaked at 1,009 MiB.
 */
export const REFRESH_ROUNDS: readonly RefreshRound[] = [
  [{ shared: SHARED_RELATIONS }, { families: ['quality', 'social', 'employee'] }],
  [{ families: ['tickets'] }, { families: ['contact_centre'] }],
  [{ families: ['surveys'] }],
  [{ families: ['retention'] }],
];

/** Lanes that run at once, each computing shared relations or refreshing families, in order. */
type RefreshRound = readonly RefreshLane[];
type RefreshLane = { readonly shared: readonly string[] } | { readonly families: readonly MetricFamily[] };

/** A relation of SHARED_RELATIONS computed for the refresh under way, and the file that holds it. */
interface SharedRelation {
  readonly name: string;
  readonly file: string;
}

/** The folder of the lake whose Parquet files the canonical views read. */
const CURATED_DIR = 'curated';

/** What DuckDB says when its sandbox refuses a file, an extension or a setting. */
const SANDBOX_REFUSAL = /^(Permission Error|Invalid Input Error: Cannot change configuration option)/;

/**
 * Matches a statement that names a materialised table or a view reading one. Such a statement
 * waits for the materialised tables; any other (a canonical table, a metric view, `SELECT 1`) runs
 * at once, so opening the engine does not pay for metrics it is not asked for. A name in a comment
 * or a literal only fills them early.
 */
const READS_MATERIALISED = new RegExp(
  `\\b(${[...MATERIALISED_NAMES, ...viewsReading(MATERIALISED_NAMES)].join('|')})\\b`,
  'i',
);

/** The name of any view or materialised table of the registry, as a whole word. */
const REGISTRY_NAMES = new RegExp(`\\b(${BUILD_ORDER.map(stepName).join('|')})\\b`, 'gi');

/** A statement that lists or describes the catalog sees every view of the registry. */
const READS_CATALOG = /\b(information_schema|duckdb_views|duckdb_tables|show|pragma)\b/i;

/** DuckDB's type of each reference column type: the canonical model's one mapping. */
const REFERENCE_TYPES: Readonly<Record<ReferenceTable['columns'][number]['type'], string>> = Object.fromEntries(
  Object.entries(TYPE_MAPPING).map(([type, mapping]) => [type, mapping.duckdb]),
) as Record<LogicalType, string>;

export interface LakeEngineOptions {
  /** Lake folder; its `curated/<table>/dt=YYYY-MM-DD/*.parquet` files are the tables. */
  readonly lakeDir: string;
  /**
   * The config the reference tables are built from. A function is called when they are first
   * built, so a statement over the canonical tables alone never reads (nor checks) the config file.
   */
  readonly config: ServiceBenchConfig | (() => ServiceBenchConfig | Promise<ServiceBenchConfig>);
  /** Benchmark rows to choose from instead of the shipped benchmarks/industry.csv. */
  readonly benchmarks?: readonly BenchmarkRow[];
  /**
   * Custom ranges the views give rows of grain `range` for (a range and the one it is compared
   * with; time/periods.ts rangesOf).
   * @default none
   */
  readonly ranges?: readonly ReportRange[];
  /** Told of each step that takes seconds (a metric family being refreshed). */
  readonly onProgress?: (message: string) => void;
  /**
   * DuckDB's memory limit; beyond it, operators spill to `<lake>/.servicebench/tmp`.
   * @default the SERVICEBENCH_DUCKDB_MEMORY_LIMIT environment variable, else DEFAULTS.duckdbMemoryLimit
   */
  readonly memoryLimit?: string;
  /**
   * Runs untrusted SQL (an analyst's `query`): once the lake is set up, DuckDB may touch files only
   * in the lake's curated, cache and temporary folders, and no setting can change (see sandbox()).
   * @default false: the statements are this repository's own
   */
  readonly sandbox?: boolean;
}

/** How the materialised tables were filled. */
export type Materialised =
  | { readonly from: 'cache'; readonly file: string }
  | { readonly from: 'refresh'; readonly families: readonly RefreshedFamily[] };

/**
 * Reference tables an engine loads when a statement first needs them: building them (calendars of
 * decades of days) took longer than the rest of opening a lake.
 */
export interface DeferredReferenceTables {
  /** The names of the tables `build` returns: a statement that names one loads them. */
  readonly names: readonly string[];
  /** Called once, by the first statement that names a reference table, a registry object or the catalog. */
  readonly build: () => readonly ReferenceTable[] | Promise<readonly ReferenceTable[]>;
}

/** The settings the engine gives DuckDB when it opens a lake. */
interface EngineSettings {
  readonly memoryLimit?: string;
  readonly spillDir?: string;
}

/**
 * Opens DuckDB over a lake folder, with every reference table and view ready to query. The
 * reference tables are built, and the cache's fingerprint computed, only once a statement needs
 * them: a statement over the canonical tables alone reads neither.
 */
export async function openLakeEngine(options: LakeEngineOptions): Promise<DuckDbEngine> {
  const lakeDir = resolve(options.lakeDir);
  const files = new Map(TABLE_NAMES.map((table) => [table, curatedFiles(lakeDir, table)]));
  const curated = fingerprintOf(
    [...files].map(([table, list]) => [table, list.map((f) => [f.path, f.size, f.mtimeMs])]),
  );
  const ranges = options.ranges ?? [];
  const { config: given, benchmarks } = options;
  let config: Promise<ServiceBenchConfig> | undefined;
  const configOf = () => {
    config ??= Promise.resolve(typeof given === 'function' ? given() : given);
    return config;
  };
  let built: Promise<ReferenceTable[]> | undefined;
  const reference = () => {
    built ??= configOf().then((c) => referenceTables(c, { benchmarks, ranges }));
    return built;
  };
  // The cache never holds a range's rows (they are computed on demand beside it), so the ranges
  // asked for are no input of it: a range does not refresh the lake's metrics.
  const cache = new LakeCache(lakeDir, async () =>
    fingerprintOf(
      materialisedInputs(
        curated,
        ranges.length === 0 ? await reference() : referenceTables(await configOf(), { benchmarks }),
      ),
    ),
  );
  cache.removeOrphans();
  const engine = await DuckDbEngine.create({
    memoryLimit: options.memoryLimit ?? process.env[MEMORY_LIMIT_ENV] ?? DEFAULTS.duckdbMemoryLimit,
    spillDir: cache.spillDir(),
  });
  try {
    let layouts = cache.readLayouts(curated);
    if (!describesEveryTable(layouts, files)) {
      layouts = await engine.layoutsOf(files);
      cache.writeLayouts(curated, layouts);
    }
    for (const table of TABLE_NAMES) {
      await engine.exec(canonicalViewSql(table, files.get(table) ?? [], layouts[table]));
    }
    await engine.installReferenceAndViews({ names: REFERENCE_TABLE_NAMES, build: reference });
    engine.useCache(cache, options.onProgress);
    engine.computeRangesOnDemand(ranges.length > 0);
    if (options.sandbox === true) {
      await engine.sandbox([join(lakeDir, CURATED_DIR), cache.cacheDir, cache.tmpDir]);
    }
  } catch (error) {
    await engine.close();
    throw error;
  }
  return engine;
}

/**
 * Everything the materialised tables are computed from: the curated files (the fingerprint of
 * their paths, sizes and times), the reference tables built from the config, the session settings,
 * the compatibility macros and the statements that create the views and tables and refresh them.
 */
function materialisedInputs(curated: string, reference: readonly ReferenceTable[]): unknown {
  return {
    curated,
    reference,
    session: SESSION_SETTINGS,
    compat: readFileSync(COMPAT_SQL_FILE, 'utf8'),
    build: BUILD_ORDER.map((step) =>
      step.kind === 'view' ? createViewSql(step.view.name) : createMaterialisedTableSql(step.table),
    ),
    // Either form of a view gives the same rows (to the last bit or one unit in the last place), so a
    // sandboxed engine's refresh and another's share the cache; a change to either refreshes it.
    duckdbForms: VIEWS.filter((view) => view.duckdb !== undefined).map((view) => createViewSql(view.name, 'duckdb')),
    refresh: METRIC_FAMILIES.flatMap((family) => familySlices(family).map((slice) => sliceInsertSql(slice))),
  };
}

/** Whether stored layouts name the columns of every table that has files. */
function describesEveryTable(
  layouts: Readonly<Record<string, TableLayout>> | undefined,
  files: ReadonlyMap<TableName, readonly CuratedFile[]>,
): layouts is Record<string, TableLayout> {
  if (layouts === undefined) return false;
  return [...files].every(([table, list]) => {
    const layout = layouts[table];
    if (list.length === 0) return true;
    return (
      layout !== undefined &&
      Array.isArray(layout.columns) &&
      layout.columns.every((c) => typeof c === 'string') &&
      typeof layout.uniform === 'boolean'
    );
  });
}

export class DuckDbEngine implements QueryEngine {
  /** Whether the registry's objects were installed; materialised tables are filled on first read. */
  private hasMaterialised = false;
  /** The reference tables to load before the first statement that needs them, once installed. */
  private reference: { readonly tables: DeferredReferenceTables; readonly named: RegExp } | undefined;
  /** Loading the reference tables, once started; a failure (a config they refuse) fails every statement that needs them. */
  private referenceLoading: Promise<void> | null = null;
  private referenceLoaded = false;
  /** Registry objects installed but not created yet, by name: a statement naming one creates it first. */
  private readonly pending = new Map<string, BuildStep>();
  /** Creation of the registry objects statements asked for, in the order they asked. */
  private creating: Promise<void> = Promise.resolve();
  /** Filling the materialised tables, once started. */
  private filling: Promise<Materialised> | null = null;
  private cache: LakeCache | undefined;
  private onProgress: (message: string) => void = () => {};
  private sandboxed = false;
  private withRanges = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  /** An engine with no lake: the reference tables and views are installed by the caller. */
  static async create(settings: EngineSettings = {}): Promise<DuckDbEngine> {
    const options: Record<string, string> = { ...INSTANCE_OPTIONS };
    if (settings.spillDir !== undefined) options.temp_directory = settings.spillDir;
    const instance = await DuckDBInstance.create(':memory:', options);
    const connection = await instance.connect();
    try {
      if (settings.memoryLimit !== undefined) await setMemoryLimit(connection, settings.memoryLimit);
      for (const setting of SESSION_SETTINGS) await connection.run(setting);
    } catch (error) {
      connection.closeSync();
      instance.closeSync();
      throw error;
    }
    return new DuckDbEngine(instance, connection);
  }

  /** Runs trusted statements (DDL from this repository); user input goes through `query`. */
  async exec(sql: string): Promise<void> {
    await this.createObjectsNamedIn(sql);
    await this.connection.run(sql);
  }

  async columnsOf(sql: string): Promise<string[]> {
    await this.createObjectsNamedIn(sql);
    const reader = await this.connection.runAndReadAll(`DESCRIBE ${sql}`);
    return reader.getRowObjectsJS().map((row) => String(row.column_name));
  }

  /** The columns of each table's files, from every file's Parquet footer. */
  async layoutsOf(files: ReadonlyMap<TableName, readonly CuratedFile[]>): Promise<Record<string, TableLayout>> {
    const tableOf = new Map([...files].flatMap(([table, list]) => list.map((f) => [f.path, table] as const)));
    if (tableOf.size === 0) return {};
    const reader = await this.connection.runAndReadAll(
      `SELECT file_name, list(name ORDER BY column_id) AS names, list(name || ' ' || duckdb_type ORDER BY name) AS typed
       FROM parquet_schema([${[...tableOf.keys()].map(sqlString).join(', ')}])
       WHERE num_children IS NULL
       GROUP BY file_name`,
    );
    const columns = new Map<string, Set<string>>();
    const signatures = new Map<string, Set<string>>();
    for (const row of reader.getRowObjectsJS()) {
      const table = tableOf.get(String(row.file_name));
      if (table === undefined) continue;
      const names = columns.get(table) ?? new Set();
      for (const name of row.names as string[]) names.add(name);
      columns.set(table, names);
      signatures.set(table, (signatures.get(table) ?? new Set()).add((row.typed as string[]).join(',')));
    }
    return Object.fromEntries(
      [...columns].map(([table, names]) => [
        table,
        { columns: [...names], uniform: (signatures.get(table)?.size ?? 0) === 1 },
      ]),
    );
  }

  /**
   * Creates the compatibility macros, and installs the reference tables and every view and (empty)
   * materialised table of the registry. The reference tables are loaded before the first statement
   * that names one of them, a registry object or the catalog (every view reads them). Each registry
   * object is created when a statement first names it, after what it reads: DuckDB binds a view when
   * it is created, and binding every metric view took longer than the rest of opening a lake, for
   * commands that read one view or none. The first query that reads a materialised table fills them.
   */
  async installReferenceAndViews(reference: DeferredReferenceTables): Promise<void> {
    await this.connection.run(readFileSync(COMPAT_SQL_FILE, 'utf8'));
    this.reference = { tables: reference, named: new RegExp(`\\b(${reference.names.join('|')})\\b`, 'i') };
    for (const step of BUILD_ORDER) this.pending.set(stepName(step), step);
    this.hasMaterialised = true;
  }

  /** Loads reference tables alone, for an engine whose views its caller creates (a test's fixture). */
  async loadReferenceTables(tables: readonly ReferenceTable[]): Promise<void> {
    for (const table of tables) await this.loadReferenceTable(table);
  }

  /**
   * DuckDB's own sandbox, for SQL that is not ours: files only under `directories` (the views read
   * the curated Parquet lazily, and the materialised tables fill from and into the cache, so those
   * stay reachable), no ATTACH, INSTALL or LOAD, and the configuration locked so no statement can
   * lift it. Anything else on the machine (`read_text('/etc/hostname')`, `COPY … TO '/tmp/…'`) fails.
   */
  async sandbox(directories: readonly string[]): Promise<void> {
    const allowed = directories.map((dir) => sqlString(dir.endsWith(sep) ? dir : `${dir}${sep}`)).join(', ');
    await this.connection.run(`SET allowed_directories = [${allowed}]`);
    await this.connection.run('SET enable_external_access = false');
    await this.connection.run('SET lock_configuration = true');
    this.sandboxed = true;
  }

  /**
   * Whether the reference tables hold custom ranges: metric_values read from the cache then gets
   * each family's rows of grain `range` computed beside the cached rows.
   */
  computeRangesOnDemand(enabled: boolean): void {
    this.withRanges = enabled;
  }

  /** Reads the materialised tables from this cache when it is fresh, and writes it after a refresh. */
  useCache(cache: LakeCache, onProgress?: (message: string) => void): void {
    this.cache = cache;
    if (onProgress) this.onProgress = onProgress;
  }

  /**
   * Fills the materialised tables, once per engine: from the cache when every table's file carries
   * the current fingerprint and reads whole, otherwise by a refresh. A second call, or a query
   * while it runs, waits for the same filling.
   */
  async materialise(): Promise<Materialised> {
    if (!this.hasMaterialised) throw new Error('the materialised tables are not installed in this engine');
    this.filling ??= this.fill();
    return this.filling;
  }

  /** Rewrites the materialised tables from the views and the cache from them, whatever the cache holds. */
  async refresh(): Promise<readonly RefreshedFamily[]> {
    if (!this.hasMaterialised) throw new Error('the materialised tables are not installed in this engine');
    const refreshing = this.refreshAndCache();
    this.filling = refreshing.then((families) => ({ from: 'refresh', families }));
    return refreshing;
  }

  async query<T = Record<string, SqlValue>>(
    sql: string,
    params: Readonly<Record<string, SqlValue>> = {},
  ): Promise<T[]> {
    await this.createObjectsNamedIn(sql);
    if (this.hasMaterialised && READS_MATERIALISED.test(sql)) await this.materialise();
    const { text, names } = toDuckParameters(sql);
    const values: Record<string, DuckDBValue> = {};
    for (const name of names) {
      if (!(name in params)) throw new Error(`query parameter :${name} has no value`);
      values[name] = params[name] ?? null;
    }
    const reader = await this.connection
      .runAndReadAll(text, names.length > 0 ? values : undefined)
      .catch((error: unknown) => {
        throw this.sandboxed && SANDBOX_REFUSAL.test(errorMessage(error))
          ? new Error(
              `the query reaches outside the lake, which is not allowed: it may read the lake's tables and views, not other files, databases, extensions or settings (${errorMessage(error)})`,
            )
          : error;
      });
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

  /**
   * Loads the reference tables when a statement is the first to need them, then creates, in
   * registry order, the pending objects it names and those they read. A statement that looks into
   * the catalog loads and creates them all; one that names none of them waits for nothing.
   */
  private createObjectsNamedIn(sql: string): Promise<void> {
    const reference = this.reference;
    if (reference === undefined) return Promise.resolve();
    const catalog = READS_CATALOG.test(sql);
    const named = catalog ? [...this.pending.keys()] : [...sql.matchAll(REGISTRY_NAMES)].map(([name]) => name);
    const loadReference = !this.referenceLoaded && (catalog || named.length > 0 || reference.named.test(sql));
    if (!loadReference && named.length === 0) return Promise.resolve();
    const wanted = new Set<string>();
    const want = (name: string) => {
      const step = this.pending.get(name);
      if (step === undefined || wanted.has(name)) return;
      wanted.add(name);
      if (step.kind === 'view') for (const dependency of step.view.dependsOn) want(dependency);
    };
    for (const name of named) want(name.toLowerCase());
    const steps = BUILD_ORDER.filter((step) => wanted.has(stepName(step)));
    for (const step of steps) this.pending.delete(stepName(step));
    if (loadReference || steps.length > 0) {
      // A creation that failed rejects the statements that asked for it, not the ones after.
      this.creating = this.creating
        .catch(() => {})
        .then(async () => {
          if (loadReference) await this.loadDeferredReference(reference.tables);
          for (const step of steps) {
            await this.connection.run(
              step.kind === 'view'
                ? createViewSql(step.view.name, this.viewDialect())
                : createMaterialisedTableSql(step.table),
            );
          }
        });
    }
    return this.creating;
  }

  /** Builds and loads the reference tables, once: a later call waits for (or fails as) the first. */
  private loadDeferredReference(reference: DeferredReferenceTables): Promise<void> {
    this.referenceLoading ??= (async () => {
      for (const table of await reference.build()) await this.loadReferenceTable(table);
      this.referenceLoaded = true;
    })();
    return this.referenceLoading;
  }

  private async fill(): Promise<Materialised> {
    const cache = this.cache;
    if (cache !== undefined && (await this.readCache(cache))) {
      if (this.withRanges) await this.insertRangeRows();
      return { from: 'cache', file: cache.cacheDir };
    }
    // A refresh computes every grain the reference tables give, the ranges included.
    return { from: 'refresh', families: await this.refreshAndCache() };
  }

  /**
   * Each family's rows of grain `range` into the materialised tables (metric_values and the period
   * tables), beside the rows read from the cache: each slice's view filtered to that grain, so only
   * the ranges' local days are computed.
   */
  private async insertRangeRows(): Promise<void> {
    for (const [index, family] of METRIC_FAMILIES.entries()) {
      this.onProgress(`computing the range's metrics (family ${index + 1}/${METRIC_FAMILIES.length}: ${family})…`);
      for (const slice of familySlices(family)) {
        const columns = slice.table.columns.map((c) => c.name).join(', ');
        await this.exec(
          `INSERT INTO ${slice.table.name} (${columns})
           SELECT ${columns} FROM (${sliceSelectSql(slice)}) AS slice_rows WHERE grain = '${RANGE_GRAIN}'`,
        );
      }
    }
  }

  /**
   * Loads every materialised table from its cached file; false, with the tables left empty, when a
   * file is missing, carries another fingerprint, or cannot be read whole (a truncated or damaged
   * file fails DuckDB's checks and is never half loaded: each INSERT is one transaction).
   */
  private async readCache(cache: LakeCache): Promise<boolean> {
    const fingerprint = await cache.fingerprint();
    for (const table of MATERIALISED_TABLES) {
      if ((await this.cachedFingerprint(cache.file(table.name))) !== fingerprint) return false;
    }
    try {
      for (const table of MATERIALISED_TABLES) {
        const columns = table.columns.map((c) => c.name).join(', ');
        await this.exec(
          `INSERT INTO ${table.name} (${columns}) SELECT ${columns} FROM read_parquet(${sqlString(cache.file(table.name))})`,
        );
      }
      return true;
    } catch {
      for (const table of MATERIALISED_TABLES) await this.exec(`DELETE FROM ${table.name}`);
      return false;
    }
  }

  /** The fingerprint a cached file was written with; undefined when it is missing or unreadable. */
  private async cachedFingerprint(file: string): Promise<string | undefined> {
    try {
      const reader = await this.connection.runAndReadAll(
        `SELECT decode(value) AS fingerprint FROM parquet_kv_metadata(${sqlString(file)}) WHERE decode(key) = ${sqlString(FINGERPRINT_KEY)}`,
      );
      const [row] = reader.getRowObjectsJS();
      return row === undefined ? undefined : String(row.fingerprint);
    } catch {
      return undefined;
    }
  }

  private async refreshAndCache(): Promise<RefreshedFamily[]> {
    const shared: SharedRelation[] = [];
    const lanes: DuckDBConnection[] = [];
    const refreshed: RefreshedFamily[] = [];
    try {
      // A sandboxed engine's settings are locked: it runs the lanes one after another, on every
      // thread, on its own connection. Otherwise each lane has a connection of its own, and the
      // engine's creates the views the next round reads while this one runs (DuckDB binds a view
      // when it is created; a view created on a connection running a lane would wait for it).
      const threads = this.sandboxed ? undefined : await this.threads();
      const width = threads === undefined ? 0 : Math.max(...REFRESH_ROUNDS.map((round) => round.length));
      while (lanes.length < width) lanes.push(await this.connectLane());
      let creating = this.createObjectsNamedIn(roundStatements(REFRESH_ROUNDS[0]));
      try {
        for (const [index, round] of REFRESH_ROUNDS.entries()) {
          await creating;
          if (threads !== undefined) {
            await this.connection.run(`SET threads = ${Math.max(1, Math.floor(threads / round.length))}`);
          }
          creating = this.createObjectsNamedIn(roundStatements(REFRESH_ROUNDS[index + 1]));
          if (threads === undefined) {
            for (const lane of round)
              refreshed.push(...(await this.refreshLane(lane, this.connection, shared, [this.connection])));
            continue;
          }
          const running = round.map((lane, i) => this.refreshLane(lane, lanes[i] ?? this.connection, shared, lanes));
          for (const families of await settleAll(running)) refreshed.push(...families);
        }
      } finally {
        await creating.catch(() => {});
        if (threads !== undefined) await this.connection.run('RESET threads');
      }
    } finally {
      for (const { name, file } of shared) {
        for (const lane of [this.connection, ...lanes]) await lane.run(`DROP VIEW IF EXISTS temp.${name}`);
        rmSync(file, { force: true });
      }
      for (const lane of lanes) lane.closeSync();
    }
    if (this.cache !== undefined) await this.writeCache(this.cache);
    return METRIC_FAMILIES.flatMap((family) => refreshed.filter((r) => r.family === family));
  }

  /** Another connection to the database, with the session settings of the first. */
  private async connectLane(): Promise<DuckDBConnection> {
    const connection = await this.instance.connect();
    try {
      for (const setting of SESSION_SETTINGS) await connection.run(setting);
    } catch (error) {
      connection.closeSync();
      throw error;
    }
    return connection;
  }

  /** The database's threads (DuckDB's default: the machine's cores). */
  private async threads(): Promise<number> {
    const reader = await this.connection.runAndReadAll("SELECT current_setting('threads') AS threads");
    return Number(reader.getRowObjectsJS()[0]?.threads ?? 1);
  }

  /**
   * One lane of a refresh round on `connection`: its shared relations (with a cache to hold them),
   * shadowed on every connection of `lanes`, or its families, each with its progress told.
   */
  private async refreshLane(
    lane: RefreshLane,
    connection: DuckDBConnection,
    shared: SharedRelation[],
    lanes: readonly DuckDBConnection[],
  ): Promise<RefreshedFamily[]> {
    if ('shared' in lane) {
      if (this.cache !== undefined) await this.shareRelations(this.cache, lane.shared, connection, shared, lanes);
      return [];
    }
    const target = deleteStatementTarget((sql) => connection.run(sql));
    const refreshed: RefreshedFamily[] = [];
    for (const family of lane.families) {
      const step = `refreshing metrics (family ${METRIC_FAMILIES.indexOf(family) + 1}/${METRIC_FAMILIES.length}: ${family})`;
      this.onProgress(`${step}…`);
      refreshed.push(...(await this.reminding(refreshFamilies(target, [family]), step)));
    }
    return refreshed;
  }

  /**
   * Computes each of `names` (SHARED_RELATIONS) once into a Parquet file in the cache's temporary
   * folder and shadows its view with a TEMP view of that file on every lane's connection (a TEMP
   * view is its connection's own), each added to `shared` before it is written so the caller drops
   * the views and removes the files after the refresh, even one that failed. A file, not a TEMP
   * table: an in-memory table of interaction_facts held its rows uncompressed within DuckDB's
   * memory limit and raised the refresh's peak RSS (915 MiB against 839-848 MiB on the scale-10
   * demo lake), while the file is compressed, on disk, and read column by column.
   */
  private async shareRelations(
    cache: LakeCache,
    names: readonly string[],
    connection: DuckDBConnection,
    shared: SharedRelation[],
    lanes: readonly DuckDBConnection[],
  ): Promise<void> {
    for (const name of names) {
      const file = cache.tempFile(name);
      shared.push({ name, file });
      const step = `computing ${name} once for the metric families that read it`;
      this.onProgress(`${step}…`);
      await this.reminding(connection.run(`COPY (SELECT * FROM ${name}) TO ${sqlString(file)} (FORMAT parquet)`), step);
      for (const lane of lanes) {
        await lane.run(`CREATE TEMP VIEW ${name} AS SELECT * FROM read_parquet(${sqlString(file)})`);
      }
    }
  }

  /**
   * The form the engine creates a view in: DuckDB's own where a view has one, except in a sandboxed
   * engine. Its settings are locked, so it cannot halve its threads for REFRESH_ROUNDS, and the
   * form Trino runs ranks the percentiles with row_number, which holds no state per group: a
   * sandboxed refresh of the scale-10 demo lake peaked at 1,230 MiB RSS with DuckDB's form on every
   * thread and at 947 MiB with Trino's.
   */
  private viewDialect(): ViewDialect {
    return this.sandboxed ? 'trino' : 'duckdb';
  }

  /**
   * `work`, with `step` told again every few seconds until it is done. Only the time so far: DuckDB's
   * own estimate of a statement's progress stayed at 0% through the window pipelines of a family.
   */
  private reminding<T>(work: Promise<T>, step: string): Promise<T> {
    return remindWhile(work, this.onProgress, (elapsedMs) => `${step}: ${Math.round(elapsedMs / 1000)} s so far…`);
  }

  private async writeCache(cache: LakeCache): Promise<void> {
    const fingerprint = await cache.fingerprint();
    for (const table of MATERIALISED_TABLES) {
      const temp = cache.tempFile(table.name);
      try {
        // A range's rows are computed for the process that asked for it, never cached.
        const rows = table.columns.some((c) => c.name === 'grain')
          ? `(SELECT * FROM ${table.name} WHERE grain <> '${RANGE_GRAIN}')`
          : table.name;
        await this.exec(
          `COPY ${rows} TO ${sqlString(temp)} (FORMAT parquet, KV_METADATA {${FINGERPRINT_KEY}: ${sqlString(fingerprint)}})`,
        );
        cache.commit(temp, table.name);
      } finally {
        rmSync(temp, { force: true });
      }
    }
  }

  /**
   * Loads a reference table from the values Athena and Trino read (referenceRecord), as one JSON
   * object of columns that DuckDB parses and unnests in one statement: a parameter per value took
   * 0.45 s for the 4,750 rows of one zone's zone_days; JSON rows took 0.36 s for the 42,380 rows of
   * calendar_periods over 1999-2027, JSON columns (half the text) 0.24 s.
   */
  private async loadReferenceTable(table: ReferenceTable): Promise<void> {
    const columns = table.columns.map((c) => `${c.name} ${REFERENCE_TYPES[c.type]}`).join(', ');
    await this.connection.run(`CREATE TABLE ${table.name} (${columns})`);
    if (table.rows.length === 0) return;
    const records = table.rows.map((row) => referenceRecord(table, row));
    const lists = Object.fromEntries(table.columns.map((c) => [c.name, records.map((r) => r[c.name])]));
    const struct = JSON.stringify(
      Object.fromEntries(table.columns.map((c) => [c.name, `${REFERENCE_TYPES[c.type]}[]`])),
    );
    const names = table.columns.map((c) => c.name);
    await this.connection.run(
      `INSERT INTO ${table.name} (${names.join(', ')})
       SELECT ${names.map((name) => `unnest(j.${name})`).join(', ')} FROM (SELECT from_json($1, '${struct}') AS j)`,
      [JSON.stringify(lists)],
    );
  }
}

/**
 * One canonical table as a view over its partition files: each canonical column cast to its
 * declared type (a column missing from every file reads as NULL), `dt` the partition string Glue
 * declares, or an empty typed relation when the table has no file. Being a view, a filter on `dt`
 * prunes partitions and filters reach the Parquet reader. Files whose columns differ are read by
 * name (union_by_name), which reads every footer each time a query names the table; files alike
 * are read as the first one.
 */
function canonicalViewSql(table: TableName, files: readonly CuratedFile[], layout: TableLayout | undefined): string {
  const columns = duckdbColumns(table);
  if (files.length === 0 || layout === undefined) {
    const select = columns.map((c) => `CAST(NULL AS ${c.type}) AS ${c.name}`).join(', ');
    return `CREATE VIEW ${table} AS SELECT ${select}, CAST(NULL AS VARCHAR) AS dt WHERE false`;
  }
  const paths = `[${files.map((f) => sqlString(f.path)).join(', ')}]`;
  const byName = layout.uniform ? '' : ', union_by_name = true';
  const source = `read_parquet(${paths}, hive_partitioning = true, hive_types_autocast = false${byName})`;
  const found = new Set(layout.columns);
  const select = columns.map((c) =>
    found.has(c.name) ? `CAST(${c.name} AS ${c.type}) AS ${c.name}` : `CAST(NULL AS ${c.type}) AS ${c.name}`,
  );
  return `CREATE VIEW ${table} AS SELECT ${select.join(', ')}, dt FROM ${source}`;
}

async function setMemoryLimit(connection: DuckDBConnection, limit: string): Promise<void> {
  try {
    await connection.run(`SET memory_limit = ${sqlString(limit)}`);
  } catch (error) {
    throw new Error(
      `DuckDB memory limit "${limit}" (${MEMORY_LIMIT_ENV}, default ${DEFAULTS.duckdbMemoryLimit}) is not a size DuckDB accepts; give one such as 1GiB or 768MiB: ${errorMessage(error)}`,
    );
  }
}

function stepName(step: BuildStep): string {
  return step.kind === 'view' ? step.view.name : step.table.name;
}

/** An empty in-memory table with the declared columns (the declared types are also DuckDB types). */
export function createMaterialisedTableSql(table: MaterialisedTable): string {
  return `CREATE TABLE ${table.name} (${table.columns.map((c) => `${c.name} ${c.type}`).join(', ')})`;
}

function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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

/** Statements naming everything a round's lanes read: the registry objects to create before it runs. */
function roundStatements(round: RefreshRound | undefined): string {
  return (round ?? [])
    .flatMap((lane) =>
      'shared' in lane ? lane.shared : lane.families.flatMap((f) => familySlices(f).map((s) => sliceInsertSql(s))),
    )
    .join('\n');
}

/**
 * Every result once all have settled, or the first failure once all have: a lane that failed
 * leaves the others to finish their statement before the refresh cleans up after them.
 */
async function settleAll<T>(work: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(work);
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<T>).value);
}
