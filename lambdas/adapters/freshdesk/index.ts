/**
 * Freshdesk API v2 list responses: a JSON array (or JSON Lines) of tickets fetched with
 * `include=stats`, or of satisfaction ratings. Records stream one at a time.
 */
import type { Readable } from 'node:stream';
import type { Adapter, AdapterContext, SourceRecord } from '../../core/normalise/adapter.ts';
import { readJson } from '../../core/read/index.ts';
import { mapItems } from '../shared/records.ts';
import { mapFreshdeskRecord } from './map.ts';
import { type FreshdeskOptions, freshdeskOptionsSchema } from './options.ts';

export { type FreshdeskOptions, freshdeskOptionsSchema } from './options.ts';

export const freshdeskAdapter: Adapter<FreshdeskOptions> = {
  name: 'freshdesk',
  description: 'Freshdesk tickets (with stats) and satisfaction ratings to interactions and survey_responses',
  optionsSchema: freshdeskOptionsSchema,
  read(input: Readable, options: FreshdeskOptions, context: AdapterContext): AsyncIterable<SourceRecord> {
    return mapItems(readJson(input, { format: 'auto' }), (value) => mapFreshdeskRecord(value, options, context));
  },
};
