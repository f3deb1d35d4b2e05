/**
 * Local wall time in an IANA time zone to a UTC instant, with the platform's time-zone database
 * (Intl), so no tz library ships in the Lambda bundle. Offsets are cached per quarter hour: every
 * transition since 1970 falls on a quarter-hour boundary, and a month of data needs only a few
 * thousand lookups instead of one Intl call (a few µs) per value.
 */

const QUARTER_HOUR_MS = 15 * 60_000;
const DAY_MS = 86_400_000;
/** Bound on cached offsets per zone (a quarter-hour entry each; 100k ≈ 3 years of data). */
const MAX_CACHED_OFFSETS = 100_000;

const UTC_ZONES = new Set(['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Z']);

interface ZoneCache {
  readonly format: Intl.DateTimeFormat;
  readonly offsets: Map<number, number>;
}

const zones = new Map<string, ZoneCache>();

/**
 * True when the name is an IANA time zone this runtime knows. A known zone keeps the formatter
 * built to check it: building one takes about 0.3 ms, and checking a config names its zones many
 * times over.
 */
export function isTimeZone(timeZone: string): boolean {
  try {
    zoneCache(timeZone);
    return true;
  } catch {
    return false;
  }
}

function zoneCache(timeZone: string): ZoneCache {
  let cache = zones.get(timeZone);
  if (!cache) {
    cache = {
      format: new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        era: 'short',
      }),
      offsets: new Map(),
    };
    zones.set(timeZone, cache);
  }
  return cache;
}

/**
 * The fields of `M/D/Y E, HH:MM:SS` as zoneCache's formatter writes an instant (E the era, AD or
 * BC). Parsing format()'s text took 40% of the time of reading formatToParts' objects.
 */
const WALL_CLOCK = /^(\d+)\/(\d+)\/(\d+) (\S+), (\d+):(\d+):(\d+)$/;

function computeOffset(format: Intl.DateTimeFormat, epochMs: number): number {
  const text = format.format(epochMs);
  const fields = WALL_CLOCK.exec(text);
  if (fields === null) throw new Error(`unexpected wall-clock text from Intl.DateTimeFormat: ${JSON.stringify(text)}`);
  const [, month, day, year, era, hour, minute, second] = fields;
  const bc = era === 'BC' || era === 'B';
  const wall = utcFromFields(
    bc ? 1 - Number(year) : Number(year),
    Number(month),
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
    0,
  );
  const wholeSecond = epochMs - (((epochMs % 1000) + 1000) % 1000);
  return wall - wholeSecond;
}

/** Offset of the zone from UTC (ms, positive east of Greenwich) at a UTC instant. */
export function offsetAt(timeZone: string, epochMs: number): number {
  if (UTC_ZONES.has(timeZone)) return 0;
  const cache = zoneCache(timeZone);
  const bucket = Math.floor(epochMs / QUARTER_HOUR_MS);
  let offset = cache.offsets.get(bucket);
  if (offset === undefined) {
    offset = computeOffset(cache.format, bucket * QUARTER_HOUR_MS);
    if (cache.offsets.size >= MAX_CACHED_OFFSETS) cache.offsets.clear();
    cache.offsets.set(bucket, offset);
  }
  return offset;
}

/** Epoch ms of a wall-clock reading taken as if it were UTC (Date.UTC with full-range years). */
export function utcFromFields(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millisecond: number,
): number {
  // Date.UTC maps years 0-99 to 1900-1999; only those need the slower setter path.
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millisecond);
  return date.getTime();
}

/**
 * UTC epoch ms of a wall-clock time (given as epoch ms "as if UTC") in a zone. Follows the
 * `compatible` rule of Temporal and of most databases: a time repeated when clocks go back is the
 * earlier instant; a time skipped when clocks go forward is moved forward by the gap (02:30 on a
 * spring-forward night in Paris is 03:30 CEST).
 */
export function wallTimeToUtc(wallMs: number, timeZone: string): number {
  if (UTC_ZONES.has(timeZone)) return wallMs;
  const before = offsetAt(timeZone, wallMs - DAY_MS);
  const after = offsetAt(timeZone, wallMs + DAY_MS);
  // No transition within a day either side (all but a few hours a year): one offset applies.
  if (before === after && offsetAt(timeZone, wallMs - before) === before) return wallMs - before;
  const candidates: number[] = [];
  for (const offset of before === after ? [before] : [before, after]) {
    const instant = wallMs - offset;
    if (offsetAt(timeZone, instant) === offset) candidates.push(instant);
  }
  if (candidates.length === 0) {
    // A gap: the wall time does not exist; read it with the offset in force before the jump.
    return wallMs - before;
  }
  return Math.min(...candidates);
}
