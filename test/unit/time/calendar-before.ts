/**
 * The business calendar, time-zone offsets and reference date texts as they were computed before
 * they were made faster (formatToParts for each offset, toISOString for each date, each day's
 * version hours read from the config as it stands), kept verbatim as the oracle the faster code
 * must equal byte for byte.
 */
import type { ScheduleConfig } from '../../../lambdas/core/time/config.ts';
import { WEEKDAYS, type Weekday } from '../../../lambdas/core/time/config.ts';

const QUARTER_HOUR_MS = 15 * 60_000;
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const UTC_ZONES = new Set(['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Z']);
const formats = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, number>();

function formatOf(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formats.set(timeZone, format);
  }
  return format;
}

function utcFromFields(year: number, month: number, day: number, hour: number, minute: number, second: number) {
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second, 0);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

/** The offset of a zone at an exact instant (no quarter-hour cache). */
export function offsetAtBefore(timeZone: string, epochMs: number): number {
  const fields: Record<string, number> = {};
  let bc = false;
  for (const part of formatOf(timeZone).formatToParts(epochMs)) {
    if (part.type === 'era') bc = part.value === 'BC' || part.value === 'B';
    else if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const year = fields.year ?? 0;
  const wall = utcFromFields(
    bc ? 1 - year : year,
    fields.month ?? 0,
    fields.day ?? 0,
    fields.hour ?? 0,
    fields.minute ?? 0,
    fields.second ?? 0,
  );
  return wall - (epochMs - (((epochMs % 1000) + 1000) % 1000));
}

function offsetAt(timeZone: string, epochMs: number): number {
  if (UTC_ZONES.has(timeZone)) return 0;
  const bucket = Math.floor(epochMs / QUARTER_HOUR_MS);
  const key = `${timeZone} ${bucket}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    offset = offsetAtBefore(timeZone, bucket * QUARTER_HOUR_MS);
    offsets.set(key, offset);
  }
  return offset;
}

function wallTimeToUtc(wallMs: number, timeZone: string): number {
  if (UTC_ZONES.has(timeZone)) return wallMs;
  const before = offsetAt(timeZone, wallMs - DAY_MS);
  const after = offsetAt(timeZone, wallMs + DAY_MS);
  if (before === after && offsetAt(timeZone, wallMs - before) === before) return wallMs - before;
  const candidates: number[] = [];
  for (const offset of before === after ? [before] : [before, after]) {
    const instant = wallMs - offset;
    if (offsetAt(timeZone, instant) === offset) candidates.push(instant);
  }
  if (candidates.length === 0) return wallMs - before;
  return Math.min(...candidates);
}

export function referenceDateBefore(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

export function referenceTimestampBefore(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

function epochDay(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

function dateOf(day: number): string {
  return referenceDateBefore(day * DAY_MS);
}

function minutesOf(clock: string): number {
  return Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));
}

function weekdayOf(day: number): Weekday {
  return WEEKDAYS[(((day + 3) % 7) + 7) % 7] as Weekday;
}

function versionsByName(schedules: readonly ScheduleConfig[]): Map<string, ScheduleConfig[]> {
  const byName = new Map<string, ScheduleConfig[]>();
  for (const schedule of schedules) byName.set(schedule.name, [...(byName.get(schedule.name) ?? []), schedule]);
  for (const versions of byName.values()) {
    versions.sort((a, b) => (a.effectiveFrom ?? '').localeCompare(b.effectiveFrom ?? ''));
  }
  return byName;
}

function openIntervals(versions: readonly ScheduleConfig[], firstDay: number, lastDay: number): [number, number][] {
  const intervals: [number, number][] = [];
  for (let day = firstDay; day <= lastDay; day += 1) {
    const date = dateOf(day);
    const version = versions.findLast((v) => (v.effectiveFrom ?? '') <= date);
    if (version === undefined || version.holidays.some((h) => h === date || h === date.slice(5))) continue;
    const weekday = weekdayOf(day);
    const zone = version.timeZone;
    const steady = offsetAt(zone, (day - 1) * DAY_MS);
    const toUtc =
      steady === offsetAt(zone, (day + 3) * DAY_MS)
        ? (wall: number) => wall - steady
        : (wall: number) => wallTimeToUtc(wall, zone);
    for (const opening of version.hours) {
      if (!opening.days.includes(weekday)) continue;
      const from = minutesOf(opening.from);
      const to = minutesOf(opening.to);
      const closesOn = to <= from ? day + 1 : day;
      const open = toUtc(day * DAY_MS + from * MINUTE_MS);
      const close = toUtc(closesOn * DAY_MS + to * MINUTE_MS);
      if (close > open) intervals.push([open, close]);
    }
  }
  intervals.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [open, close] of intervals) {
    const last = merged.at(-1);
    if (last !== undefined && open <= last[1]) last[1] = Math.max(last[1], close);
    else merged.push([open, close]);
  }
  return merged;
}

export function businessCalendarBefore(
  schedules: readonly ScheduleConfig[],
  range: { readonly from: string; readonly to: string },
) {
  const rows: {
    schedule: string;
    utc_date: string;
    open_at: string | null;
    close_at: string | null;
    open_s_before: number;
  }[] = [];
  const toDay = epochDay(range.to);
  for (const [name, versions] of [...versionsByName(schedules)].sort(([a], [b]) => a.localeCompare(b))) {
    const first = versions[0];
    if (first === undefined) continue;
    let fromDay = epochDay(range.from);
    if (first.effectiveFrom !== undefined) {
      const firstOpen = wallTimeToUtc(epochDay(first.effectiveFrom) * DAY_MS, first.timeZone);
      fromDay = Math.max(fromDay, Math.floor(firstOpen / DAY_MS));
    }
    const intervals = openIntervals(versions, fromDay - 2, toDay + 1);
    let before = 0;
    let next = 0;
    for (let day = fromDay; day <= toDay; day += 1) {
      const start = day * DAY_MS;
      const end = start + DAY_MS;
      const date = dateOf(day);
      while (next < intervals.length && (intervals[next] as [number, number])[1] <= start) next += 1;
      let opened = 0;
      for (let i = next; i < intervals.length; i += 1) {
        const [open, close] = intervals[i] as [number, number];
        if (open >= end) break;
        const clippedOpen = Math.max(open, start);
        const clippedClose = Math.min(close, end);
        rows.push({
          schedule: name,
          utc_date: date,
          open_at: referenceTimestampBefore(clippedOpen),
          close_at: referenceTimestampBefore(clippedClose),
          open_s_before: before,
        });
        opened += (clippedClose - clippedOpen) / 1000;
      }
      if (opened === 0)
        rows.push({ schedule: name, utc_date: date, open_at: null, close_at: null, open_s_before: before });
      before += opened;
    }
  }
  return rows;
}
