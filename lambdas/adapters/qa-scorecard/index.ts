/** Generic long-format QA scorecard CSV: one row per criterion of an evaluation. */
import type { Adapter, SourceRecord } from '../../core/normalise/adapter.ts';
import { FileRejectedError } from '../../core/normalise/adapter.ts';
import { readCsv } from '../../core/read/index.ts';
import { mapRecord } from '../shared/records.ts';
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
  async *read(input, options, context): AsyncIterable<SourceRecord> {
    const rows = readCsv(input, {
      delimiter: options.delimiter ?? 'auto',
      encoding: options.encoding,
      onHeader: ({ columns }) => {
        const missing = missingColumns(columns, options);
        if (missing.length > 0) {
          throw new FileRejectedError(`missing column(s) ${missing.join(', ')}; the header has ${columns.join(', ')}`);
        }
      },
    });
    for await (const item of rows) {
      if (item.kind === 'error') {
        yield { kind: 'rejected', rowNumber: item.rowNumber, raw: item.raw, field: null, reason: item.error };
      } else {
        yield mapRecord(item.rowNumber, item.values, () => mapScorecardRow(item.values, options, context));
      }
    }
  },
};
