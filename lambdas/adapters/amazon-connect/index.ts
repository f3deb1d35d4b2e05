/**
 * Amazon Connect contact records as Kinesis Data Firehose delivers them to S3: one JSON object per
 * contact, either one per line or back to back with no delimiter (gzip is undone by the pipeline).
 * Records stream one at a time, so a file of any size is read in bounded memory.
 */
import type { Readable } from 'node:stream';
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
  read(input: Readable, options: AmazonConnectOptions, context: AdapterContext): AsyncIterable<SourceRecord> {
    return mapItems(readJson(input, { format: 'auto' }), (value) => mapContactRecord(value, options, context));
  },
};
