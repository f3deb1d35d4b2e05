/** Runs the mapping adapter over a file or text, as the pipeline would (minus validation and Parquet). */
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { type Mapping, mappingAdapter, parseMapping } from '../../../../lambdas/adapters/mapping/index.ts';
import type { AdapterContext, IdentifierKind, SourceRecord } from '../../../../lambdas/core/normalise/adapter.ts';
import { TABLES } from '../../../../lambdas/core/schema/canonical.ts';
import { REALDATA } from '../../../support/realdata.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const FIXTURES = join(REPO_ROOT, 'test/fixtures/mapping');
export const EXAMPLES = join(REPO_ROOT, 'examples/mappings');
export const INGESTED_AT = new Date('2024-05-01T00:00:00Z');

/** A readable stand-in for the keyed hash: the kind and the value, so tests can see what was hashed. */
export function fakePseudonym(kind: IdentifierKind, value: string | null | undefined): string | null {
  return value === null || value === undefined || value.trim() === '' ? null : `${kind}#${value.trim()}`;
}

export function testContext(overrides: Partial<AdapterContext> = {}): AdapterContext {
  return {
    source: 'test-source',
    objectKey: 'test-source/file.csv',
    ingestedAt: INGESTED_AT,
    timeZone: 'UTC',
    pseudonymise: fakePseudonym,
    ...overrides,
  };
}

export function loadExample(name: string): Mapping {
  const file = join(EXAMPLES, `${name}.json`);
  return parseMapping(JSON.parse(readFileSync(file, 'utf8')), file);
}

export async function runMapping(
  mapping: Mapping,
  input: string | Buffer | { file: string },
  context: AdapterContext = testContext(),
): Promise<SourceRecord[]> {
  const stream =
    typeof input === 'object' && 'file' in input ? createReadStream(input.file) : Readable.from([Buffer.from(input)]);
  const records: SourceRecord[] = [];
  for await (const record of mappingAdapter.read(stream, { mapping }, context)) records.push(record);
  return records;
}

export type MappedRecord = Extract<SourceRecord, { kind: 'mapped' }>;
export type RejectedRecord = Extract<SourceRecord, { kind: 'rejected' }>;

export function mapped(records: readonly SourceRecord[]): MappedRecord[] {
  return records.filter((r): r is MappedRecord => r.kind === 'mapped');
}

export function rejected(records: readonly SourceRecord[]): RejectedRecord[] {
  return records.filter((r): r is RejectedRecord => r.kind === 'rejected');
}

/** The one canonical row of a mapped record, checked against its table's zod schema. */
export function rowOf(record: SourceRecord | undefined): Record<string, unknown> {
  if (record?.kind !== 'mapped') throw new Error(`expected a mapped record, got ${JSON.stringify(record)}`);
  const [only] = record.rows;
  if (!only || record.rows.length !== 1) throw new Error('expected exactly one row');
  const result = TABLES[only.table].schema.safeParse(only.row);
  if (!result.success) throw new Error(`row ${record.rowNumber} fails ${only.table}: ${result.error.message}`);
  return only.row;
}

export const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : value);

export interface RealRun {
  readonly read: number;
  readonly rows: Record<string, unknown>[];
  /** Rejected records by reason, with every timestamp and quoted value in the reason elided. */
  readonly rejectedBy: Record<string, number>;
  readonly invalid: number;
}

/** Runs a shipped mapping over a real export; every accepted row is checked against its canonical schema. */
export async function runOnRealFile(mappingName: string, file: string): Promise<RealRun> {
  const records = await runMapping(loadExample(mappingName), { file: join(REALDATA, file) });
  const rows: Record<string, unknown>[] = [];
  const rejectedBy: Record<string, number> = {};
  let invalid = 0;
  for (const record of records) {
    if (record.kind === 'mapped') {
      for (const { table, row } of record.rows) {
        if (!TABLES[table].schema.safeParse(row).success) invalid++;
        rows.push(row);
      }
    } else {
      const reason = `${record.field}: ${record.reason.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '…').replace(/"[^"]*"/g, '"…"')}`;
      rejectedBy[reason] = (rejectedBy[reason] ?? 0) + 1;
    }
  }
  return { read: records.length, rows, rejectedBy, invalid };
}

export const count = (rows: readonly Record<string, unknown>[], test: (row: Record<string, unknown>) => boolean) =>
  rows.filter(test).length;
