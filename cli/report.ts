/** Reports of a local lake, written into its exports zone by the `report` and `demo` commands. */
import { join } from 'node:path';
import type { ServiceBenchConfig } from '../lambdas/core/config/config.ts';
import { openLakeEngine } from '../lambdas/core/query/duckdb.ts';
import { type WriteReportOptions, writeReport } from '../lambdas/report/write.ts';
import type { Lake } from './lake.ts';

export interface LakeReport {
  /** Absolute paths of the files written, in the order html, csv, pdf. */
  readonly paths: string[];
  /** One line per format not written, with the reason. */
  readonly skipped: string[];
}

export async function writeLakeReport(
  lake: Lake,
  config: ServiceBenchConfig,
  options: Omit<WriteReportOptions, 'config' | 'keyPrefix'>,
): Promise<LakeReport> {
  const engine = await openLakeEngine({ lakeDir: lake.dir, config });
  try {
    // The lake's exports store is the exports zone itself: no extra `exports/` prefix.
    const result = await writeReport(engine, lake.stores.exports, { ...options, config, keyPrefix: '' });
    return { paths: result.files.map((key) => join(lake.zoneDir('exports'), key)), skipped: result.skipped };
  } finally {
    await engine.close();
  }
}
