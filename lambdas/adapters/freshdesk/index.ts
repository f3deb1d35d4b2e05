/**
 * Freshdesk API v2 list responses: a JSON array (or JSON Lines) of tickets fetched with
 * `include=stats`, or of satisfaction ratings. Records stream one at a time.
 */
import type { Readable } from 'node:stream';
import { adapterOutput } from '../../core/metrics/coverage.ts';
import type { Adapter, AdapterContext, SourceRecord } from '../../core/normalise/adapter.ts';
import { readJson } from '../../core/read/index.ts';
import { SURVEY_RESPONSE_FIELDS, TICKET_FIELDS } from '../shared/outputs.ts';
import { mapItems } from '../shared/records.ts';
import { mapFreshdeskRecord } from './map.ts';
import { type FreshdeskOptions, freshdeskOptionsSchema } from './options.ts';

export { type FreshdeskOptions, freshdeskOptionsSchema } from './options.ts';

export const freshdeskAdapter: Adapter<FreshdeskOptions> = {
  name: 'freshdesk',
  description: 'Freshdesk tickets (with stats) and satisfaction ratings to interactions and survey_responses',
  optionsSchema: freshdeskOptionsSchema,
  outputs: [
    adapterOutput('interactions', [
      ...TICKET_FIELDS,
      'first_response_at',
      'is_escalated',
      'sla_first_response_met',
      'sla_first_response_target_s',
      'sla_resolution_met',
      'sla_resolution_target_s',
    ]),
    adapterOutput('survey_responses', SURVEY_RESPONSE_FIELDS, ['csat', 'custom']),
  ],
  read(input: Readable, options: FreshdeskOptions, context: AdapterContext): AsyncIterable<SourceRecord> {
    return mapItems(readJson(input, { format: 'auto' }), (value) => mapFreshdeskRecord(value, options, context));
  },
};
