/**
 * Business hours: the config's `schedules` resolved into the `business_calendar` reference table,
 * so that the views measure business time with equi-joins on (schedule, UTC date) and simple
 * arithmetic that DuckDB and Trino compute alike. Everything that needs a time-zone database or a
 * judgement (DST, holidays, versions, overnight intervals) is decided here, where it can be unit
 * tested, and never in SQL.
 *
 * Rules:
 * - An interval belongs to the local day it opens on. Its version is the one in force on that day
 *   (the latest `effectiveFrom` on or before it), its weekday is that day's, and a holiday closes
 *   the intervals that open on it. An overnight interval (`to` earlier than `from`) that opens the
 *   evening before a holiday therefore runs in full into the holiday, and one that would open on
 *   the holiday evening does not open: a shift is staffed as a whole by the people rostered on the
 *   day it starts, so cutting it at midnight would count hours nobody was missing, or hours nobody
 *   worked.
 * - Wall times are read in the schedule's zone with the `compatible` rule of wallTimeToUtc: a time
 *   skipped by a spring-forward jump moves forward by the gap, a repeated time is its first
 *   occurrence. So 01:00-03:00 on Europe/London's spring-forward night is one hour of business and
 *   on its fall-back night three.
 * - Intervals of one schedule are merged where they touch or overlap (a version change or an
 *   overnight interval meeting the next morning's), so no second is counted twice, then cut at UTC
 *   midnights. Each UTC date of the range has at least one row (NULL open/close when nothing is
 *   open), and open_s_before counts the schedule's business seconds from the first date of its
 *   calendar up to 00:00 UTC of the row's date.
 * - A schedule's calendar starts on the UTC date its first version's first local day begins: before
 *   any version was in force its business time is unknown (NULL), not zero.
 */
import type { ServiceBenchConfig } from '../config/config.ts';
import { offsetAt, wallTimeToUtc } from '../parse/zone.ts';
import { type ReferenceTable, referenceDate, referenceTimestamp } from '../reference/tables.ts';
import { type ScheduleConfig, WEEKDAYS, type Weekday } from './config.ts';
import { zoneDaysSpan } from './zones.ts';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** One row of `business_calendar`: an open interval of a schedule clipped to one UTC date (a type, so it is a reference row as it stands). */
export type BusinessCalendarRow = {
  readonly schedule: string;
  /** `yyyy-MM-dd`, UTC. */
  readonly utc_date: string;
  /** `yyyy-MM-dd HH:mm:ss.SSS`, UTC; null on a date with no opening. */
  readonly open_at: string | null;
  readonly close_at: string | null;
  /** Business seconds of the schedule from its first calendar date up to 00:00 UTC of utc_date. */
  readonly open_s_before: number;
};

/** Specificities of an assignment, most specific first: the first that matches a contact wins. */
export const ASSIGNMENT_DIMENSIONS = ['priority', 'queue', 'team', 'source', 'any'] as const;
export type AssignmentDimension = (typeof ASSIGNMENT_DIMENSIONS)[number];

/** One row of `schedule_assignments`: which contacts a schedule measures. */
export type ScheduleAssignmentRow = {
  readonly schedule: string;
  readonly dimension: AssignmentDimension;
  /** The priority, queue, team or source name; null for the schedule that takes every other contact. */
  readonly value: string | null;
  readonly sla_in_business_hours: boolean;
};

const APPLIES_TO: Readonly<Record<Exclude<AssignmentDimension, 'any'>, keyof ScheduleConfig['appliesTo']>> = {
  priority: 'priorities',
  queue: 'queues',
  team: 'teams',
  source: 'sources',
};

/** Days since 1970-01-01 of a `yyyy-MM-dd` date. */
function epochDay(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

function dateOf(day: number): string {
  return referenceDate(day * DAY_MS);
}

/** Minutes since midnight of an `HH:MM` clock time (24:00 is 1440). */
function minutesOf(clock: string): number {
  return Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));
}

/** Monday 0 … Sunday 6 (1970-01-01 was a Thursday). */
function weekdayOf(day: number): Weekday {
  return WEEKDAYS[(((day + 3) % 7) + 7) % 7] as Weekday;
}

/** Versions of each schedule name, oldest first (a version without effectiveFrom is the oldest). */
function versionsByName(schedules: readonly ScheduleConfig[]): Map<string, ScheduleConfig[]> {
  const byName = new Map<string, ScheduleConfig[]>();
  for (const schedule of schedules) byName.set(schedule.name, [...(byName.get(schedule.name) ?? []), schedule]);
  for (const versions of byName.values()) {
    versions.sort((a, b) => (a.effectiveFrom ?? '').localeCompare(b.effectiveFrom ?? ''));
  }
  return byName;
}

/** A version's hours as openIntervals reads them for each day: clock times in minutes, by weekday. */
interface VersionHours {
  readonly version: ScheduleConfig;
  /** `yyyy-MM-dd` dates and `MM-dd` days of every year the version is closed. */
  readonly holidays: ReadonlySet<string>;
  /** The [from, to] minutes of the intervals that open on each weekday, Monday first, in config order. */
  readonly byWeekday: readonly (readonly (readonly [number, number])[])[];
}

function versionHours(version: ScheduleConfig): VersionHours {
  return {
    version,
    holidays: new Set(version.holidays),
    byWeekday: WEEKDAYS.map((weekday) =>
      version.hours
        .filter((opening) => opening.days.includes(weekday))
        .map((opening) => [minutesOf(opening.from), minutesOf(opening.to)] as const),
    ),
  };
}

/** Open intervals [open, close) in epoch ms of the intervals that open on local days first..last. */
function openIntervals(versions: readonly ScheduleConfig[], firstDay: number, lastDay: number): [number, number][] {
  const hours = versions.map(versionHours);
  const intervals: [number, number][] = [];
  for (let day = firstDay; day <= lastDay; day += 1) {
    const date = dateOf(day);
    const inForce = hours.findLast((v) => (v.version.effectiveFrom ?? '') <= date);
    if (inForce === undefined || inForce.holidays.has(date) || inForce.holidays.has(date.slice(5))) continue;
    const openings = inForce.byWeekday[WEEKDAYS.indexOf(weekdayOf(day))] ?? [];
    if (openings.length === 0) continue;
    const zone = inForce.version.timeZone;
    // A local day's intervals lie between its start and two days later, at most 14 hours off UTC.
    // When the zone's offset is the same a day either side of that span, no transition falls in it
    // (no zone changes its offset twice within days) and every wall time reads with that offset;
    // else wallTimeToUtc resolves each. This keeps a decade of days to a few thousand lookups.
    const steady = offsetAt(zone, (day - 1) * DAY_MS);
    const toUtc =
      steady === offsetAt(zone, (day + 3) * DAY_MS)
        ? (wall: number) => wall - steady
        : (wall: number) => wallTimeToUtc(wall, zone);
    for (const [from, to] of openings) {
      const closesOn = to <= from ? day + 1 : day;
      const open = toUtc(day * DAY_MS + from * MINUTE_MS);
      const close = toUtc(closesOn * DAY_MS + to * MINUTE_MS);
      // An interval that lies wholly in a spring-forward gap has no instant: nothing is open.
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

/**
 * The `business_calendar` rows of every schedule for the UTC dates from..to (inclusive,
 * `yyyy-MM-dd`), schedules in name order and dates ascending.
 */
export function businessCalendar(
  schedules: readonly ScheduleConfig[],
  range: { readonly from: string; readonly to: string },
): BusinessCalendarRow[] {
  const rows: BusinessCalendarRow[] = [];
  const toDay = epochDay(range.to);
  for (const [name, versions] of [...versionsByName(schedules)].sort(([a], [b]) => a.localeCompare(b))) {
    const first = versions[0];
    if (first === undefined) continue;
    let fromDay = epochDay(range.from);
    if (first.effectiveFrom !== undefined) {
      const firstOpen = wallTimeToUtc(epochDay(first.effectiveFrom) * DAY_MS, first.timeZone);
      fromDay = Math.max(fromDay, Math.floor(firstOpen / DAY_MS));
    }
    // A local day's intervals reach UTC dates from one day before it (zones east of UTC) to two
    // after it (an overnight interval in a zone west of UTC).
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
          open_at: referenceTimestamp(clippedOpen),
          close_at: referenceTimestamp(clippedClose),
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

/**
 * The `schedule_assignments` rows: each schedule's assignments (from its newest version), a value
 * listed twice once, since the views join contacts to these rows and a second row would count the
 * contact twice.
 */
export function scheduleAssignments(schedules: readonly ScheduleConfig[]): ScheduleAssignmentRow[] {
  const rows: ScheduleAssignmentRow[] = [];
  for (const [name, versions] of versionsByName(schedules)) {
    const schedule = versions.at(-1);
    if (schedule === undefined) continue;
    const sla = schedule.slaInBusinessHours;
    let assigned = false;
    for (const dimension of ASSIGNMENT_DIMENSIONS) {
      if (dimension === 'any') continue;
      for (const value of new Set(schedule.appliesTo[APPLIES_TO[dimension]] ?? [])) {
        rows.push({ schedule: name, dimension, value, sla_in_business_hours: sla });
        assigned = true;
      }
    }
    if (!assigned) rows.push({ schedule: name, dimension: 'any', value: null, sla_in_business_hours: sla });
  }
  return rows;
}

/** Weekly minute ranges [start, end) of a version's intervals, Monday 00:00 = 0, overnight ones past Sunday wrapped. */
function weeklyRanges(schedule: ScheduleConfig): { range: [number, number]; hours: number }[] {
  const week = 7 * 1440;
  return schedule.hours.flatMap((opening, hours) =>
    opening.days.flatMap((day) => {
      const dayStart = WEEKDAYS.indexOf(day) * 1440;
      const open = minutesOf(opening.from);
      const close = minutesOf(opening.to);
      const start = dayStart + open;
      const end = dayStart + (close <= open ? 1440 + close : close);
      const parts: [number, number][] =
        end <= week
          ? [[start, end]]
          : [
              [start, week],
              [0, end - week],
            ];
      return parts.map((range) => ({ range, hours }));
    }),
  );
}

/**
 * What the schema cannot see in the schedules, each problem naming its path and the fix: an
 * interval whose `from` equals its `to`; overlapping intervals within one version; two versions of
 * one name with the same effectiveFrom, or with different assignments or SLA rule (a version
 * changes hours, holidays or zone, not which contacts it measures); and a priority, queue, team
 * or source assigned to two schedules, or two schedules with no assignment, since the most
 * specific assignment must name one schedule.
 */
export function scheduleProblems(
  entries: readonly { readonly index: number; readonly entry: ScheduleConfig }[],
): string[] {
  const problems: string[] = [];
  const firstVersion = new Map<string, { index: number; entry: ScheduleConfig }>();
  const versionDates = new Map<string, number>();
  const claims = new Map<string, { name: string; index: number }>();
  for (const { index, entry } of entries) {
    entry.hours.forEach((opening, i) => {
      if (opening.from === opening.to) {
        problems.push(
          `schedules.${index}.hours.${i}: opens and closes at ${opening.from}; use 00:00 to 24:00 for a whole day, or a "to" earlier than "from" for an overnight interval`,
        );
      }
    });
    const ranges = weeklyRanges(entry);
    const overlapping = new Set<string>();
    for (const [a, first] of ranges.entries()) {
      for (const second of ranges.slice(a + 1)) {
        if (first.range[0] < second.range[1] && second.range[0] < first.range[1]) {
          const [x, y] = [first.hours, second.hours].sort((p, q) => p - q);
          overlapping.add(x === y ? `hours.${x} overlaps itself` : `hours.${x} and hours.${y} overlap`);
        }
      }
    }
    for (const overlap of overlapping) {
      problems.push(`schedules.${index}: ${overlap} within one week; make the intervals of one version disjoint`);
    }
    const dateKey = `${entry.name} ${entry.effectiveFrom ?? 'always'}`;
    const sameDate = versionDates.get(dateKey);
    if (sameDate !== undefined) {
      problems.push(
        `schedules.${index}.effectiveFrom: schedule "${entry.name}" already has a version effective from ${entry.effectiveFrom ?? 'always'} (schedules.${sameDate}); give each version its own effectiveFrom`,
      );
    } else versionDates.set(dateKey, index);
    const first = firstVersion.get(entry.name);
    if (first !== undefined) {
      if (JSON.stringify(normalisedAssignment(first.entry)) !== JSON.stringify(normalisedAssignment(entry))) {
        problems.push(
          `schedules.${index}.appliesTo: versions of schedule "${entry.name}" must measure the same contacts with the same SLA rule (see schedules.${first.index}); give the other contacts a schedule of their own`,
        );
      }
      continue;
    }
    firstVersion.set(entry.name, { index, entry });
    const assignments = scheduleAssignments([entry]);
    for (const row of assignments) {
      const key = `${row.dimension} ${row.value ?? ''}`;
      const claim = claims.get(key);
      if (claim !== undefined && claim.name !== entry.name) {
        problems.push(
          row.dimension === 'any'
            ? `schedules.${index}.appliesTo: schedules "${claim.name}" (schedules.${claim.index}) and "${entry.name}" both take every unassigned contact; give one of them an appliesTo`
            : `schedules.${index}.appliesTo: ${row.dimension} "${row.value}" is already assigned to schedule "${claim.name}" (schedules.${claim.index}); assign it to one schedule`,
        );
      } else claims.set(key, { name: entry.name, index });
    }
  }
  return problems;
}

function normalisedAssignment(schedule: ScheduleConfig): unknown {
  return scheduleAssignments([schedule]).map((row) => [row.dimension, row.value, row.sla_in_business_hours]);
}

export const BUSINESS_CALENDAR_TABLE = 'business_calendar';
export const SCHEDULE_ASSIGNMENTS_TABLE = 'schedule_assignments';

/** business_calendar over the dates zone_days covers (zoneDaysSpan): the lake's first day to the end of next year. */
export function businessCalendarTable(config: ServiceBenchConfig, now: Date): ReferenceTable {
  const span = zoneDaysSpan(config, now);
  return {
    name: BUSINESS_CALENDAR_TABLE,
    columns: [
      { name: 'schedule', type: 'string' },
      { name: 'utc_date', type: 'date' },
      { name: 'open_at', type: 'timestamp' },
      { name: 'close_at', type: 'timestamp' },
      { name: 'open_s_before', type: 'bigint' },
    ],
    rows: businessCalendar(config.schedules, { from: span.first, to: span.last }),
  };
}

/**
 * schedule_assignments of the config's schedules. A config assembled in code skips validateConfig,
 * so the schedules are checked again here: a contact matching two rows would be counted twice.
 */
export function scheduleAssignmentsTable(config: ServiceBenchConfig): ReferenceTable {
  const problems = scheduleProblems(config.schedules.map((entry, index) => ({ index, entry })));
  if (problems.length > 0) throw new Error(problems.join('; '));
  return {
    name: SCHEDULE_ASSIGNMENTS_TABLE,
    columns: [
      { name: 'schedule', type: 'string' },
      { name: 'dimension', type: 'string' },
      { name: 'value', type: 'string' },
      { name: 'sla_in_business_hours', type: 'boolean' },
    ],
    rows: scheduleAssignments(config.schedules),
  };
}
