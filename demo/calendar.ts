/**
 * The demo's calendar: a window of whole months that never depends on today's date, the weekly and
 * yearly seasonality of contact volumes, and the timestamp spellings the vendor formats use.
 */

import { offsetAt } from '../lambdas/core/parse/zone.ts';

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

export interface DemoWindow {
  /** YYYY-MM of every month, oldest first. */
  readonly months: readonly string[];
  /** First instant of the first month (UTC). */
  readonly start: Date;
  /** First instant after the last month (UTC). */
  readonly end: Date;
  readonly days: number;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The `months` whole months that end with `endMonth` (YYYY-MM). */
export function demoWindow(endMonth: string, months: number): DemoWindow {
  const match = MONTH.exec(endMonth);
  if (!match) throw new Error(`end month "${endMonth}" is not a month such as 2025-06`);
  if (!Number.isInteger(months) || months < 1 || months > 36) {
    throw new Error(`months must be a whole number from 1 to 36 (got ${months})`);
  }
  const year = Number(match[1]);
  const month = Number(match[2]) - 1;
  const start = new Date(Date.UTC(year, month - months + 1, 1));
  const end = new Date(Date.UTC(year, month + 1, 1));
  const list: string[] = [];
  for (let i = 0; i < months; i++) list.push(monthKey(new Date(Date.UTC(year, month - months + 1 + i, 1))));
  return { months: list, start, end, days: Math.round((end.getTime() - start.getTime()) / DAY_MS) };
}

export function monthKey(date: Date): string {
  return dayOf(date.getTime()).month;
}

/** Index of the date's month in the window (0 = first month). */
export function monthIndex(window: DemoWindow, date: Date): number {
  const first = window.start;
  return (date.getUTCFullYear() - first.getUTCFullYear()) * 12 + date.getUTCMonth() - first.getUTCMonth();
}

/** First instant of the month after `date`'s. */
export function nextMonthStart(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1));
}

/** The spellings of one UTC day, made once per day: every timestamp of the day shares them. */
interface DayText {
  /** "2025-06-14". */
  readonly date: string;
  /** "2025-06-14T", the start of an ISO 8601 timestamp. */
  readonly isoPrefix: string;
  /** "2025-06". */
  readonly month: string;
}

/** Bound on cached days (a few KB of strings); the demo's window spans at most 36 months. */
const MAX_CACHED_DAYS = 4096;
const days = new Map<number, DayText>();

function dayOf(epochMs: number): DayText {
  const day = Math.floor(epochMs / DAY_MS);
  let text = days.get(day);
  if (text === undefined) {
    const date = new Date(day * DAY_MS).toISOString().slice(0, 10);
    text = { date, isoPrefix: `${date}T`, month: date.slice(0, 7) };
    if (days.size >= MAX_CACHED_DAYS) days.clear();
    days.set(day, text);
  }
  return text;
}

const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => (n < 10 ? `0${n}` : String(n)));
/** "09:01:10" by second of the day, made on first use. */
const clockTexts: (string | undefined)[] = new Array(DAY_MS / SECOND_MS);

function clockOf(epochMs: number): string {
  const second = Math.floor((epochMs - Math.floor(epochMs / DAY_MS) * DAY_MS) / SECOND_MS);
  let text = clockTexts[second];
  if (text === undefined) {
    text = `${TWO_DIGITS[Math.floor(second / 3600)]}:${TWO_DIGITS[Math.floor(second / 60) % 60]}:${TWO_DIGITS[second % 60]}`;
    clockTexts[second] = text;
  }
  return text;
}

/** "09:01:10Z" by second of the day: an ISO timestamp is then two shared strings joined. */
const isoClockTexts: (string | undefined)[] = new Array(DAY_MS / SECOND_MS);

/**
 * ISO 8601 UTC without milliseconds, as Amazon Connect, Zendesk and Freshdesk write it: the hottest
 * formatter of the generator (millions of calls at scale 10). The day's part and the time of day's
 * part are each made once and shared, so a timestamp costs one concatenation: six times faster than
 * joining the UTC fields, and a timestamp a record holds until its month is delivered is one small
 * cons string over two shared parts (a template of many parts would be a tree of cons strings).
 */
export function iso(date: Date): string {
  return isoAt(date.getTime());
}

/** `iso` of an instant in epoch ms, for records that keep their times as numbers rather than Dates. */
export function isoAt(ms: number): string {
  const second = Math.floor((ms - Math.floor(ms / DAY_MS) * DAY_MS) / SECOND_MS);
  let clock = isoClockTexts[second];
  if (clock === undefined) {
    clock = `${clockOf(ms)}Z`;
    isoClockTexts[second] = clock;
  }
  return dayOf(ms).isoPrefix + clock;
}

/** ISO 8601 UTC with milliseconds, as the newer Zendesk APIs write it. */
export function isoMillis(date: Date): string {
  return date.toISOString();
}

export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / SECOND_MS);
}

/** "2025-06-14 09:01:10", the wall-clock form of CSV exports. */
export function wallClock(date: Date): string {
  const ms = date.getTime();
  return `${dayOf(ms).date} ${clockOf(ms)}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "06/14/2025 09:01:10 AM" in an IANA time zone, SurveyMonkey's export form. */
export function usDateTime(date: Date, timeZone: string): string {
  const [day, time] = wallClockIn(date, timeZone).split(' ') as [string, string];
  const [y, mo, d] = day.split('-');
  const [h, mi, s] = time.split(':').map(Number) as [number, number, number];
  const hour12 = h % 12 === 0 ? 12 : h % 12;
  return [mo, '/', d, '/', y, ' ', pad(hour12), ':', pad(mi), ':', pad(s), ' ', h < 12 ? 'AM' : 'PM'].join('');
}

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Sat Jun 14 09:01:10 +0000 2025", the Twitter API v1.1 form. */
export function twitterTime(date: Date): string {
  return [
    DAY_NAMES[date.getUTCDay()],
    ' ',
    MONTH_NAMES[date.getUTCMonth()],
    ' ',
    pad(date.getUTCDate()),
    ' ',
    pad(date.getUTCHours()),
    ':',
    pad(date.getUTCMinutes()),
    ':',
    pad(date.getUTCSeconds()),
    ' +0000 ',
    date.getUTCFullYear(),
  ].join('');
}

/** Relative contact volume by weekday: Monday peak, quiet weekends. */
const WEEKDAY_FACTORS = [0.3, 1.2, 1.08, 1.0, 1.0, 0.92, 0.45];

/**
 * Relative volume of a day: the weekday pattern times a yearly wave that peaks in January (bills
 * after the holidays) and bottoms out in August.
 */
export function seasonality(date: Date): number {
  const weekday = WEEKDAY_FACTORS[date.getUTCDay()] ?? 1;
  const dayOfYear = (date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / DAY_MS;
  const yearly = 1 + 0.18 * Math.cos((2 * Math.PI * (dayOfYear - 20)) / 365);
  return weekday * yearly;
}

/** Opening hours (UTC) and their relative traffic: a morning peak and a smaller one after lunch. */
export const HOURLY_TRAFFIC: readonly (readonly [number, number])[] = [
  [8, 0.7],
  [9, 1.3],
  [10, 1.4],
  [11, 1.2],
  [12, 0.9],
  [13, 1.0],
  [14, 1.15],
  [15, 1.0],
  [16, 0.85],
  [17, 0.6],
  [18, 0.4],
  [19, 0.25],
];

/**
 * "2025-06-14 10:01:10": the wall-clock reading of `date` in an IANA time zone, from the zone's
 * offset at that instant (cached per quarter hour by offsetAt) instead of an Intl call per value.
 */
export function wallClockIn(date: Date, timeZone: string): string {
  const local = date.getTime() + offsetAt(timeZone, date.getTime());
  return `${dayOf(local).date} ${clockOf(local)}`;
}
