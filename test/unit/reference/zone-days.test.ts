import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../lambdas/core/config/config.ts';
import { referenceTables } from '../../../lambdas/core/reference/tables.ts';
import {
  reportingZones,
  reportingZonesTable,
  zoneDays,
  zoneDaysSpan,
  zoneDaysTable,
} from '../../../lambdas/core/time/zones.ts';

const H = 3600;
const day = (zone: string, date: string) => zoneDays([zone], date, date)[0];

describe('zone_days', () => {
  it('Europe/London: BST from 01:00 UTC on 2025-03-30, back to GMT at 01:00 UTC on 2025-10-26', () => {
    expect(zoneDays(['Europe/London'], '2025-03-29', '2025-03-31')).toEqual([
      { zone: 'Europe/London', utc_date: '2025-03-29', offset_s: 0, switch_at: null, offset_after_s: 0 },
      {
        zone: 'Europe/London',
        utc_date: '2025-03-30',
        offset_s: 0,
        switch_at: '2025-03-30 01:00:00.000',
        offset_after_s: H,
      },
      { zone: 'Europe/London', utc_date: '2025-03-31', offset_s: H, switch_at: null, offset_after_s: H },
    ]);
    expect(day('Europe/London', '2025-10-26')).toEqual({
      zone: 'Europe/London',
      utc_date: '2025-10-26',
      offset_s: H,
      switch_at: '2025-10-26 01:00:00.000',
      offset_after_s: 0,
    });
  });

  it('America/New_York: 02:00 EST is 07:00 UTC on 2025-03-09, 02:00 EDT is 06:00 UTC on 2025-11-02', () => {
    expect(day('America/New_York', '2025-03-09')).toEqual({
      zone: 'America/New_York',
      utc_date: '2025-03-09',
      offset_s: -5 * H,
      switch_at: '2025-03-09 07:00:00.000',
      offset_after_s: -4 * H,
    });
    expect(day('America/New_York', '2025-11-02')).toEqual({
      zone: 'America/New_York',
      utc_date: '2025-11-02',
      offset_s: -4 * H,
      switch_at: '2025-11-02 06:00:00.000',
      offset_after_s: -5 * H,
    });
    // The local date of the switch is 2025-03-09 too, but the UTC date after it has one offset all day.
    expect(day('America/New_York', '2025-03-10')).toMatchObject({ offset_s: -4 * H, switch_at: null });
  });

  it('Asia/Kolkata: +05:30 every day, never a switch', () => {
    const rows = zoneDays(['Asia/Kolkata'], '2025-01-01', '2025-12-31');
    expect(rows).toHaveLength(365);
    expect(new Set(rows.map((r) => `${r.offset_s} ${r.switch_at} ${r.offset_after_s}`))).toEqual(
      new Set([`${5.5 * H} null ${5.5 * H}`]),
    );
  });

  it('Australia/Adelaide: +10:30 to +09:30 at 03:00 ACDT on 2025-04-06 (16:30 UTC the day before), and back on 2025-10-05', () => {
    expect(day('Australia/Adelaide', '2025-04-05')).toEqual({
      zone: 'Australia/Adelaide',
      utc_date: '2025-04-05',
      offset_s: 10.5 * H,
      switch_at: '2025-04-05 16:30:00.000',
      offset_after_s: 9.5 * H,
    });
    // 02:00 ACST (+09:30) on Sunday 2025-10-05 is 16:30 UTC on Saturday 2025-10-04.
    expect(day('Australia/Adelaide', '2025-10-04')).toEqual({
      zone: 'Australia/Adelaide',
      utc_date: '2025-10-04',
      offset_s: 9.5 * H,
      switch_at: '2025-10-04 16:30:00.000',
      offset_after_s: 10.5 * H,
    });
  });

  it('UTC: offset 0, no switch', () => {
    expect(zoneDays(['UTC'], '2024-02-28', '2024-03-01')).toEqual([
      { zone: 'UTC', utc_date: '2024-02-28', offset_s: 0, switch_at: null, offset_after_s: 0 },
      { zone: 'UTC', utc_date: '2024-02-29', offset_s: 0, switch_at: null, offset_after_s: 0 },
      { zone: 'UTC', utc_date: '2024-03-01', offset_s: 0, switch_at: null, offset_after_s: 0 },
    ]);
  });

  it('fails on a range that is not one', () => {
    expect(() => zoneDays(['UTC'], '2025-02-01', '2025-01-31')).toThrow(
      'zone_days: 2025-02-01 to 2025-01-31 is not a range of yyyy-MM-dd dates',
    );
  });
});

describe('the zones and dates the config needs', () => {
  const config = parseConfig({
    lake: { partitionsFrom: '2024-03-01' },
    reporting: {
      timeZone: 'Europe/Paris',
      teams: { Sydney: { timeZone: 'Australia/Sydney' }, Lyon: { timeZone: 'Europe/Paris' } },
    },
  });

  it('are the reporting zone and each team zone once, from the day before partitionsFrom to the end of next year', () => {
    expect(reportingZones(config)).toEqual(['Europe/Paris', 'Australia/Sydney']);
    expect(zoneDaysSpan(config, new Date('2025-06-15T12:00:00Z'))).toEqual({ first: '2024-02-29', last: '2026-12-31' });
    const table = zoneDaysTable(config, new Date('2025-06-15T12:00:00Z'));
    // 2024-02-29 .. 2026-12-31: 307 days of 2024 (leap year, from Feb 29), 365 + 365: 1,037 per zone.
    expect(table.rows).toHaveLength(2 * 1037);
    expect(table.rows[0]).toMatchObject({ zone: 'Europe/Paris', utc_date: '2024-02-29', offset_s: H });
    expect(table.rows.at(-1)).toMatchObject({ zone: 'Australia/Sydney', utc_date: '2026-12-31', offset_s: 11 * H });
  });

  it('map each team with a zone of its own, and every other row to the reporting zone', () => {
    expect(reportingZonesTable(config).rows).toEqual([
      { team: null, zone: 'Europe/Paris' },
      { team: 'Sydney', zone: 'Australia/Sydney' },
      { team: 'Lyon', zone: 'Europe/Paris' },
    ]);
  });

  it('default to UTC alone', () => {
    const tables = referenceTables(parseConfig({}), { benchmarks: [], now: new Date('2025-01-01T00:00:00Z') });
    expect(tables.find((t) => t.name === 'reporting_zones')?.rows).toEqual([{ team: null, zone: 'UTC' }]);
    const days = tables.find((t) => t.name === 'zone_days')?.rows ?? [];
    expect(days[0]).toEqual({
      zone: 'UTC',
      utc_date: '2014-12-31',
      offset_s: 0,
      switch_at: null,
      offset_after_s: 0,
    });
    expect(days.at(-1)).toMatchObject({ utc_date: '2026-12-31' });
  });
});
