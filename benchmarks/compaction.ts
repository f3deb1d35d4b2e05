/**
 * Compaction benchmark (not a test): on a demo lake, files and bytes per table before compaction
 * (the per-object staging files, one per landing object, table and day) and after (the partition
 * files the tables read), the time to compact every partition, and the time DuckDB takes to scan
 * each layout.
 *
 *   npm run bench:compaction                      # a new demo lake, scale small
 *   npm run bench:compaction -- --scale 1
 *   npm run bench:compaction -- --lake ./lake     # an existing lake (e.g. after `servicebench demo`)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { openLake } from '../cli/lake.ts';
import { runDemo } from '../demo/index.ts';
import { parseDemoScale } from '../demo/options.ts';
import { compactPartitions, curatedPartitions } from '../lambdas/core/compact/compact.ts';
import { loadConfig } from '../lambdas/core/config/config.ts';
import { TABLE_NAMES, type TableName } from '../lambdas/core/schema/canonical.ts';
import { partitionOfKey, STAGING_PREFIX } from '../lambdas/core/schema/layout.ts';
import type { LocalObjectStore } from '../lambdas/core/store/local.ts';

const EXAMPLE_CONFIG = new URL('../examples/servicebench.config.jsonc', import.meta.url).pathname;

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : undefined;
}

interface Files {
  files: number;
  bytes: number;
  partitions: Set<string>;
  /** Most files in one partition. */
  maxPerPartition: number;
}

async function filesPerTable(store: LocalObjectStore, prefix: string): Promise<Map<TableName, Files>> {
  const byTable = new Map<TableName, Files>(
    TABLE_NAMES.map((t) => [t, { files: 0, bytes: 0, partitions: new Set(), maxPerPartition: 0 }]),
  );
  const perPartition = new Map<string, number>();
  for (const table of TABLE_NAMES) {
    for await (const info of store.list(`${prefix}${table}/`)) {
      const partition = partitionOfKey(info.key);
      if (!partition || !info.key.endsWith('.parquet')) continue;
      const entry = byTable.get(table) as Files;
      const id = `${table}/${partition.dt}`;
      entry.files++;
      entry.bytes += info.size;
      entry.partitions.add(id);
      perPartition.set(id, (perPartition.get(id) ?? 0) + 1);
      entry.maxPerPartition = Math.max(entry.maxPerPartition, perPartition.get(id) ?? 0);
    }
  }
  return byTable;
}

/** Milliseconds DuckDB takes to count every table's rows over a glob of Parquet files. */
async function scanMs(curatedDir: string, prefix: string): Promise<{ ms: number; rows: number }> {
  const instance = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const connection = await instance.connect();
  const t0 = performance.now();
  let rows = 0;
  for (const table of TABLE_NAMES) {
    const glob = join(curatedDir, prefix, table, '*', '*.parquet');
    const reader = await connection.runAndReadAll(`SELECT count(*) AS n FROM read_parquet('${glob}')`);
    rows += Number(reader.getRowObjectsJS()[0]?.n ?? 0);
  }
  const ms = performance.now() - t0;
  connection.closeSync();
  instance.closeSync();
  return { ms, rows };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

async function main(): Promise<void> {
  const given = argument('lake');
  const scale = parseDemoScale(argument('scale') ?? 'small');
  const dir = given ?? mkdtempSync(join(tmpdir(), 'sb-bench-compaction-'));
  try {
    const lines: string[] = [];
    if (given === undefined) {
      process.stderr.write(`demo lake at scale ${scale} in ${dir}…\n`);
      const summary = await runDemo({ lakeDir: dir, config: loadConfig(EXAMPLE_CONFIG), scale });
      lines.push(
        `demo lake, scale ${scale}: ${summary.files} export files, ${summary.rowsAccepted.toLocaleString('en')} records curated; ` +
          `ingest ${(summary.timings.ingestMs / 1000).toFixed(1)} s, of which compaction ${(summary.timings.compactMs / 1000).toFixed(1)} s`,
      );
    } else {
      lines.push(`lake ${dir}`);
    }
    const lake = openLake(dir);
    const store = lake.stores.curated;

    const t0 = performance.now();
    const rebuilt = await compactPartitions(store, await curatedPartitions(store));
    lines.push(
      `compacting every partition again: ${((performance.now() - t0) / 1000).toFixed(1)} s (${rebuilt.length} partitions)`,
    );

    const before = await filesPerTable(store, STAGING_PREFIX);
    const after = await filesPerTable(store, '');
    lines.push(
      '',
      '| table | partitions | files before | bytes before | files after | bytes after | most files in a partition after |',
      '|---|---|---|---|---|---|---|',
    );
    const total = { before: 0, beforeBytes: 0, after: 0, afterBytes: 0 };
    for (const table of TABLE_NAMES) {
      const b = before.get(table) as Files;
      const a = after.get(table) as Files;
      total.before += b.files;
      total.beforeBytes += b.bytes;
      total.after += a.files;
      total.afterBytes += a.bytes;
      lines.push(
        `| ${table} | ${a.partitions.size} | ${b.files} | ${kib(b.bytes)} | ${a.files} | ${kib(a.bytes)} | ${a.maxPerPartition} |`,
      );
    }
    lines.push(`| all | | ${total.before} | ${kib(total.beforeBytes)} | ${total.after} | ${kib(total.afterBytes)} | |`);

    const curatedDir = lake.zoneDir('curated');
    const stagedScan = await scanMs(curatedDir, STAGING_PREFIX);
    const compactedScan = await scanMs(curatedDir, '');
    lines.push(
      '',
      `DuckDB count(*) of every table: ${stagedScan.ms.toFixed(0)} ms over the per-object files, ` +
        `${compactedScan.ms.toFixed(0)} ms over the compacted files (${compactedScan.rows.toLocaleString('en')} rows both: ${stagedScan.rows === compactedScan.rows})`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    if (given === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
