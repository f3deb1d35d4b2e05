/**
 * One measured run of benchmarks/ingest.ts in its own process, so its peak RSS and CPU time are
 * its own (worker threads included). Prints one JSON line.
 *
 *   ingest-child.ts ingest <lake> <exports dir> <jobs>   every export, as `servicebench ingest` lands them
 *   ingest-child.ts demo <lake> <scale> <jobs>           the demo: generate, ingest, compact (no report)
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type IngestTask, ingestAll, landingKeyOf } from '../cli/ingest.ts';
import { openLake, pseudonymKey } from '../cli/lake.ts';
import { DEMO_SOURCES, demoConfig, runDemo } from '../demo/index.ts';
import { loadConfig } from '../lambdas/core/config/config.ts';
import { EXAMPLE_CONFIG_FILE } from '../lambdas/core/config/locate.ts';

const [mode, lakeDir, input, jobsText] = process.argv.slice(2) as [string, string, string, string];
const jobs = Number(jobsText);

/** Files under `dir`, depth first in name order: the order the CLI would be given them by a glob. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}

const t0 = performance.now();
let files = 0;
let rows = 0;
let normaliseMs = 0;
let compactMs = 0;
if (mode === 'ingest') {
  const config = demoConfig(loadConfig(EXAMPLE_CONFIG_FILE));
  const lake = openLake(lakeDir);
  const tasks: IngestTask[] = DEMO_SOURCES.flatMap((source) =>
    filesUnder(join(input, source.name)).map((file) => ({
      source: source.name,
      key: landingKeyOf(source.name, file),
      file,
    })),
  );
  const result = await ingestAll({
    lake,
    config,
    pseudonymKey: pseudonymKey(lake).key,
    sentiment: 'lexicon',
    jobs,
    tasks,
  });
  const failed = result.outcomes.filter((o) => o.error !== undefined);
  if (failed.length > 0) throw new Error(`${failed.length} files failed: ${failed[0]?.error}`);
  files = result.outcomes.length;
  rows = result.outcomes.reduce((sum, o) => sum + (o.result?.audit.rows_read ?? 0), 0);
  ({ normaliseMs, compactMs } = result.timings);
} else {
  const summary = await runDemo({
    lakeDir,
    config: loadConfig(EXAMPLE_CONFIG_FILE),
    scale: Number(input),
    jobs,
  });
  files = summary.files;
  rows = summary.rowsRead;
  compactMs = summary.timings.compactMs;
  normaliseMs = summary.timings.ingestMs - compactMs;
}
const usage = process.resourceUsage();
process.stdout.write(
  `${JSON.stringify({
    wallMs: performance.now() - t0,
    cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    maxRssKiB: usage.maxRSS,
    files,
    rows,
    normaliseMs,
    compactMs,
  })}\n`,
);
