/**
 * nps-garden.json over the real garden-centre NPS export (Windows-1252). Expected figures:
 *   python3 -c "import csv,io; t=open('../shared/realdata/nps-garden-retail/nps.csv','rb').read().decode('cp1252','replace');
 *     r=list(csv.DictReader(io.StringIO(t))); s=[int(x['nps']) for x in r if x['nps']!='NA'];
 *     print(len(r), len(r)-len(s), sum(v>=9 for v in s), sum(v<=6 for v in s), sum(x['explication']!='NA' for x in r))"
 *   → 13954 342 8465 1194 3839
 */
import { expect, it } from 'vitest';
import { describeRealdata } from '../support/realdata.ts';
import { count, runOnRealFile } from '../unit/adapters/mapping/support.ts';

const FILE = 'nps-garden-retail/nps.csv';

describeRealdata('nps-garden.json on the real NPS export', [FILE], () => {
  it('loads every response, unanswered NPS questions as null scores', async () => {
    const run = await runOnRealFile('nps-garden', FILE);
    expect(run.read).toBe(13_954);
    expect(run.rows).toHaveLength(13_954);
    expect(run.rejectedBy).toEqual({});
    expect(run.invalid).toBe(0);
    expect(count(run.rows, (r) => r.score === null)).toBe(342);
    expect(count(run.rows, (r) => (r.score as number) >= 9)).toBe(8_465);
    expect(count(run.rows, (r) => r.score !== null && (r.score as number) <= 6)).toBe(1_194);
    expect(count(run.rows, (r) => r.comment !== null)).toBe(3_839);
    expect(count(run.rows, (r) => typeof r.comment === 'string' && r.comment.includes('é'))).toBeGreaterThan(1_000);
  });
});
