/** Customer activity CSV (signups, orders, renewals, cancellations) to customer_activity. */
import { adapterOutput } from '../../core/metrics/coverage.ts';
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
  outputs: [
    adapterOutput('customer_activity', [
      'amount',
      'customer_key',
      'event_at',
      'event_id',
      'ingested_at',
      'kind',
      'source',
    ]),
  ],
  read: (input, options, context): AsyncIterable<SourceRecord> =>
    mapCsvRows(
      input,
      options,
      (columns) => missingActivityColumns(columns, options),
      (values) => mapActivityRow(values, options, context),
    ),
};
