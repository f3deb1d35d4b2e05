/**
 * Intercom conversations: a page of the List/Search conversations API (`{ "conversations": [...] }`)
 * or, with `layout: "records"`, a JSON array or JSON Lines of Conversation objects. Conversations
 * stream one at a time from either layout.
 */
import type { Readable } from 'node:stream';
import { adapterOutput } from '../../core/metrics/coverage.ts';
import type { Adapter, AdapterContext, SourceRecord } from '../../core/normalise/adapter.ts';
import { readJson } from '../../core/read/index.ts';
import { mapItems } from '../shared/records.ts';
import { mapConversation } from './map.ts';
import { type IntercomOptions, intercomOptionsSchema } from './options.ts';

export { INTERCOM_DEFAULTS, type IntercomOptions, intercomOptionsSchema } from './options.ts';

export const intercomAdapter: Adapter<IntercomOptions> = {
  name: 'intercom',
  description: 'Intercom conversations (statistics and conversation rating) to interactions and survey_responses',
  optionsSchema: intercomOptionsSchema,
  outputs: [
    adapterOutput('interactions', [
      'agent_id',
      'category',
      'channel',
      'closed_at',
      'created_at',
      'customer_key',
      'direction',
      'first_response_at',
      'first_response_s',
      'ingested_at',
      'initial_interaction_id',
      'interaction_id',
      'is_abandoned',
      'is_callback',
      'is_transfer',
      'priority',
      'queue',
      'reopen_count',
      'resolution_s',
      'resolved_at',
      'source',
      'status',
      'team',
      'updated_at',
    ]),
    adapterOutput(
      'survey_responses',
      [
        'agent_id',
        'channel',
        'comment',
        'customer_key',
        'higher_is_better',
        'ingested_at',
        'interaction_id',
        'question',
        'responded_at',
        'response_id',
        'scale_max',
        'scale_min',
        'score',
        'source',
        'survey_kind',
        'team',
        'touchpoint',
        'updated_at',
      ],
      ['csat'],
    ),
  ],
  read(input: Readable, options: IntercomOptions, context: AdapterContext): AsyncIterable<SourceRecord> {
    const items = readJson(input, options.layout === 'page' ? { recordsPath: 'conversations' } : { format: 'auto' });
    return mapItems(items, (value) => mapConversation(value, options, context));
  },
};
