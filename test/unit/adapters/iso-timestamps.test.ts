/**
 * isoTimestampOf's calendar check: a day is real when Date.UTC's month has it, years 0-99 read as
 * Date.UTC reads them (1900-1999), so the verdicts are those of asking a Date for each timestamp.
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
