/**
 * `servicebench refresh`: rewrites the materialised metric_values table from the metric views, one
 * family at a time, the same statements on every engine. On Trino the table lives in the cluster's
 * catalog and metrics and report read it until the next refresh. The local DuckDB engine keeps it
 * in the lake's cache (`.servicebench/cache/`) and refreshes it by itself when the curated files,
 * the config or the views changed; there the command rewrites it anyway and shows what a refresh
 * computes and what it costs.
 */
import { METRIC_FAMILIES, METRIC_VALUES, type MetricFamily } from '../../sql/materialised.ts';
import { type CommandContext, progressLines, readConfig } from '../context.ts';
import { describeEngine, type EngineFlags, openQueryEngine } from '../engine.ts';
import { formatRows } from '../format.ts';
import { openLake } from '../lake.ts';

export interface RefreshOptions {
  /** Families to rewrite. @default every family (METRIC_FAMILIES) */
  readonly family?: readonly MetricFamily[];
}

interface FamilyRefreshed {
  readonly family: MetricFamily;
  readonly rows: number;
  readonly ms: number;
}

/** --family picks families of a table that persists, so it needs the Trino engine. */
export function refreshProblems(options: RefreshOptions, flags: EngineFlags): string[] {
  if (options.family === undefined || flags.engine === 'trino') return [];
  return [
    `--family ${options.family.join(',')}: the local DuckDB engine refreshes every family together whenever the lake, the config or the views change; drop --family, or add --engine trino --server URL`,
  ];
}

export async function refresh(context: CommandContext, options: RefreshOptions): Promise<void> {
  const { stdout, stderr } = context.io;
  const choice = context.engine;
  const started = performance.now();
  const refreshed: FamilyRefreshed[] = [];
  if (choice.engine === 'duckdb') {
    const { openLakeEngine } = await import('../duckdb.ts');
    const engine = await openLakeEngine({
      lakeDir: openLake(context.lakeDir).dir,
      config: readConfig(context),
      onProgress: progressLines(context.io),
    });
    try {
      const families = await engine.refresh();
      const rows = await rowsByFamily(engine.query.bind(engine));
      refreshed.push(...families.map(({ family, ms }) => ({ family, rows: rows.get(family) ?? 0, ms })));
    } finally {
      await engine.close();
    }
  } else {
    const { deleteStatementTarget, refreshFamilies } = await import('../../lambdas/core/query/refresh.ts');
    const engine = await openQueryEngine({ choice, lakeDir: context.lakeDir, config: () => readConfig(context) });
    const target = deleteStatementTarget(
      (sql) => engine.query(sql),
      (sql) => engine.query(sql),
    );
    try {
      for (const family of options.family ?? METRIC_FAMILIES) {
        stderr.write(`refreshing ${family}…\n`);
        const [done] = await refreshFamilies(target, [family]);
        const rows = await rowsByFamily(engine.query.bind(engine), family);
        refreshed.push({ family, rows: rows.get(family) ?? 0, ms: done?.ms ?? 0 });
      }
    } finally {
      await engine.close();
    }
  }
  stdout.write(
    formatRows(
      refreshed.map((r) => ({ family: r.family, rows: r.rows, seconds: (r.ms / 1000).toFixed(1) })),
      'table',
    ),
  );
  const total = refreshed.reduce((sum, r) => sum + r.rows, 0);
  const where = `${describeEngine(choice, context.lakeDir)}${choice.engine === 'duckdb' ? ' (cached in the lake)' : ''}`;
  stdout.write(
    `${METRIC_VALUES.name}: ${refreshed.length} famil${refreshed.length === 1 ? 'y' : 'ies'}, ${total.toLocaleString('en')} rows rewritten on ${where} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
}

type Query = (sql: string, params?: Readonly<Record<string, string>>) => Promise<Record<string, unknown>[]>;

/** Rows of metric_values per family (of one family when given). */
async function rowsByFamily(query: Query, family?: MetricFamily): Promise<Map<string, number>> {
  const rows =
    family === undefined
      ? await query(`SELECT family, count(*) AS row_count FROM ${METRIC_VALUES.name} GROUP BY family`)
      : await query(
          `SELECT family, count(*) AS row_count FROM ${METRIC_VALUES.name} WHERE family = :family GROUP BY family`,
          { family },
        );
  return new Map(rows.map((r) => [String(r.family), Number(r.row_count)]));
}
