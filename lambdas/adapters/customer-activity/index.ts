/** Customer activity CSV (signups, orders, renewals, cancellations) to customer_activity. */
import type { Adapter, SourceRecord } from '../../core/normalise/adapter.ts';
import { mapCsvRows } from '../shared/records.ts';
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
  read: (input, options, context): AsyncIterable<SourceRecord> =>
    mapCsvRows(
      input,
      options,
      (columns) => missingActivityColumns(columns, options),
      (values) => mapActivityRow(values, options, context),
    ),
};
