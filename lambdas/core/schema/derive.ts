/** Everything derived from the canonical model: column lists, engine DDL types and docs. */
import type { z } from 'zod';
import { TABLES, type TableDefinition, type TableName } from './canonical.ts';
import { type ColumnMeta, columnRegistry, TYPE_MAPPING } from './columns.ts';
import { COMPACTED_FILE, STAGING_PREFIX } from './layout.ts';

export interface ColumnDefinition extends ColumnMeta {
  readonly name: string;
}

/** The ordered columns of a canonical table, with the metadata registered by its builders. */
export function columnsOf(table: TableDefinition | TableName): ColumnDefinition[] {
  const def = typeof table === 'string' ? TABLES[table] : table;
  return Object.entries(def.schema.shape).map(([name, schema]) => {
    const meta = columnRegistry.get(schema as z.ZodType);
    if (!meta) throw new Error(`canonical column ${def.name}.${name} was not declared with a column builder`);
    return { name, ...meta };
  });
}

/**
 * The part of a row a producer need not spell out: every nullable column null and every required
 * flag false. Builders spread it first, then the values they know.
 */
export function blankRow(table: TableName): Record<string, null | false> {
  const blank: Record<string, null | false> = {};
  for (const c of columnsOf(table)) {
    if (c.nullable) blank[c.name] = null;
    else if (c.logicalType === 'boolean') blank[c.name] = false;
  }
  return blank;
}

/** The columns whose first non-null value dates a row's `dt` partition, in order of preference. */
export function partitionColumns(table: TableDefinition | TableName): string[] {
  const def: TableDefinition = typeof table === 'string' ? TABLES[table] : table;
  return [...(def.partitionPrefers ?? []), def.partitionBy];
}

/** `name TYPE` pairs for DuckDB, e.g. to cast or to declare an empty table. */
export function duckdbColumns(table: TableName): { name: string; type: string }[] {
  return columnsOf(table).map((c) => ({ name: c.name, type: TYPE_MAPPING[c.logicalType].duckdb }));
}

/** Glue/Hive column definitions (the `dt` partition key is separate). */
export function glueColumns(table: TableName): { name: string; type: string; comment: string }[] {
  return columnsOf(table).map((c) => ({
    name: c.name,
    type: TYPE_MAPPING[c.logicalType].glue,
    comment: c.description.slice(0, 255),
  }));
}

/** The markdown of docs/data-model.md. */
export function dataModelMarkdown(): string {
  const lines = [
    '# Canonical data model',
    '',
    'Generated from `lambdas/core/schema/canonical.ts` by `npm run docs`; do not edit by hand.',
    '',
    'Every table is Parquet under `curated/<table>/dt=YYYY-MM-DD/`, partitioned by the UTC date of',
    `its partition column, in one compacted file per partition (\`${COMPACTED_FILE}\`). The normaliser`,
    `writes one file per landing object under \`curated/${STAGING_PREFIX}<table>/dt=YYYY-MM-DD/\`, which the`,
    'tables do not read; compaction merges them into the partition file (see docs/deploy.md).',
    'Timestamps are UTC, durations are seconds, customer identifiers are pseudonymised with',
    'HMAC-SHA256 before they are written.',
  ];
  for (const def of Object.values(TABLES)) {
    lines.push('', `## ${def.name}`, '', def.description, '');
    lines.push(
      `Partitioned by the date of ${partitionColumns(def)
        .map((c) => `\`${c}\``)
        .join(', else ')}. Key: ${def.key.map((k) => `\`${k}\``).join(', ')}.`,
      '',
    );
    lines.push('| column | type | null | description |', '|---|---|---|---|');
    for (const c of columnsOf(def)) {
      const values = c.values ? ` Values: ${c.values.map((v) => `\`${v}\``).join(', ')}.` : '';
      lines.push(
        `| ${c.name} | ${TYPE_MAPPING[c.logicalType].glue} | ${c.nullable ? 'yes' : 'no'} | ${c.description}${values} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
