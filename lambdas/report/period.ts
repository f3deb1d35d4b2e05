/**
 * Report periods. A month is written `YYYY-MM`; a week is an ISO week `YYYY-Www` (or the date of
 * its Monday), matching `date_trunc('week', ...)`, which starts weeks on Monday.
 */
import type { Grain } from '../core/metrics/scorecard.ts';
import { EARLIEST_TIMESTAMP_DAY, LATEST_AFTER_LANDING_MS } from '../core/normalise/plausible.ts';

/** How many periods the trend charts cover, the reported one included. */
export const TREND_PERIODS = 12;

export interface ReportPeriod {
  readonly grain: Grain;
  /** The period as written on the command line and in file names (`2025-06`, `2025-W23`). */
  readonly id: string;
  /** Human label, e.g. `June 2025` or `Week 23, 2025 (2 Jun – 8 Jun)`. */
  readonly label: string;
  /** First day of the period (YYYY-MM-DD), the scorecard's `period_start`. */
  readonly start: string;
  /** First day after the period (exclusive bound for timestamps). */
  readonly end: string;
  /** First day of the previous period. */
  readonly previousStart: string;
  /** First day of the oldest period shown in trends. */
  readonly trendStart: string;
}

export class PeriodError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PeriodError';
  }
}

const MONTH = /^(\d{4})-(\d{2})$/;
const ISO_WEEK = /^(\d{4})-W(\d{2})$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Refuses a period whose year no curated row can fall in: rows are dated from
 * EARLIEST_TIMESTAMP_DAY to a day after their file landed. Next year is allowed (its ISO week 01
 * may start this December). Checked before any query, so year 9999 is a usage error rather than a
 * date overflow inside the engine.
 */
export function checkPeriodYear(period: string, now: Date = new Date()): void {
  const year = /^(\d{4})-/.exec(period);
  if (!year) return;
  const first = Number(EARLIEST_TIMESTAMP_DAY.slice(0, 4));
  const last = new Date(now.getTime() + LATEST_AFTER_LANDING_MS).getUTCFullYear() + 1;
  const value = Number(year[1]);
  if (value < first || value > last) {
    throw new PeriodError(
      `period "${period}" is outside the years the lake can hold data for (${first} to ${last}): ` +
        `rows are dated from ${EARLIEST_TIMESTAMP_DAY} to the day after their file landed`,
    );
  }
}

/** Validates a period for a grain; throws PeriodError naming the value and the expected form. */
export function parsePeriod(period: string, grain: Grain): ReportPeriod {
  checkPeriodYear(period);
  if (grain === 'month') {
    const match = MONTH.exec(period);
    const month = match ? Number(match[2]) : 0;
    if (!match || month < 1 || month > 12) {
      throw new PeriodError(`period "${period}" is not a month: write it as YYYY-MM, e.g. 2025-06`);
    }
    const start = utc(Number(match[1]), month - 1, 1);
    return {
      grain,
      id: period,
      label: start.toLocaleDateString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }),
      start: iso(start),
      end: iso(addMonths(start, 1)),
      previousStart: iso(addMonths(start, -1)),
      trendStart: iso(addMonths(start, -(TREND_PERIODS - 1))),
    };
  }
  const monday = weekStart(period);
  const sunday = addDays(monday, 6);
  const { year, week } = isoWeekOf(monday);
  const id = `${year}-W${String(week).padStart(2, '0')}`;
  const short = (d: Date) => d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
  return {
    grain,
    id,
    label: `Week ${week}, ${year} (${short(monday)} – ${short(sunday)})`,
    start: iso(monday),
    end: iso(addDays(monday, 7)),
    previousStart: iso(addDays(monday, -7)),
    trendStart: iso(addDays(monday, -7 * (TREND_PERIODS - 1))),
  };
}

/** The `period_start` of every period in the trend window, oldest first. */
export function trendStarts(period: ReportPeriod): string[] {
  const first = new Date(`${period.trendStart}T00:00:00Z`);
  return Array.from({ length: TREND_PERIODS }, (_, i) =>
    iso(period.grain === 'month' ? addMonths(first, i) : addDays(first, 7 * i)),
  );
}

function weekStart(period: string): Date {
  const week = ISO_WEEK.exec(period);
  if (week) {
    const year = Number(week[1]);
    const n = Number(week[2]);
    const weeks = isoWeekOf(utc(year, 11, 28)).week;
    if (n < 1 || n > weeks) throw new PeriodError(`period "${period}": ${year} has ISO weeks 01 to ${weeks}`);
    // ISO week 1 is the week that contains 4 January.
    const jan4 = utc(year, 0, 4);
    const monday1 = addDays(jan4, -((jan4.getUTCDay() + 6) % 7));
    return addDays(monday1, 7 * (n - 1));
  }
  const day = DAY.exec(period);
  if (day) {
    const date = utc(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
    if (iso(date) !== period) throw new PeriodError(`period "${period}" is not a calendar date`);
    if (date.getUTCDay() !== 1) {
      throw new PeriodError(`period "${period}" is not a Monday: a week starts on Monday (or write YYYY-Www)`);
    }
    return date;
  }
  throw new PeriodError(`period "${period}" is not a week: write it as YYYY-Www (ISO week, e.g. 2025-W23)`);
}

function isoWeekOf(date: Date): { year: number; week: number } {
  const thursday = addDays(date, 3 - ((date.getUTCDay() + 6) % 7));
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - utc(year, 0, 1).getTime()) / (7 * 86_400_000));
  return { year, week };
}

function utc(year: number, month: number, day: number): Date {
  return new Date(Date.UTC(year, month, day));
}

function addMonths(date: Date, months: number): Date {
  return utc(date.getUTCFullYear(), date.getUTCMonth() + months, 1);
}

function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 86_400_000);
}

function iso(date: Date): string {
  return date.toISOString().slice(0, 10);
}
