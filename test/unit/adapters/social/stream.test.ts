import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ReadItem } from '../../../../lambdas/adapters/shared/records.ts';
import { parsePostTime, type SocialOptions, socialOptionsSchema } from '../../../../lambdas/adapters/social/map.ts';
import { mapMentions } from '../../../../lambdas/adapters/social/stream.ts';
import type { AdapterContext, SentimentAnalyser, SourceRecord } from '../../../../lambdas/core/normalise/adapter.ts';
import { createPseudonymiser } from '../../../../lambdas/core/normalise/pseudonymise.ts';
import { TABLES } from '../../../../lambdas/core/schema/canonical.ts';
import { LexiconSentimentAnalyser } from '../../../../lambdas/core/sentiment/index.ts';

const fixture = new URL('../../../fixtures/social/mentions.jsonl', import.meta.url);
const baseContext: AdapterContext = {
  source: 'twitter-acme',
  objectKey: 'twitter-acme/2024-05-01.jsonl',
  ingestedAt: new Date('2024-05-02T00:00:00Z'),
  pseudonymise: createPseudonymiser(new Uint8Array(32).fill(3)),
  timeZone: 'UTC',
  sentiment: new LexiconSentimentAnalyser(),
};
const options: SocialOptions = socialOptionsSchema.parse({
  format: 'jsonl',
  fields: {
    id: 'id_str',
    author: 'user.screen_name',
    text: 'text',
    createdAt: 'created_at',
    inReplyTo: 'in_reply_to_status_id_str',
  },
  platform: 'twitter',
  brandHandles: ['@AcmeSupport'],
  timestampFormat: 'twitter',
});

async function* jsonLines(): AsyncIterable<ReadItem> {
  const lines = readFileSync(fixture, 'utf8').trim().split('\n');
  for (const [i, line] of lines.entries()) yield { kind: 'record', rowNumber: i + 1, value: JSON.parse(line) };
}

async function collect(opts: SocialOptions = options, context: AdapterContext = baseContext): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of mapMentions(jsonLines(), opts, context)) out.push(r);
  return out;
}

function mentionRows(records: SourceRecord[]) {
  return new Map(
    records.flatMap((r) => (r.kind === 'mapped' ? r.rows.map((m) => [String(m.row.mention_id), m.row] as const) : [])),
  );
}

describe('social mentions', () => {
  it('maps every post to a valid social_mentions row, in file order', async () => {
    const records = await collect();
    expect(records.map((r) => r.rowNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const r of records) {
      if (r.kind !== 'mapped') continue;
      for (const { table, row } of r.rows) {
        expect(table).toBe('social_mentions');
        const parsed = TABLES.social_mentions.schema.safeParse(row);
        expect(parsed.error?.issues ?? []).toEqual([]);
      }
    }
  });

  it('recognises brand posts by handle whatever the case, keeps the brand handle and pseudonymises people', async () => {
    const rows = mentionRows(await collect());
    expect(rows.get('9002')).toMatchObject({ is_brand_reply: true, author_key: 'AcmeSupport', in_reply_to: '9001' });
    expect(rows.get('9005')).toMatchObject({ is_brand_reply: true, author_key: 'acmesupport' });
    expect(rows.get('9001')).toMatchObject({
      is_brand_reply: false,
      author_key: baseContext.pseudonymise('author', 'jdoe'),
      platform: 'twitter',
      posted_at: new Date('2024-05-01T10:00:00Z'),
    });
  });

  it('sets brand_replied_at to the earliest brand reply, whether the reply comes before or after the post in the file', async () => {
    const rows = mentionRows(await collect());
    // 9002 (10:20) and 9003 (10:05) both answer 9001, listed after it: the earlier one wins.
    expect(rows.get('9001')?.brand_replied_at).toEqual(new Date('2024-05-01T10:05:00Z'));
    // 9005 answers 9004 one line before 9004 appears.
    expect(rows.get('9004')?.brand_replied_at).toEqual(new Date('2024-05-01T12:30:00Z'));
    expect(rows.get('9006')?.brand_replied_at).toBeNull();
    expect(rows.get('9002')?.brand_replied_at).toBeNull();
  });

  it('ignores a brand reply stamped before the post it answers', async () => {
    const rows = mentionRows(await collect());
    expect(rows.get('9008')?.brand_replied_at).toBeNull();
  });

  it('misses replies further away than the window, keeping the nearer ones', async () => {
    const rows = mentionRows(await collect({ ...options, replyWindowRecords: 1 }));
    // 9002 (10:20) is the next record and still joins 9001; the earlier 9003 (10:05) is two records away.
    expect(rows.get('9001')?.brand_replied_at).toEqual(new Date('2024-05-01T10:20:00Z'));
    // 9004's reply came first, so it is remembered however small the window.
    expect(rows.get('9004')?.brand_replied_at).toEqual(new Date('2024-05-01T12:30:00Z'));
  });

  it('forgets early replies beyond pendingReplyLimit', async () => {
    const rows = mentionRows(await collect({ ...options, pendingReplyLimit: 0 }));
    // 9005 answers 9004 before 9004 is read; with no room to remember it, 9004 stays unanswered.
    expect(rows.get('9004')?.brand_replied_at).toBeNull();
    expect(rows.get('9001')?.brand_replied_at).toEqual(new Date('2024-05-01T10:05:00Z'));
  });

  it('scores customer posts only, in batched analyser calls', async () => {
    const calls: number[] = [];
    const lexicon = new LexiconSentimentAnalyser();
    const counting: SentimentAnalyser = {
      analyse: async (texts) => {
        calls.push(texts.length);
        return lexicon.analyse(texts);
      },
    };
    const rows = mentionRows(await collect(options, { ...baseContext, sentiment: counting }));
    expect(calls).toEqual([4]);
    expect(rows.get('9001')?.sentiment_label).toBe('negative');
    expect(rows.get('9004')?.sentiment_label).toBe('positive');
    expect(rows.get('9002')).toMatchObject({ sentiment_label: null, sentiment_score: null });
  });

  it('leaves sentiment null when no analyser is configured', async () => {
    const { sentiment: _ignored, ...withoutSentiment } = baseContext;
    const rows = mentionRows(await collect(options, withoutSentiment));
    expect(rows.get('9001')).toMatchObject({ sentiment_label: null, sentiment_score: null });
  });

  it('fails when a post has no timestamp, naming the field', async () => {
    const records = await collect();
    expect(records[6]).toMatchObject({ kind: 'rejected', rowNumber: 7, field: 'created_at', reason: 'is missing' });
  });

  it('passes unreadable records through as rejects without breaking the join', async () => {
    async function* items(): AsyncIterable<ReadItem> {
      yield { kind: 'error', rowNumber: 1, error: 'Unexpected token } in JSON', raw: '{"id_str":}' };
      yield* jsonLines();
    }
    const out: SourceRecord[] = [];
    for await (const r of mapMentions(items(), options, baseContext)) out.push(r);
    expect(out[0]).toMatchObject({ kind: 'rejected', field: null, reason: 'Unexpected token } in JSON' });
    expect(out).toHaveLength(10);
  });
});

describe('social options', () => {
  it('fails when brand posts cannot be recognised', () => {
    const result = socialOptionsSchema.safeParse({ format: 'csv' });
    expect(result.error?.issues[0]?.message).toMatch(/brandHandles/);
  });
});

describe('parsePostTime', () => {
  it('reads the Twitter created_at form with its offset', () => {
    expect(parsePostTime('Tue Oct 31 22:10:47 +0000 2017', 'twitter', 'UTC')).toEqual(new Date('2017-10-31T22:10:47Z'));
    expect(parsePostTime('Tue Oct 31 22:10:47 -0130 2017', 'twitter', 'UTC')).toEqual(new Date('2017-10-31T23:40:47Z'));
  });

  it('fails on dates that do not exist instead of rolling them over', () => {
    expect(parsePostTime('Fri Nov 31 10:00:00 +0000 2017', 'twitter', 'UTC')).toBeNull();
    expect(parsePostTime('2017-10-31 22:10', 'twitter', 'UTC')).toBeNull();
  });

  it('reads ISO without an offset in the source time zone, and Unix times', () => {
    expect(parsePostTime('2024-05-01 12:00:00', 'iso', 'Europe/Paris')).toEqual(new Date('2024-05-01T10:00:00Z'));
    expect(parsePostTime('1714564800', 'unix_s', 'UTC')).toEqual(new Date('2024-05-01T12:00:00Z'));
    expect(parsePostTime('1714564800000', 'unix_ms', 'UTC')).toEqual(new Date('2024-05-01T12:00:00Z'));
  });
});
