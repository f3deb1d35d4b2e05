/**
 * cfpb-complaints.json over the real CFPB sample (two stray lines before the header, quoted
 * newlines in narratives, so counted with a CSV parser):
 *   tail -n +3 ../shared/realdata/cfpb-complaints/complaints_sample.csv | python3 -c "import csv,sys;
 *     r=list(csv.DictReader(sys.stdin)); print(len(r), sum(x['Timely response?']=='No' for x in r),
 *     sum(x['Company response to consumer']=='In progress' for x in r), len({x['Company'] for x in r}),
 *     sum(x['Submitted via'] in ('Referral','Postal mail','Fax') for x in r))"
 *   → 6623 94 35 710 996
 */
import { expect, it } from 'vitest';
import { describeRealdata } from '../support/realdata.ts';
import { count, runOnRealFile } from '../unit/adapters/mapping/support.ts';

const FILE = 'cfpb-complaints/complaints_sample.csv';

describeRealdata('cfpb-complaints.json on the real complaint sample', [FILE], () => {
  it('loads every complaint with its timeliness verdict', async () => {
    const run = await runOnRealFile('cfpb-complaints', FILE);
    expect(run.read).toBe(6_623);
    expect(run.rows).toHaveLength(6_623);
    expect(run.rejectedBy).toEqual({});
    expect(run.invalid).toBe(0);
    expect(count(run.rows, (r) => r.sla_first_response_met === false)).toBe(94);
    expect(count(run.rows, (r) => r.status === 'open')).toBe(35);
    expect(new Set(run.rows.map((r) => r.team)).size).toBe(710);
    expect(count(run.rows, (r) => r.channel === 'other')).toBe(996);
  });
});
