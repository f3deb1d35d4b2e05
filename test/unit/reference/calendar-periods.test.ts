import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../lambdas/core/config/config.ts';
import {
  calendarPeriods,
  calendarPeriodsTable,
  rangeProblems,
  reportRangesTable,
} from '../../../lambdas/core/time/calendar-periods.ts';

const periodsOf = (date: string, ranges: { start: string; end: string }[] = []) =>
  calendarPeriods(date, date, ranges).map((r) => `${r.grain} ${r.period_start}..${r.period_end}`);

describe('calendar_periods', () => {
  it('places a date in its ISO week (Monday first), month, quarter and year', () => {
    // 2025-03-31 is a Monday, the last day of Q1.
    expect(periodsOf('2025-03-31')).toEqual([
      'month 2025-03-01..2025-03-31',
      'week 2025-03-31..2025-04-06',
      'quarter 2025-01-01..2025-03-31',
      'year 2025-01-01..2025-12-31',
    ]);
    // 2025-04-01 (Tuesday) starts Q2; its week began the day before, in Q1.
    expect(periodsOf('2025-04-01')).toEqual([
      'month 2025-04-01..2025-04-30',
      'week 2025-03-31..2025-04-06',
      'quarter 2025-04-01..2025-06-30',
      'year 2025-01-01..2025-12-31',
    ]);
    // Sunday 2025-01-05 ends the week of Monday 2024-12-30: ISO week 1 of 2025 starts in 2024.
    expect(periodsOf('2025-01-05')[1]).toBe('week 2024-12-30..2025-01-05');
    // a leap day: February of 2024 has 29 days; Q4 ends on 31 December.
    expect(periodsOf('2024-02-29')[0]).toBe('month 2024-02-01..2024-02-29');
    expect(periodsOf('2024-11-15')[2]).toBe('quarter 2024-10-01..2024-12-31');
  });

  it('adds a range row for each day of a range asked for, and none outside it', () => {
    const ranges = [
      { start: '2025-04-15', end: '2025-06-15' },
      { start: '2025-02-12', end: '2025-04-14' },
    ];
    expect(periodsOf('2025-04-15', ranges).at(-1)).toBe('range 2025-04-15..2025-06-15');
    expect(periodsOf('2025-04-14', ranges).at(-1)).toBe('range 2025-02-12..2025-04-14');
    expect(periodsOf('2025-06-16', ranges)).toHaveLength(4);
    // 2025-04-01..06-30: 91 days of four grains; 62 days of the first range and 14 of the second
    expect(calendarPeriods('2025-04-01', '2025-06-30', ranges)).toHaveLength(91 * 4 + 62 + 14);
  });

  it('refuses ranges that are not dates, run backwards or share a day, each named', () => {
    expect(
      rangeProblems([
        { start: '2025-02-30', end: '2025-03-01' },
        { start: '2025-05-02', end: '2025-05-01' },
        { start: '2025-01-01', end: '2025-01-31' },
        { start: '2025-01-31', end: '2025-02-10' },
      ]),
    ).toEqual([
      'range 2025-02-30 to 2025-03-01: dates must be yyyy-MM-dd',
      'range 2025-05-02 to 2025-05-01 ends before it starts',
      'ranges 2025-01-01 to 2025-01-31 and 2025-01-31 to 2025-02-10 overlap',
    ]);
    expect(() => reportRangesTable([{ start: '2025-05-02', end: '2025-05-01' }])).toThrow(
      'report ranges: range 2025-05-02 to 2025-05-01 ends before it starts',
    );
  });

  it('covers every local date of zone_days: a day either side of its UTC dates', () => {
    const config = parseConfig({ lake: { partitionsFrom: '2024-01-01' } });
    const table = calendarPeriodsTable(config, new Date('2025-03-01T00:00:00Z'), []);
    // zone_days: 2023-12-31 .. 2026-12-31; local dates 2023-12-30 .. 2027-01-01
    expect(table.rows[0]).toEqual({
      local_date: '2023-12-30',
      grain: 'month',
      period_start: '2023-12-01',
      period_end: '2023-12-31',
    });
    expect(table.rows.at(-1)).toEqual({
      local_date: '2027-01-01',
      grain: 'year',
      period_start: '2027-01-01',
      period_end: '2027-12-31',
    });
  });

  it('report_ranges holds the ranges asked for, empty by default', () => {
    expect(reportRangesTable([]).rows).toEqual([]);
    expect(reportRangesTable([{ start: '2025-04-15', end: '2025-06-15' }]).rows).toEqual([
      { period_start: '2025-04-15', period_end: '2025-06-15' },
    ]);
  });
});
