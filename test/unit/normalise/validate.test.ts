/**
 * validateRow against zod itself: for every canonical table, rows drawn from values at and around
 * each column type's bounds get the same verdict, the same first issue and the same value in every
 * column as the table's zod schema gives.
 */
import { describe, expect, it } from 'vitest';
import { plainlyValid, validateRow } from '../../../lambdas/core/normalise/validate.ts';
import { TABLES, type TableName } from '../../../lambdas/core/schema/canonical.ts';
import { MAX_LABEL_CHARS, MAX_TEXT_CHARS } from '../../../lambdas/core/schema/columns.ts';
import { blankRow, type ColumnDefinition, columnsOf } from '../../../lambdas/core/schema/derive.ts';

const ALWAYS_TRIED: readonly unknown[] = [
  null,
  undefined,
  '',
  ' ',
  'x',
  'x'.repeat(MAX_LABEL_CHARS),
  'x'.repeat(MAX_LABEL_CHARS + 1),
  'x'.repeat(MAX_TEXT_CHARS + 1),
  0,
  -0,
  -1,
  1.5,
  -2.25,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  1e308,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  10n,
  true,
  false,
  new Date('2025-01-02T03:04:05Z'),
  new Date(Number.NaN),
  '2025-01-02T03:04:05Z',
  {},
  [],
];

/** Values worth trying in a column: the shared ones and, for an enum, its allowed values and a near miss. */
function candidates(column: ColumnDefinition): unknown[] {
  return [...ALWAYS_TRIED, ...(column.values ?? []), ...(column.values ?? []).map((v) => v.toUpperCase())];
}

/** A row zod accepts: the blank row with a plain value in every required column. */
function validRow(table: TableName): Record<string, unknown> {
  const row: Record<string, unknown> = { ...blankRow(table) };
  for (const column of columnsOf(table)) {
    if (column.nullable || column.logicalType === 'boolean') continue;
    row[column.name] =
      column.values?.[0] ??
      { string: 'id-1', timestamp: new Date('2025-01-02T03:04:05Z'), double: 2, bigint: 3, date: 'x' }[
        column.logicalType
      ];
  }
  return row;
}

const tables = Object.keys(TABLES) as TableName[];

describe('validateRow', () => {
  it.each(tables)('gives zod’s verdict, first issue and row on %s, one column changed at a time', (table) => {
    const base = validRow(table);
    expect(TABLES[table].schema.safeParse(base).success).toBe(true);
    let fast = 0;
    for (const column of columnsOf(table)) {
      for (const value of candidates(column)) {
        const row = { ...base, [column.name]: value, extra: 'dropped' };
        const expected = TABLES[table].schema.safeParse(row);
        const actual = validateRow(table, row);
        expect(actual.success).toBe(expected.success);
        if (expected.success && actual.success) {
          const data = expected.data as Record<string, unknown>;
          for (const name of Object.keys(data)) expect(Object.is(actual.data[name], data[name])).toBe(true);
          expect(Object.keys(data)).toEqual(columnsOf(table).map((c) => c.name));
        } else {
          expect(actual.error?.issues[0]).toEqual(expected.error?.issues[0]);
        }
        if (plainlyValid(table, row)) fast++;
      }
    }
    // The shortcut is taken, not only zod.
    expect(fast).toBeGreaterThan(0);
  });

  it('never takes the shortcut for a row zod refuses (a missing key, null in a required column)', () => {
    const row = validRow('interactions');
    expect(plainlyValid('interactions', row)).toBe(true);
    const { interaction_id: _dropped, ...missing } = row;
    expect(plainlyValid('interactions', missing)).toBe(false);
    expect(validateRow('interactions', missing).success).toBe(false);
    expect(plainlyValid('interactions', { ...row, channel: null })).toBe(false);
    expect(validateRow('interactions', { ...row, channel: null }).success).toBe(false);
  });
});
