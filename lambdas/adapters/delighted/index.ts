/** Delighted survey responses: the JSON array the API returns, or JSON Lines of the same objects. */
import { adapterOutput } from '../../core/metrics/coverage.ts';
import type { Adapter } from '../../core/normalise/adapter.ts';
import { readJson } from '../../core/read/index.ts';
import { SURVEY_RESPONSE_FIELDS } from '../shared/outputs.ts';
import { mapItems } from '../shared/records.ts';
import { type DelightedOptions, delightedOptionsSchema, mapDelightedResponse } from './map.ts';

export { DELIGHTED_SURVEY_TYPES, type DelightedOptions, delightedOptionsSchema } from './map.ts';

export const delightedAdapter: Adapter<DelightedOptions> = {
  name: 'delighted',
  description: 'Delighted survey responses (API JSON or JSON Lines) to survey_responses',
  optionsSchema: delightedOptionsSchema,
  outputs: [adapterOutput('survey_responses', [...SURVEY_RESPONSE_FIELDS, 'channel'])],
  read: (input, options, context) =>
    mapItems(readJson(input, { format: 'auto', encoding: options.encoding }), (value) =>
      mapDelightedResponse(value, options, context),
    ),
};
