/** Customer activity CSV (signups, orders, renewals, cancellations) to customer_activity. */
import type { Adapter, SourceRecord } from '../../core/normalise/adapter.ts';
import { FileRejectedError } from '../../core/normalise/adapter.ts';
import { readCsv } from '../../core/read/index.ts';
import { mapRecord } from '../shared/records.ts';
import {
  type CustomerActivityOptions,
  customerActivityOptionsSchema,
  mapActivityRow,
  missingActivityColumns,
} from './map.ts';

export { ACTIVITY_COLUMNS, type CustomerActivityOptions, customerActivityOptionsSchema, eventId } from './map.ts';

export const customerActivityAdapter: Adapter<CustomerActivityOptions> = {
  name: 'customer-activity',
  description: 'Customer activity CSV (signup, order, renewal, cancellation) to customer_activity',
  optionsSchema: customerActivityOptionsSchema,
  async *read(input, options, context): AsyncIterable<SourceRecord> {
    const rows = readCsv(input, {
      delimiter: options.delimiter ?? 'auto',
      encoding: options.encoding,
      onHeader: ({ columns }) => {
        const missing = missingActivityColumns(columns, options);
        if (missing.length > 0) {
          throw new FileRejectedError(`missing column(s) ${missing.join(', ')}; the header has ${columns.join(', ')}`);
        }
      },
    });
    for await (const item of rows) {
      if (item.kind === 'error') {
        yield { kind: 'rejected', rowNumber: item.rowNumber, raw: item.raw, field: null, reason: item.error };
      } else {
        yield mapRecord(item.rowNumber, item.values, () => mapActivityRow(item.values, options, context));
      }
    }
  },
};
