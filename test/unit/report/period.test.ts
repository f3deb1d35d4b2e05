import { describe, expect, it } from 'vitest';
import { PeriodError, parsePeriod, trendStarts } from '../../../lambdas/report/period.ts';

describe('parsePeriod', () => {
  it('reads a month with its bounds, previous month and a twelve-month trend window', () => {
    const p = parsePeriod('2025-03', 'month');
    expect(p).toMatchObject({
      id: '2025-03',
      label: 'March 2025',
      start: '2025-03-01',
      end: '2025-04-01',
      previousStart: '2025-02-01',
      trendStart: '2024-04-01',
    });
    expect(trendStarts(p)).toHaveLength(12);
    expect(trendStarts(p).at(-1)).toBe('2025-03-01');
  });

  it('reads an ISO week, where week 1 is the week holding 4 January', () => {
    expect(parsePeriod('2025-W01', 'week')).toMatchObject({
      start: '2024-12-30',
      end: '2025-01-06',
      previousStart: '2024-12-23',
    });
    expect(parsePeriod('2020-W53', 'week').start).toBe('2020-12-28');
  });

  it('accepts the Monday of a week and names it as an ISO week', () => {
    expect(parsePeriod('2025-06-02', 'week')).toMatchObject({ id: '2025-W23', start: '2025-06-02' });
  });

  it.each([
    ['2025-13', 'month'],
    ['2025-6', 'month'],
    ['June 2025', 'month'],
    ["2025-06'; DROP TABLE scorecard; --", 'month'],
    ['2025-W54', 'week'],
    ['2025-W53', 'week'],
    ['2025-06-03', 'week'],
    ['2025-02-30', 'week'],
    ['2025-06', 'week'],
  ] as const)('fails when the period is %s for a %s', (period, grain) => {
    expect(() => parsePeriod(period, grain)).toThrow(PeriodError);
  });

  it('names the expected form in the error', () => {
    expect(() => parsePeriod('2025/06', 'month')).toThrow(/write it as YYYY-MM/);
    expect(() => parsePeriod('2025-06-03', 'week')).toThrow(/not a Monday/);
  });
});
