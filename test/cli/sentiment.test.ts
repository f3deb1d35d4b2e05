/**
 * `servicebench ingest` scores social text with the local lexicon by default, so net sentiment
 * exists for a social export ingested from the command line, as it does in the demo.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const POSTS = [
  {
    id: 'p1',
    author: 'ann',
    text: 'I love how quickly you fixed this, thank you, great service!',
    created_at: '2025-06-02T09:00:00Z',
  },
  {
    id: 'p2',
    author: 'bob',
    text: 'Terrible, awful support. My order is broken and nobody helps.',
    created_at: '2025-06-02T10:00:00Z',
  },
  { id: 'p3', author: 'cy', text: 'Is the shop open on Sunday?', created_at: '2025-06-03T10:00:00Z' },
  {
    id: 'r1',
    author: 'ExampleCoHelp',
    text: 'Sorry to hear that, we are on it.',
    created_at: '2025-06-02T10:05:00Z',
    in_reply_to: 'p2',
  },
];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sb-cli-sentiment-'));
  writeFileSync(join(dir, 'mentions.jsonl'), `${POSTS.map((p) => JSON.stringify(p)).join('\n')}\n`);
  writeFileSync(
    join(dir, 'servicebench.config.json'),
    JSON.stringify({
      sources: [{ name: 'social', adapter: 'social', options: { format: 'jsonl', brandHandles: ['ExampleCoHelp'] } }],
    }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (lake: string, ...args: string[]) =>
  runCli(['--lake', join(dir, lake), '--config', join(dir, 'servicebench.config.json'), ...args]);

const SENTIMENT = 'SELECT mention_id, sentiment_label, sentiment_score FROM social_mentions ORDER BY 1';

describe('servicebench ingest of a social export', () => {
  it('scores every post with the lexicon analyser by default, so net sentiment has a value', async () => {
    const ingest = await cli('lake', 'ingest', '--source', 'social', join(dir, 'mentions.jsonl'));
    expect(ingest.stdout).toContain('4 read, 4 accepted, 0 rejected');
    expect(ingest.code).toBe(0);
    const rows = JSON.parse((await cli('lake', 'query', '--format', 'json', SENTIMENT)).stdout) as {
      mention_id: string;
      sentiment_label: string | null;
      sentiment_score: number | null;
    }[];
    expect(rows.map((r) => r.mention_id)).toEqual(['p1', 'p2', 'p3', 'r1']);
    expect(rows.find((r) => r.mention_id === 'p1')?.sentiment_label).toBe('positive');
    expect(rows.find((r) => r.mention_id === 'p2')?.sentiment_label).toBe('negative');
    // The brand's own replies are not the customers' sentiment.
    for (const row of rows.filter((r) => r.mention_id.startsWith('p'))) {
      expect(typeof row.sentiment_score, row.mention_id).toBe('number');
    }

    const metrics = await cli('lake', 'metrics', '--period', '2025-06', '--format', 'json');
    expect(metrics.code).toBe(0);
    const net = (JSON.parse(metrics.stdout) as { metric: string; value: number | null }[]).find(
      (r) => r.metric === 'net_sentiment',
    );
    expect(net?.value).not.toBeNull();
  }, 120_000);

  it('leaves sentiment unknown, never neutral, with --no-sentiment', async () => {
    const ingest = await cli('lake-off', 'ingest', '--no-sentiment', '--source', 'social', join(dir, 'mentions.jsonl'));
    expect(ingest.code).toBe(0);
    const rows = JSON.parse((await cli('lake-off', 'query', '--format', 'json', SENTIMENT)).stdout) as {
      sentiment_label: string | null;
      sentiment_score: number | null;
    }[];
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row).toMatchObject({ sentiment_label: null, sentiment_score: null });
  }, 60_000);
});
