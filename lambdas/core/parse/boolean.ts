/** Booleans from the tokens exports use: Y/N, yes/no, true/false, 1/0, or a source's own words. */
import { type NullOptions, present } from './blank.ts';
import { ParseError } from './errors.ts';

export interface BooleanTokens {
  readonly true: readonly string[];
  readonly false: readonly string[];
}

/** Matched case-insensitively after trimming. */
export const DEFAULT_BOOLEAN_TOKENS: BooleanTokens = {
  true: ['y', 'yes', 'true', 't', '1'],
  false: ['n', 'no', 'false', 'f', '0'],
};

export function compileBooleanParser(
  tokens: BooleanTokens = DEFAULT_BOOLEAN_TOKENS,
  options: NullOptions = {},
): (value: string | null | undefined) => boolean | null {
  const lookup = new Map<string, boolean>();
  for (const t of tokens.false) lookup.set(t.trim().toLowerCase(), false);
  for (const t of tokens.true) lookup.set(t.trim().toLowerCase(), true);
  const expected = `a boolean (true: ${tokens.true.join(', ')}; false: ${tokens.false.join(', ')})`;
  const nullTokens = options.nullTokens;
  return (raw) => {
    const value = present(raw, nullTokens);
    if (value === null) return null;
    const result = lookup.get(value.toLowerCase());
    if (result === undefined) throw new ParseError(value, expected);
    return result;
  };
}

/** One boolean; blank and null tokens give null; anything else not in the map throws ParseError. */
export function parseBoolean(value: string, map?: BooleanTokens, options: NullOptions = {}): boolean | null {
  return compileBooleanParser(map, options)(value);
}
