import { describe, expect, it } from 'vitest';
import { iso, monthKey, usDateTime, wallClock, wallClockIn } from '../../../demo/calendar.ts';

/** Instants every hour and 7 seconds across two years (both DST changes of each), and the edges of a day. */
function instants(): Date[] {
  const out: Date[] = [];
  for (let ms = Date.UTC(2024, 0, 1); ms < Date.UTC(2026, 0, 1); ms += 3_607_000) out.push(new Date(ms));
  out.push(new Date(Date.UTC(2025, 2, 30, 0, 59, 59)), new Date(Date.UTC(2025, 2, 30, 1, 0, 0)));
  out.push(new Date(Date.UTC(2025, 9, 26, 0, 59, 59)), new Date(Date.UTC(2025, 9, 26, 1, 0, 0)));
  out.push(new Date(Date.UTC(2025, 11, 31, 23, 59, 59, 999)), new Date(Date.UTC(1969, 11, 31, 23, 59, 58, 500)));
  return out;
}

/** The formatter wallClockIn used before it read the zone's offset. */
const intlFormat = (timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });

const intlWallClock = (date: Date, format: Intl.DateTimeFormat) => {
  const part = Object.fromEntries(format.formatToParts(date).map((p) => [p.type, p.value]));
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second}`;
};

describe('demo timestamp spellings', () => {
  it('iso, wallClock and monthKey read the same fields as toISOString', () => {
    for (const date of instants()) {
      const text = date.toISOString();
      expect(iso(date)).toBe(`${text.slice(0, 19)}Z`);
      expect(wallClock(date)).toBe(text.slice(0, 19).replace('T', ' '));
      expect(monthKey(date)).toBe(text.slice(0, 7));
    }
  });

  it('wallClockIn reads the zone as Intl does, across both clock changes', () => {
    for (const timeZone of ['Europe/London', 'America/New_York', 'Australia/Adelaide', 'UTC']) {
      const format = intlFormat(timeZone);
      for (const date of instants()) {
        expect(wallClockIn(date, timeZone)).toBe(intlWallClock(date, format));
      }
    }
  });

  it('usDateTime spells the zone reading in the 12-hour US form', () => {
    expect(usDateTime(new Date(Date.UTC(2025, 5, 14, 8, 1, 10)), 'Europe/London')).toBe('06/14/2025 09:01:10 AM');
    expect(usDateTime(new Date(Date.UTC(2025, 0, 14, 12, 30, 0)), 'Europe/London')).toBe('01/14/2025 12:30:00 PM');
    expect(usDateTime(new Date(Date.UTC(2025, 0, 14, 0, 5, 0)), 'Europe/London')).toBe('01/14/2025 12:05:00 AM');
  });
});
