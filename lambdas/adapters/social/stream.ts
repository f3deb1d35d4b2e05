/**
 * The social adapter's record loop, independent of the file format: map each post, run the
 * bounded brand-reply join, score customer posts' sentiment a batch at a time, and yield the
 * records in input order.
 */
import type { AdapterContext, SourceRecord } from '../../core/normalise/adapter.ts';
import type { SocialMention } from '../../core/schema/canonical.ts';
import type { ReadItem } from '../shared/records.ts';
import { RecordRejection } from '../shared/values.ts';
import { type MappedMention, mapMention, SOCIAL_DEFAULTS, type SocialOptions } from './map.ts';
import { ReplyWindow, type WindowItem } from './reply-window.ts';

/** Records whose texts go to the analyser in one call (Comprehend splits them into batches of 25). */
export const SENTIMENT_BATCH_RECORDS = 200;

type Pending = WindowItem<{ readonly record: SourceRecord; readonly mention: MappedMention | null }>;

export async function* mapMentions(
  items: AsyncIterable<ReadItem>,
  options: SocialOptions,
  context: AdapterContext,
): AsyncIterable<SourceRecord> {
  const window = new ReplyWindow<Pending['payload']>(
    options.replyWindowRecords ?? SOCIAL_DEFAULTS.replyWindowRecords,
    options.pendingReplyLimit ?? SOCIAL_DEFAULTS.pendingReplyLimit,
  );
  let ready: Pending[] = [];
  for await (const item of items) {
    ready.push(...window.push(toPending(item, options, context)));
    if (ready.length >= SENTIMENT_BATCH_RECORDS) {
      yield* await finish(ready, context);
      ready = [];
    }
  }
  ready.push(...window.drain());
  for (let i = 0; i < ready.length; i += SENTIMENT_BATCH_RECORDS) {
    yield* await finish(ready.slice(i, i + SENTIMENT_BATCH_RECORDS), context);
  }
}

function toPending(item: ReadItem, options: SocialOptions, context: AdapterContext): Pending {
  if (item.kind === 'error') {
    const record: SourceRecord = {
      kind: 'rejected',
      rowNumber: item.rowNumber,
      raw: item.raw,
      field: null,
      reason: item.error,
    };
    return { payload: { record, mention: null }, repliedAt: null };
  }
  try {
    const mention = mapMention(item.value, options, context);
    const record: SourceRecord = { kind: 'mapped', rowNumber: item.rowNumber, raw: item.value, rows: [] };
    const { row, isBrand } = mention;
    return {
      payload: { record, mention },
      post: { id: row.mention_id, postedAt: row.posted_at, isBrand, inReplyTo: row.in_reply_to },
      repliedAt: null,
    };
  } catch (error) {
    if (!(error instanceof RecordRejection)) throw error;
    const record: SourceRecord = {
      kind: 'rejected',
      rowNumber: item.rowNumber,
      raw: item.value,
      field: error.field,
      reason: error.message,
    };
    return { payload: { record, mention: null }, repliedAt: null };
  }
}

/**
 * Fills brand_replied_at and sentiment. Only customer posts are scored: brand replies are the
 * brand's own voice and would inflate net sentiment with "Thanks for reaching out!".
 */
async function finish(batch: readonly Pending[], context: AdapterContext): Promise<SourceRecord[]> {
  const scored = batch.filter(
    (p) => p.payload.mention && !p.payload.mention.isBrand && p.payload.mention.row.text !== null,
  );
  const results = context.sentiment
    ? await context.sentiment.analyse(scored.map((p) => p.payload.mention?.row.text ?? ''))
    : [];
  const sentiment = new Map(scored.map((p, i) => [p, results[i]]));
  return batch.map((p) => {
    const { record, mention } = p.payload;
    if (record.kind === 'rejected' || !mention) return record;
    const result = sentiment.get(p);
    const row: SocialMention = {
      ...mention.row,
      brand_replied_at: mention.isBrand ? null : p.repliedAt,
      sentiment_label: result?.label ?? null,
      sentiment_score: result?.score ?? null,
    };
    return { ...record, rows: [{ table: 'social_mentions', row }] };
  });
}
