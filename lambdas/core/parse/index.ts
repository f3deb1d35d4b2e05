/** Value parsing shared by every adapter: timestamps, durations, numbers, booleans. */
export { DEFAULT_NULL_TOKENS, type NullOptions, present } from './blank.ts';
export { type BooleanTokens, compileBooleanParser, DEFAULT_BOOLEAN_TOKENS, parseBoolean } from './boolean.ts';
export { compileDurationParser, DURATION_FORMATS, type DurationFormat, parseDuration } from './duration.ts';
export { ParseError } from './errors.ts';
export { compileNumberParser, type NumberOptions, parseNumber } from './number.ts';
export {
  compileDateTimeParser,
  compileTimestampParser,
  compileWallTimeParser,
  FormatError,
  parseTimestamp,
  TIMESTAMP_TOKENS,
  type TimestampFormat,
  TWO_DIGIT_YEAR_PIVOT,
  type WallTime,
  wallToDate,
} from './timestamp.ts';
export { isTimeZone, offsetAt, wallTimeToUtc } from './zone.ts';
