/**
 * Intercom conversations: a page of the List/Search conversations API (`{ "conversations": [...] }`)
 * or, with `layout: "records"`, a JSON array or JSON Lines of Conversation objects. Conversations
 * stream one at a time from either layout.
 */
import type { Readable } from 'node:stream';
import { adapterOutput } from '../../core/metrics/coverage.ts';
import type { Adapter, AdapterContext, SourceRecord } from '../../core/normalise/adapter.ts';
import { readJson } from '../../core/read/index.ts';
import { SURVEY_RESPONSE_FIELDS, TICKET_FIELDS } from '../shared/outputs.ts';
import { mapItems } from '../shared/records.ts';
import { mapConversation } from './map.ts';
import { type IntercomOptions, intercomOptionsSchema } from './options.ts';

export { INTERCOM_DEFAULTS, type IntercomOptions, intercomOptionsSchema } from './options.ts';

export const intercomAdapter: Adapter<IntercomOptions> = {
  name: 'intercom',
  description: 'Intercom conversations (statistics and conversation rating) to interactions and survey_responses',
  optionsSchema: intercomOptionsSchema,
  outputs: [
    adapterOutput('interactions', [...TICKET_FIELDS, 'first_response_at', 'is_transfer']),
    adapterOutput('survey_responses', [...SURVEY_RESPONSE_FIELDS, 'channel'], ['csat']),
  ],
  read(input: Readable, options: IntercomOptions, context: AdapterContext): AsyncIterable<SourceRecord> {
    const items = readJson(input, options.layout === 'page' ? { recordsPath: 'conversations' } : { format: 'auto' });
    return mapItems(items, (value) => mapConversation(value, options, context));
  },
};
