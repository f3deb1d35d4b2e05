/**
 * Local ingestion: copy an export into the lake's landing zone (as a landing bucket would receive
 * it), run the same normaliser the Lambda runs, then compact the partitions it touched as the
 * compactor Lambda does.
 *
 * Like Lambda, which normalises one object per invocation, every file is normalised on its own, so
 * files run in parallel on worker threads (cli/ingest-pool.ts); compaction follows once every file
 * is done, its partitions in parallel too. Results are reported in the order the files were given.
 */
import { createHash } from 'node:crypto';
import { createReadStream, realpathSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { getAdapter } from '../lambdas/adapters/registry.ts';
import {
  type CompactionOutcome,
  type CompactionResult,
  compactPartitions,
  settleCompactions,
} from '../lambdas/core/compact/compact.ts';
import type { ServiceBenchConfig } from '../lambdas/core/config/config.ts';
import type { SentimentAnalyser } from '../lambdas/core/normalise/adapter.ts';
import { type NormaliseResult, normaliseObject } from '../lambdas/core/normalise/pipeline.ts';
import { type Partition, sortedPartitions } from '../lambdas/core/schema/layout.ts';
import { LexiconSentimentAnalyser } from '../lambdas/core/sentiment/index.ts';
import { type RejectReason, topRejectReasons } from './ingest-checks.ts';
import type { Lake } from './lake.ts';

/** Hex characters of the folder hash in a local file's landing key (48 bits). */
const FOLDER_ID_HEX_CHARS = 12;

/**
 * Partitions compacted at once by one thread. A partition's compaction mostly waits for its files
 * to be listed, read and written, so a few at once keep the thread busy: on a scale-1 demo lake
 * (1,891 partitions, one thread) four at once took 9.8-12.0 s where one at a time took 12.7-15.1 s.
 */
export const COMPACTION_CONCURRENCY = 4;

/**
 * Partitions per compaction request to a worker: enough for its COMPACTION_CONCURRENCY, few enough
 * that the last batches still spread over every worker.
 */
const COMPACTION_BATCH = 16;

/** Sentiment analysers a worker can build itself (an analyser object cannot cross threads). */
export type SentimentChoice = 'lexicon';

/** One landing object to normalise; `file` is first copied to its key when given. */
export interface IngestTask {
  readonly source: string;
  /** Landing key, below which the source's name comes first. */
  readonly key: string;
  readonly file?: string;
}

/** What normalising one task produced. */
export interface IngestedObject extends NormaliseResult {
  /** The file was copied to landing (false when the landing object already had its bytes). */
  readonly landed: boolean;
  /** The most frequent kinds of rejected record, read back from the reject file. */
  readonly rejectReasons: readonly RejectReason[];
}

/** A task's outcome: its result, or why it failed (an unreadable file, a full disk, a crashed worker). */
export type IngestOutcome =
  | { readonly task: IngestTask; readonly index: number; readonly result: IngestedObject; readonly error?: never }
  | { readonly task: IngestTask; readonly index: number; readonly result?: never; readonly error: string };

/** Everything a thread needs to normalise and compact in a lake; it crosses to workers as is. */
export interface IngestSetup {
  readonly lakeDir: string;
  readonly config: ServiceBenchConfig;
  readonly pseudonymKey: Uint8Array;
  readonly sentiment?: SentimentChoice;
}

/** The machine's cores: workers beyond them only take turns. */
export function defaultJobs(): number {
  return availableParallelism();
}

/**
 * Where a local file lands: under its source, in a folder named by a hash of the real path of the
 * file's folder, then its name. The same file always lands on the same key, so ingesting it again
 * replaces what it produced; two exports of one name from two folders stay two objects.
 */
export function landingKeyOf(sourceName: string, file: string): string {
  const path = realpathSync.native(file);
  const folder = createHash('sha256').update(dirname(path)).digest('hex').slice(0, FOLDER_ID_HEX_CHARS);
  return `${sourceName}/${folder}/${basename(path)}`;
}

async function sha256(input: NodeJS.ReadableStream): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(input, hash);
  return hash.digest('hex');
}

/**
 * Lands the task's file when it has one (skipped when the landing object already has the same
 * bytes, so its landing time and therefore the curated output stay identical) and normalises the
 * landing object. Every thread runs this, the main one when ingesting without workers.
 */
export async function normaliseTask(
  lake: Lake,
  setup: IngestSetup,
  task: IngestTask,
  sentiment: SentimentAnalyser | undefined,
  onProgress?: (rowsRead: number) => void,
): Promise<IngestedObject> {
  const source = setup.config.sources.find((s) => s.name === task.source);
  if (!source) throw new Error(`unknown source "${task.source}"`);
  const landing = lake.stores.landing;
  let landed = false;
  if (task.file !== undefined) {
    const existing = await landing.head(task.key);
    if (!existing || (await sha256(await landing.read(task.key))) !== (await sha256(createReadStream(task.file)))) {
      await landing.write(task.key, createReadStream(task.file));
      landed = true;
    }
  }
  const result = await normaliseObject({
    stores: lake.stores,
    key: task.key,
    source,
    adapter: getAdapter(source.adapter),
    pseudonymKey: setup.pseudonymKey,
    partitionsFrom: setup.config.lake.partitionsFrom,
    ...(sentiment ? { sentiment } : {}),
    ...(onProgress ? { onProgress } : {}),
  });
  const rejectReasons = result.rejectKey ? await topRejectReasons(lake.stores.quarantine, result.rejectKey) : [];
  return { ...result, landed, rejectReasons };
}

export function sentimentAnalyser(choice: SentimentChoice | undefined): SentimentAnalyser | undefined {
  return choice === 'lexicon' ? new LexiconSentimentAnalyser() : undefined;
}

/** Normalises objects and compacts partitions: on this thread, or on a pool of workers. */
export interface IngestExecutor {
  normalise(task: IngestTask, onProgress: (rowsRead: number) => void): Promise<IngestedObject>;
  /** Compacts a batch of partitions, COMPACTION_CONCURRENCY at a time, each outcome in batch order. */
  compact(partitions: readonly Partition[]): Promise<CompactionOutcome[]>;
  close(): Promise<void>;
}

function inThisThread(lake: Lake, setup: IngestSetup): IngestExecutor {
  const sentiment = sentimentAnalyser(setup.sentiment);
  return {
    normalise: (task, onProgress) => normaliseTask(lake, setup, task, sentiment, onProgress),
    compact: (partitions) => settleCompactions(lake.stores.curated, partitions, COMPACTION_CONCURRENCY),
    close: async () => {},
  };
}

export interface IngestAllOptions {
  readonly lake: Lake;
  readonly config: ServiceBenchConfig;
  readonly pseudonymKey: Uint8Array;
  readonly sentiment?: SentimentChoice;
  /** Files normalised at once, each on its own worker thread; 1 runs on this thread. @default defaultJobs() */
  readonly jobs?: number;
  /**
   * Fewer workers until `until` settles, then `jobs`: for a producer of the tasks that takes a core
   * of its own for a while (the demo's generator thread). Only applies when `jobs` is above 1.
   */
  readonly fewerJobsUntil?: { readonly jobs: number; readonly until: Promise<unknown> };
  /** Read one at a time, as slots free up: a generator may write each file just before it is yielded. */
  readonly tasks: Iterable<IngestTask> | AsyncIterable<IngestTask>;
  /** Called once per task, in task order, as soon as it and every task before it are done. */
  readonly onOutcome?: (outcome: IngestOutcome) => void;
  /** Records read so far by every file together, every few thousand records. */
  readonly onProgress?: (rowsRead: number) => void;
  /** Partitions compacted so far of those to compact: once before the first, then after each batch. */
  readonly onCompactProgress?: (compacted: number, partitions: number) => void;
}

export interface IngestAllResult {
  readonly outcomes: IngestOutcome[];
  readonly compacted: CompactionResult[];
  readonly timings: { readonly normaliseMs: number; readonly compactMs: number };
}

/**
 * Normalises every task, `jobs` at a time, then compacts every partition the successful ones
 * touched. A task that fails is reported with its reason and the others go on; a partition that
 * cannot be compacted fails the call after the others are compacted (running again completes it).
 */
export async function ingestAll(options: IngestAllOptions): Promise<IngestAllResult> {
  const jobs = options.jobs ?? defaultJobs();
  const setup: IngestSetup = {
    lakeDir: options.lake.dir,
    config: options.config,
    pseudonymKey: options.pseudonymKey,
    ...(options.sentiment ? { sentiment: options.sentiment } : {}),
  };
  const executor = jobs > 1 ? await workerPool(setup, jobs, options.fewerJobsUntil) : inThisThread(options.lake, setup);
  try {
    const t0 = performance.now();
    const outcomes = await normaliseAll(executor, options, jobs);
    const t1 = performance.now();
    const partitions = sortedPartitions(outcomes.flatMap((o) => o.result?.partitions ?? []));
    const batches: Partition[][] = [];
    for (let start = 0; start < partitions.length; start += COMPACTION_BATCH) {
      batches.push(partitions.slice(start, start + COMPACTION_BATCH));
    }
    let compactedSoFar = 0;
    options.onCompactProgress?.(0, partitions.length);
    const settled = await settleInTurn(batches, jobs, async (batch) => {
      try {
        return await executor.compact(batch);
      } finally {
        compactedSoFar += batch.length;
        options.onCompactProgress?.(compactedSoFar, partitions.length);
      }
    });
    // A batch whose worker stopped fails each of its partitions with the reason.
    const compactions = settled.flatMap((s, i): CompactionOutcome[] =>
      s.status === 'fulfilled'
        ? s.value
        : (batches[i] ?? []).map((partition) => ({ partition, error: message(s.reason) })),
    );
    const failed = compactions.flatMap((c) => (c.error === undefined ? [] : [`${describe(c.partition)}: ${c.error}`]));
    if (failed.length > 0) {
      throw new Error(
        `could not compact ${failed.length} partition(s); run the ingest again to compact them: ${failed.slice(0, 3).join('; ')}${failed.length > 3 ? `; and ${failed.length - 3} more` : ''}`,
      );
    }
    const compacted = compactions.flatMap((c) => (c.result === undefined ? [] : [c.result]));
    return { outcomes, compacted, timings: { normaliseMs: t1 - t0, compactMs: performance.now() - t1 } };
  } finally {
    await executor.close();
  }
}

async function workerPool(
  setup: IngestSetup,
  jobs: number,
  fewer: IngestAllOptions['fewerJobsUntil'],
): Promise<IngestExecutor> {
  const { IngestPool } = await import('./ingest-pool.ts');
  if (fewer === undefined) return new IngestPool(setup, jobs);
  const pool = new IngestPool(setup, Math.max(1, Math.min(fewer.jobs, jobs)));
  const grow = () => pool.grow(jobs);
  fewer.until.then(grow, grow);
  return pool;
}

async function normaliseAll(
  executor: IngestExecutor,
  options: IngestAllOptions,
  jobs: number,
): Promise<IngestOutcome[]> {
  const outcomes: IngestOutcome[] = [];
  const done = new Map<number, IngestOutcome>();
  const running = new Set<Promise<void>>();
  const rowsReadBy = new Map<number, number>();
  let rowsRead = 0;
  let index = 0;
  const deliver = () => {
    for (let next = done.get(outcomes.length); next; next = done.get(outcomes.length)) {
      done.delete(next.index);
      outcomes.push(next);
      options.onOutcome?.(next);
    }
  };
  const start = (task: IngestTask, i: number) => {
    const onProgress = (rows: number) => {
      rowsRead += rows - (rowsReadBy.get(i) ?? 0);
      rowsReadBy.set(i, rows);
      options.onProgress?.(rowsRead);
    };
    const run = executor.normalise(task, onProgress).then(
      (result): IngestOutcome => ({ task, index: i, result }),
      (error: unknown): IngestOutcome => ({ task, index: i, error: message(error) }),
    );
    const settled = run.then((outcome) => {
      running.delete(settled);
      rowsRead += (outcome.result?.audit.rows_read ?? rowsReadBy.get(i) ?? 0) - (rowsReadBy.get(i) ?? 0);
      rowsReadBy.delete(i);
      options.onProgress?.(rowsRead);
      done.set(i, outcome);
      deliver();
    });
    running.add(settled);
  };
  // A worker's next file waits in its queue while it normalises one, so it never idles for this
  // thread; more in flight would only hold more results back from the in-order report.
  const window = jobs > 1 ? 2 * jobs : 1;
  for await (const task of options.tasks) {
    while (running.size >= window) await Promise.race(running);
    start(task, index++);
  }
  await Promise.all(running);
  return outcomes;
}

/** Each item through `run`, at most `limit` at a time, every outcome kept in item order. */
async function settleInTurn<T, R>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const settled: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) {
      try {
        settled[i] = { status: 'fulfilled', value: await run(items[i] as T) };
      } catch (reason) {
        settled[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, lane));
  return settled;
}

function describe(partition: Partition): string {
  return `${partition.table}/dt=${partition.dt}`;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface IngestFileOptions {
  readonly lake: Lake;
  readonly config: ServiceBenchConfig;
  readonly sourceName: string;
  readonly file: string;
  readonly pseudonymKey: Uint8Array;
  readonly sentiment?: SentimentAnalyser;
  readonly onProgress?: (rowsRead: number) => void;
}

export interface IngestFileResult extends IngestedObject {
  readonly compacted: CompactionResult[];
}

/**
 * One file on this thread: lands it at landingKeyOf, normalises it and compacts what it touched.
 * A run that stops before compacting leaves those partitions as they were: running it again
 * compacts them.
 */
export async function ingestFile(options: IngestFileOptions): Promise<IngestFileResult> {
  const source = options.config.sources.find((s) => s.name === options.sourceName);
  if (!source) {
    const known = options.config.sources.map((s) => s.name).join(', ') || 'none';
    throw new Error(`unknown source "${options.sourceName}"; configured sources: ${known}`);
  }
  const setup: IngestSetup = { lakeDir: options.lake.dir, config: options.config, pseudonymKey: options.pseudonymKey };
  const task: IngestTask = { source: source.name, key: landingKeyOf(source.name, options.file), file: options.file };
  const result = await normaliseTask(options.lake, setup, task, options.sentiment, options.onProgress);
  const compacted = await compactPartitions(options.lake.stores.curated, result.partitions);
  return { ...result, compacted };
}
