import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../lambdas/core/config/config.ts';
import {
  PeriodError,
  parsePeriod,
  periodInstants,
  periodStarting,
  rangesOf,
  reportingZone,
  resolvePeriod,
  scheduledPeriod,
  todayIn,
  trendStarts,
} from '../../../lambdas/core/time/periods.ts';

/** A fixed "now" so the year bounds (1990 to next year) do not move with the calendar. */
const NOW = new Date('2025-06-04T12:00:00Z');
const UTC = { timeZone: 'UTC', now: NOW };
const period = (text: string, grain?: 'week' | 'month') =>
  resolvePeriod({ period: text, ...(grain ? { grain } : {}) }, UTC);

describe('resolvePeriod', () => {
  it('reads a month with its bounds, previous month, trend window and dt partitions', () => {
    const june = period('2025-06');
    expect(june).toEqual({
      grain: 'month',
      id: '2025-06',
      label: 'June 2025',
      start: '2025-06-01',
      end: '2025-07-01',
      previousStart: '2025-05-01',
      trendStart: '2024-07-01',
      // A local day in any zone (UTC−12 to UTC+14) lies within its UTC date and the dates either side.
      dtRange: { from: '2025-05-31', to: '2025-07-01' },
    });
    expect(trendStarts(june)).toHaveLength(12);
    expect(trendStarts(june).at(-1)).toBe('2025-06-01');
  });

  it('reads a quarter, whose previous quarter and trend cross years', () => {
    expect(period('2025-Q2')).toEqual({
      grain: 'quarter',
      id: '2025-Q2',
      label: 'Q2 2025',
      start: '2025-04-01',
      end: '2025-07-01',
      previousStart: '2025-01-01',
      // Eleven quarters (33 months) before April 2025.
      trendStart: '2022-07-01',
      dtRange: { from: '2025-03-31', to: '2025-07-01' },
    });
    expect(period('2025-Q1')).toMatchObject({ start: '2025-01-01', end: '2025-04-01', previousStart: '2024-10-01' });
    expect(period('2024-Q4')).toMatchObject({ start: '2024-10-01', end: '2025-01-01' });
    expect(trendStarts(period('2025-Q1')).slice(-3)).toEqual(['2024-07-01', '2024-10-01', '2025-01-01']);
  });

  it('reads a year, with a trend of as many years as the lake can hold, up to twelve', () => {
    const year = period('2025');
    expect(year).toMatchObject({
      grain: 'year',
      id: '2025',
      label: '2025',
      start: '2025-01-01',
      end: '2026-01-01',
      previousStart: '2024-01-01',
      trendStart: '2014-01-01',
      dtRange: { from: '2024-12-31', to: '2026-01-01' },
    });
    expect(trendStarts(year)).toHaveLength(12);
    // No row is dated before 1990: 1995's trend holds 1990 to 1995.
    expect(trendStarts(period('1995'))).toEqual([
      '1990-01-01',
      '1991-01-01',
      '1992-01-01',
      '1993-01-01',
      '1994-01-01',
      '1995-01-01',
    ]);
  });

  it('reads an ISO week, where week 1 is the week holding 4 January, and week 53 of a long year', () => {
    expect(period('2025-W01')).toMatchObject({
      grain: 'week',
      label: 'Week 1, 2025 (30 Dec – 5 Jan)',
      start: '2024-12-30',
      end: '2025-01-06',
      previousStart: '2024-12-23',
      dtRange: { from: '2024-12-29', to: '2025-01-06' },
    });
    expect(period('2020-W53')).toMatchObject({ id: '2020-W53', start: '2020-12-28', end: '2021-01-04' });
    expect(period('2026-W53')).toMatchObject({ start: '2026-12-28', end: '2027-01-04' });
    // Eleven weeks (77 days) before Monday 30 December 2024.
    expect(trendStarts(period('2025-W01'))[0]).toBe('2024-10-14');
  });

  it('reads a Monday with --grain week as the ISO week it starts, named by its ISO year', () => {
    expect(period('2025-06-02', 'week')).toMatchObject({ id: '2025-W23', start: '2025-06-02' });
    expect(period('2020-12-28', 'week')).toMatchObject({ id: '2020-W53', end: '2021-01-04' });
  });

  it('reads a date alone as that day, a range compared with the day before; a leap day exists in 2024', () => {
    const leap = period('2024-02-29');
    expect(leap).toEqual({
      grain: 'range',
      id: '2024-02-29',
      label: 'Thursday 29 February 2024',
      start: '2024-02-29',
      end: '2024-03-01',
      previousStart: '2024-02-28',
      trendStart: '2024-02-28',
      dtRange: { from: '2024-02-28', to: '2024-03-01' },
    });
    expect(trendStarts(leap)).toEqual(['2024-02-28', '2024-02-29']);
    expect(rangesOf(leap)).toEqual([
      { start: '2024-02-29', end: '2024-02-29' },
      { start: '2024-02-28', end: '2024-02-28' },
    ]);
  });

  it('reads --from and --to as an inclusive range compared with the equal-length range before it', () => {
    const spring = resolvePeriod({ from: '2025-04-15', to: '2025-06-15' }, UTC);
    // 16 days of April, 31 of May, 15 of June: 62 days. The 62 days before run from 12 February
    // (17 days of February, 31 of March, 14 of April).
    expect(spring).toEqual({
      grain: 'range',
      id: '2025-04-15_2025-06-15',
      label: '15 April – 15 June 2025',
      start: '2025-04-15',
      end: '2025-06-16',
      previousStart: '2025-02-12',
      trendStart: '2025-02-12',
      dtRange: { from: '2025-04-14', to: '2025-06-16' },
    });
    expect(rangesOf(spring)).toEqual([
      { start: '2025-04-15', end: '2025-06-15' },
      { start: '2025-02-12', end: '2025-04-14' },
    ]);
    expect(resolvePeriod({ from: '2024-12-20', to: '2025-01-10' }, UTC).label).toBe(
      '20 December 2024 – 10 January 2025',
    );
    expect(rangesOf(period('2025-06'))).toEqual([]);
  });

  it('reads ytd in the reporting zone, today included: in Auckland the new year has begun', () => {
    // 11:00 UTC on 31 December 2025 is 00:00 on 1 January 2026 in Auckland (UTC+13 in summer).
    const now = new Date('2025-12-31T11:00:00Z');
    expect(resolvePeriod({ period: 'ytd' }, { timeZone: 'Pacific/Auckland', now })).toMatchObject({
      grain: 'range',
      id: '2026-01-01',
      start: '2026-01-01',
      end: '2026-01-02',
      previousStart: '2025-12-31',
    });
    expect(resolvePeriod({ period: 'ytd' }, { timeZone: 'UTC', now })).toMatchObject({
      id: '2025-01-01_2025-12-31',
      label: '2025 to date (1 January – 31 December 2025)',
      start: '2025-01-01',
      end: '2026-01-01',
      // The 365 days before 1 January 2025 start on 2 January 2024: 2024 was a leap year.
      previousStart: '2024-01-02',
    });
    // 10:30 UTC is still 31 December in Honolulu (UTC−10) and already 1 January on Kiritimati (UTC+14).
    const late = new Date('2025-12-31T10:30:00Z');
    expect(todayIn('Pacific/Honolulu', late).toISOString().slice(0, 10)).toBe('2025-12-31');
    expect(todayIn('Pacific/Kiritimati', late).toISOString().slice(0, 10)).toBe('2026-01-01');
  });

  it.each([
    ['June', undefined, 'period "June" is not recognised; expected YYYY-MM (a month)'],
    ["2025-06'; DROP TABLE scorecard; --", undefined, 'is not recognised'],
    ['2025-13', undefined, 'period "2025-13": month 13 does not exist; write YYYY-MM, e.g. 2025-06'],
    ['2025-Q5', undefined, 'period "2025-Q5": a year has quarters Q1 to Q4'],
    ['2025-W53', undefined, 'period "2025-W53": 2025 has ISO weeks 01 to 52'],
    ['2025-W00', undefined, 'period "2025-W00": 2025 has ISO weeks 01 to 52'],
    ['2025-02-29', undefined, 'period "2025-02-29" is not a calendar date: write YYYY-MM-DD'],
    ['2025-06-03', 'week', 'period "2025-06-03" is not a Monday: a week starts on Monday (or write YYYY-Www)'],
    ['2025-06', 'week', 'period "2025-06" is a month but the grain is week; write the week as YYYY-Www'],
    ['2025-W23', 'month', 'period "2025-W23" is a week but the grain is month; write the month as YYYY-MM'],
    ['2025-06-04', 'month', 'period "2025-06-04" is a day; write the month as YYYY-MM, or drop --grain'],
    ['9999', undefined, 'period "9999" is outside the years the lake can hold data for (1990 to 2026)'],
    ['1989-12', undefined, 'period "1989-12" is outside the years the lake can hold data for (1990 to 2026)'],
  ] as const)('fails when the period is %s (grain %s)', (text, grain, message) => {
    expect(() => period(text, grain)).toThrow(PeriodError);
    expect(() => period(text, grain)).toThrow(message);
  });

  it.each([
    [{ from: '2025-04-15' }, 'a range needs both --from and --to (YYYY-MM-DD, inclusive); got only --from'],
    [{ to: '2025-04-15' }, 'got only --to'],
    [{ from: '2025-06-15', to: '2025-04-15' }, '--from 2025-06-15 is after --to 2025-04-15'],
    [{ from: '2025-04-31', to: '2025-06-15' }, '--from "2025-04-31" is not a calendar date'],
    [{ period: '2025-06', from: '2025-04-15', to: '2025-06-15' }, 'give either --period 2025-06 or --from and --to'],
    [{ from: '1989-12-01', to: '2025-01-01' }, 'period "1989-12-01 to 2025-01-01" is outside the years'],
    [{}, 'give --period (YYYY-MM (a month)'],
  ])('fails when the range is %j', (request, message) => {
    expect(() => resolvePeriod(request, UTC)).toThrow(message);
  });

  it('allows next year, and the year after on 31 December, when a row may be dated 1 January', () => {
    expect(resolvePeriod({ period: '2026-W01' }, UTC).start).toBe('2025-12-29');
    expect(() => resolvePeriod({ period: '2027-01' }, UTC)).toThrow(/1990 to 2026/);
    expect(resolvePeriod({ period: '2027-01' }, { timeZone: 'UTC', now: new Date('2025-12-31T12:00:00Z') }).id).toBe(
      '2027-01',
    );
  });
});

describe('scheduledPeriod', () => {
  it('covers the whole period before today in the reporting zone', () => {
    // 22:30 UTC on 30 June is already 1 July in Paris: the previous month there is June.
    const lateJune = new Date('2025-06-30T22:30:00Z');
    expect(scheduledPeriod('previous-month', lateJune, 'Europe/Paris').id).toBe('2025-06');
    expect(scheduledPeriod('previous-month', lateJune, 'UTC').id).toBe('2025-05');
    // Wednesday 4 June 2025: the previous ISO week started on Monday 26 May.
    expect(scheduledPeriod('previous-week', NOW, 'UTC')).toMatchObject({ id: '2025-W22', start: '2025-05-26' });
    expect(scheduledPeriod('previous-quarter', lateJune, 'UTC')).toMatchObject({ id: '2025-Q1', start: '2025-01-01' });
    expect(scheduledPeriod('previous-quarter', lateJune, 'Europe/Paris').id).toBe('2025-Q2');
    expect(scheduledPeriod('previous-quarter', new Date('2025-01-15T08:00:00Z'), 'UTC').start).toBe('2024-10-01');
    // 15:30 UTC on 31 December 2024 is 00:30 on 1 January 2025 in Tokyo.
    const newYear = new Date('2024-12-31T15:30:00Z');
    expect(scheduledPeriod('previous-year', newYear, 'Asia/Tokyo').id).toBe('2024');
    expect(scheduledPeriod('previous-year', newYear, 'UTC').id).toBe('2023');
  });
});

describe('periodInstants', () => {
  it("gives the UTC instants of a period's first and next local midnights, across a DST change", () => {
    // New York is UTC−5 on 1 March 2025 and UTC−4 from 9 March: April starts at 04:00 UTC.
    expect(periodInstants(parsePeriod('2025-03'), 'America/New_York')).toEqual({
      from: new Date('2025-03-01T05:00:00Z'),
      to: new Date('2025-04-01T04:00:00Z'),
    });
    // Paris: 1 June 2025 at 00:00 CEST (UTC+2) is 31 May 22:00 UTC.
    expect(periodInstants(parsePeriod('2025-06-01'), 'Europe/Paris')).toEqual({
      from: new Date('2025-05-31T22:00:00Z'),
      to: new Date('2025-06-01T22:00:00Z'),
    });
    expect(periodInstants(parsePeriod('2025-Q2'), 'UTC')).toEqual({
      from: new Date('2025-04-01T00:00:00Z'),
      to: new Date('2025-07-01T00:00:00Z'),
    });
  });
});

describe('reportingZone', () => {
  it("reads a team's days in its own zone and every other in the reporting zone", () => {
    const { reporting } = parseConfig({
      reporting: { timeZone: 'Europe/London', teams: { Sydney: { timeZone: 'Australia/Sydney' } } },
    });
    expect(reportingZone(reporting, 'Sydney')).toBe('Australia/Sydney');
    expect(reportingZone(reporting, 'Billing')).toBe('Europe/London');
    expect(reportingZone(reporting)).toBe('Europe/London');
  });
});

describe('periodStarting', () => {
  it('gives the period of the same grain, or a range of the same length, starting on a day', () => {
    expect(periodStarting(parsePeriod('2025-06'), '2025-03-01')).toMatchObject({ id: '2025-03', label: 'March 2025' });
    expect(periodStarting(parsePeriod('2025-Q2'), '2024-10-01').id).toBe('2024-Q4');
    expect(periodStarting(parsePeriod('2025-W23'), '2025-05-26').id).toBe('2025-W22');
    expect(periodStarting(parsePeriod('2025'), '2023-01-01').id).toBe('2023');
    const spring = resolvePeriod({ from: '2025-04-15', to: '2025-06-15' }, { timeZone: 'UTC' });
    expect(periodStarting(spring, '2025-02-12')).toMatchObject({ id: '2025-02-12_2025-04-14', end: '2025-04-15' });
  });
});
