/**
 * Report periods: the one module that reads a period as people write it and computes its bounds.
 * The CLI's `metrics` and `report`, the report writer and the scheduled exporter all come here.
 *
 * A period is a run of local days in the reporting time zone (`reporting.timeZone`): an ISO week
 * (Monday first, as `date_trunc('week', …)`), a month, a quarter, a year, or a custom range (one
 * day, `--from`/`--to`, the year to date). Its bounds are calendar dates; the views place a row on
 * its local date (zone_days, calendar_periods), so a period's dates need no offset here. What does need one is
 * "today" (the year to date, the previous period of a scheduled report) and which UTC `dt`
 * partitions hold a local period's rows: any zone is within 14 hours of UTC, so one day of margin
 * on each side covers them.
 */
import type { ScheduledPeriod } from '../config/reports.ts';
import type { Grain } from '../metrics/scorecard.ts';
import { EARLIEST_TIMESTAMP_DAY, LATEST_AFTER_LANDING_MS } from '../normalise/plausible.ts';
import { offsetAt, wallTimeToUtc } from '../parse/zone.ts';
import type { RANGE_GRAIN, ReportRange } from './calendar-periods.ts';
import type { ReportingConfig } from './config.ts';

/** How many periods the trend charts cover, the reported one included (years: as many as have data). */
export const TREND_PERIODS = 12;

/**
 * The grain of a period: a materialised grain of metric_values, or `range`, a custom run of days
 * the local engine computes on demand from the report_ranges reference table.
 */
export type PeriodGrain = Grain | typeof RANGE_GRAIN;

export interface ReportPeriod {
  readonly grain: PeriodGrain;
  /** The period in file names and messages: `2025-06`, `2025-W23`, `2025-Q2`, `2025`, `2025-06-04`, `2025-04-15_2025-06-15`. */
  readonly id: string;
  /** Human label, e.g. `June 2025`, `Week 23, 2025 (2 Jun – 8 Jun)`, `Q2 2025`, `15 April – 15 June 2025`. */
  readonly label: string;
  /** First local day of the period (YYYY-MM-DD), the scorecard's `period_start`. */
  readonly start: string;
  /** First local day after the period (exclusive). */
  readonly end: string;
  /** First day of the previous period; for a range, of the equal-length range just before it (it ends at `start`). */
  readonly previousStart: string;
  /** First day of the oldest period shown in trends; for a range, the previous range's. */
  readonly trendStart: string;
  /** The UTC `dt` partitions holding the period's rows (inclusive): the local days widened by one day each side. */
  readonly dtRange: { readonly from: string; readonly to: string };
}

export class PeriodError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PeriodError';
  }
}

/** A period as the CLI, a config entry or an export event gives it. */
export interface PeriodRequest {
  /** `YYYY-MM`, `YYYY-Www`, `YYYY-Qn`, `YYYY`, `YYYY-MM-DD` or `ytd`; absent with `from` and `to`. */
  readonly period?: string;
  /** `week` reads a date as the week starting that Monday; any other grain must be the one the period names. */
  readonly grain?: Grain;
  /** First day of a custom range (YYYY-MM-DD), with `to`. */
  readonly from?: string;
  /** Last day of a custom range (YYYY-MM-DD, inclusive), with `from`. */
  readonly to?: string;
}

export interface PeriodClock {
  /** The reporting time zone "today" is read in. */
  readonly timeZone: string;
  /** @default the current time */
  readonly now?: Date;
}

export const PERIOD_FORMS =
  'YYYY-MM (a month), YYYY-Www (an ISO week), YYYY-Qn (a quarter), YYYY (a year), YYYY-MM-DD (a day, or with --grain week the week starting that Monday) or ytd (the year to date), or --from YYYY-MM-DD --to YYYY-MM-DD (a range)';

const MONTH = /^(\d{4})-(\d{2})$/;
const ISO_WEEK = /^(\d{4})-W(\d{2})$/;
const QUARTER = /^(\d{4})-Q(\d)$/;
const YEAR = /^(\d{4})$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Resolves a period request; throws PeriodError naming the value and the forms expected. */
export function resolvePeriod(request: PeriodRequest, clock: PeriodClock): ReportPeriod {
  const now = clock.now ?? new Date();
  const { period, grain, from, to } = request;
  if (from !== undefined || to !== undefined) {
    if (period !== undefined) throw new PeriodError(`give either --period ${period} or --from and --to, not both`);
    if (from === undefined || to === undefined) {
      throw new PeriodError(
        `a range needs both --from and --to (YYYY-MM-DD, inclusive); got only --${from === undefined ? 'to' : 'from'}`,
      );
    }
    if (grain !== undefined) throw new PeriodError(`--grain ${grain} does not apply to a range (--from, --to)`);
    const first = calendarDate(from, '--from');
    const last = calendarDate(to, '--to');
    checkYears(`${from} to ${to}`, [first.getUTCFullYear(), last.getUTCFullYear()], now);
    if (last < first)
      throw new PeriodError(`--from ${from} is after --to ${to}: a range runs from its first day to its last`);
    return range(first, addDays(last, 1));
  }
  if (period === undefined) throw new PeriodError(`give --period (${PERIOD_FORMS})`);
  return parseForm(period, grain, clock.timeZone, now);
}

function parseForm(period: string, grain: Grain | undefined, timeZone: string, now: Date): ReportPeriod {
  const leadingYear = /^(\d{4})(?:-|$)/.exec(period);
  if (leadingYear) checkYears(period, [Number(leadingYear[1])], now);
  const named = (form: PeriodGrain) => {
    if (grain !== undefined && grain !== form) {
      throw new PeriodError(
        `period "${period}" is a ${form} but the grain is ${grain}; write the ${grain} as ${formOf(grain)}`,
      );
    }
  };
  const month = MONTH.exec(period);
  if (month) {
    const m = Number(month[2]);
    if (m < 1 || m > 12)
      throw new PeriodError(`period "${period}": month ${m} does not exist; write YYYY-MM, e.g. 2025-06`);
    named('month');
    return monthly('month', utc(Number(month[1]), m - 1, 1));
  }
  const week = ISO_WEEK.exec(period);
  if (week) {
    named('week');
    return weekly(isoWeekMonday(period, Number(week[1]), Number(week[2])));
  }
  const quarter = QUARTER.exec(period);
  if (quarter) {
    const q = Number(quarter[2]);
    if (q < 1 || q > 4) throw new PeriodError(`period "${period}": a year has quarters Q1 to Q4`);
    named('quarter');
    return monthly('quarter', utc(Number(quarter[1]), 3 * (q - 1), 1));
  }
  const year = YEAR.exec(period);
  if (year) {
    named('year');
    return monthly('year', utc(Number(year[1]), 0, 1));
  }
  if (DAY.test(period)) {
    const date = calendarDate(period, 'period');
    if (grain === 'week') {
      if (date.getUTCDay() !== 1) {
        throw new PeriodError(`period "${period}" is not a Monday: a week starts on Monday (or write YYYY-Www)`);
      }
      return weekly(date);
    }
    if (grain !== undefined) {
      throw new PeriodError(
        `period "${period}" is a day; write the ${grain} as ${formOf(grain)}, or drop --grain for that day alone`,
      );
    }
    return range(date, addDays(date, 1));
  }
  if (period.toLowerCase() === 'ytd') {
    if (grain !== undefined) throw new PeriodError(`--grain ${grain} does not apply to ytd (a range)`);
    const today = todayIn(timeZone, now);
    const ytd = range(utc(today.getUTCFullYear(), 0, 1), addDays(today, 1));
    return { ...ytd, label: `${today.getUTCFullYear()} to date (${ytd.label})` };
  }
  throw new PeriodError(`period "${period}" is not recognised; expected ${PERIOD_FORMS}`);
}

/** How a period of a grain is written. */
function formOf(grain: PeriodGrain): string {
  const forms: Readonly<Record<PeriodGrain, string>> = {
    week: 'YYYY-Www or the date of its Monday with --grain week',
    month: 'YYYY-MM',
    quarter: 'YYYY-Qn',
    year: 'YYYY',
    range: '--from YYYY-MM-DD --to YYYY-MM-DD',
  };
  return forms[grain];
}

/** The period a scheduled report covers: the whole week, month, quarter or year before today in the reporting zone. */
export function scheduledPeriod(kind: ScheduledPeriod, now: Date, timeZone: string): ReportPeriod {
  const today = todayIn(timeZone, now);
  switch (kind) {
    case 'previous-week':
      return weekly(addDays(today, -((today.getUTCDay() + 6) % 7) - 7));
    case 'previous-month':
      return monthly('month', utc(today.getUTCFullYear(), today.getUTCMonth() - 1, 1));
    case 'previous-quarter':
      return monthly('quarter', utc(today.getUTCFullYear(), today.getUTCMonth() - (today.getUTCMonth() % 3) - 3, 1));
    case 'previous-year':
      return monthly('year', utc(today.getUTCFullYear() - 1, 0, 1));
  }
}

/** The local date of an instant in a zone, as a UTC midnight. */
export function todayIn(timeZone: string, now: Date): Date {
  const local = new Date(now.getTime() + offsetAt(timeZone, now.getTime()));
  return utc(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
}

/** The `period_start` of every period in the trend window, oldest first. */
export function trendStarts(period: ReportPeriod): string[] {
  if (period.grain === 'range') return [period.previousStart, period.start];
  const first = new Date(`${period.trendStart}T00:00:00Z`);
  const count = period.grain === 'year' ? yearsBetween(period.trendStart, period.start) + 1 : TREND_PERIODS;
  return Array.from({ length: count }, (_, i) => iso(step(period.grain, first, i)));
}

/**
 * The rows of the report_ranges reference table a period needs: for a range, the range and the
 * equal-length range just before it (inclusive last days), which the scorecard compares it with;
 * nothing for the materialised grains.
 */
export function rangesOf(period: ReportPeriod): ReportRange[] {
  if (period.grain !== 'range') return [];
  return [
    { start: period.start, end: iso(addDays(new Date(`${period.end}T00:00:00Z`), -1)) },
    { start: period.previousStart, end: iso(addDays(new Date(`${period.start}T00:00:00Z`), -1)) },
  ];
}

/**
 * Refuses a period in a year no curated row can fall in: rows are dated from
 * EARLIEST_TIMESTAMP_DAY to a day after their file landed. Next year is allowed (its ISO week 01
 * may start this December). Checked before any date is computed, so year 9999 is a usage error
 * rather than a date overflow inside the engine.
 */
function checkYears(written: string, years: readonly number[], now: Date): void {
  const first = Number(EARLIEST_TIMESTAMP_DAY.slice(0, 4));
  const last = new Date(now.getTime() + LATEST_AFTER_LANDING_MS).getUTCFullYear() + 1;
  if (years.some((year) => year < first || year > last)) {
    throw new PeriodError(
      `period "${written}" is outside the years the lake can hold data for (${first} to ${last}): ` +
        `rows are dated from ${EARLIEST_TIMESTAMP_DAY} to the day after their file landed`,
    );
  }
}

/** A month, quarter or year starting on `start` (a first of the month). */
function monthly(grain: 'month' | 'quarter' | 'year', start: Date): ReportPeriod {
  const months = { month: 1, quarter: 3, year: 12 }[grain];
  const end = addMonths(start, months);
  const year = start.getUTCFullYear();
  const ids = {
    month: iso(start).slice(0, 7),
    quarter: `${year}-Q${start.getUTCMonth() / 3 + 1}`,
    year: String(year),
  };
  const labels = {
    month: start.toLocaleDateString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }),
    quarter: `Q${start.getUTCMonth() / 3 + 1} ${year}`,
    year: String(year),
  };
  const trendStart =
    grain === 'year'
      ? utc(Math.max(year - (TREND_PERIODS - 1), Number(EARLIEST_TIMESTAMP_DAY.slice(0, 4))), 0, 1)
      : addMonths(start, -months * (TREND_PERIODS - 1));
  return period(grain, ids[grain], labels[grain], start, end, addMonths(start, -months), trendStart);
}

function weekly(monday: Date): ReportPeriod {
  const sunday = addDays(monday, 6);
  const { year, week } = isoWeekOf(monday);
  const short = (d: Date) => d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
  return period(
    'week',
    `${year}-W${String(week).padStart(2, '0')}`,
    `Week ${week}, ${year} (${short(monday)} – ${short(sunday)})`,
    monday,
    addDays(monday, 7),
    addDays(monday, -7),
    addDays(monday, -7 * (TREND_PERIODS - 1)),
  );
}

/** Local days from `start` to before `end`; compared with as many days just before. */
function range(start: Date, end: Date): ReportPeriod {
  const days = Math.round((end.getTime() - start.getTime()) / DAY_MS);
  const last = addDays(end, -1);
  const previous = addDays(start, -days);
  const long = (d: Date, year: boolean) =>
    d.toLocaleDateString('en-GB', {
      day: 'numeric',
      month: 'long',
      ...(year ? { year: 'numeric' } : {}),
      timeZone: 'UTC',
    });
  const sameYear = start.getUTCFullYear() === last.getUTCFullYear();
  const id = days === 1 ? iso(start) : `${iso(start)}_${iso(last)}`;
  const label =
    days === 1
      ? `${start.toLocaleDateString('en-GB', { weekday: 'long', timeZone: 'UTC' })} ${long(start, true)}`
      : `${long(start, !sameYear)} – ${long(last, true)}`;
  return period('range', id, label, start, end, previous, previous);
}

function period(
  grain: PeriodGrain,
  id: string,
  label: string,
  start: Date,
  end: Date,
  previousStart: Date,
  trendStart: Date,
): ReportPeriod {
  return {
    grain,
    id,
    label,
    start: iso(start),
    end: iso(end),
    previousStart: iso(previousStart),
    trendStart: iso(trendStart),
    dtRange: { from: iso(addDays(start, -1)), to: iso(end) },
  };
}

function step(grain: PeriodGrain, first: Date, i: number): Date {
  switch (grain) {
    case 'week':
      return addDays(first, 7 * i);
    case 'quarter':
      return addMonths(first, 3 * i);
    case 'year':
      return addMonths(first, 12 * i);
    default:
      return addMonths(first, i);
  }
}

function yearsBetween(from: string, to: string): number {
  return Number(to.slice(0, 4)) - Number(from.slice(0, 4));
}

function isoWeekMonday(period: string, year: number, n: number): Date {
  const weeks = isoWeekOf(utc(year, 11, 28)).week;
  if (n < 1 || n > weeks) throw new PeriodError(`period "${period}": ${year} has ISO weeks 01 to ${weeks}`);
  // ISO week 1 is the week that contains 4 January.
  const jan4 = utc(year, 0, 4);
  return addDays(addDays(jan4, -((jan4.getUTCDay() + 6) % 7)), 7 * (n - 1));
}

/** A YYYY-MM-DD that exists in the calendar; throws naming the option it came from. */
function calendarDate(value: string, option: string): Date {
  const day = DAY.exec(value);
  const date = day ? utc(Number(day[1]), Number(day[2]) - 1, Number(day[3])) : undefined;
  if (date === undefined || iso(date) !== value) {
    throw new PeriodError(`${option} "${value}" is not a calendar date: write YYYY-MM-DD, e.g. 2025-06-04`);
  }
  return date;
}

function isoWeekOf(date: Date): { year: number; week: number } {
  const thursday = addDays(date, 3 - ((date.getUTCDay() + 6) % 7));
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - utc(year, 0, 1).getTime()) / (7 * DAY_MS));
  return { year, week };
}

function utc(year: number, month: number, day: number): Date {
  return new Date(Date.UTC(year, month, day));
}

function addMonths(date: Date, months: number): Date {
  return utc(date.getUTCFullYear(), date.getUTCMonth() + months, 1);
}

function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

function iso(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * The UTC instants a period runs between in a zone: its first local midnight and the one after
 * its last day. For reads that compare timestamps in TypeScript's terms (comments, alerts) rather
 * than through the views' zone_days.
 */
export function periodInstants(period: ReportPeriod, timeZone: string): { from: Date; to: Date } {
  const at = (day: string) => new Date(wallTimeToUtc(Date.parse(`${day}T00:00:00Z`), timeZone));
  return { from: at(period.start), to: at(period.end) };
}

/** The zone a report's days are read in: its team's own (`reporting.teams`), else the reporting zone. */
export function reportingZone(reporting: ReportingConfig, team?: string): string {
  return (team === undefined ? undefined : reporting.teams[team]?.timeZone) ?? reporting.timeZone;
}

/** How many local days a period holds. */
export function daysIn(period: ReportPeriod): number {
  return Math.round((Date.parse(period.end) - Date.parse(period.start)) / DAY_MS);
}

/** The period of the same grain (for a range, of the same length) starting on `start` (YYYY-MM-DD). */
export function periodStarting(like: ReportPeriod, start: string): ReportPeriod {
  const first = new Date(`${start}T00:00:00Z`);
  switch (like.grain) {
    case 'week':
      return weekly(first);
    case 'range':
      return range(first, addDays(first, daysIn(like)));
    default:
      return monthly(like.grain, first);
  }
}

/** A period written in one of its forms (not a --from/--to range): what the demo and tests hold as text. */
export function parsePeriod(text: string, grain?: Grain, clock: PeriodClock = { timeZone: 'UTC' }): ReportPeriod {
  return resolvePeriod({ period: text, ...(grain === undefined ? {} : { grain }) }, clock);
}

/** Why Trino and Athena refuse a range: metric_values holds the four grains, and ranges are computed on demand. */
export const RANGES_ARE_LOCAL =
  'a range (a single day, ytd, --from/--to) is computed on the local engine only (servicebench without --engine trino): metric_values on Trino and Athena holds weeks, months, quarters and years';
