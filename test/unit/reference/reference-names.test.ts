import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../lambdas/core/config/config.ts';
import { REFERENCE_TABLE_NAMES, referenceTables } from '../../../lambdas/core/reference/tables.ts';

describe('REFERENCE_TABLE_NAMES', () => {
  // The local engine loads the reference tables when a statement names one: a table missing from
  // the list would be read before it is loaded.
  it('names every table referenceTables builds, in its order, with ranges or without', () => {
    const config = parseConfig({});
    expect(referenceTables(config, { benchmarks: [] }).map((t) => t.name)).toEqual(REFERENCE_TABLE_NAMES);
    const ranges = [
      { start: '2025-06-16', end: '2025-06-30' },
      { start: '2025-06-01', end: '2025-06-15' },
    ];
    expect(referenceTables(config, { benchmarks: [], ranges }).map((t) => t.name)).toEqual(REFERENCE_TABLE_NAMES);
  });
});
