/**
 * pwc-calls.json and pwc-csat.json over the real PwC export. Expected figures from the raw file:
 *   F=../shared/realdata/pwc-callcentre/Call-Center-Dataset.csv
 *   tr -d '\r' < $F | awk -F, 'NR>1 { n++; if ($7=="N") ab++; if ($11!="0") { r++; s+=$11 } }
 *     END { print n, ab, r, s }'                                        → 5000 946 4054 13798
 */
import { expect, it } from 'vitest';
import { describeRealdata } from '../support/realdata.ts';
import { count, runOnRealFile } from '../unit/adapters/mapping/support.ts';

const FILE = 'pwc-callcentre/Call-Center-Dataset.csv';

describeRealdata('PwC mappings on the real call export', [FILE], () => {
  it('pwc-calls.json loads all 5,000 calls, 946 of them abandoned', async () => {
    const run = await runOnRealFile('pwc-calls', FILE);
    expect(run.read).toBe(5_000);
    expect(run.rows).toHaveLength(5_000);
    expect(run.rejectedBy).toEqual({});
    expect(run.invalid).toBe(0);
    expect(count(run.rows, (r) => r.is_abandoned === true)).toBe(946);
    expect(count(run.rows, (r) => r.is_abandoned === true && (r.queue_s !== null || r.agent_id !== null))).toBe(0);
    expect(count(run.rows, (r) => r.answered_at !== null)).toBe(4_054);
  });

  it('pwc-csat.json loads the 4,054 ratings and drops the 946 zero ratings with their reason', async () => {
    const run = await runOnRealFile('pwc-csat', FILE);
    expect(run.read).toBe(5_000);
    expect(run.rows).toHaveLength(4_054);
    expect(run.rejectedBy).toEqual({
      'Satisfaction rating: dropped by rule: rating 0 means no rating: the call was not answered, so no survey was offered': 946,
    });
    expect(run.invalid).toBe(0);
    expect(run.rows.reduce((sum, r) => sum + (r.score as number), 0)).toBe(13_798);
  });
});
