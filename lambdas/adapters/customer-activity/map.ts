/**
 * Mapping of one customer event row (signup, order, renewal, cancellation) to customer_activity.
 * The event id is a hash of the event's own fields, so the same event exported twice (overlapping
 * extracts) is one event after deduplication, and re-ingesting a file gives the same ids.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AdapterContext, MappedRow } from '../../core/normalise/adapter.ts';
import { ACTIVITY_KINDS, type CustomerActivity } from '../../core/schema/canonical.ts';
import { parseTime, timestampFormatSchema } from '../shared/time.ts';
import { reject } from '../shared/values.ts';

type ActivityKind = (typeof ACTIVITY_KINDS)[number];

export const ACTIVITY_COLUMNS = {
  customerId: 'customer_id',
  eventAt: 'event_at',
  kind: 'kind',
  amount: 'amount',
} as const;

/** Format of event_at when the options give none. */
export const DEFAULT_TIMESTAMP_FORMAT = 'iso';

/** Hex characters kept from the SHA-256 event hash (128 bits). */
export const EVENT_ID_HEX_CHARS = 32;

export const customerActivityOptionsSchema = z.object({
  columns: z
    .partialRecord(z.enum(['customerId', 'eventAt', 'kind', 'amount', 'eventId']), z.string().min(1))
    .optional(),
  /** Source labels → kind, e.g. { "purchase": "order", "churned": "cancellation" }; unmapped labels must already be canonical. */
  kindValues: z.record(z.string(), z.enum(ACTIVITY_KINDS)).optional(),
  /** Format of event_at; wall times are in the source time zone. @default "iso" */
  timestampFormat: timestampFormatSchema.optional(),
  encoding: z.enum(['utf-8', 'latin1', 'cp1252', 'utf-16le']).optional(),
  delimiter: z.string().min(1).optional(),
});

export type CustomerActivityOptions = z.infer<typeof customerActivityOptionsSchema>;
type ColumnKey = keyof typeof ACTIVITY_COLUMNS | 'eventId';

export function activityColumn(options: CustomerActivityOptions, key: keyof typeof ACTIVITY_COLUMNS): string {
  return options.columns?.[key] ?? ACTIVITY_COLUMNS[key];
}

export function missingActivityColumns(header: readonly string[], options: CustomerActivityOptions): string[] {
  const needed = (['customerId', 'eventAt', 'kind'] as const).map((k) => activityColumn(options, k));
  if (options.columns?.eventId) needed.push(options.columns.eventId);
  return needed.filter((c) => !header.includes(c));
}

export function mapActivityRow(
  values: Readonly<Record<string, string>>,
  options: CustomerActivityOptions,
  context: AdapterContext,
): MappedRow[] {
  const column = (key: ColumnKey): string | undefined =>
    key === 'eventId' ? options.columns?.eventId : activityColumn(options, key);
  const get = (key: ColumnKey): string | null => {
    const name = column(key);
    const v = name === undefined ? undefined : values[name]?.trim();
    return v === undefined || v === '' ? null : v;
  };
  const customerColumn = activityColumn(options, 'customerId');
  const customerKey = context.pseudonymise('customer', get('customerId')) ?? reject(customerColumn, 'is missing');
  const eventAtColumn = activityColumn(options, 'eventAt');
  const at = get('eventAt') ?? reject(eventAtColumn, 'is missing');
  const eventAt =
    parseTime(at, options.timestampFormat ?? DEFAULT_TIMESTAMP_FORMAT, context.timeZone) ??
    reject(eventAtColumn, `"${at}" is not a ${options.timestampFormat ?? DEFAULT_TIMESTAMP_FORMAT} date-time`);
  const kindColumn = activityColumn(options, 'kind');
  const label = get('kind') ?? reject(kindColumn, 'is missing');
  const kind: ActivityKind =
    options.kindValues?.[label] ??
    ACTIVITY_KINDS.find((k) => k === label.toLowerCase()) ??
    reject(kindColumn, `"${label}" is not an activity kind (${ACTIVITY_KINDS.join(', ')}); map it with kindValues`);
  const amountText = get('amount');
  const amount = amountText === null ? null : Number(amountText);
  if (amount !== null && !Number.isFinite(amount)) {
    reject(
      activityColumn(options, 'amount'),
      `"${amountText}" is not a number (write amounts without currency signs or thousands separators)`,
    );
  }

  const row: CustomerActivity = {
    source: context.source,
    event_id: get('eventId') ?? eventId(customerKey, eventAt, kind, amount),
    customer_key: customerKey,
    event_at: eventAt,
    kind,
    amount,
    ingested_at: context.ingestedAt,
  };
  return [{ table: 'customer_activity', row }];
}

/**
 * Hash of the event's canonical fields. The pseudonymised key, not the raw customer id, goes in,
 * so the id reveals nothing an unkeyed hash of a known id could be matched against.
 */
export function eventId(customerKey: string, eventAt: Date, kind: ActivityKind, amount: number | null): string {
  return createHash('sha256')
    .update(JSON.stringify([customerKey, eventAt.toISOString(), kind, amount]))
    .digest('hex')
    .slice(0, EVENT_ID_HEX_CHARS);
}
