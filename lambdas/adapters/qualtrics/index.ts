/**
 * Qualtrics response export (CSV or TSV, "Use numeric values" or "Use choice text"). The file has
 * three header rows: the column ids (StartDate, Status, ResponseId, Q1, Q2_NPS_GROUP, ...), the
 * question texts, and the ImportId JSON of each column ({"ImportId":"QID1"}); responses follow.
 * The reader takes the first row as the header and the adapter checks the other two itself, so a
 * file that lacks them is rejected instead of losing two responses.
 */
import type { Readable } from 'node:stream';
import { adapterOutput } from '../../core/metrics/coverage.ts';
import {
  type Adapter,
  type AdapterContext,
  FileRejectedError,
  type SourceRecord,
} from '../../core/normalise/adapter.ts';
import { readCsv } from '../../core/read/index.ts';
import { SURVEY_RESPONSE_FIELDS } from '../shared/outputs.ts';
import { mapRecord } from '../shared/records.ts';
import {
  checkColumns,
  mapQualtricsResponse,
  parseImportIdRow,
  type QualtricsHeader,
  type QualtricsOptions,
  qualtricsOptionsSchema,
} from './map.ts';

/** Header rows before the first response; row numbers count responses from 1. */
const HEADER_ROWS_AFTER_COLUMN_IDS = 2;

export const qualtricsAdapter: Adapter<QualtricsOptions> = {
  name: 'qualtrics',
  description: 'Qualtrics response export (CSV/TSV with three header rows) to survey_responses',
  optionsSchema: qualtricsOptionsSchema,
  outputs: [adapterOutput('survey_responses', [...SURVEY_RESPONSE_FIELDS, 'channel', 'resolved'])],
  read: readQualtrics,
};

async function* readQualtrics(
  input: Readable,
  options: QualtricsOptions,
  context: AdapterContext,
): AsyncIterable<SourceRecord> {
  let seenQuestionTexts = false;
  let header: QualtricsHeader | null = null;
  for await (const item of readCsv(input, { delimiter: 'auto', encoding: options.encoding })) {
    if (item.kind === 'error') {
      if (!header) throw new FileRejectedError(`Qualtrics header rows are unreadable: ${item.error}`);
      yield {
        kind: 'rejected',
        rowNumber: item.rowNumber - HEADER_ROWS_AFTER_COLUMN_IDS,
        raw: item.raw,
        field: null,
        reason: item.error,
      };
      continue;
    }
    if (!seenQuestionTexts) {
      checkColumns(item.values, options);
      seenQuestionTexts = true;
      continue;
    }
    if (header === null) {
      header = parseImportIdRow(item.values, options);
      continue;
    }
    const rowNumber = item.rowNumber - HEADER_ROWS_AFTER_COLUMN_IDS;
    yield mapRecord(rowNumber, item.values, (values) =>
      mapQualtricsResponse(values as Record<string, string>, options, context, header as QualtricsHeader),
    );
  }
  if (header === null) {
    throw new FileRejectedError(
      'not a Qualtrics export: the three header rows (column ids, question texts, ImportIds) are missing',
    );
  }
}
