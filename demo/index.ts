/**
 * `servicebench demo`: a year of a simulated company's raw exports in every supported vendor
 * format, landed in a local lake and normalised by the same code the Lambda runs. The data is
 * seeded and never depends on today's date, so a seed always gives the same exports.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { defaultJobs, type IngestOutcome, type IngestTask, ingestAll } from '../cli/ingest.ts';
import { LAKE_ZONES, type Lake, openLake, pseudonymKey } from '../cli/lake.ts';
import { PROGRESS_EVERY_MS } from '../cli/progress.ts';
import type { ServiceBenchConfig } from '../lambdas/core/config/config.ts';
import type { TableName } from '../lambdas/core/schema/canonical.ts';
import { demoWindow } from './calendar.ts';
import { inStep, MonthFeed } from './feed.ts';
import { connectFiles } from './formats/connect.ts';
import type { DemoFile, PlantedReject } from './formats/files.ts';
import { FRESHDESK_SOURCE, freshdeskFiles } from './formats/freshdesk.ts';
import { INTERCOM_SOURCE, intercomFiles } from './formats/intercom.ts';
import { activityFiles, pulseFiles, socialFiles } from './formats/people.ts';
import { qaScorecardFiles, ZENDESK_QA_SOURCE, zendeskQaFiles } from './formats/quality.ts';
import { delightedFiles, qualtricsFiles, surveyMonkeyFiles } from './formats/surveys.ts';
import { ZENDESK_SOURCE, zendeskFiles } from './formats/zendesk.ts';
import { type GeneratorThread, startGeneratorThread } from './generator-thread.ts';
import { DEMO_DEFAULTS } from './options.ts';
import { DEMO_SCHEDULES } from './schedules.ts';
import { DEMO_SOURCES } from './sources.ts';
import { type Agent, buildWorld, type ContactMonth, type World } from './world.ts';

export type { PlantedReject } from './formats/files.ts';
export { DEMO_SOURCES } from './sources.ts';

export interface DemoGenerationOptions {
  /** @default DEMO_DEFAULTS.seed */
  readonly seed?: number;
  /** @default DEMO_DEFAULTS.months */
  readonly months?: number;
  /** YYYY-MM of the last month. @default DEMO_DEFAULTS.endMonth */
  readonly endMonth?: string;
  /** @default DEMO_DEFAULTS.scale */
  readonly scale?: number;
}

export interface DemoExportFile {
  readonly source: string;
  /** Path below the source's folder (and landing key below the source prefix). */
  readonly key: string;
  readonly path: string;
  readonly bytes: number;
  readonly deliveredAt: Date;
  readonly planted: readonly PlantedReject[];
}

/** What the simulation was told to show, so a reader (or a test) knows where to look. */
export interface DemoPlot {
  readonly improvingTeam: string;
  readonly worseningTeam: string;
  /** YYYY-MM of the month short of staff. */
  readonly dipMonth: string;
}

/** Per source, its agent identifiers → the agent's username (the name the phone system uses). */
export type AgentDirectory = Readonly<Record<string, Readonly<Record<string, string>>>>;

export interface DemoExports {
  readonly files: readonly DemoExportFile[];
  readonly period: { readonly from: string; readonly to: string };
  readonly plot: DemoPlot;
  readonly agentDirectory: AgentDirectory;
}

/** Generation options with every default applied, checked. */
export type ResolvedGeneration = ReturnType<typeof resolveGeneration>;

/** What the simulation tells besides its files. */
export interface DemoStory {
  readonly period: DemoExports['period'];
  readonly plot: DemoPlot;
  readonly agentDirectory: AgentDirectory;
}

function resolveGeneration(options: DemoGenerationOptions) {
  const seed = options.seed ?? DEMO_DEFAULTS.seed;
  const scale = options.scale ?? DEMO_DEFAULTS.scale;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`seed must be a whole number from 0 to 4294967295 (got ${seed})`);
  }
  if (!Number.isFinite(scale) || scale <= 0 || scale > 10) {
    throw new Error(`scale must be above 0 and at most 10 (got ${scale})`);
  }
  const months = options.months ?? DEMO_DEFAULTS.months;
  const endMonth = options.endMonth ?? DEMO_DEFAULTS.endMonth;
  // Checked before anything is cleared, so a mistyped month never empties a lake.
  demoWindow(endMonth, months);
  return { seed, months, endMonth, scale };
}

/**
 * The simulated company and its story; its export files come one at a time from `files`, and
 * `onMonth` hears of each month as its contacts are simulated.
 */
export function simulate(
  options: DemoGenerationOptions,
  onMonth: (month: string) => void = () => {},
): DemoStory & { readonly files: Generator<DemoFile> } {
  const world = buildWorld(resolveGeneration(options));
  const months = world.window.months;
  return {
    files: exportFiles(world, onMonth),
    period: { from: months[0] ?? '', to: months[months.length - 1] ?? '' },
    plot: { improvingTeam: world.improvingTeam, worseningTeam: world.worseningTeam, dipMonth: world.dipMonth },
    agentDirectory: agentDirectoryOf(world.agents),
  };
}

/**
 * Every format's files, the formats advanced together month by month over one simulation of the
 * contacts (see `inStep`): at most a month or two of contacts and of each format's records is held.
 */
function exportFiles(world: World, onMonth: (month: string) => void): Generator<DemoFile> {
  const feed = new MonthFeed(announced(world.contactMonths(), onMonth));
  const formats: ((world: World, months: Iterable<ContactMonth>) => Iterator<DemoFile>)[] = [
    connectFiles,
    zendeskFiles,
    freshdeskFiles,
    intercomFiles,
    qualtricsFiles,
    surveyMonkeyFiles,
    delightedFiles,
    socialFiles,
    qaScorecardFiles,
    zendeskQaFiles,
    pulseFiles,
    activityFiles,
  ];
  return inStep(
    feed,
    formats.map((format) => (months: Iterable<ContactMonth>) => format(world, months)),
  );
}

function* announced(months: Iterator<ContactMonth>, onMonth: (month: string) => void): Generator<ContactMonth> {
  for (let next = months.next(); !next.done; next = months.next()) {
    onMonth(next.value.month);
    yield next.value;
  }
}

/** Every export file of the simulation, in memory. */
export function simulateDemo(options: DemoGenerationOptions = {}): {
  files: DemoFile[];
  period: DemoExports['period'];
  plot: DemoPlot;
  agentDirectory: AgentDirectory;
} {
  const { files, ...story } = simulate(options);
  return { files: [...files], ...story };
}

/**
 * The help desks export numeric agent ids and Zendesk QA the agent's e-mail; the directory names
 * them all by username, as Connect does, so each agent is one person across channels.
 */
function agentDirectoryOf(agents: readonly Agent[]): AgentDirectory {
  const by = (id: (agent: Agent) => string | number) =>
    Object.fromEntries(agents.map((a) => [String(id(a)), a.username]));
  return {
    [ZENDESK_SOURCE]: by((a) => a.zendeskId),
    [FRESHDESK_SOURCE]: by((a) => a.freshdeskId),
    [INTERCOM_SOURCE]: by((a) => a.intercomId),
    [ZENDESK_QA_SOURCE]: by((a) => a.email),
  };
}

/**
 * Writes each file under `root/<source>/<key>` as it is generated, its modification time set to
 * when the vendor delivered it (it becomes the landing time when `root` is a lake's landing zone),
 * and yields what was written: only one file's body is held at a time.
 */
export function* writeExports(root: string, files: Iterable<DemoFile>): Generator<DemoExportFile> {
  for (const file of files) {
    const path = join(root, file.source, ...file.key.split('/'));
    if (!path.startsWith(root + sep)) throw new Error(`export key "${file.key}" escapes ${root}`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.body);
    utimesSync(path, file.deliveredAt, file.deliveredAt);
    yield {
      source: file.source,
      key: file.key,
      path,
      bytes: file.body.byteLength,
      deliveredAt: file.deliveredAt,
      planted: file.planted,
    };
  }
}

/** Writes the exports under `dir/<source>/<key>` (see writeExports). */
export async function generateDemoExports(
  options: DemoGenerationOptions & { readonly dir: string },
): Promise<DemoExports> {
  const { files, ...story } = simulate(options);
  return { files: [...writeExports(resolve(options.dir), files)], ...story };
}

/**
 * The config with the demo sources (they replace any configured source of the same name), and the
 * demo's business hours when the config has no schedules of its own.
 */
export function demoConfig(config: ServiceBenchConfig): ServiceBenchConfig {
  const names = new Set(DEMO_SOURCES.map((s) => s.name));
  return {
    ...config,
    sources: [...config.sources.filter((s) => !names.has(s.name)), ...DEMO_SOURCES],
    schedules: config.schedules.length > 0 ? config.schedules : [...DEMO_SCHEDULES],
  };
}

/** The demo sources with the simulated company's agent directory (it depends on the seed). */
function withAgentDirectory(config: ServiceBenchConfig, directory: AgentDirectory): ServiceBenchConfig {
  return {
    ...config,
    sources: config.sources.map((s) => (directory[s.name] ? { ...s, agentIds: { ...directory[s.name] } } : s)),
  };
}

export interface DemoOptions extends DemoGenerationOptions {
  readonly lakeDir: string;
  readonly config: ServiceBenchConfig;
  /** Files normalised at once, each on its own worker thread; 1 runs on this thread. @default defaultJobs() */
  readonly jobs?: number;
  readonly onProgress?: (message: string) => void;
}

export interface DemoSourceSummary {
  readonly source: string;
  readonly adapter: string;
  readonly files: number;
  readonly filesRejected: number;
  readonly rowsRead: number;
  readonly rowsAccepted: number;
  readonly rowsRejected: number;
  /** Malformed records the generator planted; equal to rowsRejected when every adapter works. */
  readonly plantedRejects: number;
  readonly rowsByTable: Partial<Record<TableName, number>>;
}

/** The normaliser's verdict on one generated file. */
export interface DemoIngestedFile {
  readonly source: string;
  readonly key: string;
  readonly rowsRead: number;
  readonly rowsAccepted: number;
  readonly rowsRejected: number;
  readonly planted: number;
  readonly fileError: string | null;
}

export interface DemoSummary {
  readonly lakeDir: string;
  readonly seed: number;
  readonly months: number;
  readonly endMonth: string;
  readonly scale: number;
  readonly period: { readonly from: string; readonly to: string };
  readonly plot: DemoPlot;
  /** The config the demo ingested with: the given one plus the demo sources. */
  readonly config: ServiceBenchConfig;
  readonly files: number;
  readonly bytes: number;
  readonly rowsRead: number;
  readonly rowsAccepted: number;
  readonly rowsRejected: number;
  readonly plantedRejects: number;
  readonly sources: readonly DemoSourceSummary[];
  readonly ingested: readonly DemoIngestedFile[];
  /**
   * Files are normalised as they are generated: generateMs is the time the generator's thread
   * spent generating and writing them (elapsed, not waiting for the ingest to take a file), ingestMs
   * the time from the first file to the last compacted partition (it overlaps generateMs and
   * includes compactMs, the compaction of every touched partition at the end).
   */
  readonly timings: {
    readonly generateMs: number;
    readonly ingestMs: number;
    readonly compactMs: number;
    readonly totalMs: number;
  };
}

/** Zones the demo empties; exports/ (reports) and the pseudonymisation key are kept. */
const CLEARED_ZONES = ['landing', 'curated', 'quarantine'] as const;
const LAKE_ENTRIES = new Set<string>([...LAKE_ZONES, '.servicebench']);

/**
 * Empties the lake's data zones. A folder that exists and holds anything but lake zones is refused:
 * the demo never deletes what it did not make.
 */
function prepareLake(lakeDir: string) {
  const root = resolve(lakeDir);
  if (existsSync(root)) {
    if (!statSync(root).isDirectory()) throw new Error(`the demo lake ${root} exists and is not a folder`);
    const foreign = readdirSync(root).filter((entry) => !LAKE_ENTRIES.has(entry));
    if (foreign.length > 0) {
      throw new Error(
        `refusing to use ${root} as the demo lake: it holds ${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', ...' : ''}, which is not a lake (${[...LAKE_ENTRIES].join(', ')}); give a new or empty folder, or an existing lake`,
      );
    }
    for (const zone of CLEARED_ZONES) {
      const path = join(root, zone);
      if (!existsSync(path)) continue;
      if (lstatSync(path).isSymbolicLink() || !lstatSync(path).isDirectory()) {
        throw new Error(`refusing to clear ${path}: it is not a plain folder`);
      }
      rmSync(path, { recursive: true, force: true });
    }
  }
  return openLake(root);
}

/** Progress lines, with `remind` for a step's running count, said only after PROGRESS_EVERY_MS without a line. */
interface PacedProgress {
  say(message: string): void;
  remind(message: () => string): void;
}

function paced(say: (message: string) => void): PacedProgress {
  let last = performance.now();
  return {
    say(message) {
      last = performance.now();
      say(message);
    },
    remind(message) {
      if (performance.now() - last >= PROGRESS_EVERY_MS) this.say(message());
    },
  };
}

export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const t0 = performance.now();
  const settings = resolveGeneration(options);
  const progress = paced(options.onProgress ?? (() => {}));
  const lake = prepareLake(options.lakeDir);
  const key = pseudonymKey(lake);

  const generator = startGeneratorThread({ options: settings, root: lake.zoneDir('landing') }, (month) =>
    progress.say(`generating and ingesting the exports of ${month}`),
  );
  try {
    return await ingestGenerated(generator, { ...options, ...settings }, lake, key.key, t0, progress);
  } finally {
    await generator.close();
  }
}

/** Ingests the generator's files as it writes them, and sums up what each source gave. */
async function ingestGenerated(
  generator: GeneratorThread,
  options: DemoOptions & ResolvedGeneration,
  lake: Lake,
  key: Uint8Array,
  t0: number,
  paced: PacedProgress,
): Promise<DemoSummary> {
  const progress = paced.say;
  const simulation = await generator.story;
  const config = withAgentDirectory(demoConfig(options.config), simulation.agentDirectory);
  const t1 = performance.now();
  const written: DemoExportFile[] = [];
  const jobs = options.jobs ?? defaultJobs();
  /** The exports as ingest tasks, each file written (on the generator's thread) before the ingest takes it. */
  async function* tasks(): AsyncGenerator<IngestTask> {
    for await (const file of generator.files) {
      written.push(file);
      yield { source: file.source, key: `${file.source}/${file.key}` };
    }
  }

  const bySource = new Map<string, DemoSourceSummary>();
  for (const source of DEMO_SOURCES) {
    bySource.set(source.name, {
      source: source.name,
      adapter: source.adapter,
      files: 0,
      filesRejected: 0,
      rowsRead: 0,
      rowsAccepted: 0,
      rowsRejected: 0,
      plantedRejects: 0,
      rowsByTable: {},
    });
  }
  const ingested: DemoIngestedFile[] = [];
  const failed: string[] = [];
  let recordsRead = 0;
  const howFar = () =>
    `${(ingested.length + failed.length).toLocaleString('en')} files ingested, ${recordsRead.toLocaleString('en')} records read so far…`;
  generator.done.then(() => {
    if (generator.generateMs() > 0)
      progress(`every export generated in ${seconds(generator.generateMs())}; ${howFar()}`);
  });
  const record = ({ task, index, result, error }: IngestOutcome) => {
    paced.remind(howFar);
    const file = written[index] as DemoExportFile;
    if (error !== undefined) {
      failed.push(`${task.key}: ${error}`);
      return;
    }
    ingested.push({
      source: file.source,
      key: file.key,
      rowsRead: result.audit.rows_read,
      rowsAccepted: result.audit.rows_accepted,
      rowsRejected: result.audit.rows_rejected,
      planted: file.planted.length,
      fileError: result.fileError,
    });
    const before = bySource.get(file.source) as DemoSourceSummary;
    const rowsByTable = { ...before.rowsByTable };
    for (const [table, n] of Object.entries(result.rowsByTable) as [TableName, number][]) {
      rowsByTable[table] = (rowsByTable[table] ?? 0) + n;
    }
    bySource.set(file.source, {
      ...before,
      files: before.files + 1,
      filesRejected: before.filesRejected + (result.fileError === null ? 0 : 1),
      rowsRead: before.rowsRead + result.audit.rows_read,
      rowsAccepted: before.rowsAccepted + result.audit.rows_accepted,
      rowsRejected: before.rowsRejected + result.audit.rows_rejected,
      plantedRejects: before.plantedRejects + file.planted.length,
      rowsByTable,
    });
  };
  const { compacted, timings } = await ingestAll({
    lake,
    config,
    pseudonymKey: key,
    sentiment: 'lexicon',
    jobs,
    // The generator thread takes a core until it is done: one worker fewer meanwhile keeps the
    // threads to the cores, and the generator's heap and a worker's are never in memory at once
    // next to every other worker's.
    fewerJobsUntil: { jobs: jobs - 1, until: generator.done },
    tasks: tasks(),
    onOutcome: record,
    onProgress: (rowsRead) => {
      recordsRead = rowsRead;
      paced.remind(howFar);
    },
    onCompactProgress: (compacted, partitions) => {
      if (compacted === 0) progress(`compacting the ${partitions.toLocaleString('en')} partitions the files wrote…`);
      else
        paced.remind(
          () => `${compacted.toLocaleString('en')} of ${partitions.toLocaleString('en')} partitions compacted…`,
        );
    },
  });
  const t2 = performance.now();
  const generateMs = generator.generateMs();
  if (failed.length > 0) {
    const named = failed.slice(0, 3).join('; ');
    throw new Error(
      `${failed.length} demo files could not be ingested: ${named}${failed.length > 3 ? `; and ${failed.length - 3} more` : ''}`,
    );
  }
  const bytes = written.reduce((sum, f) => sum + f.bytes, 0);
  progress(
    `generated ${written.length} export files (${(bytes / 1_048_576).toFixed(1)} MB) for ${simulation.period.from}..${simulation.period.to} in ${Math.round(generateMs)} ms`,
  );
  const sources = [...bySource.values()].filter((s) => s.files > 0);
  for (const s of sources) {
    progress(
      `${s.source} (${s.adapter}): ${s.files} files, ${s.rowsRead} records read, ${s.rowsAccepted} accepted, ${s.rowsRejected} rejected (${s.plantedRejects} planted)`,
    );
  }
  progress(`compacted ${compacted.length} partitions into one file each in ${Math.round(timings.compactMs)} ms`);
  progress(`ingested in ${Math.round(t2 - t1)} ms; demo ready in ${Math.round(t2 - t0)} ms`);

  const sum = (pick: (s: DemoSourceSummary) => number) => sources.reduce((total, s) => total + pick(s), 0);
  return {
    lakeDir: lake.dir,
    seed: options.seed,
    months: options.months,
    endMonth: options.endMonth,
    scale: options.scale,
    period: simulation.period,
    plot: simulation.plot,
    config,
    files: written.length,
    bytes,
    rowsRead: sum((s) => s.rowsRead),
    rowsAccepted: sum((s) => s.rowsAccepted),
    rowsRejected: sum((s) => s.rowsRejected),
    plantedRejects: sum((s) => s.plantedRejects),
    sources,
    ingested,
    timings: {
      generateMs: Math.round(generateMs),
      ingestMs: Math.round(t2 - t1),
      compactMs: Math.round(timings.compactMs),
      totalMs: Math.round(t2 - t0),
    },
  };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
