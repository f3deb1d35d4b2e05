/** Reports of a local lake, written into its exports zone by the `report` and `demo` commands. */
import { join } from 'node:path';
import type { ServiceBenchConfig } from '../lambdas/core/config/config.ts';
import { rangesOf } from '../lambdas/core/time/periods.ts';
import { type WriteReportOptions, writeReport } from '../lambdas/report/write.ts';
import { type EngineChoice, withQueryEngine } from './engine.ts';
import type { Lake } from './lake.ts';

export interface LakeReport {
  /** Absolute paths of the files written, in the order html, csv, pdf. */
  readonly paths: string[];
  /** One line per format not written, with the reason. */
  readonly skipped: string[];
}

/**
 * Writes the report into the lake's exports zone, from the lake itself (DuckDB, the default) or
 * from a Trino cluster whose catalog holds the same tables. DuckDB computes a range's rows on demand.
 */
export async function writeLakeReport(
  lake: Lake,
  config: ServiceBenchConfig,
  options: Omit<WriteReportOptions, 'config' | 'keyPrefix'>,
  choice: EngineChoice = { engine: 'duckdb' },
): Promise<LakeReport> {
  const { onProgress } = options;
  const progress = onProgress ? { onProgress } : {};
  const ranges = rangesOf(options.period);
  return withQueryEngine({ choice, lakeDir: lake.dir, config: () => config, ranges, ...progress }, async (engine) => {
    // The lake's exports store is the exports zone itself: no extra `exports/` prefix.
    const result = await writeReport(engine, lake.stores.exports, { ...options, config, keyPrefix: '' });
    return { paths: result.files.map((key) => join(lake.zoneDir('exports'), key)), skipped: result.skipped };
  });
}
