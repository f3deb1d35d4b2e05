/**
 * `servicebench erase`: remove customers from the local lake (curated rows, every version, and
 * reject lines), record the erasure, and name the landing objects the operator must delete.
 *
 * The lake's metric cache (cli/duckdb-cache.ts) holds the materialised tables as computed before
 * the erasure, survey comments and pseudonymised customer keys included. The rewritten partitions
 * change its fingerprint, so it would never be read again, but its files would keep the erased rows
 * on disk until the next command replaced them: the erasure removes them.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type ErasureRecord, eraseCustomers } from '../../lambdas/core/erase/erase.ts';
import { type CommandContext, progressLines } from '../context.ts';
import { LakeCache } from '../duckdb-cache.ts';
import { EXIT, type ExitCode } from '../exit.ts';
import { openLake, pseudonymKey } from '../lake.ts';

export interface EraseOptions {
  /** Raw identifiers as the exports hold them. */
  readonly customer: readonly string[];
  readonly dryRun?: boolean;
}

export async function erase(context: CommandContext, options: EraseOptions): Promise<ExitCode> {
  const { stdout } = context.io;
  const lake = openLake(context.lakeDir);
  const key = pseudonymKey(lake);
  if (key.createdAt) {
    throw new Error(
      `this lake had no pseudonymisation key (one was created at ${key.origin}), so nothing in it was ingested with it: ` +
        'run erase on the lake the customers were ingested into, with SERVICEBENCH_PSEUDONYM_KEY set if their ingest used it',
    );
  }
  const result = await eraseCustomers({
    stores: lake.stores,
    customers: options.customer,
    pseudonymKey: key.key,
    dryRun: options.dryRun === true,
    onProgress: progressLines(context.io),
  });
  stdout.write(describeErasure(result.record, lake.zoneDir('landing')));
  if (result.recordKey !== null) {
    stdout.write(`erasure record: ${join(lake.zoneDir('curated'), result.recordKey)}\n`);
    const removed = removeMetricCache(lake.dir);
    if (removed !== undefined) {
      stdout.write(
        `removed the metric cache ${removed}: the next command computes the metrics without the erased rows\n`,
      );
    }
  }
  return EXIT.ok;
}

/**
 * Removes the lake's cache folder, whatever fingerprint its files carry, and returns it; undefined
 * when there was none. A command that opened the lake before the erasure and writes the cache after
 * it writes files no later command reads (their fingerprint names the old partition files), which
 * the next refresh replaces.
 */
function removeMetricCache(lakeDir: string): string | undefined {
  // Only the folder is asked of this instance: no cached file carries an empty fingerprint.
  const { cacheDir } = new LakeCache(lakeDir, '');
  if (!existsSync(cacheDir)) return undefined;
  rmSync(cacheDir, { recursive: true, force: true });
  return cacheDir;
}

/** What a run removed (or, dry, would remove), one line per table, then rejects and landing objects. */
export function describeErasure(record: ErasureRecord, landingDir: string): string {
  const dry = record.status === 'dry-run';
  const lines = [dry ? 'dry run: nothing was changed; a run would remove' : 'removed'];
  for (const table of record.tables) {
    const rows = `${table.rows} row(s) (${table.stagedRows} staged)`;
    lines.push(
      `  ${table.table}: ${rows}${table.partitions.length > 0 ? ` in ${table.partitions.length} partition(s): ${table.partitions.join(', ')}` : ''}`,
    );
  }
  lines.push(`  reject lines: ${record.rejectLines} in ${record.rejectFiles.length} file(s)`);
  if (record.rowsWithoutLineage > 0) {
    lines.push(
      `  ${record.rowsWithoutLineage} row(s) name no landing object (curated before rows named theirs): search the landing zone for the customer`,
    );
  }
  if (record.landingObjects.length > 0) {
    lines.push(
      'landing objects that still hold the customer (never modified by servicebench): delete them, or ingesting them again brings the rows back',
      ...record.landingObjects.map((object) => `  ${join(landingDir, object)}`),
    );
  }
  return `${lines.join('\n')}\n`;
}
