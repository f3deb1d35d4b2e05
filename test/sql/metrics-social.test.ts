import { TrinoSQL } from 'dt-sql-parser';
import { describe, expect, it } from 'vitest';
import type { SocialMention } from '../../lambdas/core/schema/canonical.ts';
import { createViewSql } from '../../sql/registry.ts';
import { type TestLake, utc, viewRows } from '../support/lake.ts';
import { wilson } from '../support/stats.ts';

function post(overrides: Partial<SocialMention> & { mention_id: string; posted_at: Date }): SocialMention {
  return {
    source: 'twitter',
    platform: 'twitter',
    author_key: 'customer',
    text: null,
    sentiment_label: null,
    sentiment_score: null,
    in_reply_to: null,
    is_brand_reply: false,
    brand_replied_at: null,
    updated_at: overrides.posted_at,
    ingested_at: utc('2025-07-15 00:00:00'),
    ...overrides,
  };
}

const at = (text: string) => utc(`2025-06-${text}`);
const mentions = [
  // replied after 600 s (brand_replied_at)
  post({
    mention_id: 'm1',
    posted_at: at('02 10:00:00'),
    sentiment_label: 'positive',
    brand_replied_at: at('02 10:10:00'),
  }),
  // replied after 1800 s (a brand post answering it)
  post({ mention_id: 'm2', posted_at: at('02 10:00:00'), sentiment_label: 'negative' }),
  post({
    mention_id: 'b1',
    posted_at: at('02 10:30:00'),
    is_brand_reply: true,
    in_reply_to: 'm2',
    author_key: 'brand',
  }),
  // brand_replied_at says 7200 s but a brand post answered after 3600 s: the first reply counts
  post({
    mention_id: 'm3',
    posted_at: at('03 10:00:00'),
    sentiment_label: 'negative',
    brand_replied_at: at('03 12:00:00'),
  }),
  post({
    mention_id: 'b2',
    posted_at: at('03 11:00:00'),
    is_brand_reply: true,
    in_reply_to: 'm3',
    author_key: 'brand',
  }),
  // no label, no reply
  post({ mention_id: 'm4', posted_at: at('03 10:00:00') }),
  // reply dated before the post (clock skew): a reply, but not in the median
  post({
    mention_id: 'm5',
    posted_at: at('04 10:00:00'),
    sentiment_label: 'positive',
    brand_replied_at: at('04 09:00:00'),
  }),
  // another source: replied after 120 s, and a neutral post without reply
  post({
    mention_id: 'f1',
    source: 'facebook',
    platform: 'facebook',
    posted_at: at('05 10:00:00'),
    sentiment_label: 'positive',
    brand_replied_at: at('05 10:02:00'),
  }),
  post({
    mention_id: 'f2',
    source: 'facebook',
    platform: 'facebook',
    posted_at: at('05 11:00:00'),
    sentiment_label: 'neutral',
  }),
  // July: one unlabelled post, never answered
  post({ mention_id: 'm6', posted_at: utc('2025-07-01 10:00:00') }),
];

/** The mentions, landed as two overlapping exports. */
function writeMentions(lake: TestLake): void {
  lake.write('social_mentions', mentions);
  lake.write('social_mentions', mentions.slice(0, 2)); // an overlapping export resends m1 and m2
}

describe('metrics_social', () => {
  const rows = viewRows('metrics_social', writeMentions);
  const { row } = rows;

  it('parses as Trino SQL (Athena engine v3)', () => {
    const trino = new TrinoSQL();
    expect(trino.validate(createViewSql('metrics_social'))).toEqual([]);
    expect(trino.validate(createViewSql('social_sentiment_shares'))).toEqual([]);
  });

  it('counts customer posts only, once each', () => {
    // m1..m5, f1, f2 = 7 (brand replies b1, b2 are not mentions; m1 and m2 were exported twice)
    const volume = row('month|2025-06-01|overall|all|social_volume');
    expect(volume).toMatchObject({ value: 7, n: 7, unit: 'count', ci_low: null, ci_high: null });
    expect(row('month|2025-06-01|source|facebook|social_volume').value).toBe(2);
  });

  it('computes net sentiment over labelled posts with its margin of error', () => {
    // labelled: m1 +, m2 -, m3 -, m5 +, f1 +, f2 neutral -> (3 - 2) / 6 = +16.667; m4 has no label
    const net = row('month|2025-06-01|overall|all|net_sentiment');
    expect(net.value).toBeCloseTo(100 / 6, 9);
    expect(net.n).toBe(6);
    // P = 1/2, N = 1/3: var = (5/6 - 1/36) / 6, moe = 1.96 * sqrt(var) * 100 = 71.82
    const moe = 100 * 1.959963984540054 * Math.sqrt((5 / 6 - 1 / 36) / 6);
    expect(net.ci_low).toBeCloseTo(100 / 6 - moe, 9);
    expect(net.ci_high).toBeCloseTo(100 / 6 + moe, 9);
  });

  it('counts a post as answered from brand_replied_at or a brand reply post', () => {
    // answered: m1, m2 (brand post), m3, m5 (skewed but answered), f1 -> 5 / 7
    const rate = row('month|2025-06-01|overall|all|brand_response_rate');
    expect(rate.value).toBeCloseTo((100 * 5) / 7, 9);
    expect(rate.n).toBe(7);
    const { low, high } = wilson(5, 7);
    expect(rate.ci_low).toBeCloseTo(low, 9);
    expect(rate.ci_high).toBeCloseTo(high, 9);
  });

  it('takes the exact median of the first reply times', () => {
    // overall: 120, 600, 1800, 3600 -> (600 + 1800) / 2 = 1200; twitter: 600, 1800, 3600 -> 1800
    expect(row('month|2025-06-01|overall|all|brand_response_median_s')).toMatchObject({ value: 1200, n: 4 });
    expect(row('month|2025-06-01|source|twitter|brand_response_median_s')).toMatchObject({ value: 1800, n: 3 });
  });

  it('has no net sentiment or response time row when nothing is labelled or answered', () => {
    // July: one unlabelled, unanswered post -> volume 1, response rate 0 %, nothing else
    const july = row('month|2025-07-01|overall|all|brand_response_rate');
    expect(july.value).toBe(0);
    expect(july.ci_low).toBe(0); // Wilson at 0 % is exactly 0, not a rounding residue
    expect(rows.has('month|2025-07-01|overall|all|net_sentiment')).toBe(false);
    expect(rows.has('month|2025-07-01|overall|all|brand_response_median_s')).toBe(false);
    expect(rows.keys().filter((k) => k.includes('2025-08'))).toEqual([]);
  });
});

describe('social_sentiment_shares', () => {
  const shares = viewRows('social_sentiment_shares', writeMentions);

  it('splits the sentiment shares', () => {
    // positive 3 / 6, neutral 1 / 6, negative 2 / 6
    expect(shares.row('month|2025-06-01|overall|all|social_positive_pct').value).toBeCloseTo(50, 9);
    expect(shares.row('month|2025-06-01|overall|all|social_neutral_pct').value).toBeCloseTo(100 / 6, 9);
    expect(shares.row('month|2025-06-01|overall|all|social_negative_pct').value).toBeCloseTo(100 / 3, 9);
    expect(shares.row('month|2025-06-01|overall|all|social_negative_pct').n).toBe(6);
    expect(shares.has('month|2025-07-01|overall|all|social_positive_pct')).toBe(false);
  });
});
