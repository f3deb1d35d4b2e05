/**
 * Timestamp reading for the survey, QA, social and activity adapters, on the shared value parsers
 * (lambdas/core/parse): one compiled parser per format and zone, and an unreadable value is null
 * so the caller can reject the record naming its own field.
 */
import { z } from 'zod';
import { compileTimestampParser, ParseError, type TimestampFormat } from '../../core/parse/index.ts';

const parsers = new Map<string, (value: string) => Date | null>();

/** The UTC instant of `value` in `format` ('iso', 'unix_s', 'unix_ms' or a pattern such as "M/d/yyyy h:mm:ss a"); wall times are in `timeZone`. */
export function parseTime(value: string, format: TimestampFormat, timeZone: string): Date | null {
  const key = `${format}\u0000${timeZone}`;
  let parser = parsers.get(key);
  if (!parser) {
    const compiled = compileTimestampParser(format, timeZone);
    parser = (v) => {
      try {
        return compiled(v);
      } catch (error) {
        if (error instanceof ParseError) return null;
        throw error;
      }
    };
    parsers.set(key, parser);
  }
  return parser(value);
}

/** Options field for a timestamp format; a pattern that does not compile is refused with the config. */
export const timestampFormatSchema = z.string().refine(
  (format) => {
    try {
      compileTimestampParser(format, 'UTC');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be iso, unix_s, unix_ms or a pattern of yyyy MM dd HH mm ss (e.g. "dd/MM/yyyy HH:mm")' },
);
