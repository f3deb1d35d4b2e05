import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DuckDbEngine, openLakeEngine } from '../../cli/duckdb.ts';
import { parseConfig } from '../../lambdas/core/config/config.ts';
import type { CustomerActivity } from '../../lambdas/core/schema/canonical.ts';
import { createTestLake, type TestLake, utc } from '../support/lake.ts';

/**
 * metrics_retention reads a customer's state at a period start from the changes of state of the
 * dates before it, and the customers lost in a period from their first and last dates with an
 * order or a change of state there: these cases pin what that must agree with, hand-computed.
 */
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

const customers = [
  // joins in March and is never seen again: active at every later start, retained everywhere
  ...events('a', ['2025-03-10 12:00:00', 'signup']),
  // leaves, comes back and leaves again in June: retained in the week of 9 June, lost in June
  ...events(
    'b',
    ['2025-03-05 12:00:00', 'signup'],
    ['2025-06-12 12:00:00', 'cancellation'],
    ['2025-06-14 12:00:00', 'renewal'],
    ['2025-06-25 12:00:00', 'cancellation'],
  ),
  // cancels and orders again later the same day: no change of state at that date
  ...events(
    'c',
    ['2025-03-05 12:00:00', 'signup'],
    ['2025-06-12 10:00:00', 'cancellation'],
    ['2025-06-12 15:00:00', 'order'],
  ),
  // new in June, and new in the range
  ...events('d', ['2025-06-02 12:00:00', 'signup']),
  ...events('f', ['2025-06-18 12:00:00', 'signup']),
  // active at the start of March only
  ...events('e', ['2025-02-01 12:00:00', 'signup'], ['2025-03-01 12:00:00', 'cancellation']),
];

/** A custom range of 15-26 June: every change of state before it happened outside it. */
const RANGES = [{ start: '2025-06-15', end: '2025-06-26' }];

describe('metrics_retention over changes of state', () => {
  let lake: TestLake;
  let engine: DuckDbEngine;
  let rows: Map<string, { value: number; n: number }>;

  beforeAll(async () => {
    lake = createTestLake();
    lake.write('customer_activity', customers);
    engine = await openLakeEngine({ lakeDir: lake.dir, config: parseConfig({}), ranges: RANGES });
    const result = await engine.query<{
      grain: string;
      period_start: string;
      metric: string;
      value: number;
      n: number;
    }>('SELECT grain, CAST(period_start AS VARCHAR) AS period_start, metric, value, n FROM metrics_retention');
    rows = new Map(result.map((r) => [`${r.grain}|${r.period_start}|${r.metric}`, { value: r.value, n: r.n }]));
  });
  afterAll(async () => {
    await engine.close();
    lake.remove();
  });

  const rate = (key: string) => {
    const found = rows.get(key);
    if (!found) throw new Error(`no row ${key}; rows: ${[...rows.keys()].join(', ')}`);
    return found;
  };

  it('counts a customer without events in the period by their state before it', () => {
    // 1 June: a, b, c active (d not yet, e cancelled in March); 1 July: a, c (b left again) -> 2 / 3
    expect(rate('month|2025-06-01|retention_rate').n).toBe(3);
    expect(rate('month|2025-06-01|retention_rate').value).toBeCloseTo(200 / 3, 9);
    expect(rate('quarter|2025-04-01|retention_rate').n).toBe(3);
    expect(rate('quarter|2025-04-01|retention_rate').value).toBeCloseTo(200 / 3, 9);
  });

  it('keeps a customer who leaves and comes back within the period', () => {
    // Week of 9 June: a, b, c, d at both ends (b left on the 12th, back on the 14th)
    expect(rate('week|2025-06-09|retention_rate')).toMatchObject({ value: 100, n: 4 });
    // Week of 23 June: a, b, c, d, f at its start; b leaves on the 25th -> 4 / 5
    expect(rate('week|2025-06-23|retention_rate').n).toBe(5);
    expect(rate('week|2025-06-23|churn_rate').value).toBeCloseTo(20, 9);
  });

  it('reads the state at a custom range start from every change before the range', () => {
    // 15 June: a, b (back on the 14th), c, d; 27 June: b gone, f new -> 3 / 4
    expect(rate('range|2025-06-15|retention_rate').n).toBe(4);
    expect(rate('range|2025-06-15|retention_rate').value).toBeCloseTo(75, 9);
  });

  it('orders a same-day cancellation and order by their instants', () => {
    // c's June order follows its cancellation the same day: still active, and an ordering customer
    expect(rate('month|2025-06-01|repeat_purchase_rate')).toMatchObject({ value: 0, n: 1 });
    // March: only e is active at its start, and leaves on the 1st
    expect(rate('month|2025-03-01|retention_rate')).toMatchObject({ value: 0, n: 1 });
  });
});
