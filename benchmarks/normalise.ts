/**
 * Normaliser benchmark (not a test): generates a 1M-row interactions CSV, normalises it with the
 * generic mapping adapter into a temporary lake, and compares against DuckDB's own CSV → Parquet on
 * the same file in the same run. Prints throughput, peak RSS, bytes read/written and the ratios.
 *
 *   npm run bench                 # 1,000,000 rows
 *   npm run bench -- --rows 200000
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { STAGING_PREFIX } from '../lambdas/core/schema/layout.ts';

const DEFAULT_ROWS = 1_000_000;
const rowsArg = process.argv.indexOf('--rows');
const ROWS = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : DEFAULT_ROWS;

const TEAMS = ['billing', 'tech', 'sales', 'retention'];
const QUEUES = ['general', 'priority', 'callback'];
const CHANNELS = ['phone', 'phone', 'phone', 'chat', 'email'];

/** Deterministic PRNG so every run benchmarks the same bytes. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function generateCsv(file: string, rows: number): Promise<void> {
  const random = mulberry32(42);
  const out = createWriteStream(file);
  out.write('contact_id,started_at,channel,queue,agent,team,customer_phone,queue_s,talk_s,hold_s,acw_s,outcome\n');
  const start = Date.UTC(2025, 0, 1);
  const step = (365 * 86_400_000) / rows;
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    const at = new Date(start + i * step).toISOString().replace('T', ' ').slice(0, 19);
    const abandoned = random() < 0.08;
    const team = TEAMS[Math.floor(random() * TEAMS.length)];
    const agent = abandoned ? '' : `${team}-${Math.floor(random() * 12)}`;
    chunk += `C${String(i).padStart(8, '0')},${at},${CHANNELS[Math.floor(random() * CHANNELS.length)]},${QUEUES[Math.floor(random() * QUEUES.length)]},${agent},${team},+1555${String(Math.floor(random() * 1e7)).padStart(7, '0')},${Math.floor(random() * 300)},${abandoned ? 0 : 60 + Math.floor(random() * 600)},${abandoned ? 0 : Math.floor(random() * 90)},${abandoned ? 0 : Math.floor(random() * 120)},${abandoned ? 'ABANDONED' : 'ANSWERED'}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

function duSize(dir: string): number {
  return Number(execFileSync('du', ['-sb', dir]).toString().split('\t')[0]);
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

async function duckdbBaseline(csv: string, out: string): Promise<{ ms: number; bytes: number }> {
  const instance = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const connection = await instance.connect();
  const t0 = performance.now();
  await connection.run(`COPY (SELECT * FROM read_csv('${csv}')) TO '${out}' (FORMAT parquet)`);
  const ms = performance.now() - t0;
  connection.closeSync();
  return { ms, bytes: statSync(out).size };
}

interface ChildResult {
  ms: number;
  maxRssKiB: number;
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  outputs: number;
}

function normaliserRun(lakeDir: string, csv: string, stage: string): ChildResult {
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', new URL('./normalise-child.ts', import.meta.url).pathname, lakeDir, csv, stage],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(output.trim().split('\n').at(-1) as string) as ChildResult;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-'));
  try {
    const csv = join(dir, 'interactions.csv');
    process.stderr.write(`generating ${ROWS.toLocaleString('en')} rows…\n`);
    await generateCsv(csv, ROWS);
    const inputBytes = statSync(csv).size;

    const duck = await duckdbBaseline(csv, join(dir, 'duckdb.parquet'));
    process.stderr.write(`duckdb: ${duck.ms.toFixed(0)} ms\n`);
    const stages = ['read', 'map', 'full'] as const;
    const results = Object.fromEntries(
      stages.map((stage) => {
        const lakeDir = join(dir, `lake-${stage}`);
        const result = normaliserRun(lakeDir, csv, stage);
        process.stderr.write(`normaliser (${stage}): ${result.ms.toFixed(0)} ms\n`);
        return [
          stage,
          {
            ...result,
            // The normaliser's own output: the staged files, before compaction.
            outBytes: stage === 'full' ? duSize(join(lakeDir, 'curated', STAGING_PREFIX, 'interactions')) : 0,
          },
        ];
      }),
    ) as Record<(typeof stages)[number], ChildResult & { outBytes: number }>;
    const full = results.full;

    const lines = [
      `input: ${ROWS.toLocaleString('en')} rows, 12 columns, ${mb(inputBytes)} CSV`,
      '',
      '| run | time | rows/s | MiB/s | peak RSS | output |',
      '|---|---|---|---|---|---|',
      `| DuckDB COPY read_csv → Parquet | ${(duck.ms / 1000).toFixed(2)} s | ${Math.round(ROWS / (duck.ms / 1000)).toLocaleString('en')} | ${(inputBytes / 1048576 / (duck.ms / 1000)).toFixed(1)} | (in-process) | ${mb(duck.bytes)} |`,
      ...stages.map((stage) => {
        const r = results[stage];
        const label = {
          read: 'readers only (CSV parse)',
          map: 'readers + mapping adapter',
          full: 'full normaliser (validate, Parquet, audit)',
        }[stage];
        return `| ${label} | ${(r.ms / 1000).toFixed(2)} s | ${Math.round(ROWS / (r.ms / 1000)).toLocaleString('en')} | ${(inputBytes / 1048576 / (r.ms / 1000)).toFixed(1)} | ${mb(r.maxRssKiB * 1024)} | ${stage === 'full' ? mb(r.outBytes) : '-'} |`;
      }),
      '',
      `rows read ${full.rowsRead}, accepted ${full.rowsAccepted}, rejected ${full.rowsRejected}, partition files ${full.outputs}`,
      `throughput ratio vs DuckDB: ${(duck.ms / full.ms).toFixed(3)} (target ≥ 0.1)`,
      `peak RSS: ${mb(full.maxRssKiB * 1024)} (target < 512 MiB)`,
      `output size ratio vs DuckDB: ${(full.outBytes / duck.bytes).toFixed(2)} (target ≤ 1.5)`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
