/**
 * The `*_latest` views, generated from the canonical model: one per table, keeping the newest
 * version of each record. A table's key and version order are declared once, in TABLES
 * (lambdas/core/schema/canonical.ts); the SQL below is derived from them, so a new column or a new
 * table needs no hand-written view.
 *
 * The version order is a few narrow columns (timestamps, then the row's lineage), never the
 * whole row: an engine reads the columns a window orders by for every row of the table, so
 * ordering on every column made each metric query read the free-text `comment` and `text`
 * columns too.
 */
import { TABLES, type TableName } from '../lambdas/core/schema/canonical.ts';
import { columnsOf } from '../lambdas/core/schema/derive.ts';

/** The view name of a table's latest versions. */
export function latestViewName(table: TableName): string {
  return `${table}_latest`;
}

/** The SELECT of a table's latest-version view (Trino dialect, also valid DuckDB). */
export function latestViewSql(table: TableName): string {
  const def = TABLES[table];
  const columns = [...columnsOf(table).map((c) => c.name), 'dt'];
  const order = def.versionBy.map((column) => `${column} DESC NULLS LAST`);
  return [
    `-- ${latestViewName(table)}: one row per ${table} record, identified by (${def.key.join(', ')}): its`,
    `-- latest version${def.latestWithinPartition ? ' within its dt partition (every version of a record shares it)' : ''}, ordered by`,
    `-- ${def.versionBy.join(', ')} (each newest first). Generated from TABLES`,
    '-- in lambdas/core/schema/canonical.ts (sql/latest.ts); every view reads this one, never the table.',
    'SELECT',
    columns.map((c) => `  ${c}`).join(',\n'),
    'FROM (',
    '  SELECT',
    '    versions.*,',
    '    row_number() OVER (',
    `      PARTITION BY ${[...def.key, ...(def.latestWithinPartition ? ['dt'] : [])].join(', ')}`,
    `      ORDER BY ${order.join(', ')}`,
    '    ) AS version_rank',
    `  FROM ${table} AS versions`,
    ') AS ranked',
    'WHERE version_rank = 1',
  ].join('\n');
}
