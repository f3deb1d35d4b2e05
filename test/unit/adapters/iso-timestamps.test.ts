/**
 * isoTimestampOf's calendar check: a day is real when Date.UTC's month has it, years 0-99 read as
 * Date.UTC reads them (1900-1999), so the verdicts are those of asking a Date for each timestamp.
 * It reads the common `…T…Z` forms from their characters; their verdicts must stay those of the
 * general path, the regex and the Date parser, on every value of those forms.
 */
import { describe, expect, it } from 'vitest';
import { isoTimestampOf, RecordRejection } from '../../../lambdas/adapters/shared/values.ts';

const pad = (n: number, width: number) => String(n).padStart(width, '0');

function verdict(text: string): number | string {
  try {
    return (isoTimestampOf(text, 'at') as Date).getTime();
  } catch (error) {
    if (error instanceof RecordRejection) return error.message;
    throw error;
  }
}

describe('isoTimestampOf', () => {
  it('accepts the days Date.UTC gives each month, and refuses the others', () => {
    for (const year of [0, 4, 96, 99, 100, 400, 1900, 2000, 2023, 2024, 2100, 9999]) {
      for (let month = 0; month <= 13; month++) {
        for (const day of [0, 1, 28, 29, 30, 31, 32]) {
          const text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T12:34:56Z`;
          const real = month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
          expect(verdict(text)).toEqual(real ? new Date(text).getTime() : `is not a real date-time (got "${text}")`);
        }
      }
    }
  });

  it('reads a padded value with a space for the T and an offset', () => {
    expect(verdict(' 2024-02-29 23:59:59.5+02:00 ')).toBe(Date.parse('2024-02-29T23:59:59.5+02:00'));
    expect(verdict('2024-02-29T24:00:00Z')).toBe('is not a real date-time (got "2024-02-29T24:00:00Z")');
  });
});

/** The general path's verdict, as isoTimestampOf reached it for every value before the plain path. */
function generalVerdict(text: string): number | string {
  const match = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/i.exec(text);
  if (!match) return `must be an ISO 8601 timestamp with an offset, such as 2024-05-01T09:30:00Z (got "${text}")`;
  const date = new Date(text);
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as number[];
  const monthDays = new Date(Date.UTC(year as number, month as number, 0)).getUTCDate();
  const real =
    !Number.isNaN(date.getTime()) &&
    (month as number) >= 1 &&
    (month as number) <= 12 &&
    (day as number) >= 1 &&
    (day as number) <= monthDays &&
    (hour as number) <= 23 &&
    (minute as number) <= 59 &&
    (second as number) <= 59;
  return real ? date.getTime() : `is not a real date-time (got "${text}")`;
}

describe('isoTimestampOf on the plain UTC forms', () => {
  it('gives the general path verdict for edge and broken values of every field', () => {
    const years = ['0000', '0099', '0100', '1970', '1969', '2024', '2100', '9999', '20x4', ' 202'];
    const twoDigits = ['00', '01', '12', '13', '23', '24', '28', '29', '30', '31', '59', '60', '99', '1a', '-1'];
    const fractions = ['', '.000', '.999', '.5a0', '.12', ',123', '.1234'];
    let checked = 0;
    for (const year of years) {
      for (const month of twoDigits) {
        for (const day of twoDigits) {
          const text = `${year}-${month}-${day}T12:34:56Z`;
          expect(verdict(text), text).toEqual(generalVerdict(text));
          checked++;
        }
      }
    }
    for (const time of twoDigits) {
      for (const fraction of fractions) {
        for (const zone of ['Z', 'z', '+00:00']) {
          for (const text of [
            `2024-02-29T${time}:${time}:59${fraction}${zone}`,
            `2024-03-01T23:59:${time}${fraction}${zone}`,
          ]) {
            expect(verdict(text), text).toEqual(generalVerdict(text));
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(2000);
  });

  it('reads milliseconds and whitespace around the value as the Date parser does', () => {
    expect(verdict(' 2024-05-01T09:30:00.007Z\n')).toBe(Date.UTC(2024, 4, 1, 9, 30, 0, 7));
    expect(verdict('2024-05-01X09:30:00Z')).toBe(generalVerdict('2024-05-01X09:30:00Z'));
  });
});
