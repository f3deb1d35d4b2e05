/**
 * Freshdesk API v2 list responses: a JSON array (or JSON Lines) of tickets fetched with
 * `include=stats`, or of satisfaction ratings. Records stream one at a time.
 */
import type { Readable } from 'node:stream';
import { adapterOutput } from '../../core/metrics/coverage.ts';
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
      'is_escalated',
      'priority',
      'queue',
      'reopen_count',
      'resolution_s',
      'resolved_at',
      'sla_first_response_met',
      'sla_first_response_target_s',
      'sla_resolution_met',
      'sla_resolution_target_s',
      'source',
      'status',
      'team',
      'updated_at',
    ]),
    adapterOutput(
      'survey_responses',
      [
        'agent_id',
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
      ['csat', 'custom'],
    ),
  ],
  read(input: Readable, options: FreshdeskOptions, context: AdapterContext): AsyncIterable<SourceRecord> {
    return mapItems(readJson(input, { format: 'auto' }), (value) => mapFreshdeskRecord(value, options, context));
  },
};
