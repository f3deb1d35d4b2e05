import { describe, expect, it } from 'vitest';
import {
  DEFAULT_NULL_TOKENS,
  ParseError,
  parseBoolean,
  parseDuration,
  parseNumber,
} from '../../../lambdas/core/parse/index.ts';

describe('parseDuration', () => {
  it.each([
    ['166', 'seconds', 166],
    ['2.5', 'minutes', 150],
    ['1500', 'milliseconds', 1.5],
    ['0.5', 'hours', 1800],
    ['0:04:02', 'h:mm:ss', 242],
    ['27:00:01', 'h:mm:ss', 97201],
    ['04:02', 'mm:ss', 242],
    ['125:00', 'mm:ss', 7500],
  ] as const)('reads %s as %s', (value, format, seconds) => {
    expect(parseDuration(value, format)).toBe(seconds);
  });

  it('gives null for blank values and null tokens', () => {
    expect(parseDuration('', 'seconds')).toBeNull();
    expect(parseDuration('NA', 'h:mm:ss')).toBeNull();
  });

  it('fails when the value is malformed or negative', () => {
    expect(() => parseDuration('0:4:02', 'h:mm:ss')).toThrow(/"0:4:02" is not a duration in format h:mm:ss/);
    expect(() => parseDuration('0:04:60', 'h:mm:ss')).toThrow(ParseError);
    expect(() => parseDuration('-5', 'seconds')).toThrow(/non-negative number of seconds/);
    expect(() => parseDuration('4m', 'minutes')).toThrow(ParseError);
  });
});

describe('parseNumber', () => {
  it.each([
    ['12.85', 12.85],
    ['-3', -3],
    ['1,234.5', 1234.5],
    ['1 234 567', 1234567],
    ['2.0', 2],
    ['.5', 0.5],
    ['1e3', 1000],
  ])('reads %s', (value, expected) => {
    expect(parseNumber(value)).toBe(expected);
  });

  it('reads a decimal comma with dot thousands when asked', () => {
    expect(parseNumber('1.234,5', { decimalComma: true })).toBe(1234.5);
    expect(parseNumber('12,85', { decimalComma: true })).toBe(12.85);
  });

  it('gives null for blanks and every default null token', () => {
    for (const token of DEFAULT_NULL_TOKENS) expect(parseNumber(token)).toBeNull();
    expect(parseNumber(' ')).toBeNull();
  });

  it('fails when the value is not a number or its thousands groups are malformed', () => {
    expect(() => parseNumber('12 apples')).toThrow(/"12 apples" is not a number/);
    expect(() => parseNumber('1e999')).toThrow('"1e999" is not a number within range (it overflows to Infinity)');
    expect(() => parseNumber('-1e400')).toThrow('"-1e400" is not a number within range (it overflows to Infinity)');
    expect(() => parseNumber('Infinity')).toThrow(ParseError);
    expect(() => parseNumber('1,23')).toThrow(ParseError);
    expect(() => parseNumber('12,85')).toThrow(ParseError);
    expect(() => parseNumber('1,234.5', { decimalComma: true })).toThrow(/decimal comma/);
  });
});

describe('parseBoolean', () => {
  it('reads the default tokens case-insensitively', () => {
    for (const t of ['Y', 'yes', 'TRUE', 't', '1']) expect(parseBoolean(t)).toBe(true);
    for (const t of ['N', 'No', 'false', 'F', '0']) expect(parseBoolean(t)).toBe(false);
  });

  it('reads a custom map', () => {
    const map = { true: ['Answered'], false: ['Abandoned'] };
    expect(parseBoolean('answered', map)).toBe(true);
    expect(parseBoolean('Abandoned', map)).toBe(false);
    expect(() => parseBoolean('Y', map)).toThrow(/true: Answered; false: Abandoned/);
  });

  it('gives null for blanks and null tokens', () => {
    expect(parseBoolean('')).toBeNull();
    expect(parseBoolean('N/A')).toBeNull();
  });

  it('fails when the value is not a known token', () => {
    expect(() => parseBoolean('maybe')).toThrow(/"maybe" is not a boolean/);
  });
});
