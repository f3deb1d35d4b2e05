/**
 * The real twcs.csv (first 5,000 tweets of "Customer Support on Twitter") through the social
 * adapter with examples/sources/twcs.json. Expected figures were computed from the raw file with
 * Python's csv module, independently of the adapter (the two bare CRs are masked so csv does not
 * split on them; a reply counts when it is by a brand and answers an inbound tweet):
 *
 *   python3 -c "import csv,io,statistics as s;from datetime import datetime as D
 *   rows=list(csv.DictReader(io.StringIO(open('twcs.csv',encoding='utf-8',newline='').read().replace('\r','<CR>'))))
 *   t=lambda v:D.strptime(v,'%a %b %d %H:%M:%S %z %Y');by={r['tweet_id']:r for r in rows};f={}
 *   for r in rows:
 *     p=by.get(r['in_response_to_tweet_id'].removesuffix('.0'))
 *     if r['inbound']=='False' and p and p['inbound']=='True':k=p['tweet_id'];f[k]=min(f.get(k,t(r['created_at'])),t(r['created_at']))
 *   d=[(f[k]-t(by[k]['created_at'])).total_seconds() for k in f]
 *   print(len(rows),sum(r['inbound']=='True' for r in rows),len(f),s.median(d),{k:(f[k]-t(by[k]['created_at'])).total_seconds() for k in ('8','3','12')})"
 *
 * prints: 5000 2778 2083 692.0 {'8': 74.0, '3': 140.0, '12': 348.0}
 */
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { socialAdapter, socialOptionsSchema } from '../../lambdas/adapters/social/index.ts';
import { sourceConfigSchema } from '../../lambdas/core/config/config.ts';
import type { SourceRecord } from '../../lambdas/core/normalise/adapter.ts';
import { createPseudonymiser } from '../../lambdas/core/normalise/pseudonymise.ts';
import { type SocialMention, TABLES } from '../../lambdas/core/schema/canonical.ts';
import { LexiconSentimentAnalyser } from '../../lambdas/core/sentiment/index.ts';
import { describeRealdata, REALDATA } from '../support/realdata.ts';

const FILE = 'twcs-twitter-support/twcs.csv';
const file = join(REALDATA, FILE);

describeRealdata('twcs.csv through the social adapter', [FILE], () => {
  const source = sourceConfigSchema.parse(
    JSON.parse(readFileSync(new URL('../../examples/sources/twcs.json', import.meta.url), 'utf8')),
  );
  const options = socialOptionsSchema.parse(source.options);

  async function load(): Promise<{ records: SourceRecord[]; rows: Map<string, SocialMention> }> {
    const records: SourceRecord[] = [];
    const context = {
      source: source.name,
      objectKey: 'twcs/twcs.csv',
      ingestedAt: new Date('2024-01-01T00:00:00Z'),
      pseudonymise: createPseudonymiser(new Uint8Array(32).fill(9)),
      timeZone: source.timeZone ?? 'UTC',
      sentiment: new LexiconSentimentAnalyser(),
    };
    for await (const r of socialAdapter.read(createReadStream(file), options, context)) records.push(r);
    const rows = new Map<string, SocialMention>();
    for (const r of records) {
      if (r.kind === 'mapped') for (const m of r.rows) rows.set(String(m.row.mention_id), m.row as SocialMention);
    }
    return { records, rows };
  }
  const loaded = load();

  it('curates all 5,000 tweets as valid rows and rejects none (the tweet split by bare CRs is rejoined)', async () => {
    const { records, rows } = await loaded;
    expect(records.filter((r) => r.kind === 'rejected')).toEqual([]);
    expect(records).toHaveLength(5000);
    expect(rows.size).toBe(5000);
    for (const row of rows.values()) expect(TABLES.social_mentions.schema.safeParse(row).success).toBe(true);
    expect(rows.get('3399')?.text).toBe('@AskPayPal \r\rI just love the start of email 😁 https://t.co/8u1Pf5rJoN');
  });

  it('tells 2,778 customer tweets from 2,222 brand tweets by the inbound flag', async () => {
    const { rows } = await loaded;
    const brand = [...rows.values()].filter((r) => r.is_brand_reply);
    expect(brand).toHaveLength(2222);
    expect(rows.get('1')).toMatchObject({ is_brand_reply: true, author_key: 'sprintcare', in_reply_to: '3' });
    expect(rows.get('2')?.author_key).not.toBe('115712');
  });

  it('finds the first brand reply of 2,083 customer tweets, with the hand-computed response times', async () => {
    const { rows } = await loaded;
    const seconds = (id: string) => {
      const r = rows.get(id);
      return r?.brand_replied_at ? (r.brand_replied_at.getTime() - r.posted_at.getTime()) / 1000 : null;
    };
    const answered = [...rows.values()].filter((r) => r.brand_replied_at !== null);
    expect(answered).toHaveLength(2083);
    expect(answered.every((r) => !r.is_brand_reply)).toBe(true);
    expect(seconds('8')).toBe(74);
    expect(seconds('3')).toBe(140);
    expect(seconds('12')).toBe(348);
    const sorted = answered.map((r) => seconds(r.mention_id) ?? Number.NaN).sort((a, b) => a - b);
    const mid = sorted.length / 2;
    const median =
      sorted.length % 2 === 1 ? sorted[Math.floor(mid)] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
    expect(median).toBe(692);
  });

  it('scores the sentiment of every customer tweet and of no brand tweet', async () => {
    const { rows } = await loaded;
    for (const r of rows.values()) {
      if (r.is_brand_reply) expect(r.sentiment_label).toBeNull();
      else expect(r.sentiment_label).not.toBeNull();
    }
    expect(rows.get('8')?.sentiment_label).toBe('negative');
  });
});
