/** Zendesk QA (formerly Klaus) reviews export: the Public Export API's { conversations: [...] } page. */
import { adapterOutput } from '../../core/metrics/coverage.ts';
import type { Adapter } from '../../core/normalise/adapter.ts';
import { readJson } from '../../core/read/index.ts';
import { mapItems } from '../shared/records.ts';
import { mapConversation, type ZendeskQaOptions, zendeskQaOptionsSchema } from './map.ts';

export { ZENDESK_QA_DEFAULTS, type ZendeskQaOptions, zendeskQaOptionsSchema } from './map.ts';

export const zendeskQaAdapter: Adapter<ZendeskQaOptions> = {
  name: 'zendesk-qa',
  description: 'Zendesk QA (Klaus) reviews export JSON to qa_evaluations, one row per rated category',
  optionsSchema: zendeskQaOptionsSchema,
  outputs: [
    adapterOutput('qa_evaluations', [
      'agent_id',
      'criterion',
      'evaluated_at',
      'evaluation_id',
      'evaluation_kind',
      'evaluator',
      'ingested_at',
      'interaction_id',
      'is_critical',
      'is_na',
      'max_points',
      'points',
      'scorecard',
      'section',
      'source',
      'team',
      'updated_at',
      'weight',
    ]),
  ],
  read: (input, options, context) =>
    mapItems(readJson(input, { format: 'auto', recordsPath: 'conversations' }), (value) =>
      mapConversation(value, options, context),
    ),
};
