import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { socialAdapter, socialOptionsSchema } from '../../../../lambdas/adapters/social/index.ts';
import type { AdapterContext, SourceRecord } from '../../../../lambdas/core/normalise/adapter.ts';
import { createPseudonymiser } from '../../../../lambdas/core/normalise/pseudonymise.ts';

const context: AdapterContext = {
  source: 'twcs',
  objectKey: 'twcs/sample.csv',
  ingestedAt: new Date('2024-01-01T00:00:00Z'),
  pseudonymise: createPseudonymiser(new Uint8Array(32).fill(1)),
  timeZone: 'UTC',
};
const options = socialOptionsSchema.parse({
  format: 'csv',
  fields: { id: 'tweet_id', author: 'author_id', createdAt: 'created_at', inReplyTo: 'in_response_to_tweet_id' },
  platform: 'twitter',
  inbound: { field: 'inbound', customerValues: ['True'] },
  timestampFormat: 'twitter',
  stripFloatIdSuffix: true,
});

async function collect(input: Readable, opts = options): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of socialAdapter.read(input, opts, context)) out.push(r);
  return out;
}

describe('social adapter on a twcs-shaped CSV', () => {
  const fixture = new URL('../../../fixtures/social/twcs-sample.csv', import.meta.url);

  it('keeps bare carriage returns inside an unquoted text as text', async () => {
    const records = await collect(createReadStream(fixture));
    const split = records[1];
    expect(split?.kind).toBe('mapped');
    if (split?.kind !== 'mapped') return;
    expect(split.rows[0]?.row).toMatchObject({ mention_id: '11', text: '@AcmeHelp my parcel\r\ris lost' });
    // The brand reply (row 1) comes before the post it answers and still sets brand_replied_at.
    expect(split.rows[0]?.row.brand_replied_at).toEqual(new Date('2017-10-31T22:10:47Z'));
  });

  it('strips the pandas ".0" from reply ids and keeps quoted commas in the text', async () => {
    const records = await collect(createReadStream(fixture));
    const [reply, , quoted] = records;
    expect(reply?.kind === 'mapped' && reply.rows[0]?.row.in_reply_to).toBe('11');
    expect(quoted?.kind === 'mapped' && quoted.rows[0]?.row.text).toBe('@AcmeHelp thanks, all sorted');
  });

  it('fails when created_at is not in the configured format, naming the field', async () => {
    const records = await collect(createReadStream(fixture));
    expect(records).toHaveLength(5);
    expect(records[4]).toMatchObject({
      kind: 'rejected',
      field: 'created_at',
      reason: '"not a date" is not a twitter timestamp',
    });
  });

  it('fails when the inbound flag is missing, since the post cannot be attributed', async () => {
    const csv =
      'tweet_id,author_id,inbound,created_at,text,in_response_to_tweet_id\n1,77,,Tue Oct 31 22:10:47 +0000 2017,hi,\n';
    const [record] = await collect(Readable.from([csv]));
    expect(record).toMatchObject({ kind: 'rejected', field: 'inbound' });
  });

  it('reads JSON Lines with dotted paths', async () => {
    const jsonl = [
      { id: 'a1', user: { handle: 'kim' }, body: 'love it', ts: '2024-05-01T10:00:00Z', network: 'Instagram' },
      {
        id: 'a2',
        user: { handle: 'AcmeHelp' },
        body: 'thanks!',
        ts: '2024-05-01T10:03:00Z',
        reply_to: 'a1',
        network: 'Instagram',
      },
    ]
      .map((o) => JSON.stringify(o))
      .join('\n');
    const opts = socialOptionsSchema.parse({
      format: 'jsonl',
      fields: {
        id: 'id',
        author: 'user.handle',
        text: 'body',
        createdAt: 'ts',
        inReplyTo: 'reply_to',
        platform: 'network',
      },
      brandHandles: ['acmehelp'],
    });
    const records = await collect(Readable.from([jsonl]), opts);
    const first = records[0];
    expect(first?.kind === 'mapped' && first.rows[0]?.row).toMatchObject({
      platform: 'instagram',
      brand_replied_at: new Date('2024-05-01T10:03:00Z'),
      is_brand_reply: false,
    });
  });
});
