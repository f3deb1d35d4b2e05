/**
 * The demo's command-line defaults and the `--scale` parser, apart from the generator so that the
 * CLI can print its help without loading the simulation.
 */

export const DEMO_DEFAULTS = {
  seed: 20_250_630,
  months: 12,
  /** The window never follows today's date: the same command always tells the same story. */
  endMonth: '2025-06',
  scale: 1,
} as const;

/** Named volumes for `--scale`; any positive number works too. */
export const DEMO_SCALES: Readonly<Record<string, number>> = { small: 0.2, full: 1 };

/** A `--scale` argument: a name from DEMO_SCALES or a positive number up to 10. */
export function parseDemoScale(text: string): number {
  const named = DEMO_SCALES[text];
  if (named !== undefined) return named;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || value > 10) {
    throw new Error(
      `scale "${text}" must be ${Object.keys(DEMO_SCALES).join(' or ')}, or a number above 0 and at most 10`,
    );
  }
  return value;
}
