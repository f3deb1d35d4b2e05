import { describe, expect, it } from 'vitest';
import { compareRows, describeComparison, isSame } from '../support/compare.ts';

describe('compareRows', () => {
  it('matches rows in any order and numbers within 1e-9 relative', () => {
    const duck = [
      { metric: 'qa', n: 3, value: 80.47619047619048 },
      { metric: 'aht', n: 7, value: 300.5 },
    ];
    const trino = [
      { metric: 'aht', n: 7, value: 300.5000000001 },
      { metric: 'qa', n: 3, value: 80.47619047619047 },
    ];
    const comparison = compareRows(duck, trino);
    expect(comparison.approximate).toEqual(['value']);
    expect(isSame(comparison)).toBe(true);
  });

  it('takes 1e-9 as absolute near zero, and -0 as 0', () => {
    expect(isSame(compareRows([{ r: -8.9e-17, k: 0 }], [{ r: 0, k: -0 }]))).toBe(true);
    expect(isSame(compareRows([{ r: 0.5e-9 + 0.25 }], [{ r: 0.25 }]))).toBe(true);
    expect(isSame(compareRows([{ r: 3e-9 }], [{ r: 0.5 }]))).toBe(false);
  });

  it('fails when a number is out of tolerance, naming the row and column', () => {
    const comparison = compareRows(
      [{ agent: 'a', pct: 13.043478260869565 }],
      [{ agent: 'a', pct: 17.391304347826086 }],
    );
    expect(comparison.differences).toEqual([
      { row: { agent: 'a' }, column: 'pct', left: 13.043478260869565, right: 17.391304347826086 },
    ]);
    expect(comparison.differingRows).toBe(1);
    expect(describeComparison(comparison, ['DuckDB', 'Trino'])).toContain('numbers out of tolerance (1)');
  });

  it('fails when a count, flag or label differs: exact columns must be equal', () => {
    const comparison = compareRows(
      [{ group: 'g', kept: null, rag: 'green', ok: true }],
      [{ group: 'g', kept: 0, rag: 'green', ok: true }],
    );
    expect(comparison.onlyLeft).toEqual([{ group: 'g', kept: null, rag: 'green', ok: true }]);
    expect(comparison.onlyRight).toEqual([{ group: 'g', kept: 0, rag: 'green', ok: true }]);
    expect(isSame(comparison)).toBe(false);
  });

  it('counts duplicate rows: a row twice on one side is not the same as once', () => {
    const comparison = compareRows([{ a: 1 }, { a: 1 }], [{ a: 1 }]);
    expect(comparison.onlyLeft).toEqual([{ a: 1 }]);
    expect(isSame(comparison)).toBe(false);
  });

  it('pairs duplicates of the exact values by their numbers, and tells NaN from NULL', () => {
    const duck = [
      { k: 'x', v: 2.5 },
      { k: 'x', v: 1.5 },
    ];
    const trino = [
      { k: 'x', v: 1.5000000000001 },
      { k: 'x', v: 2.5 },
    ];
    expect(isSame(compareRows(duck, trino))).toBe(true);
    expect(isSame(compareRows([{ v: Number.NaN }], [{ v: Number.NaN }]))).toBe(true);
    expect(isSame(compareRows([{ v: Number.NaN }], [{ v: null }]))).toBe(false);
  });
});
