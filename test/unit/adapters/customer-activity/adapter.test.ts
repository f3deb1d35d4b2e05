import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  type CustomerActivityOptions,
  customerActivityAdapter,
} from '../../../../lambdas/adapters/customer-activity/index.ts';
import {
  type AdapterContext,
  FileRejectedError,
  type SourceRecord,
} from '../../../../lambdas/core/normalise/adapter.ts';
import { createPseudonymiser } from '../../../../lambdas/core/normalise/pseudonymise.ts';
import { TABLES } from '../../../../lambdas/core/schema/canonical.ts';

const fixture = new URL('../../../fixtures/customer-activity/events.csv', import.meta.url);
const context: AdapterContext = {
  source: 'shop',
  objectKey: 'shop/events-2024.csv',
  ingestedAt: new Date('2024-07-01T00:00:00Z'),
  pseudonymise: createPseudonymiser(new Uint8Array(32).fill(11)),
  timeZone: 'Europe/Paris',
};
const options = customerActivityAdapter.optionsSchema.parse({
  kindValues: { purchase: 'order', churned: 'cancellation' },
});

async function collect(input: Readable, opts: CustomerActivityOptions = options): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of customerActivityAdapter.read(input, opts, context)) out.push(r);
  return out;
}

const rowsOf = (records: SourceRecord[]) =>
  records.flatMap((r) => (r.kind === 'mapped' ? r.rows.map((m) => m.row) : []));

describe('customer-activity adapter', () => {
  it('maps events to valid rows with pseudonymised customers and mapped kinds', async () => {
    const rows = rowsOf(await collect(createReadStream(fixture)));
    for (const row of rows) expect(TABLES.customer_activity.schema.safeParse(row).success).toBe(true);
    expect(rows.map((r) => [r.kind, r.amount])).toEqual([
      ['signup', null],
      ['order', 49.9],
      ['order', 19.9],
      ['renewal', 120],
      ['cancellation', null],
      ['order', 49.9],
    ]);
    expect(rows[0]?.customer_key).toBe(context.pseudonymise('customer', 'CUST-0042'));
    expect(JSON.stringify(rows)).not.toContain('CUST-0042');
    // No offset: Paris time (CET in February). With an offset: that offset.
    expect(rows[1]?.event_at).toEqual(new Date('2024-02-01T09:00:00Z'));
    expect(rows[3]?.event_at).toEqual(new Date('2024-03-05T11:00:00Z'));
  });

  it('derives the same event id for the same event, and different ids for different events', async () => {
    const rows = rowsOf(await collect(createReadStream(fixture)));
    const ids = rows.map((r) => r.event_id);
    // The last line repeats the first purchase (an overlapping export): same id, deduplicated downstream.
    expect(ids[5]).toBe(ids[1]);
    expect(new Set(ids).size).toBe(5);
    const again = rowsOf(await collect(createReadStream(fixture)));
    expect(again.map((r) => r.event_id)).toEqual(ids);
  });

  it('uses a source event id column when one is configured', async () => {
    const opts = customerActivityAdapter.optionsSchema.parse({ ...options, columns: { eventId: 'order_ref' } });
    const rows = rowsOf(await collect(createReadStream(fixture), opts));
    expect(rows[1]?.event_id).toBe('O-1001');
    expect(rows[0]?.event_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('fails when the customer is missing, the amount is not a number or the time is unreadable', async () => {
    const records = await collect(createReadStream(fixture));
    expect(records[5]).toMatchObject({ kind: 'rejected', field: 'customer_id', reason: 'is missing' });
    expect(records[6]).toMatchObject({ kind: 'rejected', field: 'amount' });
    expect(records[7]).toMatchObject({ kind: 'rejected', field: 'event_at' });
  });

  it('fails on an unmapped kind', async () => {
    const records = await collect(createReadStream(fixture), customerActivityAdapter.optionsSchema.parse({}));
    expect(records[1]).toMatchObject({ kind: 'rejected', field: 'kind' });
    expect(records[1]?.kind === 'rejected' && records[1].reason).toMatch(/"purchase" is not an activity kind/);
  });

  it('fails the whole file when a required column is missing', async () => {
    const csv = 'customer,event_at,kind\nC1,2024-01-01,signup\n';
    await expect(collect(Readable.from([csv]))).rejects.toThrow(FileRejectedError);
    await expect(collect(Readable.from([csv]))).rejects.toThrow(/missing column\(s\) customer_id/);
  });
});
