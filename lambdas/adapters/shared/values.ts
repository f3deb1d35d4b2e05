/**
 * Reading typed values out of parsed vendor JSON. Every helper either returns the value, returns
 * null when the source left the field empty, or throws a RecordRejection naming the field, so a
 * mapper reads as a list of field lookups and the reason a record is refused is always specific.
 */

/** Thrown by a mapper to refuse one source record; the adapter loop turns it into a reject. */
export class RecordRejection extends Error {
  constructor(
    readonly field: string | null,
    reason: string,
  ) {
    super(reason);
    this.name = 'RecordRejection';
  }
}

export function reject(field: string | null, reason: string): never {
  throw new RecordRejection(field, reason);
}

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object at `value`, null when absent; anything else is refused. */
export function objectOf(value: unknown, field: string): JsonObject | null {
  if (value === null || value === undefined) return null;
  if (!isObject(value)) reject(field, `must be an object (got ${describe(value)})`);
  return value;
}

/** The array at `value`, empty when absent; anything else is refused. */
export function arrayOf(value: unknown, field: string): unknown[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) reject(field, `must be an array (got ${describe(value)})`);
  return value;
}

/** A non-blank string, or a number written as its decimal form (vendor ids come as either). */
export function textOf(value: unknown, field: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  return reject(field, `must be a string or a number (got ${describe(value)})`);
}

export function requiredText(value: unknown, field: string): string {
  return textOf(value, field) ?? reject(field, 'is missing');
}

/** A finite number, also from a numeric string (contact attributes are always strings). */
export function numberOf(value: unknown, field: string): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) reject(field, `must be a finite number (got ${value})`);
    return value;
  }
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed === '') return null;
    const parsed = Number(trimmed);
    if (!Number.isFinite(parsed)) reject(field, `must be a number (got "${value}")`);
    return parsed;
  }
  return reject(field, `must be a number (got ${describe(value)})`);
}

/** A duration or count that cannot be negative. */
export function nonNegativeOf(value: unknown, field: string): number | null {
  const n = numberOf(value, field);
  if (n !== null && n < 0) reject(field, `must not be negative (got ${n})`);
  return n;
}

export function wholeNumberOf(value: unknown, field: string): number | null {
  const n = nonNegativeOf(value, field);
  if (n !== null && !Number.isInteger(n)) reject(field, `must be a whole number (got ${n})`);
  return n;
}

/**
 * Whether a count of stations (groups, assignees) shows a hand-over: more than one. An unknown count
 * gives an unknown flag, never false.
 */
export function greaterThanOne(count: number | null): boolean | null {
  return count === null ? null : count > 1;
}

export function booleanOf(value: unknown, field: string): boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value;
  return reject(field, `must be true or false (got ${describe(value)})`);
}

/**
 * ISO 8601 date-time with an explicit offset (`Z` or `±hh:mm`), as every vendor API here writes
 * them. A value without an offset is refused rather than guessed: these exports never omit it, so
 * its absence means the file was altered on the way.
 */
const ISO_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/i;

export function isoTimestampOf(value: unknown, field: string): Date | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value !== 'string') return reject(field, `must be an ISO 8601 timestamp (got ${describe(value)})`);
  const text = value.trim();
  const plain = plainUtcOf(text);
  if (plain !== undefined) return plain;
  const match = ISO_WITH_OFFSET.exec(text);
  if (!match)
    return reject(field, `must be an ISO 8601 timestamp with an offset, such as 2024-05-01T09:30:00Z (got "${value}")`);
  const date = new Date(text.replace(' ', 'T'));
  const month = Number(match[2]);
  const day = Number(match[3]);
  const valid =
    !Number.isNaN(date.getTime()) &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(Number(match[1]), month) &&
    Number(match[4]) <= 23 &&
    Number(match[5]) <= 59 &&
    Number(match[6]) <= 59;
  if (!valid) reject(field, `is not a real date-time (got "${value}")`);
  return date;
}

/**
 * The date-time of `2024-05-01T09:30:00Z` or `2024-05-01T09:30:00.123Z`, the forms nearly every
 * export writes, read from the characters: the regex and the Date parser took a third of mapping a
 * Connect record. Undefined for any other text, and for a date-time that is not real, which the
 * general path then reads or refuses with its reasons. Years before 100 are left to it as well,
 * since Date.UTC would read them as 1900-1999.
 */
function plainUtcOf(text: string): Date | undefined {
  const length = text.length;
  if (length !== 20 && length !== 24) return undefined;
  if (
    text.charCodeAt(4) !== Char.Dash ||
    text.charCodeAt(7) !== Char.Dash ||
    text.charCodeAt(10) !== Char.T ||
    text.charCodeAt(13) !== Char.Colon ||
    text.charCodeAt(16) !== Char.Colon ||
    text.charCodeAt(length - 1) !== Char.Z ||
    (length === 24 && text.charCodeAt(19) !== Char.Dot)
  ) {
    return undefined;
  }
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  const millisecond = length === 24 ? digitsAt(text, 20, 3) : 0;
  const real =
    year >= 100 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour >= 0 &&
    hour <= 23 &&
    minute >= 0 &&
    minute <= 59 &&
    second >= 0 &&
    second <= 59 &&
    millisecond >= 0;
  return real ? new Date(Date.UTC(year, month - 1, day, hour, minute, second, millisecond)) : undefined;
}

enum Char {
  Dash = 45,
  Dot = 46,
  Colon = 58,
  Zero = 48,
  T = 84,
  Z = 90,
}

/** The decimal number written by `count` digits at `from`; -1 when any of them is not a digit. */
function digitsAt(text: string, from: number, count: number): number {
  let value = 0;
  for (let index = from; index < from + count; index++) {
    const digit = text.charCodeAt(index) - Char.Zero;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

export function requiredIsoTimestamp(value: unknown, field: string): Date {
  return isoTimestampOf(value, field) ?? reject(field, 'is missing');
}

/** Unix epoch seconds (Intercom writes every timestamp this way). */
export function epochSecondsOf(value: unknown, field: string): Date | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    return reject(field, `must be a Unix timestamp in seconds (got ${describe(value)})`);
  }
  return new Date(value * 1000);
}

export function requiredEpochSeconds(value: unknown, field: string): Date {
  return epochSecondsOf(value, field) ?? reject(field, 'is missing');
}

/** Seconds from `from` to `to`, null when either is unknown; a negative span is refused. */
export function secondsBetween(from: Date | null, to: Date | null, field: string, fromField: string): number | null {
  if (from === null || to === null) return null;
  const seconds = (to.getTime() - from.getTime()) / 1000;
  if (seconds < 0) reject(field, `is before ${fromField} (${to.toISOString()} < ${from.toISOString()})`);
  return seconds;
}

/** Minutes as vendor metrics report them, in seconds. */
export function minutesToSeconds(minutes: number | null): number | null {
  return minutes === null ? null : minutes * 60;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/**
 * Days of a month (1-12) as `new Date(Date.UTC(year, month, 0)).getUTCDate()` gives them, without
 * making a Date for each timestamp read: Date.UTC reads years 0-99 as 1900-1999, so 0000-02 has 28.
 */
function daysInMonth(year: number, month: number): number {
  if (month !== 2) return MONTH_DAYS[month - 1] as number;
  const y = year <= 99 ? 1900 + year : year;
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `"${value}"`;
  return `${typeof value} ${String(value)}`;
}
