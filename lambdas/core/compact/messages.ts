/**
 * The compaction queue's messages: one per partition a normalised object touched. The queue is
 * FIFO with one message group per partition, so two compactors never rewrite one partition at once
 * (the later listing of its staging files could otherwise be overwritten by an earlier one).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { TABLE_NAMES } from '../schema/canonical.ts';
import type { Partition } from '../schema/layout.ts';

/** SQS's limit on entries per SendMessageBatch. */
export const SQS_BATCH_ENTRIES = 10;

export const compactionMessageSchema = z.object({
  table: z.enum(TABLE_NAMES),
  dt: z.iso.date('must be a YYYY-MM-DD date'),
});

export interface CompactionMessage {
  /** The message body: the partition as JSON. */
  readonly body: string;
  /** One group per partition: SQS delivers a group's messages one batch at a time. */
  readonly groupId: string;
  /**
   * Unique per message. A repeated id within SQS's five-minute window is dropped, and a partition
   * touched again while its previous message is being processed must be compacted again.
   */
  readonly deduplicationId: string;
}

export function compactionMessages(partitions: readonly Partition[]): CompactionMessage[] {
  return partitions.map((p) => ({
    body: JSON.stringify({ table: p.table, dt: p.dt }),
    groupId: `${p.table}/${p.dt}`,
    deduplicationId: randomUUID(),
  }));
}

/** The partition of a message body; throws naming the problem when it is not one. */
export function parseCompactionMessage(body: string): Partition {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error(`compaction message is not JSON: ${body.slice(0, 200)}`);
  }
  const parsed = compactionMessageSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    throw new Error(`compaction message is not a partition (${problems}): ${body.slice(0, 200)}`);
  }
  return parsed.data;
}
