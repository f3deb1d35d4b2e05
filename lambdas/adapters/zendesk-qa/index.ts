/** Zendesk QA (formerly Klaus) reviews export: the Public Export API's { conversations: [...] } page. */
import { adapterOutput } from '../../core/metrics/coverage.ts';
import type { Adapter } from '../../core/normalise/adapter.ts';
import { readJson } from '../../core/read/index.ts';
import { QA_EVALUATION_FIELDS } from '../shared/outputs.ts';
import { mapItems } from '../shared/records.ts';
import { mapConversation, type ZendeskQaOptions, zendeskQaOptionsSchema } from './map.ts';

export { ZENDESK_QA_DEFAULTS, type ZendeskQaOptions, zendeskQaOptionsSchema } from './map.ts';

export const zendeskQaAdapter: Adapter<ZendeskQaOptions> = {
  name: 'zendesk-qa',
  description: 'Zendesk QA (Klaus) reviews export JSON to qa_evaluations, one row per rated category',
  optionsSchema: zendeskQaOptionsSchema,
  outputs: [adapterOutput('qa_evaluations', QA_EVALUATION_FIELDS)],
  read: (input, options, context) =>
    mapItems(readJson(input, { format: 'auto', recordsPath: 'conversations' }), (value) =>
      mapConversation(value, options, context),
    ),
};
