import { describe, expect, it } from 'vitest';
import {
  compileDateTimeParser,
  compileTimestampParser,
  FormatError,
  ParseError,
  parseTimestamp,
  TWO_DIGIT_YEAR_PIVOT,
} from '../../../lambdas/core/parse/index.ts';

const iso = (d: Date | null) => d?.toISOString() ?? null;

describe('parseTimestamp: iso', () => {
  it('keeps an explicit offset and ignores the zone', () => {
    expect(iso(parseTimestamp('2021-03-22T14:05:00+02:00', 'iso', 'America/New_York'))).toBe(
      '2021-03-22T12:05:00.000Z',
    );
    expect(iso(parseTimestamp('2021-03-22T14:05:00Z', 'iso', 'Europe/Paris'))).toBe('2021-03-22T14:05:00.000Z');
    expect(iso(parseTimestamp('2021-03-22T14:05:00.123456-0530', 'iso', 'UTC'))).toBe('2021-03-22T19:35:00.123Z');
  });

  it('reads a value without offset as wall time in the given zone', () => {
    expect(iso(parseTimestamp('2023-06-01 12:15:36', 'iso', 'UTC'))).toBe('2023-06-01T12:15:36.000Z');
    expect(iso(parseTimestamp('2023-06-01 12:15:36', 'iso', 'Europe/Paris'))).toBe('2023-06-01T10:15:36.000Z');
    expect(iso(parseTimestamp('2023-01-15', 'iso', 'America/New_York'))).toBe('2023-01-15T05:00:00.000Z');
  });

  it('gives null for blank values and null tokens', () => {
    expect(parseTimestamp('', 'iso', 'UTC')).toBeNull();
    expect(parseTimestamp('  ', 'iso', 'UTC')).toBeNull();
    expect(parseTimestamp('NA', 'iso', 'UTC')).toBeNull();
    expect(parseTimestamp('?', 'iso', 'UTC', { nullTokens: new Set(['?']) })).toBeNull();
  });

  it('fails when the value is not ISO, naming the value and the format', () => {
    expect(() => parseTimestamp('22/03/2021', 'iso', 'UTC')).toThrow(ParseError);
    expect(() => parseTimestamp('22/03/2021', 'iso', 'UTC')).toThrow(/"22\/03\/2021" is not an ISO 8601 timestamp/);
  });

  it('reads years below 100 as written, not as 19yy', () => {
    expect(iso(parseTimestamp('0050-06-01', 'iso', 'UTC'))).toBe('0050-06-01T00:00:00.000Z');
  });

  it('fails when a field is out of range', () => {
    expect(() => parseTimestamp('2021-02-29', 'iso', 'UTC')).toThrow(ParseError);
    expect(() => parseTimestamp('2021-04-31 10:00', 'iso', 'UTC')).toThrow(ParseError);
    expect(() => parseTimestamp('2021-01-01 24:00', 'iso', 'UTC')).toThrow(ParseError);
    expect(iso(parseTimestamp('2024-02-29', 'iso', 'UTC'))).toBe('2024-02-29T00:00:00.000Z');
  });
});

describe('parseTimestamp: unix epochs', () => {
  it('reads seconds and milliseconds', () => {
    expect(iso(parseTimestamp('1616421900', 'unix_s', 'Europe/Paris'))).toBe('2021-03-22T14:05:00.000Z');
    expect(iso(parseTimestamp('1616421900.5', 'unix_s', 'UTC'))).toBe('2021-03-22T14:05:00.500Z');
    expect(iso(parseTimestamp('1616421900123', 'unix_ms', 'UTC'))).toBe('2021-03-22T14:05:00.123Z');
  });

  it('fails when the value is not a number', () => {
    expect(() => parseTimestamp('2021-03-22', 'unix_s', 'UTC')).toThrow(/Unix timestamp in seconds/);
  });
});

describe('parseTimestamp: patterns', () => {
  it.each([
    ['990201', 'yyMMdd', 'UTC', '1999-02-01T00:00:00.000Z'],
    ['1-Jan-21', 'd-MMM-yy', 'UTC', '2021-01-01T00:00:00.000Z'],
    ['15-MAR-21', 'd-MMM-yy', 'UTC', '2021-03-15T00:00:00.000Z'],
    ['3/7/2021 9:05', 'M/d/yyyy H:mm', 'UTC', '2021-03-07T09:05:00.000Z'],
    ['29-02-2016 01:16', 'dd-MM-yyyy HH:mm', 'UTC', '2016-02-29T01:16:00.000Z'],
    ['07/03/2021 19:05', 'dd/MM/yyyy HH:mm', 'UTC', '2021-03-07T19:05:00.000Z'],
    ['2023-06-01 12:15:36', 'yyyy-MM-dd HH:mm:ss', 'UTC', '2023-06-01T12:15:36.000Z'],
    ['2023-06-01T12:15:36.25', "yyyy-MM-dd'T'HH:mm:ss.SSS", 'UTC', '2023-06-01T12:15:36.250Z'],
    ['March 5, 2021 3:04 PM', 'MMMM d, yyyy h:mm a', 'UTC', '2021-03-05T15:04:00.000Z'],
    ['12/25/2021 12:30 am', 'MM/dd/yyyy hh:mm a', 'UTC', '2021-12-25T00:30:00.000Z'],
    ['2021-03-22 14:05 +0100', 'yyyy-MM-dd HH:mm XXX', 'America/New_York', '2021-03-22T13:05:00.000Z'],
    ['990201 7:02:47', 'yyMMdd H:mm:ss', 'Asia/Jerusalem', '1999-02-01T05:02:47.000Z'],
  ])('reads %s with %s in %s', (value, format, zone, expected) => {
    expect(iso(parseTimestamp(value, format, zone))).toBe(expected);
  });

  it('checks day names for spelling and lets the date fields decide the day', () => {
    const format = 'EEE MMM dd HH:mm:ss XXX yyyy';
    expect(iso(parseTimestamp('Tue Oct 31 22:10:47 +0000 2017', format, 'Europe/Paris'))).toBe(
      '2017-10-31T22:10:47.000Z',
    );
    expect(iso(parseTimestamp('Tuesday, 31 October 2017', 'EEEE, d MMMM yyyy', 'UTC'))).toBe(
      '2017-10-31T00:00:00.000Z',
    );
    expect(() => parseTimestamp('Tus Oct 31 22:10:47 +0000 2017', format, 'UTC')).toThrow(ParseError);
  });

  it(`maps two-digit years below ${TWO_DIGIT_YEAR_PIVOT} to 20yy and the rest to 19yy`, () => {
    expect(iso(parseTimestamp('680101', 'yyMMdd', 'UTC'))).toBe('2068-01-01T00:00:00.000Z');
    expect(iso(parseTimestamp('690101', 'yyMMdd', 'UTC'))).toBe('1969-01-01T00:00:00.000Z');
    expect(iso(parseTimestamp('000101', 'yyMMdd', 'UTC'))).toBe('2000-01-01T00:00:00.000Z');
  });

  it('fails when the value does not match the pattern', () => {
    expect(() => parseTimestamp('1999-02-01', 'yyMMdd', 'UTC')).toThrow(
      /"1999-02-01" is not a timestamp in format "yyMMdd"/,
    );
    expect(() => parseTimestamp('1-Foo-21', 'd-MMM-yy', 'UTC')).toThrow(ParseError);
    expect(() => parseTimestamp('991301', 'yyMMdd', 'UTC')).toThrow(ParseError);
    expect(() => parseTimestamp('12/25/2021 13:05 PM', 'MM/dd/yyyy h:mm a', 'UTC')).toThrow(ParseError);
  });

  it('fails when the pattern has an unknown token, naming it', () => {
    expect(() => compileTimestampParser('yyyy-MM-dd QQ', 'UTC')).toThrow(FormatError);
    expect(() => compileTimestampParser('yyyy-MM-dd QQ', 'UTC')).toThrow(/unknown token "QQ"/);
    expect(() => compileTimestampParser('HH:mm', 'UTC')).toThrow(/needs a year/);
    expect(() => compileTimestampParser("yyyy-MM-dd'T", 'UTC')).toThrow(/unclosed quote/);
  });
});

describe('local wall time across daylight-saving changes', () => {
  it('uses winter and summer offsets on either side of the change', () => {
    // Europe/Paris springs forward on 2021-03-28 at 02:00 CET (01:00Z).
    expect(iso(parseTimestamp('2021-03-28 01:59', 'iso', 'Europe/Paris'))).toBe('2021-03-28T00:59:00.000Z');
    expect(iso(parseTimestamp('2021-03-28 03:00', 'iso', 'Europe/Paris'))).toBe('2021-03-28T01:00:00.000Z');
  });

  it('moves a time inside the spring-forward gap forward by the gap', () => {
    expect(iso(parseTimestamp('2021-03-28 02:30', 'iso', 'Europe/Paris'))).toBe('2021-03-28T01:30:00.000Z');
    expect(iso(parseTimestamp('2021-03-14 02:30', 'iso', 'America/New_York'))).toBe('2021-03-14T07:30:00.000Z');
  });

  it('reads a time repeated when clocks go back as its first occurrence', () => {
    // Europe/Paris falls back on 2021-10-31 at 03:00 CEST → 02:00 CET: 02:30 happens twice.
    expect(iso(parseTimestamp('2021-10-31 02:30', 'iso', 'Europe/Paris'))).toBe('2021-10-31T00:30:00.000Z');
    expect(iso(parseTimestamp('2021-10-31 03:00', 'iso', 'Europe/Paris'))).toBe('2021-10-31T02:00:00.000Z');
    expect(iso(parseTimestamp('2021-11-07 01:30', 'iso', 'America/New_York'))).toBe('2021-11-07T05:30:00.000Z');
  });

  it('handles southern-hemisphere and half-hour zones', () => {
    expect(iso(parseTimestamp('2021-01-15 12:00', 'iso', 'Australia/Sydney'))).toBe('2021-01-15T01:00:00.000Z');
    expect(iso(parseTimestamp('2021-07-15 12:00', 'iso', 'Australia/Sydney'))).toBe('2021-07-15T02:00:00.000Z');
    expect(iso(parseTimestamp('2021-07-15 12:00', 'iso', 'Asia/Kolkata'))).toBe('2021-07-15T06:30:00.000Z');
  });

  it('uses the historical rules of the zone', () => {
    // Israel kept winter time (UTC+2) in February 1999 and summer time (UTC+3) in June 1999.
    expect(iso(parseTimestamp('1999-02-01 07:00', 'iso', 'Asia/Jerusalem'))).toBe('1999-02-01T05:00:00.000Z');
    expect(iso(parseTimestamp('1999-06-01 07:00', 'iso', 'Asia/Jerusalem'))).toBe('1999-06-01T04:00:00.000Z');
  });
});

describe('compileDateTimeParser', () => {
  const parse = compileDateTimeParser({ format: 'yyMMdd' }, { format: 'H:mm:ss' }, 'Asia/Jerusalem');

  it('combines a date column and a time column into one instant', () => {
    expect(iso(parse('990201', '7:02:47'))).toBe('1999-02-01T05:02:47.000Z');
    expect(iso(parse('990228', '23:59:59'))).toBe('1999-02-28T21:59:59.000Z');
  });

  it('gives null when either part is blank', () => {
    expect(parse('', '7:02:47')).toBeNull();
    expect(parse('990201', 'NA')).toBeNull();
  });

  it('fails when a part is malformed, naming the part and its format', () => {
    expect(() => parse('990201', '7h02')).toThrow(/"7h02" is not a time in format "H:mm:ss"/);
    expect(() => parse('1999-02-01', '7:02:47')).toThrow(/"1999-02-01" is not a date in format "yyMMdd"/);
  });
});
