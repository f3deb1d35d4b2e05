/**
 * Zendesk Support export pages. A page holds at most 1000 tickets (or 100 ratings/responses) and
 * side-loads its metric sets in a separate array, so one page is read as a whole document with
 * readJsonDocument (bounded by its size limit) and its records are then mapped one by one.
 */
import type { Readable } from 'node:stream';
import { adapterOutput } from '../../core/metrics/coverage.ts';
import type { Adapter, AdapterContext, SourceRecord } from '../../core/normalise/adapter.ts';
import { readJsonDocument } from '../../core/read/index.ts';
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
      'agent_id',
      'agent_replies',
      'category',
      'channel',
      'closed_at',
      'created_at',
      'customer_key',
      'direction',
      'first_response_s',
      'ingested_at',
      'initial_interaction_id',
      'interaction_id',
      'is_abandoned',
      'is_callback',
      'is_escalated',
      'is_transfer',
      'priority',
      'queue',
      'reopen_count',
      'resolution_s',
      'resolved_at',
      'sla_first_response_target_s',
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
        'sent_at',
        'source',
        'survey_kind',
        'team',
        'touchpoint',
        'updated_at',
      ],
      ['csat', 'custom'],
    ),
  ],
  async *read(input: Readable, options: ZendeskOptions, context: AdapterContext): AsyncIterable<SourceRecord> {
    yield* mapZendeskPage(await readJsonDocument(input), options, context);
  },
};
