/**
 * Local ingest benchmark (not a test): the demo's exports at a scale, ingested on one thread and on
 * worker threads, each run in its own process; then the pseudonym cache on the identifiers those
 * exports carry; with --demo, the demo command's generate-ingest-compact (no report). Prints the
 * median of --runs runs of each.
 *
 *   npm run bench:ingest                              # scale 1, jobs 1 and 2, 3 runs
 *   npm run bench:ingest -- --scale 10 --jobs 1,2,3 --runs 3 --demo
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_SOURCES, demoConfig, generateDemoExports } from '../demo/index.ts';
import { getAdapter } from '../lambdas/adapters/registry.ts';
import { loadConfig } from '../lambdas/core/config/config.ts';
import { EXAMPLE_CONFIG_FILE } from '../lambdas/core/config/locate.ts';
import type { IdentifierKind } from '../lambdas/core/normalise/adapter.ts';
import { createPseudonymiser, PSEUDONYM_CACHE_ENTRIES } from '../lambdas/core/normalise/pseudonymise.ts';
import { openDecoded } from '../lambdas/core/read/index.ts';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}
const SCALE = Number(option('scale', '1'));
const RUNS = Number(option('runs', '3'));
const JOBS = option('jobs', '1,2').split(',').map(Number);
const DEMO = process.argv.includes('--demo');
const KEY = Buffer.alloc(32, 9);

interface ChildResult {
  wallMs: number;
  cpuMs: number;
  maxRssKiB: number;
  files: number;
  rows: number;
  normaliseMs: number;
  compactMs: number;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mib = (kib: number) => `${Math.round(kib / 1024)} MiB`;

function child(mode: 'ingest' | 'demo', lakeDir: string, input: string, jobs: number): ChildResult {
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', new URL('./ingest-child.ts', import.meta.url).pathname, mode, lakeDir, input, String(jobs)],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, SERVICEBENCH_PSEUDONYM_KEY: KEY.toString('hex') },
    },
  );
  return JSON.parse(output.trim().split('\n').at(-1) as string) as ChildResult;
}

/** Runs each configuration in turn, RUNS rounds, so a busy spell of the machine hits all of them. */
function measure(mode: 'ingest' | 'demo', dir: string, input: string): string[] {
  const results = new Map<number, ChildResult[]>(JOBS.map((jobs) => [jobs, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const jobs of JOBS) {
      const lakeDir = join(dir, `lake-${mode}-${jobs}-${run}`);
      const result = child(mode, lakeDir, input, jobs);
      rmSync(lakeDir, { recursive: true, force: true });
      process.stderr.write(`${mode} jobs ${jobs} run ${run + 1}: ${seconds(result.wallMs)}\n`);
      results.get(jobs)?.push(result);
    }
  }
  const single = median((results.get(JOBS[0] as number) ?? []).map((r) => r.wallMs));
  return JOBS.map((jobs) => {
    const runs = results.get(jobs) ?? [];
    const m = (pick: (r: ChildResult) => number) => median(runs.map(pick));
    const wall = m((r) => r.wallMs);
    return `| ${mode} | ${jobs} | ${seconds(wall)} | ${seconds(m((r) => r.normaliseMs))} | ${seconds(m((r) => r.compactMs))} | ${seconds(m((r) => r.cpuMs))} | ${mib(m((r) => r.maxRssKiB))} | ${(m((r) => r.files) / (wall / 1000)).toFixed(1)} | ${Math.round(m((r) => r.rows) / (wall / 1000)).toLocaleString('en')} | ${(single / wall).toFixed(2)} |`;
  });
}

/** Every identifier the exports' adapters pseudonymise, in the order they ask. */
async function identifiersOf(exportsDir: string): Promise<[IdentifierKind, string | null | undefined][]> {
  const config = demoConfig(loadConfig(EXAMPLE_CONFIG_FILE));
  const calls: [IdentifierKind, string | null | undefined][] = [];
  const pseudonymise = createPseudonymiser(KEY, { cacheEntries: 0 });
  for (const source of DEMO_SOURCES) {
    const adapter = getAdapter(source.adapter);
    const options = adapter.optionsSchema.parse(config.sources.find((s) => s.name === source.name)?.options);
    const walk = (dir: string): string[] =>
      readdirSync(dir)
        .sort()
        .flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]));
    for (const file of walk(join(exportsDir, source.name))) {
      const context = {
        source: source.name,
        objectKey: file,
        ingestedAt: new Date(0),
        timeZone: 'UTC',
        pseudonymise: (kind: IdentifierKind, value: string | null | undefined) => {
          calls.push([kind, value]);
          return pseudonymise(kind, value);
        },
      };
      for await (const _ of adapter.read(await openDecoded(createReadStream(file)), options, context)) {
        // Reading is enough: the adapter pseudonymises as it maps.
      }
    }
  }
  return calls;
}

function pseudonymRows(calls: readonly [IdentifierKind, string | null | undefined][]): string[] {
  const time = (cacheEntries: number) =>
    median(
      Array.from({ length: RUNS }, () => {
        const pseudonymise = createPseudonymiser(KEY, { cacheEntries });
        const t0 = performance.now();
        for (const [kind, value] of calls) pseudonymise(kind, value);
        return performance.now() - t0;
      }),
    );
  const distinct = new Set(calls.map(([kind, value]) => `${kind}\0${value}`)).size;
  const uncached = time(0);
  const cached = time(PSEUDONYM_CACHE_ENTRIES);
  return [
    `pseudonymise: ${calls.length.toLocaleString('en')} calls, ${distinct.toLocaleString('en')} distinct values (${((1 - distinct / calls.length) * 100).toFixed(1)}% repeats)`,
    `  uncached ${(uncached / 1000).toFixed(2)} s (${((uncached * 1000) / calls.length).toFixed(2)} µs/call), cache of ${PSEUDONYM_CACHE_ENTRIES.toLocaleString('en')} ${(cached / 1000).toFixed(2)} s (${((cached * 1000) / calls.length).toFixed(2)} µs/call): ${(uncached / cached).toFixed(1)}× faster, ${((uncached - cached) / 1000).toFixed(2)} s saved`,
  ];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-ingest-'));
  try {
    const exportsDir = join(dir, 'exports');
    process.stderr.write(`generating the scale-${SCALE} demo exports…\n`);
    const generated = await generateDemoExports({ scale: SCALE, dir: exportsDir });
    const bytes = generated.files.reduce((sum, f) => sum + f.bytes, 0);
    const header = [
      '| run | jobs | wall | normalise | compact | CPU | peak RSS | files/s | records/s | speed-up |',
      '|---|---|---|---|---|---|---|---|---|---|',
    ];
    const ingest = measure('ingest', dir, exportsDir);
    const demo = DEMO ? measure('demo', dir, String(SCALE)) : [];
    const calls = await identifiersOf(exportsDir);
    const lines = [
      `demo exports at scale ${SCALE}: ${generated.files.length} files, ${(bytes / 1_048_576).toFixed(1)} MiB; medians of ${RUNS} runs`,
      '',
      ...header,
      ...ingest,
      ...demo,
      '',
      ...pseudonymRows(calls),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
