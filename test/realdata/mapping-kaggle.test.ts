/**
 * kaggle-tickets.json and kaggle-tickets-csat.json over the real Kaggle ticket export (quoted
 * newlines in descriptions, so counted with a CSV parser, not wc -l):
 *   python3 -c "import csv; r=list(csv.DictReader(open('../shared/realdata/kaggle-support-tickets/customer_support_tickets.csv', newline='')));
 *     print(len(r), sum(x['Ticket Status']=='Open' for x in r),
 *       sum(x['Ticket Status']=='Closed' and x['Time to Resolution'] < x['First Response Time'] for x in r),
 *       sum(x['Customer Satisfaction Rating']!='' for x in r),
 *       sum(float(x['Customer Satisfaction Rating']) for x in r if x['Customer Satisfaction Rating']))"
 *   → 8469 2819 1365 2769 8283.0
 */
import { expect, it } from 'vitest';
import { describeRealdata } from '../support/realdata.ts';
import { count, runOnRealFile } from '../unit/adapters/mapping/support.ts';

const FILE = 'kaggle-support-tickets/customer_support_tickets.csv';

describeRealdata('Kaggle ticket mappings on the real export', [FILE], () => {
  it('kaggle-tickets.json drops open tickets and rejects every resolution before its first response', async () => {
    const run = await runOnRealFile('kaggle-tickets', FILE);
    expect(run.read).toBe(8_469);
    expect(run.rows).toHaveLength(4_285);
    expect(run.rejectedBy).toEqual({
      'Ticket Status: dropped by rule: open tickets carry no timestamp (no creation, first response or resolution time), so they cannot be dated': 2_819,
      'resolved_at: check failed: resolved before its first response (created_at is the first response time in this export) (resolved_at … is before created_at …)': 1_365,
    });
    expect(run.invalid).toBe(0);
    expect(count(run.rows, (r) => r.status === 'pending')).toBe(2_881);
    expect(count(run.rows, (r) => r.status === 'closed')).toBe(2_769 - 1_365);
  });

  it('kaggle-tickets-csat.json loads the 2,769 ratings of closed tickets', async () => {
    const run = await runOnRealFile('kaggle-tickets-csat', FILE);
    expect(run.read).toBe(8_469);
    expect(run.rows).toHaveLength(2_769);
    expect(run.rejectedBy).toEqual({
      'Customer Satisfaction Rating: dropped by rule: no rating: only closed tickets were rated': 5_700,
    });
    expect(run.invalid).toBe(0);
    expect(run.rows.reduce((sum, r) => sum + (r.score as number), 0)).toBe(8_283);
  });
});
