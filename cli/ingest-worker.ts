/**
 * An ingest worker thread: normalises one landing object, or compacts a batch of partitions, per
 * request from cli/ingest-pool.ts, with the same code the main thread runs when ingesting without
 * workers.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { settleCompactions } from '../lambdas/core/compact/compact.ts';
import { COMPACTION_CONCURRENCY, type IngestSetup, normaliseTask, sentimentAnalyser } from './ingest.ts';
import type { WorkerReply, WorkerRequest } from './ingest-pool.ts';
import { openLake } from './lake.ts';

const port = parentPort;
if (!port) throw new Error('ingest-worker.ts runs as a worker thread of cli/ingest-pool.ts');
const setup = workerData as IngestSetup;
const lake = openLake(setup.lakeDir);
const sentiment = sentimentAnalyser(setup.sentiment);

async function handle(request: WorkerRequest): Promise<unknown> {
  if (request.kind === 'compact') {
    return settleCompactions(lake.stores.curated, request.partitions, COMPACTION_CONCURRENCY);
  }
  return normaliseTask(lake, setup, request.task, sentiment, (rowsRead) =>
    reply({ id: request.id, kind: 'progress', rowsRead }),
  );
}

function reply(message: WorkerReply): void {
  port?.postMessage(message);
}

port.on('message', (request: WorkerRequest) => {
  handle(request).then(
    (value) => reply({ id: request.id, kind: 'done', value }),
    (error: unknown) =>
      reply({ id: request.id, kind: 'failed', error: error instanceof Error ? error.message : String(error) }),
  );
});
