import { TrinoSQL } from 'dt-sql-parser';
import { describe, expect, it } from 'vitest';
import type { CustomerActivity } from '../../lambdas/core/schema/canonical.ts';
import { createViewSql } from '../../sql/registry.ts';
import { utc, viewRows } from '../support/lake.ts';
import { wilson } from '../support/stats.ts';

function events(customer: string, ...list: [string, CustomerActivity['kind']][]): CustomerActivity[] {
  return list.map(([at, kind], i) => ({
    source: 'shop',
    event_id: `${customer}-${i}`,
    customer_key: customer,
    event_at: utc(at),
    kind,
    amount: kind === 'order' ? 20 : null,
    ingested_at: utc('2025-07-02 00:00:00'),
  }));
}

const c1 = events(
  'c1',
  ['2025-05-10 12:00:00', 'signup'],
  ['2025-06-05 12:00:00', 'order'],
  ['2025-06-20 12:00:00', 'order'],
);
const customers = [
  ...c1,
  // cancels in June: churned
  ...events('c2', ['2025-05-01 12:00:00', 'signup'], ['2025-06-15 12:00:00', 'cancellation']),
  // first seen in June: new
  ...events('c3', ['2025-06-10 12:00:00', 'signup'], ['2025-06-11 12:00:00', 'order']),
  // cancelled in May, orders again in June: reactivated, counted with the new customers
  ...events(
    'c4',
    ['2025-04-01 09:00:00', 'signup'],
    ['2025-05-01 12:00:00', 'cancellation'],
    ['2025-06-03 12:00:00', 'order'],
  ),
  // cancels and renews within June: active at both ends, retained
  ...events(
    'c5',
    ['2025-05-01 12:00:00', 'signup'],
    ['2025-06-10 12:00:00', 'cancellation'],
    ['2025-06-20 12:00:00', 'renewal'],
  ),
  // no signup event: the first order makes the customer; quiet in June, still retained
  ...events('c6', ['2025-05-20 12:00:00', 'order']),
  // cancellation exactly at the June boundary: active at the start of June, gone at its end
  ...events('c7', ['2025-05-05 12:00:00', 'signup'], ['2025-06-01 00:00:00', 'cancellation']),
  // order and cancellation at the same instant: the cancellation wins
  ...events('c8', ['2025-05-20 10:00:00', 'order'], ['2025-05-20 10:00:00', 'cancellation']),
];

describe('metrics_retention', () => {
  const rows = viewRows('metrics_retention', (lake) => {
    lake.write('customer_activity', customers);
    lake.write('customer_activity', c1); // an overlapping export resends c1's events
  });
  const { row } = rows;

  it('parses as Trino SQL (Athena engine v3)', () => {
    expect(new TrinoSQL().validate(createViewSql('metrics_retention'))).toEqual([]);
  });

  it('computes retention as (customers at end - new customers) / customers at start', () => {
    // Active at 1 June: c1, c2, c5, c6, c7 (c4 cancelled in May, c8's cancellation ties its order) -> S = 5
    // Active at 1 July: c1, c3, c4, c5, c6 -> E = 5; new or reactivated: c3, c4 -> N = 2
    // (5 - 2) / 5 = 60 %
    const retention = row('month|2025-06-01|overall|all|retention_rate');
    expect(retention.value).toBeCloseTo(60, 9);
    expect(retention.n).toBe(5);
    expect(retention.unit).toBe('pct');
    const { low, high } = wilson(3, 5);
    expect(retention.ci_low).toBeCloseTo(low, 9);
    expect(retention.ci_high).toBeCloseTo(high, 9);
    // churned: c2, c7 -> 2 / 5 = 40 % = 100 - retention
    expect(row('month|2025-06-01|overall|all|churn_rate').value).toBeCloseTo(40, 9);
  });

  it('computes the repeat purchase rate over customers who ordered in the period', () => {
    // June orders: c1 2, c3 1, c4 1 -> 1 / 3; May: c6 1, c8 1 -> 0 / 2
    const june = row('month|2025-06-01|overall|all|repeat_purchase_rate');
    expect(june.value).toBeCloseTo(100 / 3, 9);
    expect(june.n).toBe(3);
    expect(row('month|2025-05-01|overall|all|repeat_purchase_rate')).toMatchObject({ value: 0, n: 2 });
  });

  it('measures weeks between ISO week boundaries', () => {
    // Week of Monday 9 June: S = c1, c2, c4, c5, c6; at 16 June c2 and c5 have cancelled -> 3 / 5.
    // Orders that week: c3 once -> 0 / 1.
    expect(row('week|2025-06-09|overall|all|retention_rate').value).toBeCloseTo(60, 9);
    expect(row('week|2025-06-09|overall|all|repeat_purchase_rate')).toMatchObject({ value: 0, n: 1 });
  });

  it('emits no rate whose denominator is zero', () => {
    // May: S = c4 only, who cancels -> retention 0 %. April: nobody active at its start, nobody ordered.
    expect(row('month|2025-05-01|overall|all|retention_rate')).toMatchObject({ value: 0, n: 1 });
    expect(rows.keys().filter((k) => k.startsWith('month|2025-04'))).toEqual([]);
    expect(rows.keys().filter((k) => k.startsWith('month|2025-07'))).toEqual([]);
  });
});
