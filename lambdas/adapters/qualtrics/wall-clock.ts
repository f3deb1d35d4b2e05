/**
 * Local wall-clock date-times as survey and HR tools export them ("2024-05-02 10:14:33",
 * "05/02/2024 10:14:33 AM", "2024-05-02"), converted to UTC in a given IANA time zone.
 * ISO values that carry an offset keep their offset.
 */

export interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
}

const ISO_LOCAL =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const US_DATE_TIME = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]M)?)?$/i;

/** UTC instant of an ISO-like or US-style (month/day/year) date-time; null when unreadable. */
export function parseLocalDateTime(value: string, timeZone: string): Date | null {
  const text = value.trim();
  const iso = ISO_LOCAL.exec(text);
  if (iso) {
    const [, y, mo, d, h, mi, s, frac, offset] = iso;
    const clock = {
      year: Number(y),
      month: Number(mo),
      day: Number(d),
      hour: Number(h ?? 0),
      minute: Number(mi ?? 0),
      second: Number(s ?? 0),
      millisecond: frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0,
    };
    if (!isRealClock(clock)) return null;
    return offset ? withOffset(clock, offset) : wallClockToUtc(clock, timeZone);
  }
  const us = US_DATE_TIME.exec(text);
  if (us) {
    const [, mo, d, y, h, mi, s, meridiem] = us;
    let hour = Number(h ?? 0);
    if (meridiem) {
      if (hour < 1 || hour > 12) return null;
      hour = (hour % 12) + (meridiem.toUpperCase() === 'PM' ? 12 : 0);
    }
    const clock = {
      year: Number(y),
      month: Number(mo),
      day: Number(d),
      hour,
      minute: Number(mi ?? 0),
      second: Number(s ?? 0),
      millisecond: 0,
    };
    return isRealClock(clock) ? wallClockToUtc(clock, timeZone) : null;
  }
  return null;
}

function isRealClock(c: WallClock): boolean {
  const daysInMonth = new Date(Date.UTC(c.year, c.month, 0)).getUTCDate();
  return (
    c.month >= 1 &&
    c.month <= 12 &&
    c.day >= 1 &&
    c.day <= daysInMonth &&
    c.hour <= 23 &&
    c.minute <= 59 &&
    c.second <= 59
  );
}

function withOffset(c: WallClock, offset: string): Date {
  const utc = Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second, c.millisecond);
  if (offset.toUpperCase() === 'Z') return new Date(utc);
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
  return new Date(utc - sign * minutes * 60_000);
}

/**
 * The UTC instant at which the clocks of `timeZone` showed `c`. Two passes over the zone's offset
 * settle daylight-saving transitions (a time inside a spring-forward gap lands one hour early).
 */
export function wallClockToUtc(c: WallClock, timeZone: string): Date {
  const asUtc = Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second, c.millisecond);
  let guess = asUtc - offsetMs(asUtc, timeZone);
  guess = asUtc - offsetMs(guess, timeZone);
  return new Date(guess);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of `timeZone` from UTC at the instant `epochMs`, in milliseconds. */
function offsetMs(epochMs: number, timeZone: string): number {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  const parts: Record<string, number> = {};
  for (const p of formatter.formatToParts(new Date(epochMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const shown = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return shown - Math.floor(epochMs / 1000) * 1000;
}
