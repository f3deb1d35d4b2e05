/**
 * The seeded fuzz campaign (not part of `npm test`; test/cli/fuzz.test.ts runs a slice of it):
 * mutates the demo's and the real exports in every class of test/support/fuzz/mutations.ts,
 * ingests them through the CLI and checks every file, then prints the table of results per source
 * and class and every failure. Failing inputs are written with what they came from, for --replay.
 *
 *   npm run fuzz                                        # seed 1, 5,000 files
 *   npm run fuzz -- --seed 7 --files 500 --adapter zendesk,demo-qa --class empty,payloads
 *   npm run fuzz -- --shard 0/2 & npm run fuzz -- --shard 1/2   # one campaign on two cores
 *   npm run fuzz -- --replay <failures folder>/<file folder>
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../lambdas/core/config/config.ts';
import {
  CAMPAIGN_DEFAULTS,
  type Failure,
  type FuzzFile,
  formatFailures,
  formatTally,
  makeFile,
  type PlannedFile,
  planCampaign,
  runFiles,
} from '../test/support/fuzz/campaign.ts';
import { MUTATION_CLASSES, type MutationClass } from '../test/support/fuzz/mutations.ts';
import { FUZZ_CONFIG, loadSeeds } from '../test/support/fuzz/seeds.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: String(CAMPAIGN_DEFAULTS.seed) },
    files: { type: 'string', default: String(CAMPAIGN_DEFAULTS.files) },
    adapter: { type: 'string', multiple: true },
    class: { type: 'string', multiple: true },
    batch: { type: 'string', default: String(CAMPAIGN_DEFAULTS.batchSize) },
    out: { type: 'string', default: 'test-artifacts/fuzz' },
    replay: { type: 'string', multiple: true },
    shard: { type: 'string' },
  },
});

const config = loadConfig(FUZZ_CONFIG);
const adapterOf = (source: string) => config.sources.find((s) => s.name === source)?.adapter ?? '?';
const listed = (option: string[] | undefined) => option?.flatMap((v) => v.split(',').map((x) => x.trim()));

/** What a failing input's meta.json records: enough to run the same bytes through the same checks. */
interface Replayable extends Omit<FuzzFile, 'bytes'> {
  readonly seed: number;
  readonly failures: readonly string[];
}

function replayFiles(folders: readonly string[]): { seed: number; files: FuzzFile[] } {
  let seed = 0;
  const files = folders.map((folder) => {
    const meta = JSON.parse(readFileSync(join(folder, 'meta.json'), 'utf8')) as Replayable;
    seed = meta.seed;
    return { ...meta, bytes: readFileSync(join(folder, meta.name)) } satisfies FuzzFile;
  });
  return { seed, files };
}

/** Writes a failing input and its meta.json (what it is, its failures) for --replay. */
function writeFailingInput(root: string, seed: number, file: FuzzFile, failures: readonly Failure[]): void {
  const lines = formatFailures(failures);
  {
    const folder = join(root, `${String(file.number).padStart(5, '0')}-${file.source}-${file.mutation}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, file.name), file.bytes);
    const { bytes: _, ...meta } = file;
    writeFileSync(
      join(folder, 'meta.json'),
      `${JSON.stringify({ ...meta, seed, failures: lines } satisfies Replayable, null, 2)}\n`,
    );
  }
}

async function main(): Promise<number> {
  let seed = Number(values.seed);
  let files: readonly PlannedFile[];
  let make: (file: PlannedFile) => FuzzFile;
  if (values.replay) {
    // A folder of failing inputs replays every file in it; a file's own folder replays that one.
    const folders = values.replay.flatMap((path) =>
      readdirSync(path).includes('meta.json')
        ? [path]
        : readdirSync(path, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? [join(path, d.name)] : [])),
    );
    const replay = replayFiles(folders);
    seed = replay.seed;
    files = replay.files;
    make = (file) => replay.files.find((f) => f.number === file.number) ?? (file as FuzzFile);
    console.log(`replaying ${files.length} files: ${folders.map((f) => basename(f)).join(', ')}`);
  } else {
    const classes = listed(values.class);
    const unknown = classes?.filter((c) => !(MUTATION_CLASSES as readonly string[]).includes(c)) ?? [];
    if (unknown.length > 0)
      throw new Error(`unknown class ${unknown.join(', ')}; classes: ${MUTATION_CLASSES.join(', ')}`);
    const { seeds, missing } = await loadSeeds();
    if (missing.length > 0) console.log(`skipped real exports not found beside the repository: ${missing.join(', ')}`);
    const wanted = listed(values.adapter);
    const sources = wanted
      ? [...new Set(seeds.map((s) => s.source))].filter((s) => wanted.includes(s) || wanted.includes(adapterOf(s)))
      : undefined;
    const planned = planCampaign({
      seed,
      files: Number(values.files),
      seeds,
      ...(sources ? { sources } : {}),
      ...(classes ? { classes: classes as MutationClass[] } : {}),
    });
    // --shard k/n keeps file numbers ≡ k (mod n): n processes run one campaign on n cores.
    const [k, n] = (values.shard ?? '0/1').split('/').map(Number) as [number, number];
    if (!(Number.isInteger(k) && Number.isInteger(n) && k >= 0 && k < n)) throw new Error('--shard is k/n, 0 <= k < n');
    files = planned.filter((f) => f.number % n === k);
    make = (file) => makeFile(file, seed, seeds);
  }
  console.log(`seed ${seed}: ${files.length} files`);
  const failingRoot = resolve(values.out, `seed-${seed}`);
  const result = await runFiles(files, make, {
    seed,
    onFailing: (file, failures) => writeFailingInput(failingRoot, seed, file, failures),
    batchSize: Number(values.batch),
    onBatch: (done, total) => process.stderr.write(`\rbatch ${done}/${total}`),
  });
  process.stderr.write('\n');
  console.log(formatTally(result, adapterOf));
  console.log(`${(result.files / (result.ms / 1000)).toFixed(1)} files per second`);
  const lines = formatFailures(result.failures);
  if (lines.length > 0) {
    console.log(`\n${lines.length} failures:`);
    for (const line of lines) console.log(line);
  }
  if (result.failures.some((f) => f.file)) {
    console.log(`\nfailing inputs: ${failingRoot} (npm run fuzz -- --replay ${failingRoot})`);
  }
  return result.failures.length > 0 ? 1 : 0;
}

process.exitCode = await main();
