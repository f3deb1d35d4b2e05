/** Delighted survey responses: the JSON array the API returns, or JSON Lines of the same objects. */
import { adapterOutput } from '../../core/metrics/coverage.ts';
import type { Adapter } from '../../core/normalise/adapter.ts';
import { readJson } from '../../core/read/index.ts';
import { mapItems } from '../shared/records.ts';
import { type DelightedOptions, delightedOptionsSchema, mapDelightedResponse } from './map.ts';

export { DELIGHTED_SURVEY_TYPES, type DelightedOptions, delightedOptionsSchema } from './map.ts';

export const delightedAdapter: Adapter<DelightedOptions> = {
  name: 'delighted',
  description: 'Delighted survey responses (API JSON or JSON Lines) to survey_responses',
  optionsSchema: delightedOptionsSchema,
  outputs: [
    adapterOutput('survey_responses', [
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
    ]),
  ],
  read: (input, options, context) =>
    mapItems(readJson(input, { format: 'auto', encoding: options.encoding }), (value) =>
      mapDelightedResponse(value, options, context),
    ),
};
