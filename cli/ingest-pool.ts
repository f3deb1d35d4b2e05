/**
 * Worker threads that normalise landing objects and compact batches of partitions, one request at
 * a time each. A request that fails, or whose worker dies, fails alone: the pool starts a new worker for
 * the requests still waiting.
 */
import { Worker } from 'node:worker_threads';
import type { CompactionOutcome } from '../lambdas/core/compact/compact.ts';
import type { Partition } from '../lambdas/core/schema/layout.ts';
import type { IngestExecutor, IngestedObject, IngestSetup, IngestTask } from './ingest.ts';

/** The worker's entry: it registers tsx before importing the TypeScript of ingest-worker.ts. */
const WORKER_ENTRY = new URL('./ingest-worker.mjs', import.meta.url);

/**
 * Young generation of a worker's heap (V8 splits it into three: two semi-spaces of 64 MiB and the
 * new large-object space). Normalising allocates a short-lived object or string for nearly every
 * field of every record; with the default 16 MiB semi-spaces, collecting them took 15% of a
 * worker's CPU. Single-thread ingest of a scale-3 demo's exports (333,642 records): 40.1-44.1 s of
 * CPU instead of 45.4-47.0 s (load 5-23), peak RSS about 70 MB higher per worker.
 */
const WORKER_YOUNG_GENERATION_MB = 192;

export type WorkerRequest =
  | { readonly id: number; readonly kind: 'normalise'; readonly task: IngestTask }
  | { readonly id: number; readonly kind: 'compact'; readonly partitions: readonly Partition[] };

export type WorkerReply =
  | { readonly id: number; readonly kind: 'progress'; readonly rowsRead: number }
  | { readonly id: number; readonly kind: 'done'; readonly value: unknown }
  | { readonly id: number; readonly kind: 'failed'; readonly error: string };

interface Pending {
  readonly request: WorkerRequest;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly onProgress?: (rowsRead: number) => void;
}

interface Slot {
  readonly worker: Worker;
  current: Pending | undefined;
}

export class IngestPool implements IngestExecutor {
  private readonly slots = new Set<Slot>();
  private readonly waiting: Pending[] = [];
  private nextId = 0;
  private closed = false;

  constructor(
    private readonly setup: IngestSetup,
    private size: number,
  ) {}

  /** Lets the pool start workers up to `size` (it never stops a worker to shrink). */
  grow(size: number): void {
    this.size = Math.max(this.size, size);
    this.dispatch();
  }

  normalise(task: IngestTask, onProgress: (rowsRead: number) => void): Promise<IngestedObject> {
    return this.submit({ id: this.nextId++, kind: 'normalise', task }, onProgress) as Promise<IngestedObject>;
  }

  compact(partitions: readonly Partition[]): Promise<CompactionOutcome[]> {
    return this.submit({ id: this.nextId++, kind: 'compact', partitions }) as Promise<CompactionOutcome[]>;
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = [...this.slots];
    this.slots.clear();
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private submit(request: WorkerRequest, onProgress?: (rowsRead: number) => void): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the ingest pool is closed'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ request, resolve, reject, ...(onProgress ? { onProgress } : {}) });
      this.dispatch();
    });
  }

  /** Hands waiting requests to idle workers, starting workers up to the pool's size. */
  private dispatch(): void {
    while (this.waiting.length > 0) {
      const slot = [...this.slots].find((s) => s.current === undefined) ?? this.startWorker();
      if (!slot) return;
      const pending = this.waiting.shift() as Pending;
      slot.current = pending;
      slot.worker.postMessage(pending.request);
    }
  }

  private startWorker(): Slot | undefined {
    if (this.slots.size >= this.size) return undefined;
    const worker = new Worker(WORKER_ENTRY, {
      workerData: this.setup,
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
    const slot: Slot = { worker, current: undefined };
    this.slots.add(slot);
    worker.on('message', (reply: WorkerReply) => {
      const pending = slot.current;
      if (!pending || pending.request.id !== reply.id) return;
      if (reply.kind === 'progress') {
        pending.onProgress?.(reply.rowsRead);
        return;
      }
      slot.current = undefined;
      if (reply.kind === 'done') pending.resolve(reply.value);
      else pending.reject(new Error(reply.error));
      this.dispatch();
    });
    const lost = (reason: string) => {
      if (!this.slots.delete(slot)) return;
      slot.current?.reject(new Error(`its worker thread stopped: ${reason}`));
      slot.current = undefined;
      if (!this.closed) this.dispatch();
    };
    worker.on('error', (error) => lost(error.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    return slot;
  }
}
