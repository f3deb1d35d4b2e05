/** Reference statistics, written independently of the SQL, to check the views' intervals. */
const Z95 = 1.959963984540054;

/** 95% Wilson score interval of successes / n, in percent. */
export function wilson(successes: number, n: number): { low: number; high: number } {
  const p = successes / n;
  const centre = p + (Z95 * Z95) / (2 * n);
  const spread = Z95 * Math.sqrt((p * (1 - p)) / n + (Z95 * Z95) / (4 * n * n));
  const scale = 1 + (Z95 * Z95) / n;
  return { low: (100 * (centre - spread)) / scale, high: (100 * (centre + spread)) / scale };
}
