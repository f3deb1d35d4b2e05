/**
 * Social mentions from a listening tool or network export, as JSON Lines or CSV. Field names are
 * configured; brand posts are recognised by handle or inbound flag; customer posts get their
 * first brand reply time (a bounded join, see reply-window.ts) and a sentiment score.
 */
import type { Readable } from 'node:stream';
import { adapterOutput } from '../../core/metrics/coverage.ts';
import type { Adapter, AdapterContext, SourceRecord } from '../../core/normalise/adapter.ts';
import { readCsv, readJson } from '../../core/read/index.ts';
import type { ReadItem } from '../shared/records.ts';
import { SOCIAL_DEFAULTS, type SocialOptions, socialOptionsSchema } from './map.ts';
import { mapMentions } from './stream.ts';

export { SOCIAL_DEFAULTS, type SocialOptions, socialOptionsSchema } from './map.ts';

export const socialAdapter: Adapter<SocialOptions> = {
  name: 'social',
  description: 'Social mentions (JSONL or CSV) to social_mentions, with brand reply times and sentiment',
  optionsSchema: socialOptionsSchema,
  outputs: [
    adapterOutput('social_mentions', [
      'author_key',
      'brand_replied_at',
      'in_reply_to',
      'ingested_at',
      'is_brand_reply',
      'mention_id',
      'platform',
      'posted_at',
      'sentiment_label',
      'sentiment_score',
      'source',
      'text',
      'updated_at',
    ]),
  ],
  read: (input: Readable, options: SocialOptions, context: AdapterContext): AsyncIterable<SourceRecord> =>
    mapMentions(readItems(input, options), options, context),
};

async function* readItems(input: Readable, options: SocialOptions): AsyncIterable<ReadItem> {
  if ((options.format ?? SOCIAL_DEFAULTS.format) === 'jsonl') {
    yield* readJson(input, { format: 'jsonl', encoding: options.encoding });
    return;
  }
  const rows = readCsv(input, { delimiter: options.delimiter ?? 'auto', encoding: options.encoding });
  for await (const item of rows) {
    yield item.kind === 'record' ? { kind: 'record', rowNumber: item.rowNumber, value: item.values } : item;
  }
}
