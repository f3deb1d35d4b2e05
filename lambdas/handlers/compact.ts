/**
 * Compactor Lambda: FIFO SQS batch of touched partitions → compactPartition for each, the same
 * core `servicebench ingest` runs after normalising. A partition named by several messages of one
 * batch is compacted once: every such message was sent after its staging file was written, so
 * before this batch lists the staging files. On a failure, that message and every later one are
 * reported failed, as FIFO queues require to keep a group's order; they are delivered again, and a
 * message that keeps failing ends in the dead-letter queue, where an alarm picks it up.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { compactPartition } from '../core/compact/compact.ts';
import { parseCompactionMessage } from '../core/compact/messages.ts';
import { compactorEnvSchema } from '../core/env/compactor.ts';
import { parseEnvironment } from '../core/env/environment.ts';
import type { ObjectStore } from '../core/store/object-store.ts';
import { S3ObjectStore } from '../core/store/s3.ts';
import { describeError, log } from './log.ts';

export interface CompactorDeps {
  readonly curated: ObjectStore;
}

export async function handleCompactBatch(event: SQSEvent, deps: CompactorDeps): Promise<SQSBatchResponse> {
  const compacted = new Set<string>();
  for (const [index, record] of event.Records.entries()) {
    try {
      const partition = parseCompactionMessage(record.body);
      const id = `${partition.table}/${partition.dt}`;
      if (compacted.has(id)) continue;
      const result = await compactPartition(deps.curated, partition);
      compacted.add(id);
      log.info('partition compacted', {
        table: result.table,
        dt: result.dt,
        action: result.action,
        objects: result.objects.length,
        rows: result.rows,
        bytes: result.bytes,
      });
    } catch (error) {
      const failed = event.Records.slice(index);
      log.error('message failed; it and the later messages of the batch will be retried, then dead-lettered', {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        retried: failed.length,
        ...describeError(error),
      });
      return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };
    }
  }
  return { batchItemFailures: [] };
}

/** Reads the environment once per execution environment. */
export function coldStart(
  env: Readonly<Record<string, string | undefined>>,
  s3: S3Client = new S3Client({}),
): CompactorDeps {
  const settings = parseEnvironment('compactor', compactorEnvSchema, env);
  return { curated: new S3ObjectStore({ client: s3, bucket: settings.CURATED_BUCKET }) };
}

let ready: CompactorDeps | undefined;

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  ready ??= coldStart(process.env);
  return handleCompactBatch(event, ready);
}
