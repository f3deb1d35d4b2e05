/**
 * Every row of every view, and of the materialised tables, is the same on Trino as on the
 * local DuckDB engine over the demo lake, and every one of them holds rows there: the demo plants
 * data for every source and table. The lake of every real public export is compared in
 * parity-real-exports.test.ts, so the two run side by side.
 */
import { describe } from 'vitest';
import { demoLake } from './lakes.ts';
import { describeParity } from './support.ts';

describe('DuckDB and Trino return the same rows over the demo lake', () => {
  describeParity('demo', demoLake);
});
