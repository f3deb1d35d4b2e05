/**
 * The canonical schema's verdict on a mapped row, reached without zod for the rows that plainly
 * pass it. Nearly every row does, and zod's safeParse of a 40-column row (a check object per
 * column, an issue list, a copy of the row) cost more than mapping the record: 4.4 s of a
 * single-thread ingest of the scale-10 demo's 1.1 million records. plainlyValid holds each value to
 * a test that only a value the zod column also accepts can pass, derived from the same column
 * registry; a row with any other value (null in a required column, a negative figure, a string
 * longer than a label, a missing column) goes to zod, whose verdict and first issue are final.
 */
import type { z } from 'zod';
import { TABLES, type TableName } from '../schema/canonical.ts';
import { MAX_LABEL_CHARS } from '../schema/columns.ts';
import { type ColumnDefinition, columnsOf } from '../schema/derive.ts';

/** What a present value must be to plainly pass its column. */
enum Test {
  /** One of the enum's values. */
  Enum,
  /** A string of 1 to MAX_LABEL_CHARS characters: the shortest bound of any string column. */
  Label,
  /** A Date that holds a time. */
  Timestamp,
  /** A finite number not below zero, which every double column accepts, non-negative or not. */
  Figure,
  /** A safe integer not below zero. */
  Count,
  Boolean,
  /** Nothing plainly passes: zod judges every value. */
  None,
}

interface ColumnTest {
  readonly name: string;
  readonly nullable: boolean;
  readonly test: Test;
  readonly values: readonly string[];
}

function testOf(column: ColumnDefinition): Test {
  switch (column.logicalType) {
    case 'string':
      return column.values === undefined ? Test.Label : Test.Enum;
    case 'timestamp':
      return Test.Timestamp;
    case 'double':
      return Test.Figure;
    case 'bigint':
      return Test.Count;
    case 'boolean':
      return Test.Boolean;
    case 'date':
      return Test.None;
  }
}

const TESTS = new Map<TableName, readonly ColumnTest[]>(
  (Object.keys(TABLES) as TableName[]).map((table) => [
    table,
    columnsOf(table).map((c) => ({ name: c.name, nullable: c.nullable, test: testOf(c), values: c.values ?? [] })),
  ]),
);

/**
 * Whether the table's zod schema certainly accepts the row: every column present and its value
 * plainly valid. Then zod would return the row's columns unchanged (it drops other keys), so the
 * row itself stands for its result wherever the columns are read by name.
 */
export function plainlyValid(table: TableName, row: Readonly<Record<string, unknown>>): boolean {
  for (const column of TESTS.get(table) as readonly ColumnTest[]) {
    const value = row[column.name];
    if (value === null) {
      if (column.nullable) continue;
      return false;
    }
    let valid: boolean;
    switch (column.test) {
      case Test.Enum:
        valid = typeof value === 'string' && column.values.includes(value);
        break;
      case Test.Label:
        valid = typeof value === 'string' && value.length >= 1 && value.length <= MAX_LABEL_CHARS;
        break;
      case Test.Timestamp:
        valid = value instanceof Date && !Number.isNaN(value.getTime());
        break;
      case Test.Figure:
        valid = typeof value === 'number' && Number.isFinite(value) && value >= 0;
        break;
      case Test.Count:
        valid = typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
        break;
      case Test.Boolean:
        valid = typeof value === 'boolean';
        break;
      case Test.None:
        valid = false;
        break;
    }
    if (!valid) return false;
  }
  return true;
}

/**
 * The table's verdict on a row: the row itself when it is plainly valid, else zod's result. Read
 * its data by column name (the row may carry keys zod would drop, in another order).
 */
export function validateRow(
  table: TableName,
  row: Record<string, unknown>,
): z.ZodSafeParseResult<Record<string, unknown>> {
  if (plainlyValid(table, row)) return { success: true, data: row };
  return TABLES[table].schema.safeParse(row) as z.ZodSafeParseResult<Record<string, unknown>>;
}
