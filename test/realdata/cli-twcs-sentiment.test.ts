/**
 * The real twcs.csv ingested through `servicebench ingest` with the shipped example config, as a
 * user runs it: the CLI's default lexicon analyser scores every customer tweet, so the month has a
 * net sentiment. 2,778 of the 5,000 tweets are inbound (customer) tweets, counted from the raw
 * file with Python's csv module (see social-twcs.test.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { EXAMPLE_CONFIG_FILE } from '../../lambdas/core/config/locate.ts';
import { runCli } from '../support/cli.ts';
import { describeRealdata, REALDATA } from '../support/realdata.ts';

const FILE = 'twcs-twitter-support/twcs.csv';

describeRealdata('twcs.csv through servicebench ingest', [FILE], () => {
  const lake = mkdtempSync(join(tmpdir(), 'sb-realdata-twcs-'));
  afterAll(() => rmSync(lake, { recursive: true, force: true }));
  const cli = (...args: string[]) => runCli(['--lake', lake, '--config', EXAMPLE_CONFIG_FILE, ...args]);

  it('scores all 2,778 customer tweets with the default analyser and gives the month a net sentiment', async () => {
    const ingest = await cli('ingest', '--source', 'twcs', join(REALDATA, FILE));
    expect(ingest.stdout).toContain('5000 read, 5000 accepted, 0 rejected');
    expect(ingest.code).toBe(0);
    const counts = await cli(
      'query',
      '--format',
      'json',
      `SELECT count(*) AS customer_posts, count(sentiment_label) AS labelled, count(sentiment_score) AS scored,
              min(posted_at) AS first_post
       FROM social_mentions_latest WHERE NOT is_brand_reply`,
    );
    expect(counts.stderr).toBe('');
    const [row] = JSON.parse(counts.stdout) as { customer_posts: number; labelled: number; scored: number }[];
    expect(row).toMatchObject({ customer_posts: 2778, labelled: 2778, scored: 2778 });
    const metrics = await cli('metrics', '--period', '2017-10', '--format', 'json');
    expect(metrics.code).toBe(0);
    const net = (JSON.parse(metrics.stdout) as { metric: string; value: number | null; n: number }[]).find(
      (r) => r.metric === 'net_sentiment',
    );
    expect(net?.value).toEqual(expect.any(Number));
  }, 300_000);
});
