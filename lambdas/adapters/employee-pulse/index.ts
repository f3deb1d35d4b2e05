/** Anonymous employee pulse survey CSV (long or wide) to employee_pulse. */
import { adapterOutput } from '../../core/metrics/coverage.ts';
import type { Adapter, SourceRecord } from '../../core/normalise/adapter.ts';
import { FileRejectedError } from '../../core/normalise/adapter.ts';
import { readCsv } from '../../core/read/index.ts';
import { mapRecord } from '../shared/records.ts';
import { checkPulseHeader, type EmployeePulseOptions, employeePulseOptionsSchema, mapPulseRow } from './map.ts';

export { type EmployeePulseOptions, employeePulseOptionsSchema, IDENTIFYING_COLUMNS, PULSE_SCALES } from './map.ts';

export const employeePulseAdapter: Adapter<EmployeePulseOptions> = {
  name: 'employee-pulse',
  description: 'Anonymous employee pulse survey CSV (eNPS, engagement, satisfaction) to employee_pulse',
  optionsSchema: employeePulseOptionsSchema,
  outputs: [
    adapterOutput('employee_pulse', [
      'ingested_at',
      'period',
      'question_kind',
      'response_id',
      'scale_max',
      'scale_min',
      'score',
      'source',
      'team',
    ]),
  ],
  async *read(input, options, context): AsyncIterable<SourceRecord> {
    let drop: readonly string[] = [];
    const rows = readCsv(input, {
      delimiter: options.delimiter ?? 'auto',
      encoding: options.encoding,
      onHeader: ({ columns }) => {
        const checked = checkPulseHeader(columns, options);
        if (checked.problems.length > 0) throw new FileRejectedError(checked.problems.join('; '));
        drop = checked.drop;
      },
    });
    for await (const item of rows) {
      if (item.kind === 'error') {
        // A ragged row's raw fields cannot be told apart, so none of them is kept when any column is identifying.
        const raw = drop.length > 0 ? null : item.raw;
        yield { kind: 'rejected', rowNumber: item.rowNumber, raw, field: null, reason: item.error };
        continue;
      }
      const values = { ...item.values };
      for (const column of drop) delete values[column];
      yield mapRecord(item.rowNumber, values, () => mapPulseRow(values, item.rowNumber, options, context));
    }
  },
};
