/**
 * SurveyMonkey response export (CSV, "All responses data", expanded columns). The reader takes the
 * first header row as column names (blank continuation cells become column_<n>); the adapter reads
 * the second header row itself to locate each answer option.
 */
import type { Readable } from 'node:stream';
import { adapterOutput } from '../../core/metrics/coverage.ts';
import {
  type Adapter,
  type AdapterContext,
  FileRejectedError,
  type SourceRecord,
} from '../../core/normalise/adapter.ts';
import { type CsvHeader, readCsv } from '../../core/read/index.ts';
import { SURVEY_RESPONSE_FIELDS } from '../shared/outputs.ts';
import { mapRecord } from '../shared/records.ts';
import {
  mapSurveyMonkeyResponse,
  type SurveyMonkeyLayout,
  type SurveyMonkeyOptions,
  surveyMonkeyLayout,
  surveyMonkeyOptionsSchema,
} from './map.ts';

/** The option-label row is the reader's first record; responses are numbered from 1 after it. */
const OPTION_ROWS = 1;

export const surveyMonkeyAdapter: Adapter<SurveyMonkeyOptions> = {
  name: 'surveymonkey',
  description: 'SurveyMonkey response export (CSV with two header rows) to survey_responses',
  optionsSchema: surveyMonkeyOptionsSchema,
  outputs: [adapterOutput('survey_responses', [...SURVEY_RESPONSE_FIELDS, 'channel'])],
  read: readSurveyMonkey,
};

async function* readSurveyMonkey(
  input: Readable,
  options: SurveyMonkeyOptions,
  context: AdapterContext,
): AsyncIterable<SourceRecord> {
  let header: CsvHeader | undefined;
  let layout: SurveyMonkeyLayout | undefined;
  const rows = readCsv(input, {
    delimiter: 'auto',
    encoding: options.encoding,
    onHeader: (h) => {
      header = h;
    },
  });
  for await (const item of rows) {
    if (layout === undefined) {
      if (item.kind === 'error' || header === undefined) {
        throw new FileRejectedError('the second SurveyMonkey header row (answer options) is unreadable');
      }
      const blank = new Set(header.renamed.filter((r) => r.from.trim() === '').map((r) => r.index));
      layout = surveyMonkeyLayout(header.columns, blank, item.values, options);
      continue;
    }
    const rowNumber = item.rowNumber - OPTION_ROWS;
    if (item.kind === 'error') {
      yield { kind: 'rejected', rowNumber, raw: item.raw, field: null, reason: item.error };
      continue;
    }
    const current = layout;
    yield mapRecord(rowNumber, item.values, () => mapSurveyMonkeyResponse(item.values, current, options, context));
  }
  if (layout === undefined) throw new FileRejectedError('not a SurveyMonkey export: the second header row is missing');
}
