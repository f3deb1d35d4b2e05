/**
 * The fuzz campaign: plans files (file n of a seed is always the same bytes), ingests them through
 * the CLI a batch at a time into a fresh lake per batch, runs the checks of checks.ts on each file
 * and the report checks on each batch, and tallies the results per source (adapter) and class.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { landingKeyOf } from '../../../cli/ingest.ts';
import { objectId } from '../../../lambdas/core/normalise/pipeline.ts';
import {
  type AuditRow,
  auditProblems,
  CHECKS,
  type Check,
  changedKeys,
  curatedHashes,
  dateProblems,
  formulaCells,
  htmlPayloads,
  objectIdOfKey,
  readAudit,
  rejectProblems,
  verdictProblems,
} from './checks.ts';
import { type CliOutcome, CliRunner } from './cli-runner.ts';
import { fileRandom, MUTATION_CLASSES, MUTATIONS, type MutationClass } from './mutations.ts';
import { FUZZ_CONFIG, REPORT_PERIOD, type Seed } from './seeds.ts';

/** Exit codes README.md documents for `servicebench` (cli/exit.ts): any other is a crash. */
const DOCUMENTED_EXIT_CODES: ReadonlySet<number> = new Set([0, 1, 3, 4]);

export const CAMPAIGN_DEFAULTS = {
  seed: 1,
  files: 5_000,
  /** Files per lake: one report is written and checked per batch. */
  batchSize: 100,
  /**
   * Longest a command may write nothing: ingest writes a line per file, so this is a file's time
   * limit (the command's start and its compaction count towards the first and the last).
   */
  silentMs: 60_000,
} as const;

/** A file of the plan: what it will be, before its bytes are made (a batch at a time, to hold little). */
export interface PlannedFile {
  readonly number: number;
  readonly source: string;
  readonly mutation: MutationClass;
}

export interface FuzzFile extends PlannedFile {
  readonly variant: string;
  readonly seedOrigin: string;
  readonly name: string;
  readonly bytes: Buffer;
}

export interface Failure {
  readonly file: FuzzFile | undefined;
  /** The batch's lake, for failures of a whole batch (a report, a compacted file). */
  readonly batch: number;
  readonly check: Check;
  readonly reason: string;
}

/**
 * File n: its class cycles through the classes, its source advances by one every full cycle, so
 * any run of files covers every class and, soon, every source.
 */
export function planFile(n: number, classes: readonly MutationClass[], sources: readonly string[]): PlannedFile {
  const mutation = classes[n % classes.length] as MutationClass;
  const source = sources[(n + Math.floor(n / classes.length)) % sources.length] as string;
  return { number: n, source, mutation };
}

/** The file's bytes: its seed file and its mutation come from a generator of (seed, n) alone. */
export function makeFile(planned: PlannedFile, seed: number, seeds: readonly Seed[]): FuzzFile {
  const random = fileRandom(seed, planned.number);
  const base = random.pick(seeds.filter((s) => s.source === planned.source));
  const { bytes, variant } = MUTATIONS[planned.mutation](base.bytes, random.fork('mutation'));
  return { ...planned, variant, seedOrigin: base.origin, name: base.name, bytes };
}

export interface CampaignOptions {
  readonly seed: number;
  readonly files: number;
  readonly seeds: readonly Seed[];
  /** Only these sources (source names, or adapter names matched through the config). */
  readonly sources?: readonly string[];
  readonly classes?: readonly MutationClass[];
  readonly batchSize?: number;
  readonly silentMs?: number;
  /** Where batches are written (a fresh temporary folder by default); removed unless `keep`. */
  readonly workDir?: string;
  readonly onBatch?: (done: number, total: number) => void;
}

export interface Tally {
  files: number;
  passed: number;
  failedBy: Partial<Record<Check, number>>;
}

export interface CampaignResult {
  readonly seed: number;
  readonly files: number;
  readonly failures: readonly Failure[];
  /** Per source, per class. */
  readonly tally: ReadonlyMap<string, ReadonlyMap<MutationClass, Tally>>;
  /** Escaped script payloads the reports showed (evidence the payloads reached the HTML). */
  readonly escapedPayloads: number;
  readonly batches: number;
  readonly ms: number;
}

interface Ingested {
  readonly file: FuzzFile;
  readonly path: string;
  readonly key: string;
  readonly id: string;
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  return groups;
}

/** Files each `not ingested` line of an ingest run names, with the reason. */
function notIngested(stdout: string): Map<string, string> {
  const failed = new Map<string, string>();
  for (const match of stdout.matchAll(/^✗ (.+?): not ingested: (.*)$/gm)) failed.set(match[1] ?? '', match[2] ?? '');
  return failed;
}

class Batch {
  readonly failures: Failure[] = [];
  escapedPayloads = 0;
  private readonly lake: string;

  constructor(
    readonly number: number,
    private readonly dir: string,
    private readonly files: readonly FuzzFile[],
    private readonly cli: CliRunner,
    private readonly silentMs: number,
  ) {
    this.lake = join(dir, 'lake');
  }

  private fail(file: FuzzFile | undefined, check: Check, reason: string): void {
    this.failures.push({ file, batch: this.number, check, reason });
  }

  private ingestArgs(source: string, paths: readonly string[]): string[] {
    return ['--lake', this.lake, '--config', FUZZ_CONFIG, 'ingest', '--jobs', '1', '--source', source, ...paths];
  }

  /**
   * Ingests the files of one source in one command; when it hangs or its thread dies, each file
   * again on its own, to name the one. Returns the files that were ingested (or rejected whole).
   */
  private async ingest(source: string, files: readonly { file: FuzzFile; path: string }[]): Promise<Set<string>> {
    const outcome = await this.cli.run(
      this.ingestArgs(
        source,
        files.map((f) => f.path),
      ),
      this.silentMs,
    );
    if (outcome.kind !== 'exited' && files.length > 1) {
      const ok = new Set<string>();
      for (const f of files) for (const path of await this.ingest(source, [f])) ok.add(path);
      return ok;
    }
    return this.judge(outcome, files);
  }

  private judge(outcome: CliOutcome, files: readonly { file: FuzzFile; path: string }[]): Set<string> {
    const ok = new Set<string>();
    if (outcome.kind === 'hung') {
      for (const f of files) this.fail(f.file, 'hang', `ingest wrote nothing for ${outcome.silentMs} ms`);
      return ok;
    }
    if (outcome.kind === 'crashed') {
      for (const f of files) this.fail(f.file, 'crash', outcome.error);
      return ok;
    }
    if (!DOCUMENTED_EXIT_CODES.has(outcome.code)) {
      for (const f of files) this.fail(f.file, 'crash', `exit code ${outcome.code}`);
      return ok;
    }
    const failed = notIngested(outcome.stdout);
    if (outcome.code === 1 && failed.size === 0) {
      // Exit 1 without a file named as not ingested: the command itself failed (config, compaction).
      const why = outcome.stderr.trim().split('\n').pop() ?? '';
      for (const f of files) this.fail(f.file, 'crash', `ingest failed: ${why}`);
      return ok;
    }
    for (const f of files) {
      const reason = failed.get(f.path);
      if (reason !== undefined) this.fail(f.file, 'crash', `not ingested: ${reason}`);
      else ok.add(f.path);
    }
    return ok;
  }

  async run(): Promise<void> {
    const written = this.files.map((file) => {
      const folder = join(this.dir, String(file.number));
      mkdirSync(folder, { recursive: true });
      const path = join(folder, file.name);
      writeFileSync(path, file.bytes);
      return { file, path };
    });
    const bySource = groupBy(written, (w) => w.file.source);
    const ingested: Ingested[] = [];
    for (const [source, files] of bySource) {
      const ok = await this.ingest(source, files);
      for (const f of files) {
        if (!ok.has(f.path)) continue;
        const key = landingKeyOf(source, f.path);
        ingested.push({ ...f, key, id: objectId(source, key) });
      }
    }
    const curated = join(this.lake, 'curated');
    for (const f of ingested) await this.checkFile(f, curated);

    const before = curatedHashes(curated);
    for (const [source, files] of groupBy(ingested, (f) => f.file.source)) {
      await this.ingest(source, files);
    }
    const byId = new Map(ingested.map((f) => [f.id, f]));
    for (const key of changedKeys(before, curatedHashes(curated))) {
      const id = objectIdOfKey(key);
      const owner = id === undefined ? undefined : byId.get(id);
      this.fail(owner?.file, 'reingest', `${key} differs after ingesting the same bytes again`);
    }
    await this.checkReport();
  }

  private async checkFile(f: Ingested, curated: string): Promise<void> {
    const { file } = f;
    const landing = join(this.lake, 'landing', ...f.key.split('/'));
    if (!existsSync(landing)) this.fail(file, 'landing', `no landing object ${f.key}`);
    else if (!readFileSync(landing).equals(file.bytes))
      this.fail(file, 'landing', `landing object ${f.key} differs from the file`);
    const audit: AuditRow | string = await readAudit(curated, f.id, f.key);
    if (typeof audit === 'string') {
      this.fail(file, 'audit', audit);
      return;
    }
    for (const reason of auditProblems(audit, file.bytes)) this.fail(file, 'audit', reason);
    const rejectPath = join(this.lake, 'quarantine', ...`${f.key}.rejects.jsonl`.split('/'));
    const rejects = existsSync(rejectPath) ? readFileSync(rejectPath) : undefined;
    for (const reason of rejectProblems(audit, rejects)) this.fail(file, 'rejects', reason);
    for (const reason of verdictProblems(file.mutation, audit)) this.fail(file, 'verdict', reason);
    for (const reason of await dateProblems(curated, f.id)) this.fail(file, 'dates', reason);
  }

  private async checkReport(): Promise<void> {
    const outcome = await this.cli.run(
      ['--lake', this.lake, '--config', FUZZ_CONFIG, 'report', '--period', REPORT_PERIOD, '--format', 'html,csv'],
      this.silentMs,
    );
    if (outcome.kind !== 'exited' || outcome.code !== 0) {
      const why =
        outcome.kind === 'exited'
          ? `exit ${outcome.code}: ${outcome.stderr.trim().split('\n').pop()}`
          : outcome.kind === 'hung'
            ? `wrote nothing for ${outcome.silentMs} ms`
            : outcome.error;
      this.fail(undefined, 'report-html', `report ${REPORT_PERIOD} failed: ${why}`);
      return;
    }
    const written = [...outcome.stdout.matchAll(/^wrote (.+)$/gm)].map((m) => m[1] ?? '');
    for (const path of written) {
      const text = readFileSync(path, 'utf8');
      if (path.endsWith('.html')) {
        const { raw, escaped } = htmlPayloads(text);
        this.escapedPayloads += escaped;
        for (const payload of raw)
          this.fail(undefined, 'report-html', `unescaped ${JSON.stringify(payload)} in ${path}`);
      } else if (path.endsWith('.csv')) {
        for (const cell of formulaCells(text)) {
          this.fail(undefined, 'report-csv', `cell ${JSON.stringify(cell.slice(0, 60))} not neutralised in ${path}`);
        }
      }
    }
  }
}

/** Files in batches of whole sources' runs, each batch at most `size` files. */
function batches<T extends PlannedFile>(files: readonly T[], size: number): T[][] {
  const sorted = [...files].sort((a, b) => a.source.localeCompare(b.source) || a.number - b.number);
  const out: T[][] = [];
  for (let i = 0; i < sorted.length; i += size) out.push(sorted.slice(i, i + size));
  return out;
}

/**
 * Runs the given files (planned, or read back for a replay), making each batch's bytes just before
 * it runs; `onFailing` gets each failing file while its bytes are still at hand.
 */
export async function runFiles<T extends PlannedFile>(
  files: readonly T[],
  make: (file: T) => FuzzFile,
  options: Pick<CampaignOptions, 'batchSize' | 'silentMs' | 'workDir' | 'onBatch'> & {
    readonly seed: number;
    readonly onFailing?: (file: FuzzFile, failures: readonly Failure[]) => void;
  },
): Promise<CampaignResult> {
  const t0 = performance.now();
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'sb-fuzz-'));
  const cli = new CliRunner();
  const failures: Failure[] = [];
  let escapedPayloads = 0;
  const planned = batches(files, options.batchSize ?? CAMPAIGN_DEFAULTS.batchSize);
  try {
    for (const [i, plannedFiles] of planned.entries()) {
      const dir = join(workDir, `batch-${i}`);
      const made = plannedFiles.map(make);
      const batch = new Batch(i, dir, made, cli, options.silentMs ?? CAMPAIGN_DEFAULTS.silentMs);
      await batch.run();
      failures.push(...batch.failures);
      for (const file of made) {
        const own = batch.failures.filter((f) => f.file?.number === file.number);
        if (own.length > 0) options.onFailing?.(file, own);
      }
      escapedPayloads += batch.escapedPayloads;
      rmSync(dir, { recursive: true, force: true });
      options.onBatch?.(i + 1, planned.length);
    }
  } finally {
    await cli.close();
    if (options.workDir === undefined) rmSync(workDir, { recursive: true, force: true });
  }
  return {
    seed: options.seed,
    files: files.length,
    failures,
    tally: tallyOf(files, failures),
    escapedPayloads,
    batches: planned.length,
    ms: performance.now() - t0,
  };
}

export function planCampaign(options: CampaignOptions): PlannedFile[] {
  const classes = options.classes ?? MUTATION_CLASSES;
  const available = [...new Set(options.seeds.map((s) => s.source))].sort();
  const sources = options.sources ? available.filter((s) => options.sources?.includes(s)) : available;
  if (sources.length === 0) throw new Error('no seed matches the sources asked for');
  return Array.from({ length: options.files }, (_, n) => planFile(n, classes, sources));
}

export function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  return runFiles(planCampaign(options), (p) => makeFile(p, options.seed, options.seeds), options);
}

function tallyOf(files: readonly PlannedFile[], failures: readonly Failure[]): Map<string, Map<MutationClass, Tally>> {
  const tally = new Map<string, Map<MutationClass, Tally>>();
  const cell = (file: PlannedFile): Tally => {
    const row = tally.get(file.source) ?? new Map<MutationClass, Tally>();
    tally.set(file.source, row);
    const t = row.get(file.mutation) ?? { files: 0, passed: 0, failedBy: {} };
    row.set(file.mutation, t);
    return t;
  };
  const failedChecks = new Map<number, Set<Check>>();
  for (const f of failures) {
    if (f.file) failedChecks.set(f.file.number, (failedChecks.get(f.file.number) ?? new Set()).add(f.check));
  }
  for (const file of files) {
    const t = cell(file);
    t.files++;
    const checks = failedChecks.get(file.number);
    if (!checks) t.passed++;
    else for (const c of checks) t.failedBy[c] = (t.failedBy[c] ?? 0) + 1;
  }
  return tally;
}

/** The adapter × class table, a line per source and class with files, passed and failures by check. */
export function formatTally(result: CampaignResult, adapterOf: (source: string) => string): string {
  const lines = [
    `seed ${result.seed}: ${result.files} files in ${result.batches} batches, ${(result.ms / 1000).toFixed(1)} s`,
  ];
  lines.push(
    [
      'source (adapter)'.padEnd(44),
      'class'.padEnd(22),
      'files'.padStart(6),
      'passed'.padStart(7),
      '  failed by check',
    ].join(''),
  );
  const totals: Tally = { files: 0, passed: 0, failedBy: {} };
  for (const [source, row] of [...result.tally].sort(([a], [b]) => a.localeCompare(b))) {
    for (const mutation of MUTATION_CLASSES) {
      const t = row.get(mutation);
      if (!t) continue;
      totals.files += t.files;
      totals.passed += t.passed;
      for (const [c, n] of Object.entries(t.failedBy) as [Check, number][])
        totals.failedBy[c] = (totals.failedBy[c] ?? 0) + n;
      lines.push(
        [
          `${source} (${adapterOf(source)})`.padEnd(44),
          mutation.padEnd(22),
          String(t.files).padStart(6),
          String(t.passed).padStart(7),
          `  ${describeFailed(t)}`,
        ].join(''),
      );
    }
  }
  lines.push(
    [
      'total'.padEnd(66),
      String(totals.files).padStart(6),
      String(totals.passed).padStart(7),
      `  ${describeFailed(totals)}`,
    ].join(''),
  );
  const batchFailures = result.failures.filter((f) => !f.file).length;
  if (batchFailures > 0) lines.push(`${batchFailures} failures of whole batches (reports, compacted files)`);
  lines.push(`${result.escapedPayloads} script payloads reached the reports' HTML escaped`);
  return lines.join('\n');
}

function describeFailed(t: Tally): string {
  return CHECKS.flatMap((c) => (t.failedBy[c] ? [`${c} ${t.failedBy[c]}`] : [])).join(', ');
}

/** One line per failure: the file (number, source, class and variant), the check and why. */
export function formatFailures(failures: readonly Failure[]): string[] {
  return failures.map((f) =>
    f.file
      ? `#${f.file.number} ${f.file.source} ${f.file.mutation} (${f.file.variant}; from ${f.file.seedOrigin}) ${f.check}: ${f.reason}`
      : `batch ${f.batch} ${f.check}: ${f.reason}`,
  );
}
