/**
 * CLI benchmark (not a test): whole `servicebench` processes on demo lakes of several scales, as a
 * user runs them. For each scale it builds a lake with `servicebench demo --scale N` (timed too),
 * then runs `query "SELECT 1"`, `metrics --period 2025-06` and `report --period 2025-06 --format
 * html` several times each with the lake's metric cache in place, and `metrics` once more per run
 * with the cache removed (the cost of a refresh after the lake changed). It prints the median wall
 * time and the largest peak resident set of each, and the curated files and bytes per table.
 *
 *   npm run bench:cli                          # scales 1, 3 and 10 (10 takes minutes)
 *   npm run bench:cli -- --scales 1,3 --runs 5
 *   npm run bench:cli -- --keep DIR            # build the lakes in DIR and keep them
 *   npm run bench:cli -- --keep DIR --reuse    # time the commands on DIR/scale-N lakes built before
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { curatedFiles, STATE_DIR } from '../cli/duckdb-cache.ts';
import { TABLE_NAMES } from '../lambdas/core/schema/canonical.ts';

const CLI = new URL('../bin/servicebench.mjs', import.meta.url).pathname;
const CONFIG = new URL('../examples/servicebench.config.jsonc', import.meta.url).pathname;
/** GNU time prints the peak resident set of the process it runs; without it, /proc is polled. */
const GNU_TIME = '/usr/bin/time';
const PERIOD = '2025-06';

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : undefined;
}

function positiveIntegers(text: string, what: string): number[] {
  const values = text.split(',').map(Number);
  if (values.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new Error(`--${what} ${text}: expected positive whole numbers separated by commas, e.g. 1,3`);
  }
  return values;
}

interface Run {
  readonly ms: number;
  /** Peak resident set of the CLI process, in bytes. */
  readonly peakBytes: number;
  readonly stdout: string;
}

/** Runs the CLI once to completion; fails with its stderr when it exits non-zero. */
async function runCli(args: readonly string[]): Promise<Run> {
  const useTime = existsSync(GNU_TIME);
  const marker = 'servicebench-bench-peak-kib=';
  const command = useTime ? GNU_TIME : process.execPath;
  const argv = useTime ? ['-f', `${marker}%M`, process.execPath, CLI, ...args] : [CLI, ...args];
  const started = performance.now();
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let polledKib = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const poll = useTime
    ? undefined
    : setInterval(() => {
        polledKib = Math.max(polledKib, highWaterKib(child.pid));
      }, 50);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const ms = performance.now() - started;
  if (poll) clearInterval(poll);
  if (code !== 0) throw new Error(`servicebench ${args.join(' ')} exited ${code}:\n${stderr}`);
  const reported = new RegExp(`${marker}(\\d+)`).exec(stderr)?.[1];
  const kib = useTime ? Number(reported) : polledKib;
  if (!(kib > 0)) throw new Error(`no peak resident set measured for servicebench ${args.join(' ')}`);
  return { ms, peakBytes: kib * 1024, stdout };
}

/** VmHWM of a running process in KiB (0 once it is gone). */
function highWaterKib(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const seconds = (ms: number) => (ms / 1000).toFixed(2);
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

interface Row {
  readonly scale: number;
  readonly step: string;
  readonly runs: readonly Run[];
}

/** One row of the results table: scale, command, runs, median, min and max seconds, largest peak RSS. */
function summary(row: Row): string[] {
  const ms = row.runs.map((x) => x.ms);
  return [
    String(row.scale),
    row.step,
    String(row.runs.length),
    seconds(median(ms)),
    seconds(Math.min(...ms)),
    seconds(Math.max(...ms)),
    mib(Math.max(...row.runs.map((x) => x.peakBytes))),
  ];
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const scales = positiveIntegers(argument('scales') ?? '1,3,10', 'scales');
  const [runs = 3] = positiveIntegers(argument('runs') ?? '3', 'runs');
  const keep = argument('keep');
  const reuse = process.argv.includes('--reuse');
  if (reuse && keep === undefined) throw new Error('--reuse needs --keep DIR, the folder of the scale-N lakes');
  const root = keep ?? mkdtempSync(join(tmpdir(), 'sb-bench-cli-'));
  mkdirSync(root, { recursive: true });
  const results: Row[] = [];
  const files: string[][] = [];
  try {
    for (const scale of scales) {
      const lake = join(root, `scale-${scale}`);
      const global = ['--lake', lake, '--config', CONFIG];
      if (!reuse || !existsSync(join(lake, 'curated'))) {
        rmSync(lake, { recursive: true, force: true });
        process.stderr.write(`scale ${scale}: demo…\n`);
        const demo = await runCli([...global, 'demo', '--scale', String(scale)]);
        process.stderr.write(`  ${demo.stdout.split('\n')[0]}\n`);
        results.push({ scale, step: `demo --scale ${scale}`, runs: [demo] });
        process.stderr.write(`  ${summary({ scale, step: `demo --scale ${scale}`, runs: [demo] }).join(' | ')}\n`);
      }
      const steps: [string, string[], boolean][] = [
        ['query "SELECT 1"', ['query', 'SELECT 1'], false],
        [`metrics --period ${PERIOD}`, ['metrics', '--period', PERIOD], false],
        [`report --period ${PERIOD} --format html`, ['report', '--period', PERIOD, '--format', 'html'], false],
        [`metrics --period ${PERIOD}, cache removed`, ['metrics', '--period', PERIOD], true],
      ];
      for (const [step, args, withoutCache] of steps) {
        process.stderr.write(`scale ${scale}: ${step} ×${runs}\n`);
        const measured: Run[] = [];
        for (let i = 0; i < runs; i++) {
          if (withoutCache) rmSync(join(lake, STATE_DIR, 'cache'), { recursive: true, force: true });
          measured.push(await runCli([...global, ...args]));
        }
        results.push({ scale, step, runs: measured });
        process.stderr.write(`  ${summary({ scale, step, runs: measured }).join(' | ')}\n`);
      }
      for (const name of TABLE_NAMES) {
        const list = curatedFiles(lake, name);
        const bytes = list.reduce((sum, f) => sum + f.size, 0);
        files.push([String(scale), name, String(list.length), (bytes / 2 ** 20).toFixed(1)]);
      }
    }
  } finally {
    if (keep === undefined) rmSync(root, { recursive: true, force: true });
  }
  const peakHow = existsSync(GNU_TIME) ? 'GNU time %M' : '/proc VmHWM, polled';
  process.stdout.write(
    `\n${table(
      ['scale', 'command', 'runs', 'median s', 'min s', 'max s', `peak RSS MiB (${peakHow}, largest run)`],
      results.map(summary),
    )}\n\n${table(['scale', 'curated table', 'files', 'MiB'], files)}\n`,
  );
}

await main();
