/** Durations to seconds: plain numbers in a unit, or clock-style "h:mm:ss" and "mm:ss". */
import { type NullOptions, present } from './blank.ts';
import { ParseError } from './errors.ts';

export const DURATION_FORMATS = ['seconds', 'milliseconds', 'minutes', 'hours', 'h:mm:ss', 'mm:ss'] as const;
export type DurationFormat = (typeof DURATION_FORMATS)[number];

const UNIT_SECONDS: Record<'seconds' | 'milliseconds' | 'minutes' | 'hours', number> = {
  seconds: 1,
  milliseconds: 0.001,
  minutes: 60,
  hours: 3600,
};

const NUMBER = /^\d+(?:\.\d+)?$/;
/** Hours are unbounded ("27:05:00" is a valid handle time); minutes and seconds are two digits below 60. */
const HMS = /^(\d+):([0-5]\d):([0-5]\d)(?:\.(\d+))?$/;
const MS = /^(\d+):([0-5]\d)(?:\.(\d+))?$/;

function fraction(digits: string | undefined): number {
  return digits ? Number(`0.${digits}`) : 0;
}

/** Compiles a duration format into a parser returning seconds (null for blank and null tokens). */
export function compileDurationParser(
  format: DurationFormat,
  options: NullOptions = {},
): (value: string | null | undefined) => number | null {
  const nullTokens = options.nullTokens;
  if (format === 'h:mm:ss') {
    const expected = 'a duration in format h:mm:ss (e.g. 0:04:02)';
    return (raw) => {
      const value = present(raw, nullTokens);
      if (value === null) return null;
      const m = HMS.exec(value);
      if (!m) throw new ParseError(value, expected);
      return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + fraction(m[4]);
    };
  }
  if (format === 'mm:ss') {
    const expected = 'a duration in format mm:ss (e.g. 04:02)';
    return (raw) => {
      const value = present(raw, nullTokens);
      if (value === null) return null;
      const m = MS.exec(value);
      if (!m) throw new ParseError(value, expected);
      return Number(m[1]) * 60 + Number(m[2]) + fraction(m[3]);
    };
  }
  const scale = UNIT_SECONDS[format];
  const expected = `a non-negative number of ${format}`;
  return (raw) => {
    const value = present(raw, nullTokens);
    if (value === null) return null;
    if (!NUMBER.test(value)) throw new ParseError(value, expected);
    return Number(value) * scale;
  };
}

/** One duration in seconds; blank and null tokens give null; malformed values throw ParseError. */
export function parseDuration(value: string, format: DurationFormat, options: NullOptions = {}): number | null {
  return compileDurationParser(format, options)(value);
}
