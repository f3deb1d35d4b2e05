/** Generic long-format QA scorecard CSV: one row per criterion of an evaluation. */
import { adapterOutput } from '../../core/metrics/coverage.ts';
import type { Adapter, SourceRecord } from '../../core/normalise/adapter.ts';
import { QA_EVALUATION_FIELDS } from '../shared/outputs.ts';
import { mapCsvRows } from '../shared/records.ts';
import { mapScorecardRow, missingColumns, type QaScorecardOptions, qaScorecardOptionsSchema } from './map.ts';

export {
  QA_SCORECARD_COLUMNS,
  QA_SCORECARD_DEFAULTS,
  type QaScorecardOptions,
  qaScorecardOptionsSchema,
} from './map.ts';

export const qaScorecardAdapter: Adapter<QaScorecardOptions> = {
  name: 'qa-scorecard',
  description: 'Long-format QA or mystery-shop scorecard CSV (one row per criterion) to qa_evaluations',
  optionsSchema: qaScorecardOptionsSchema,
  outputs: [adapterOutput('qa_evaluations', QA_EVALUATION_FIELDS)],
  read: (input, options, context): AsyncIterable<SourceRecord> =>
    mapCsvRows(
      input,
      options,
      (columns) => missingColumns(columns, options),
      (values) => mapScorecardRow(values, options, context),
    ),
};
