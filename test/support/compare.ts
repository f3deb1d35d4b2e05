/**
 * Row-for-row comparison of one query's results on two engines. Rows are matched on their exact
 * values (strings, booleans, dates, timestamps, integers: counts, flags, RAG and ranks must be
 * equal); the other numbers, the columns where any value is fractional, are compared within a
 * relative tolerance, or an absolute one near zero, because two engines may sum doubles in another
 * order.
 */
import type { SqlValue } from '../../lambdas/core/query/engine.ts';

export type Row = Readonly<Record<string, SqlValue>>;

export const COMPARE_DEFAULTS = {
  relative: 1e-9,
  absolute: 1e-9,
  /** Differences shown in a report; the counts always cover every row. */
  shown: 5,
} as const;

export interface CompareOptions {
  /** @default COMPARE_DEFAULTS.relative */
  readonly relative?: number;
  /** @default COMPARE_DEFAULTS.absolute */
  readonly absolute?: number;
}

export interface ValueDifference {
  /** The row's exact values, which both sides share. */
  readonly row: Row;
  readonly column: string;
  readonly left: SqlValue;
  readonly right: SqlValue;
}

export interface RowComparison {
  readonly leftRows: number;
  readonly rightRows: number;
  /** Columns compared with the tolerance. */
  readonly approximate: readonly string[];
  /** Rows whose exact values have no partner on the other side. */
  readonly onlyLeft: readonly Row[];
  readonly onlyRight: readonly Row[];
  /** Matched rows with a number outside the tolerance, one entry per column. */
  readonly differences: readonly ValueDifference[];
  /** Rows of the left side that differ in any way (unmatched or out of tolerance). */
  readonly differingRows: number;
}

/** Compares two result sets as multisets of rows; the order of rows does not matter. */
export function compareRows(left: readonly Row[], right: readonly Row[], options: CompareOptions = {}): RowComparison {
  const relative = options.relative ?? COMPARE_DEFAULTS.relative;
  const absolute = options.absolute ?? COMPARE_DEFAULTS.absolute;
  const columns = [...new Set([...left, ...right].flatMap((row) => Object.keys(row)))].sort();
  const approximate = columns.filter((column) =>
    [...left, ...right].some((row) => {
      const value = row[column];
      return typeof value === 'number' && !Number.isInteger(value);
    }),
  );
  const exact = columns.filter((column) => !approximate.includes(column));
  const keyOf = (row: Row) => JSON.stringify(exact.map((column) => normalise(row[column])));
  const byNumbers = (a: Row, b: Row) => {
    for (const column of approximate) {
      const order = numberOrder(a[column], b[column]);
      if (order !== 0) return order;
    }
    return 0;
  };
  const group = (rows: readonly Row[]) => {
    const groups = new Map<string, Row[]>();
    for (const row of rows) {
      const key = keyOf(row);
      const list = groups.get(key);
      if (list) list.push(row);
      else groups.set(key, [row]);
    }
    return groups;
  };
  const leftGroups = group(left);
  const rightGroups = group(right);
  const onlyLeft: Row[] = [];
  const onlyRight: Row[] = [];
  const differences: ValueDifference[] = [];
  let differingRows = 0;
  for (const [key, leftRows] of leftGroups) {
    const rightRows = rightGroups.get(key) ?? [];
    leftRows.sort(byNumbers);
    rightRows.sort(byNumbers);
    const paired = Math.min(leftRows.length, rightRows.length);
    for (let i = 0; i < paired; i++) {
      const l = leftRows[i] as Row;
      const r = rightRows[i] as Row;
      const found = approximate
        .filter((column) => !withinTolerance(l[column] ?? null, r[column] ?? null, relative, absolute))
        .map((column) => ({
          row: Object.fromEntries(exact.map((c) => [c, l[c] ?? null])),
          column,
          left: l[column] ?? null,
          right: r[column] ?? null,
        }));
      differences.push(...found);
      if (found.length > 0) differingRows += 1;
    }
    onlyLeft.push(...leftRows.slice(paired));
    onlyRight.push(...rightRows.slice(paired));
    differingRows += leftRows.length - paired;
  }
  for (const [key, rightRows] of rightGroups) if (!leftGroups.has(key)) onlyRight.push(...rightRows);
  return {
    leftRows: left.length,
    rightRows: right.length,
    approximate,
    onlyLeft,
    onlyRight,
    differences,
    differingRows,
  };
}

/** Whether the two sides hold the same rows. */
export function isSame(comparison: RowComparison): boolean {
  return (
    comparison.leftRows === comparison.rightRows &&
    comparison.onlyLeft.length === 0 &&
    comparison.onlyRight.length === 0 &&
    comparison.differences.length === 0
  );
}

/** A readable account of a comparison: counts, then a few rows of each kind of difference. */
export function describeComparison(comparison: RowComparison, names: readonly [string, string]): string {
  const [a, b] = names;
  const shown = COMPARE_DEFAULTS.shown;
  const lines = [
    `${a} ${comparison.leftRows} rows, ${b} ${comparison.rightRows} rows; ${comparison.differingRows} ${a} rows differ`,
    `compared within tolerance: ${comparison.approximate.join(', ') || 'no column'}`,
  ];
  const list = (title: string, rows: readonly unknown[]) => {
    if (rows.length === 0) return;
    lines.push(`${title} (${rows.length}):`);
    for (const row of rows.slice(0, shown)) lines.push(`  ${JSON.stringify(row)}`);
  };
  list(`only on ${a}`, comparison.onlyLeft);
  list(`only on ${b}`, comparison.onlyRight);
  list('numbers out of tolerance', comparison.differences);
  return lines.join('\n');
}

/** Equal exact values compare equal whatever their spelling: -0 is 0. */
function normalise(value: SqlValue | undefined): SqlValue {
  if (value === undefined) return null;
  if (typeof value === 'number' && Object.is(value, -0)) return 0;
  return value;
}

function withinTolerance(a: SqlValue, b: SqlValue, relative: number, absolute: number): boolean {
  if (typeof a !== 'number' || typeof b !== 'number') return a === b;
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  return Math.abs(a - b) <= Math.max(absolute, relative * Math.max(Math.abs(a), Math.abs(b)));
}

/** Nulls first, then numbers ascending (NaN last), then anything else by its text. */
function numberOrder(a: SqlValue | undefined, b: SqlValue | undefined): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
    if (Number.isNaN(b)) return -1;
    return a - b;
  }
  return String(a).localeCompare(String(b));
}
