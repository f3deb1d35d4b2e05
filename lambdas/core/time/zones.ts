/**
 * Local time without an engine time-zone function: the reference table `zone_days`, one row per
 * (zone, UTC date) with the zone's offset at 00:00 UTC and, on a day the offset changes, the instant
 * it changes and the offset after it. A view computes local time as
 * `ts + (CASE WHEN ts >= switch_at THEN offset_after_s ELSE offset_s END) * INTERVAL '1' SECOND`,
 * joined on the zone and `CAST(ts AS DATE)`, so DuckDB and Trino agree to the second: their own
 * time-zone databases (DuckDB's ICU, Trino's JVM) are different releases, and this one is the
 * platform's (Intl, through parse/zone.ts), where it can be unit-tested.
 */
import type { ServiceBenchConfig } from '../config/config.ts';
import { offsetAt } from '../parse/zone.ts';
import { type ReferenceTable, referenceDate, referenceTimestamp } from '../reference/tables.ts';

const DAY_MS = 86_400_000;
/** Every offset change since 1970 falls on a quarter hour, so a day is searched in 96 steps. */
const QUARTER_HOUR_MS = 15 * 60_000;
const QUARTER_HOURS_PER_DAY = DAY_MS / QUARTER_HOUR_MS;

export const ZONE_DAYS_TABLE = 'zone_days';
export const REPORTING_ZONES_TABLE = 'reporting_zones';

/** A row of zone_days (a type, not an interface, so it is a reference row as it stands). */
export type ZoneDay = {
  readonly zone: string;
  /** The UTC date, `yyyy-MM-dd`. */
  readonly utc_date: string;
  /** Offset from UTC at 00:00 UTC of the date, seconds, positive east of Greenwich. */
  readonly offset_s: number;
  /** The instant the offset changes during the date (`yyyy-MM-dd HH:mm:ss.SSS`), null when it does not. */
  readonly switch_at: string | null;
  /** Offset from the switch to the end of the date; offset_s when the offset does not change. */
  readonly offset_after_s: number;
};

/**
 * One row per zone and UTC date from `firstDay` to `lastDay` (inclusive, `yyyy-MM-dd`). A date on
 * which a zone changes its offset twice (no zone has since 1970) records the first change, with the
 * offset of the end of the date.
 */
export function zoneDays(zones: readonly string[], firstDay: string, lastDay: string): ZoneDay[] {
  const first = Date.parse(`${firstDay}T00:00:00Z`);
  const last = Date.parse(`${lastDay}T00:00:00Z`);
  if (Number.isNaN(first) || Number.isNaN(last) || last < first) {
    throw new Error(`zone_days: ${firstDay} to ${lastDay} is not a range of yyyy-MM-dd dates`);
  }
  const rows: ZoneDay[] = [];
  for (const zone of zones) {
    for (let day = first; day <= last; day += DAY_MS) {
      const start = offsetAt(zone, day);
      const end = offsetAt(zone, day + DAY_MS - QUARTER_HOUR_MS);
      const switchAt = start === end ? undefined : firstChange(zone, day, start);
      rows.push({
        zone,
        utc_date: referenceDate(day),
        offset_s: start / 1000,
        switch_at: switchAt === undefined ? null : referenceTimestamp(switchAt),
        offset_after_s: end / 1000,
      });
    }
  }
  return rows;
}

/** The first quarter hour of the day whose offset is not `start` (the day is known to have one). */
function firstChange(zone: string, day: number, start: number): number {
  let low = 0;
  let high = QUARTER_HOURS_PER_DAY - 1;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (offsetAt(zone, day + middle * QUARTER_HOUR_MS) === start) low = middle + 1;
    else high = middle;
  }
  return day + low * QUARTER_HOUR_MS;
}

/** The zones the config reports in: the reporting zone, then each team's own, each once. */
export function reportingZones(config: ServiceBenchConfig): string[] {
  return [...new Set([config.reporting.timeZone, ...Object.values(config.reporting.teams).map((t) => t.timeZone)])];
}

/**
 * The UTC dates zone_days covers: from the day before lake.partitionsFrom (a contact late in the
 * evening of its UTC date may be on the next local day, one early in the morning on the previous)
 * to the end of the year after `now`, past any date the lake accepts.
 */
export function zoneDaysSpan(config: ServiceBenchConfig, now: Date): { first: string; last: string } {
  return {
    first: referenceDate(Date.parse(`${config.lake.partitionsFrom}T00:00:00Z`) - DAY_MS),
    last: `${now.getUTCFullYear() + 1}-12-31`,
  };
}

/** zone_days for every zone the config reports in. */
export function zoneDaysTable(config: ServiceBenchConfig, now: Date): ReferenceTable {
  const span = zoneDaysSpan(config, now);
  return {
    name: ZONE_DAYS_TABLE,
    columns: [
      { name: 'zone', type: 'string' },
      { name: 'utc_date', type: 'date' },
      { name: 'offset_s', type: 'bigint' },
      { name: 'switch_at', type: 'timestamp' },
      { name: 'offset_after_s', type: 'bigint' },
    ],
    rows: zoneDays(reportingZones(config), span.first, span.last),
  };
}

/**
 * The zone each row reports in: a row per team with a zone of its own (reporting.teams), and the
 * reporting zone with team NULL for every other row, a row whose team is unknown included.
 */
export function reportingZonesTable(config: ServiceBenchConfig): ReferenceTable {
  return {
    name: REPORTING_ZONES_TABLE,
    columns: [
      { name: 'team', type: 'string' },
      { name: 'zone', type: 'string' },
    ],
    rows: [
      { team: null, zone: config.reporting.timeZone },
      ...Object.entries(config.reporting.teams).map(([team, t]) => ({ team, zone: t.timeZone })),
    ],
  };
}
