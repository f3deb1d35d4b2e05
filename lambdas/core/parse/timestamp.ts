/**
 * Timestamps: ISO 8601, Unix epochs, and patterns such as "yyMMdd", "d-MMM-yy" or "M/d/yyyy H:mm".
 * A pattern is compiled once into a regular expression and a field builder, so parsing a value is
 * one regex match and a little arithmetic (these run per field on millions of rows).
 */
import { type NullOptions, present } from './blank.ts';
import { ParseError } from './errors.ts';
import { utcFromFields, wallTimeToUtc } from './zone.ts';

/**
 * Two-digit years: `yy` below this pivot is 20yy, at or above it 19yy (00-68 → 2000-2068,
 * 69-99 → 1969-1999), the POSIX strptime and Python `%y` rule.
 */
export const TWO_DIGIT_YEAR_PIVOT = 69;

/** Pattern tokens, longest first so "MMM" wins over "MM" and "yyyy" over "yy". */
export const TIMESTAMP_TOKENS = [
  'yyyy',
  'EEEE',
  'MMMM',
  'EEE',
  'MMM',
  'SSS',
  'XXX',
  'yy',
  'MM',
  'dd',
  'HH',
  'hh',
  'mm',
  'ss',
  'M',
  'd',
  'H',
  'h',
  'a',
] as const;
type Token = (typeof TIMESTAMP_TOKENS)[number];

export type TimestampFormat = 'iso' | 'unix_s' | 'unix_ms' | (string & {});

/** A wall-clock reading (no zone) plus the offset when the text carried one. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** Minutes east of UTC when the value carried an offset, else null (the zone decides). */
  offsetMinutes: number | null;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const FULL_MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** Day names are checked for spelling only; the date fields decide the day. */
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const FULL_DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

const TOKEN_REGEX: Record<Token, string> = {
  yyyy: '(\\d{4})',
  yy: '(\\d{2})',
  MMMM: '([A-Za-z]+)',
  MMM: '([A-Za-z]{3})',
  MM: '(\\d{2})',
  M: '(\\d{1,2})',
  dd: '(\\d{2})',
  d: '(\\d{1,2})',
  HH: '(\\d{2})',
  H: '(\\d{1,2})',
  hh: '(\\d{2})',
  h: '(\\d{1,2})',
  a: '([AaPp][Mm])',
  mm: '(\\d{2})',
  ss: '(\\d{2})',
  SSS: '(\\d{1,9})',
  XXX: '(Z|[+-]\\d{2}(?::?\\d{2})?)',
  EEE: '([A-Za-z]{3})',
  EEEE: '([A-Za-z]+)',
};

/** A pattern that cannot be compiled (unknown letter, unclosed quote, missing date part). */
export class FormatError extends Error {
  constructor(
    readonly format: string,
    reason: string,
  ) {
    super(`timestamp format ${JSON.stringify(format)}: ${reason}`);
    this.name = 'FormatError';
  }
}

interface CompiledPattern {
  readonly regex: RegExp;
  readonly tokens: readonly Token[];
}

function compilePattern(format: string, requireDate: boolean): CompiledPattern {
  let regex = '^';
  const tokens: Token[] = [];
  let i = 0;
  while (i < format.length) {
    const ch = format[i] as string;
    if (ch === "'") {
      const end = format.indexOf("'", i + 1);
      if (end < 0) throw new FormatError(format, `unclosed quote at position ${i + 1}`);
      regex += escapeRegex(end === i + 1 ? "'" : format.slice(i + 1, end));
      i = end + 1;
      continue;
    }
    if (/[A-Za-z]/.test(ch)) {
      const token = TIMESTAMP_TOKENS.find((t) => format.startsWith(t, i));
      if (!token) {
        const run = /^[A-Za-z]+/.exec(format.slice(i))?.[0] ?? ch;
        throw new FormatError(
          format,
          `unknown token "${run}" at position ${i + 1}; tokens are ${TIMESTAMP_TOKENS.join(' ')} (quote literal letters, e.g. 'T')`,
        );
      }
      if (tokens.includes(token)) throw new FormatError(format, `token "${token}" appears twice`);
      tokens.push(token);
      regex += TOKEN_REGEX[token];
      i += token.length;
      continue;
    }
    regex += ch === ' ' ? '\\s+' : escapeRegex(ch);
    i++;
  }
  const has = (...names: Token[]) => names.some((t) => tokens.includes(t));
  if (requireDate && !(has('yyyy', 'yy') && has('MMMM', 'MMM', 'MM', 'M') && has('dd', 'd'))) {
    throw new FormatError(format, 'needs a year (yyyy or yy), a month (MM, M, MMM or MMMM) and a day (dd or d)');
  }
  if (has('hh', 'h') !== has('a')) throw new FormatError(format, '12-hour tokens (hh, h) need an AM/PM marker (a)');
  if (has('a') && has('HH', 'H')) throw new FormatError(format, 'use either 24-hour (HH, H) or 12-hour (hh, h with a)');
  return { regex: new RegExp(`${regex}$`), tokens };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** 1-12, or 0 (out of range, so rejected) for an unknown name; MMMM also takes abbreviations. */
function monthFromName(name: string, full: boolean): number {
  const lower = name.toLowerCase();
  const index = full && lower.length > 3 ? FULL_MONTHS.indexOf(lower) : MONTHS.indexOf(lower);
  return index + 1;
}

function offsetMinutesOf(text: string): number | null {
  if (text === 'Z') return 0;
  const sign = text[0] === '-' ? -1 : 1;
  const digits = text.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 23 || minutes > 59) return null;
  return sign * (hours * 60 + minutes);
}

function fractionToMs(digits: string): number {
  return Math.floor(Number(`0.${digits}`) * 1000 + 1e-6);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Null when any field is out of range (month 13, 31 April, hour 24...). */
function checkRanges(wall: WallTime): WallTime | null {
  if (wall.month < 1 || wall.month > 12) return null;
  if (wall.day < 1 || wall.day > daysInMonth(wall.year, wall.month)) return null;
  if (wall.hour > 23 || wall.minute > 59 || wall.second > 59) return null;
  return wall;
}

/**
 * Compiles a pattern into a parser of wall-clock readings. With `requireDate: false` the pattern
 * may be a time of day alone (for a separate time column), and the date fields stay 1970-01-01.
 */
export function compileWallTimeParser(
  format: string,
  options: { requireDate?: boolean } = {},
): (value: string) => WallTime | null {
  const { regex, tokens } = compilePattern(format, options.requireDate ?? true);
  const expected = `a timestamp in format "${format}"`;
  return (value: string) => {
    const match = regex.exec(value);
    if (!match) return null;
    const wall: WallTime = {
      year: 1970,
      month: 1,
      day: 1,
      hour: 0,
      minute: 0,
      second: 0,
      millisecond: 0,
      offsetMinutes: null,
    };
    let pm: boolean | null = null;
    for (let t = 0; t < tokens.length; t++) {
      const text = match[t + 1] as string;
      switch (tokens[t]) {
        case 'yyyy':
          wall.year = Number(text);
          break;
        case 'yy': {
          const yy = Number(text);
          wall.year = yy < TWO_DIGIT_YEAR_PIVOT ? 2000 + yy : 1900 + yy;
          break;
        }
        case 'MMMM':
          wall.month = monthFromName(text, true);
          break;
        case 'MMM':
          wall.month = monthFromName(text, false);
          break;
        case 'MM':
        case 'M':
          wall.month = Number(text);
          break;
        case 'dd':
        case 'd':
          wall.day = Number(text);
          break;
        case 'HH':
        case 'H':
          wall.hour = Number(text);
          break;
        case 'hh':
        case 'h': {
          const hour = Number(text);
          if (hour < 1 || hour > 12) throw new ParseError(value, expected);
          wall.hour = hour % 12;
          break;
        }
        case 'a':
          pm = text.toLowerCase() === 'pm';
          break;
        case 'mm':
          wall.minute = Number(text);
          break;
        case 'ss':
          wall.second = Number(text);
          break;
        case 'SSS':
          wall.millisecond = fractionToMs(text);
          break;
        case 'EEE':
        case 'EEEE':
          if (!(tokens[t] === 'EEE' ? DAYS : FULL_DAYS).includes(text.toLowerCase())) return null;
          break;
        case 'XXX': {
          const offset = offsetMinutesOf(text);
          if (offset === null) throw new ParseError(value, expected);
          wall.offsetMinutes = offset;
          break;
        }
      }
    }
    if (pm) wall.hour += 12;
    return checkRanges(wall);
  };
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

function parseIsoWall(value: string): WallTime | null {
  const m = ISO.exec(value);
  if (!m) return null;
  const zone = m[8];
  return checkRanges({
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: m[4] ? Number(m[4]) : 0,
    minute: m[5] ? Number(m[5]) : 0,
    second: m[6] ? Number(m[6]) : 0,
    millisecond: m[7] ? fractionToMs(m[7]) : 0,
    offsetMinutes: zone ? offsetMinutesOf(zone.toUpperCase()) : null,
  });
}

/** The UTC instant of a wall time: its own offset when it carried one, else the zone's. */
export function wallToDate(wall: WallTime, timeZone: string): Date {
  const wallMs = utcFromFields(wall.year, wall.month, wall.day, wall.hour, wall.minute, wall.second, wall.millisecond);
  if (wall.offsetMinutes !== null) return new Date(wallMs - wall.offsetMinutes * 60_000);
  return new Date(wallTimeToUtc(wallMs, timeZone));
}

const EPOCH = /^-?\d+(?:\.\d+)?$/;

/**
 * Compiles a format once into a parser: blank and null tokens give null; a value that does not
 * match throws a ParseError naming the value and the format. Throws FormatError for a bad pattern.
 */
export function compileTimestampParser(
  format: TimestampFormat,
  timeZone: string,
  options: NullOptions = {},
): (value: string | null | undefined) => Date | null {
  const nullTokens = options.nullTokens;
  if (format === 'unix_s' || format === 'unix_ms') {
    const scale = format === 'unix_s' ? 1000 : 1;
    const expected = `a Unix timestamp in ${format === 'unix_s' ? 'seconds' : 'milliseconds'}`;
    return (raw) => {
      const value = present(raw, nullTokens);
      if (value === null) return null;
      if (!EPOCH.test(value)) throw new ParseError(value, expected);
      return new Date(Math.round(Number(value) * scale));
    };
  }
  const parseWall = format === 'iso' ? parseIsoWall : compileWallTimeParser(format);
  const expected =
    format === 'iso'
      ? 'an ISO 8601 timestamp (e.g. 2021-03-22T14:05:00Z, 2021-03-22 14:05 or 2021-03-22)'
      : `a timestamp in format "${format}"`;
  return (raw) => {
    const value = present(raw, nullTokens);
    if (value === null) return null;
    const wall = parseWall(value);
    if (!wall) throw new ParseError(value, expected);
    return wallToDate(wall, timeZone);
  };
}

/**
 * One timestamp. Values without an offset are wall time in `timeZone` (IANA); blank and null
 * tokens give null; a malformed value throws ParseError. For many values compile the parser once
 * with compileTimestampParser.
 */
export function parseTimestamp(
  value: string,
  format: TimestampFormat,
  timeZone: string,
  options: NullOptions = {},
): Date | null {
  return compileTimestampParser(format, timeZone, options)(value);
}

/**
 * A date column and a time-of-day column read together as one wall time in `timeZone`; null
 * when either is blank. `dayOffset` moves the date by whole calendar days (a log with one date
 * column whose later times crossed midnight).
 */
export function compileDateTimeParser(
  date: { readonly format: string },
  time: { readonly format: string },
  timeZone: string,
  options: NullOptions = {},
): (dateValue: string | null | undefined, timeValue: string | null | undefined, dayOffset?: number) => Date | null {
  const parseDate = compileWallTimeParser(date.format);
  const parseTime = compileWallTimeParser(time.format, { requireDate: false });
  const nullTokens = options.nullTokens;
  return (rawDate, rawTime, dayOffset = 0) => {
    const dateValue = present(rawDate, nullTokens);
    const timeValue = present(rawTime, nullTokens);
    if (dateValue === null || timeValue === null) return null;
    const day = parseDate(dateValue);
    if (!day) throw new ParseError(dateValue, `a date in format "${date.format}"`);
    const clock = parseTime(timeValue);
    if (!clock) throw new ParseError(timeValue, `a time in format "${time.format}"`);
    return wallToDate(
      {
        ...day,
        day: day.day + dayOffset,
        hour: clock.hour,
        minute: clock.minute,
        second: clock.second,
        millisecond: clock.millisecond,
        offsetMinutes: clock.offsetMinutes ?? day.offsetMinutes,
      },
      timeZone,
    );
  };
}
