/**
 * twcs-tweets.json over the real support tweets (one tweet holds a bare CR, so records are counted
 * by a reader that splits on LF only):
 *   python3 -c "import csv,io; t=open('../shared/realdata/twcs-twitter-support/twcs.csv', newline='').read().replace('\r', ' ');
 *     r=list(csv.DictReader(io.StringIO(t))); print(len(r), sum(x['inbound']=='False' for x in r),
 *     sum(x['in_response_to_tweet_id']!='' for x in r), len({x['author_id'] for x in r if x['inbound']=='False'}))"
 *   → 5000 2222 3694 76
 */
import { expect, it } from 'vitest';
import { describeRealdata } from '../support/realdata.ts';
import { count, runOnRealFile } from '../unit/adapters/mapping/support.ts';

const FILE = 'twcs-twitter-support/twcs.csv';

describeRealdata('twcs-tweets.json on the real support tweets', [FILE], () => {
  it('loads every tweet, brand replies with their handle', async () => {
    const run = await runOnRealFile('twcs-tweets', FILE);
    expect(run.read).toBe(5_000);
    expect(run.rows).toHaveLength(5_000);
    expect(run.rejectedBy).toEqual({});
    expect(run.invalid).toBe(0);
    expect(count(run.rows, (r) => r.is_brand_reply === true)).toBe(2_222);
    expect(count(run.rows, (r) => r.in_reply_to !== null)).toBe(3_694);
    expect(new Set(run.rows.filter((r) => r.is_brand_reply).map((r) => r.author_key)).size).toBe(76);
    expect(count(run.rows, (r) => typeof r.text === 'string' && r.text.includes('\r'))).toBe(1);
  });
});
