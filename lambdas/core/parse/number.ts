/** Numbers as exports write them: "1,234.5", "1.234,5" (decimal comma), "1 234", "-3", "2.0". */
import { type NullOptions, present } from './blank.ts';
import { ParseError } from './errors.ts';

export interface NumberOptions extends NullOptions {
  /** Read "," as the decimal separator and "." as a thousands separator (European exports). */
  readonly decimalComma?: boolean;
}

// Thousands groups must be well formed ("1,234,567"), so "1,23" is refused rather than misread.
const POINT = /^[+-]?(?:\d{1,3}(?:[, '\u00a0\u202f]\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?$|^[+-]?\.\d+$/;
const COMMA = /^[+-]?(?:\d{1,3}(?:[. '\u00a0\u202f]\d{3})+|\d+)(?:,\d+)?$|^[+-]?,\d+$/;
const POINT_GROUPS = /[, '\u00a0\u202f]/g;
const COMMA_GROUPS = /[. '\u00a0\u202f]/g;

export function compileNumberParser(options: NumberOptions = {}): (value: string | null | undefined) => number | null {
  const nullTokens = options.nullTokens;
  if (options.decimalComma) {
    return (raw) => {
      const value = present(raw, nullTokens);
      if (value === null) return null;
      if (!COMMA.test(value)) throw new ParseError(value, 'a number with a decimal comma (e.g. 1.234,5)');
      return finite(value, Number(value.replace(COMMA_GROUPS, '').replace(',', '.')));
    };
  }
  return (raw) => {
    const value = present(raw, nullTokens);
    if (value === null) return null;
    if (!POINT.test(value)) throw new ParseError(value, 'a number (e.g. 1234.5 or 1,234.5)');
    return finite(value, Number(value.replace(POINT_GROUPS, '')));
  };
}

/** An exponent past a double's range ("1e999") reads as Infinity: refused, naming the text. */
function finite(text: string, number: number): number {
  if (!Number.isFinite(number)) throw new ParseError(text, 'a number within range (it overflows to Infinity)');
  return number;
}

/** One number; blank and null tokens give null; malformed values throw ParseError. */
export function parseNumber(value: string, options: NumberOptions = {}): number | null {
  return compileNumberParser(options)(value);
}
