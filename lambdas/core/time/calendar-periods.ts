/**
 * The periods of every local day, as reference tables the views join instead of computing periods
 * in SQL: `calendar_periods` holds, for each local date, the week (ISO, Monday first), month,
 * quarter and year it belongs to, and the custom range asked for, if any; `report_ranges` holds
 * the ranges themselves, which the scorecard pairs. A view computes a row's local date
 * (zone_days) and equi-joins it here, so one function decides what a period is, in TypeScript
 * where it is tested, and the two engines cannot disagree on a week's first day.
 */
import type { ServiceBenchConfig } from '../config/config.ts';
import { GRAINS, type Grain } from '../metrics/scorecard.ts';
import { type ReferenceTable, referenceDate } from '../reference/tables.ts';
import { zoneDaysSpan } from './zones.ts';

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const CALENDAR_PERIODS_TABLE = 'calendar_periods';
export const REPORT_RANGES_TABLE = 'report_ranges';
/** The grain of a custom range's rows, computed on demand (never materialised by a scheduled refresh). */
export const RANGE_GRAIN = 'range';

/** A custom run of local days, first and last inclusive (`yyyy-MM-dd`). */
export interface ReportRange {
  readonly start: string;
  readonly end: string;
}

/** A row of calendar_periods: a local date, a grain, and the first and last local days of its period. */
export type CalendarPeriod = {
  readonly local_date: string;
  readonly grain: Grain | typeof RANGE_GRAIN;
  readonly period_start: string;
  readonly period_end: string;
};

/** The period of `grain` that holds the local date (epoch ms of its 00:00 read as UTC). */
export function periodOf(grain: Grain, day: number): { start: number; end: number } {
  const date = new Date(day);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  switch (grain) {
    case 'week': {
      const start = day - ((date.getUTCDay() + 6) % 7) * DAY_MS;
      return { start, end: start + 6 * DAY_MS };
    }
    case 'month':
      return { start: Date.UTC(year, month, 1), end: Date.UTC(year, month + 1, 0) };
    case 'quarter': {
      const first = month - (month % 3);
      return { start: Date.UTC(year, first, 1), end: Date.UTC(year, first + 3, 0) };
    }
    case 'year':
      return { start: Date.UTC(year, 0, 1), end: Date.UTC(year, 11, 31) };
  }
}

/**
 * Every problem of the ranges, each naming the range: dates that are not `yyyy-MM-dd`, a range
 * that ends before it starts, two ranges sharing a day (a row would count in both, twice in any
 * sum over the grain).
 */
export function rangeProblems(ranges: readonly ReportRange[]): string[] {
  const problems: string[] = [];
  const valid: { range: ReportRange; start: number; end: number }[] = [];
  for (const range of ranges) {
    const start = parseDay(range.start);
    const end = parseDay(range.end);
    if (start === undefined || end === undefined) {
      problems.push(`range ${range.start} to ${range.end}: dates must be yyyy-MM-dd`);
    } else if (end < start) {
      problems.push(`range ${range.start} to ${range.end} ends before it starts`);
    } else {
      valid.push({ range, start, end });
    }
  }
  for (const [i, a] of valid.entries()) {
    for (const b of valid.slice(i + 1)) {
      if (a.start <= b.end && b.start <= a.end) {
        problems.push(`ranges ${a.range.start} to ${a.range.end} and ${b.range.start} to ${b.range.end} overlap`);
      }
    }
  }
  return problems;
}

/**
 * The period rows of the local dates from `first` to `last` (inclusive): one per grain of GRAINS
 * for each date, and one with grain `range` for each of those dates within a range.
 */
export function calendarPeriods(first: string, last: string, ranges: readonly ReportRange[] = []): CalendarPeriod[] {
  const problems = rangeProblems(ranges);
  if (problems.length > 0) throw new Error(`report ranges: ${problems.join('; ')}`);
  const from = parseDay(first);
  const to = parseDay(last);
  if (from === undefined || to === undefined || to < from) {
    throw new Error(`calendar_periods: ${first} to ${last} is not a range of yyyy-MM-dd dates`);
  }
  // Every period's first and last days recur on many dates: formatting each day once makes the
  // 42,380 rows of 1999-2027 take 40 ms instead of 330 ms.
  const texts = new Map<number, string>();
  const text = (day: number) => {
    let found = texts.get(day);
    if (found === undefined) {
      found = referenceDate(day);
      texts.set(day, found);
    }
    return found;
  };
  const rows: CalendarPeriod[] = [];
  for (let day = from; day <= to; day += DAY_MS) {
    for (const grain of GRAINS) {
      const period = periodOf(grain, day);
      rows.push({ local_date: text(day), grain, period_start: text(period.start), period_end: text(period.end) });
    }
  }
  for (const range of ranges) {
    const end = Math.min(parseDay(range.end) ?? 0, to);
    for (let day = Math.max(parseDay(range.start) ?? 0, from); day <= end; day += DAY_MS) {
      rows.push({
        local_date: referenceDate(day),
        grain: RANGE_GRAIN,
        period_start: range.start,
        period_end: range.end,
      });
    }
  }
  return rows;
}

/**
 * calendar_periods over every local date a row of the lake can have: the UTC dates of zone_days
 * widened by a day each side (a local date is at most a day from its UTC date).
 */
export function calendarPeriodsTable(
  config: ServiceBenchConfig,
  now: Date,
  ranges: readonly ReportRange[],
): ReferenceTable {
  const span = zoneDaysSpan(config, now);
  const first = referenceDate(Date.parse(`${span.first}T00:00:00Z`) - DAY_MS);
  const last = referenceDate(Date.parse(`${span.last}T00:00:00Z`) + DAY_MS);
  return {
    name: CALENDAR_PERIODS_TABLE,
    columns: [
      { name: 'local_date', type: 'date' },
      { name: 'grain', type: 'string' },
      { name: 'period_start', type: 'date' },
      { name: 'period_end', type: 'date' },
    ],
    rows: calendarPeriods(first, last, ranges),
  };
}

/** The custom ranges asked for (empty unless a report or `metrics` asks for one), first and last day inclusive. */
export function reportRangesTable(ranges: readonly ReportRange[]): ReferenceTable {
  const problems = rangeProblems(ranges);
  if (problems.length > 0) throw new Error(`report ranges: ${problems.join('; ')}`);
  return {
    name: REPORT_RANGES_TABLE,
    columns: [
      { name: 'period_start', type: 'date' },
      { name: 'period_end', type: 'date' },
    ],
    rows: ranges.map((r) => ({ period_start: r.start, period_end: r.end })),
  };
}

function parseDay(text: string): number | undefined {
  if (!DATE.test(text)) return undefined;
  const day = Date.parse(`${text}T00:00:00Z`);
  return Number.isNaN(day) || referenceDate(day) !== text ? undefined : day;
}
