/**
 * Tokens that mean "no value" in exports (R writes NA, Excel #N/A, databases NULL). Matched after
 * trimming, case-sensitively, so a real value such as "na" in a free-text column survives.
 */
export const DEFAULT_NULL_TOKENS: readonly string[] = ['', 'NA', 'N/A', '#N/A', 'NULL', 'null', 'NaN'];

const DEFAULT_NULL_SET: ReadonlySet<string> = new Set(DEFAULT_NULL_TOKENS);

export interface NullOptions {
  /** Trimmed values read as null; defaults to DEFAULT_NULL_TOKENS. */
  readonly nullTokens?: ReadonlySet<string>;
}

/** The trimmed value, or null when it is blank or a null token. */
export function present(value: string | null | undefined, nullTokens?: ReadonlySet<string>): string | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  return (nullTokens ?? DEFAULT_NULL_SET).has(trimmed) || trimmed === '' ? null : trimmed;
}
