/**
 * telco-signups.json and telco-cancellations.json over the real IBM churn sample:
 *   awk -F, 'NR>1 { n++; if ($6=="0") z++; if ($21=="Yes") { c++; s+=$20 } } END { printf "%d %d %d %.2f\n", n, z, c, s }' \
 *     ../shared/realdata/ibm-telco-churn/Telco-Customer-Churn.csv              → 7043 11 1869 2862926.90
 *   awk -F, 'NR>1 && $6=="72"' …/Telco-Customer-Churn.csv | wc -l              → 362 (signed up 2013-09-30)
 */
import { expect, it } from 'vitest';
import { describeRealdata } from '../support/realdata.ts';
import { count, runOnRealFile } from '../unit/adapters/mapping/support.ts';

const FILE = 'ibm-telco-churn/Telco-Customer-Churn.csv';
const at = (iso: string) => (r: Record<string, unknown>) => (r.event_at as Date).toISOString() === iso;

describeRealdata('Telco mappings on the real churn sample', [FILE], () => {
  it('telco-signups.json dates one signup per customer from tenure before the snapshot', async () => {
    const run = await runOnRealFile('telco-signups', FILE);
    expect(run.read).toBe(7_043);
    expect(run.rows).toHaveLength(7_043);
    expect(run.rejectedBy).toEqual({});
    expect(run.invalid).toBe(0);
    expect(new Set(run.rows.map((r) => r.customer_key)).size).toBe(7_043);
    expect(count(run.rows, at('2019-09-30T00:00:00.000Z'))).toBe(11);
    expect(count(run.rows, at('2013-09-30T00:00:00.000Z'))).toBe(362);
  });

  it('telco-cancellations.json turns the 1,869 churned customers into cancellations', async () => {
    const run = await runOnRealFile('telco-cancellations', FILE);
    expect(run.read).toBe(7_043);
    expect(run.rows).toHaveLength(1_869);
    expect(run.rejectedBy).toEqual({
      'Churn: dropped by rule: still a customer at the snapshot, so no cancellation': 5_174,
    });
    expect(run.invalid).toBe(0);
    const total = run.rows.reduce((sum, r) => sum + (r.amount as number), 0);
    expect(total).toBeCloseTo(2_862_926.9, 2);
  });
});
