/**
 * The demo's exports generated on a thread of their own, with a bounded heap. The simulation makes
 * much short-lived garbage (records, JSON text, gzip buffers) around a live set of under 180 MB;
 * on the main thread V8 let that heap grow past a gigabyte before collecting, and the ingest and
 * the report that share the process paid for it in memory. A capped heap collects in time.
 */
import { Worker } from 'node:worker_threads';
import type { DemoExportFile, DemoStory, ResolvedGeneration } from './index.ts';

/** The worker's entry: it registers tsx before importing the TypeScript of generate-worker.ts. */
const WORKER_ENTRY = new URL('./generate-worker.mjs', import.meta.url);

/**
 * Old-generation cap of the generator's heap, in MiB. The cap also sets how far V8 lets the heap
 * grow past what a full collection kept before it starts the next (V8's MaxGrowingFactor rises
 * with the cap from 1.3 at 256 MiB; at 384 MiB, --trace-incremental-marking showed marking start
 * 25-60 MB above the 100-150 MB kept). A scale-10 year keeps at most 158-176 MB alive
 * (the largest heap after a full collection with --trace-gc, at 384 and 768 MiB; 231 MB while
 * Connect, Zendesk and Intercom held their pending records as text or objects, 290 MB before
 * finished months were let go). With that live set, 384 MiB ran 28 full collections and 768 MiB
 * ran 20, for 25.0 s of the thread's CPU against 26.5 s and about the same peak RSS (488 against
 * 481 MiB; medians of three runs of generation alone). A larger young generation (64 MiB) saved
 * under 1 s of the thread's 33 s of CPU for 40-60 MB more RSS, so V8's default is kept.
 */
export const GENERATOR_HEAP_MB = 768;

export interface GeneratorSetup {
  readonly options: ResolvedGeneration;
  /** The landing zone's folder, under which each file is written as `<source>/<key>`. */
  readonly root: string;
}

export interface GeneratorThreadOptions extends GeneratorSetup {
  /** Old-generation cap of the thread's heap, in MiB. @default GENERATOR_HEAP_MB */
  readonly heapMb?: number;
}

export type GeneratorReply =
  | { readonly kind: 'month'; readonly month: string }
  | { readonly kind: 'story'; readonly story: DemoStory }
  | { readonly kind: 'file'; readonly file: DemoExportFile }
  | { readonly kind: 'done'; readonly generateMs: number };

export interface GeneratorThread {
  /** The simulated company's story, known before its first file. */
  readonly story: Promise<DemoStory>;
  /**
   * The written files in generation order. The thread writes them as fast as it can, however far
   * ahead of the reader: it holds no file once written, and the sooner it is done the sooner its
   * core and its heap are free for the ingest.
   */
  readonly files: AsyncGenerator<DemoExportFile>;
  /** Settles once the thread has written its last file, or failed. */
  readonly done: Promise<void>;
  /** Time the thread spent generating and writing, once `files` is done. */
  generateMs(): number;
  /** Stops the thread (done already when `files` was read to the end). */
  close(): Promise<void>;
}

export function startGeneratorThread(
  options: GeneratorThreadOptions,
  onMonth: (month: string) => void,
): GeneratorThread {
  const workerData: GeneratorSetup = { options: options.options, root: options.root };
  const worker = new Worker(WORKER_ENTRY, {
    workerData,
    resourceLimits: { maxOldGenerationSizeMb: options.heapMb ?? GENERATOR_HEAP_MB },
  });
  const queue: DemoExportFile[] = [];
  let generateMs: number | undefined;
  let failure: Error | undefined;
  let arrived: (() => void) | undefined;
  let settleStory: { resolve: (story: DemoStory) => void; reject: (error: Error) => void } | undefined;
  const story = new Promise<DemoStory>((resolve, reject) => {
    settleStory = { resolve, reject };
  });
  let settleDone: (() => void) | undefined;
  const done = new Promise<void>((resolve) => {
    settleDone = resolve;
  });
  const wake = () => {
    arrived?.();
    arrived = undefined;
  };
  const fail = (error: Error) => {
    failure ??= error;
    settleStory?.reject(failure);
    settleDone?.();
    wake();
  };
  worker.on('message', (reply: GeneratorReply) => {
    if (reply.kind === 'month') onMonth(reply.month);
    else if (reply.kind === 'story') settleStory?.resolve(reply.story);
    else if (reply.kind === 'file') queue.push(reply.file);
    else {
      generateMs = reply.generateMs;
      settleDone?.();
    }
    wake();
  });
  worker.on('error', (error) => fail(new Error(`the demo generator failed: ${error.message}`)));
  worker.on('exit', (code) => {
    if (generateMs === undefined) fail(new Error(`the demo generator thread stopped (exit code ${code})`));
  });

  async function* files(): AsyncGenerator<DemoExportFile> {
    try {
      for (;;) {
        const file = queue.shift();
        if (file !== undefined) {
          yield file;
        } else if (failure !== undefined) {
          throw failure;
        } else if (generateMs !== undefined) {
          return;
        } else {
          await new Promise<void>((resolve) => {
            arrived = resolve;
          });
        }
      }
    } finally {
      await worker.terminate();
    }
  }

  return {
    story,
    files: files(),
    done,
    generateMs: () => generateMs ?? 0,
    close: async () => {
      await worker.terminate();
    },
  };
}
