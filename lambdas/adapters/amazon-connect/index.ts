/**
 * Amazon Connect contact records as Kinesis Data Firehose delivers them to S3: one JSON object per
 * contact, either one per line or back to back with no delimiter (gzip is undone by the pipeline).
 * Records stream one at a time, so a file of any size is read in bounded memory.
 */
import type { Readable } from 'node:stream';
import { adapterOutput } from '../../core/metrics/coverage.ts';
import type { Adapter, AdapterContext, SourceRecord } from '../../core/normalise/adapter.ts';
import { readJson } from '../../core/read/index.ts';
import { mapItems } from '../shared/records.ts';
import { mapContactRecord } from './map.ts';
import { type AmazonConnectOptions, amazonConnectOptionsSchema } from './options.ts';

export { AMAZON_CONNECT_DEFAULTS, type AmazonConnectOptions, amazonConnectOptionsSchema } from './options.ts';

export const amazonConnectAdapter: Adapter<AmazonConnectOptions> = {
  name: 'amazon-connect-ctr',
  description:
    'Amazon Connect contact records (Firehose NDJSON or concatenated JSON) to interactions and survey_responses',
  optionsSchema: amazonConnectOptionsSchema,
  outputs: [
    adapterOutput('interactions', [
      'acw_s',
      'agent_id',
      'answered_at',
      'category',
      'channel',
      'closed_at',
      'created_at',
      'customer_key',
      'direction',
      'hold_count',
      'hold_s',
      'ingested_at',
      'initial_interaction_id',
      'interaction_id',
      'is_abandoned',
      'is_callback',
      'is_transfer',
      'queue',
      'queue_s',
      'queued_at',
      'source',
      'talk_s',
      'team',
      'updated_at',
    ]),
    adapterOutput('survey_responses', [
      'agent_id',
      'channel',
      'customer_key',
      'higher_is_better',
      'ingested_at',
      'interaction_id',
      'question',
      'resolved',
      'response_id',
      'scale_max',
      'scale_min',
      'score',
      'source',
      'survey_kind',
      'team',
      'touchpoint',
      'updated_at',
    ]),
  ],
  read(input: Readable, options: AmazonConnectOptions, context: AdapterContext): AsyncIterable<SourceRecord> {
    return mapItems(readJson(input, { format: 'auto' }), (value) => mapContactRecord(value, options, context));
  },
};
