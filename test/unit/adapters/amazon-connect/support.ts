/** Helpers shared by the adapter tests: a context like the pipeline's, and canonical validation. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { AdapterContext, MappedRow, SourceRecord } from '../../../../lambdas/core/normalise/adapter.ts';
import { createPseudonymiser } from '../../../../lambdas/core/normalise/pseudonymise.ts';
import { TABLES, type TableName } from '../../../../lambdas/core/schema/canonical.ts';

export const FIXTURES = join(import.meta.dirname, '../../../fixtures');
export const INGESTED_AT = new Date('2024-03-10T00:00:00Z');
const KEY = new Uint8Array(32).fill(7);

export function testContext(source = 'test-source'): AdapterContext {
  return {
    source,
    objectKey: `${source}/2024/03/export.json`,
    ingestedAt: INGESTED_AT,
    pseudonymise: createPseudonymiser(KEY),
    timeZone: 'UTC',
  };
}

export function fixture(...path: string[]): string {
  return readFileSync(join(FIXTURES, ...path), 'utf8');
}

/** Asserts every row passes its table's canonical schema, with the zod issues in the failure message. */
export function expectCanonical(rows: readonly MappedRow[]): void {
  for (const { table, row } of rows) {
    const result = TABLES[table].schema.safeParse(row);
    expect(result.success, `${table} row ${JSON.stringify(row)}: ${result.error?.message}`).toBe(true);
  }
}

export function rowsOf(rows: readonly MappedRow[], table: TableName): Record<string, unknown>[] {
  return rows.filter((r) => r.table === table).map((r) => r.row);
}

export async function collect(records: AsyncIterable<SourceRecord>): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const record of records) out.push(record);
  return out;
}

export function mappedRows(records: readonly SourceRecord[]): MappedRow[] {
  return records.flatMap((r) => (r.kind === 'mapped' ? r.rows : []));
}
