/**
 * Zendesk Support export pages. A page holds at most 1000 tickets (or 100 ratings/responses) and
 * side-loads its metric sets in a separate array, so one page is read as a whole document with
 * readJsonDocument (bounded by its size limit) and its records are then mapped one by one.
 */
import type { Readable } from 'node:stream';
import { adapterOutput } from '../../core/metrics/coverage.ts';
import type { Adapter, AdapterContext, SourceRecord } from '../../core/normalise/adapter.ts';
import { readJsonDocument } from '../../core/read/index.ts';
import { SURVEY_RESPONSE_FIELDS, TICKET_FIELDS } from '../shared/outputs.ts';
import { mapZendeskPage } from './map.ts';
import { type ZendeskOptions, zendeskOptionsSchema } from './options.ts';

export { ZENDESK_DEFAULTS, type ZendeskOptions, zendeskOptionsSchema } from './options.ts';

export const zendeskAdapter: Adapter<ZendeskOptions> = {
  name: 'zendesk',
  description:
    'Zendesk incremental ticket export (with metric_sets), satisfaction ratings and CSAT survey responses to interactions and survey_responses',
  optionsSchema: zendeskOptionsSchema,
  outputs: [
    adapterOutput('interactions', [
      ...TICKET_FIELDS,
      'agent_replies',
      'is_escalated',
      'is_transfer',
      'sla_first_response_target_s',
      'sla_resolution_target_s',
      'sla_in_business_hours',
    ]),
    adapterOutput('survey_responses', [...SURVEY_RESPONSE_FIELDS, 'channel', 'sent_at'], ['csat', 'custom']),
  ],
  async *read(input: Readable, options: ZendeskOptions, context: AdapterContext): AsyncIterable<SourceRecord> {
    // One yield per record: yield* of the page's array would wrap each step in a promise of its own.
    for (const record of mapZendeskPage(await readJsonDocument(input), options, context)) yield record;
  },
};
