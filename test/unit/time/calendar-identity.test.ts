import { describe, expect, it } from 'vitest';
import { offsetAt } from '../../../lambdas/core/parse/zone.ts';
import { referenceDate, referenceTimestamp } from '../../../lambdas/core/reference/tables.ts';
import { type ScheduleConfig, scheduleSchema } from '../../../lambdas/core/time/config.ts';
import { businessCalendar } from '../../../lambdas/core/time/schedules.ts';
import {
  businessCalendarBefore,
  offsetAtBefore,
  referenceDateBefore,
  referenceTimestampBefore,
} from './calendar-before.ts';

const DAY_MS = 86_400_000;

/** Zones with DST both sides of the equator, half- and quarter-hour offsets, and a 30-minute DST shift. */
const ZONES = [
  'Europe/London',
  'America/New_York',
  'America/St_Johns',
  'Australia/Adelaide',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Pacific/Chatham',
  'America/Santiago',
  'UTC',
];

const schedule = (raw: Record<string, unknown>): ScheduleConfig =>
  scheduleSchema.parse({ name: 'support', timeZone: 'Europe/London', ...raw });

/** Hours that open and close around every DST switch time, overnight and whole-day ones, with holidays. */
function schedulesIn(zone: string): ScheduleConfig[] {
  return [
    schedule({
      name: 'day',
      timeZone: zone,
      hours: [
        { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '18:00' },
        { days: ['sun'], from: '01:00', to: '03:00' },
        { days: ['sat'], from: '00:00', to: '24:00' },
      ],
      holidays: ['01-01', '12-25', '2024-04-01'],
    }),
    schedule({
      name: 'night',
      timeZone: zone,
      hours: [
        { days: ['sun', 'mon', 'tue', 'wed', 'thu'], from: '22:00', to: '02:30' },
        { days: ['fri', 'sat'], from: '23:45', to: '00:15' },
      ],
    }),
    // Versions, the second in another zone, the first starting after the range does.
    schedule({
      name: 'versioned',
      timeZone: zone,
      effectiveFrom: '2019-06-03',
      hours: [{ days: ['mon', 'wed', 'fri'], from: '02:00', to: '04:00' }],
    }),
    schedule({
      name: 'versioned',
      timeZone: 'America/Los_Angeles',
      effectiveFrom: '2023-03-12',
      hours: [{ days: ['sun', 'mon'], from: '01:30', to: '02:30' }],
      holidays: ['2024-03-10'],
    }),
  ];
}

describe('the faster business calendar', () => {
  it.each(ZONES)('equals the calendar computed before, byte for byte, in %s from 2019 to 2026', (zone) => {
    const range = { from: '2019-01-01', to: '2026-12-31' };
    const rows = businessCalendar(schedulesIn(zone), range);
    expect(JSON.stringify(rows)).toBe(JSON.stringify(businessCalendarBefore(schedulesIn(zone), range)));
    // Every DST switch of the range gives some rows an open or close that is not a whole hour in UTC.
    expect(rows.length).toBeGreaterThan(3 * 2922);
  });
});

describe('offsets read from the formatted wall clock', () => {
  it.each(ZONES)('equal those read from formatToParts in %s, from 1800 to 2100 and across each switch', (zone) => {
    const instants: number[] = [];
    for (let t = Date.UTC(1800, 0, 1); t < Date.UTC(2100, 0, 1); t += 29 * DAY_MS + 3_671_000) instants.push(t);
    // Every switch of 2024 falls between two of these, 47 minutes apart.
    for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2025, 0, 1); t += 47 * 60_000) instants.push(t);
    // The first quarter hour of each 1,000-year bucket reads with its own offset; beyond year 9999 and before year 1 too.
    instants.push(-62_198_755_200_000, -70_000_000_000_000, 8.64e15 - DAY_MS, -8.64e15 + DAY_MS);
    const bucket = (t: number) => Math.floor(t / (15 * 60_000)) * 15 * 60_000;
    const differing = instants.filter((t) => offsetAt(zone, t) !== offsetAtBefore(zone, bucket(t)));
    expect(differing).toEqual([]);
  });
});

describe('reference dates and timestamps from remembered days', () => {
  it('equal those from toISOString from year 0 to 9999, fractional instants included', () => {
    const instants: number[] = [0, -1, 1, -0.5, 0.5, 1.999, -1.999, DAY_MS - 1, -DAY_MS, -62_167_219_200_000];
    instants.push(253_402_300_799_999);
    for (let t = Date.UTC(1600, 0, 1, 0, 0, 0, 7); t < Date.UTC(2400, 0, 1); t += 11 * DAY_MS + 3_723_456) {
      instants.push(t);
    }
    expect(instants.map(referenceDate)).toEqual(instants.map(referenceDateBefore));
    expect(instants.map(referenceTimestamp)).toEqual(instants.map(referenceTimestampBefore));
  });

  it('fail as toISOString fails on an instant that is no date', () => {
    for (const t of [Number.NaN, Number.POSITIVE_INFINITY, 8.64e15 + 1, -8.64e15 - 1]) {
      expect(() => referenceDate(t)).toThrow(RangeError);
      expect(() => referenceTimestamp(t)).toThrow(RangeError);
    }
  });
});
