import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type DelightedOptions, delightedAdapter } from '../../../../lambdas/adapters/delighted/index.ts';
import type { AdapterContext, SourceRecord } from '../../../../lambdas/core/normalise/adapter.ts';
import { createPseudonymiser } from '../../../../lambdas/core/normalise/pseudonymise.ts';
import { TABLES } from '../../../../lambdas/core/schema/canonical.ts';

const fixture = new URL('../../../fixtures/delighted/survey_responses.json', import.meta.url);
const context: AdapterContext = {
  source: 'delighted',
  objectKey: 'delighted/2024-05-02.json',
  ingestedAt: new Date('2024-06-01T00:00:00Z'),
  pseudonymise: createPseudonymiser(new Uint8Array(32).fill(4)),
  timeZone: 'UTC',
};
const options: DelightedOptions = delightedAdapter.optionsSchema.parse({
  customerProperty: 'customer_id',
  interactionProperty: 'ticket_id',
  agentProperty: 'agent',
  teamProperty: 'team',
  channelProperty: 'channel',
  touchpointProperty: 'Delighted Source',
});

async function collect(input: Readable, opts: DelightedOptions = options): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of delightedAdapter.read(input, opts, context)) out.push(r);
  return out;
}

describe('delighted adapter', () => {
  it('maps an NPS response with an expanded person and its properties to a valid row', async () => {
    const [first] = await collect(createReadStream(fixture));
    expect(first?.kind).toBe('mapped');
    if (first?.kind !== 'mapped') return;
    const row = first.rows[0]?.row;
    expect(TABLES.survey_responses.schema.safeParse(row).success).toBe(true);
    expect(row).toMatchObject({
      response_id: '5435',
      survey_kind: 'nps',
      question: 'nps',
      score: 9,
      scale_min: 0,
      scale_max: 10,
      customer_key: context.pseudonymise('customer', 'CUST-0042'),
      interaction_id: '1001',
      agent_id: 'a.smith',
      team: 'Billing',
      channel: 'email',
      touchpoint: 'Email',
      comment: 'Great support, quick answer.',
      responded_at: new Date(1714644873 * 1000),
      updated_at: new Date(1714731273 * 1000),
    });
  });

  it('maps CSAT on its 1-5 scale and falls back to the Delighted person id', async () => {
    const records = await collect(createReadStream(fixture), delightedAdapter.optionsSchema.parse({}));
    const csat = records[1];
    if (csat?.kind !== 'mapped') throw new Error('expected a mapped record');
    expect(csat.rows[0]?.row).toMatchObject({
      survey_kind: 'csat',
      score: 4,
      scale_min: 1,
      scale_max: 5,
      comment: null,
      customer_key: context.pseudonymise('customer', '3424'),
    });
  });

  it('fails when a score is off the survey type scale (CES 6 on 1-5)', async () => {
    const records = await collect(createReadStream(fixture));
    expect(records[2]).toMatchObject({ kind: 'rejected', field: 'score' });
    expect(records[2]?.kind === 'rejected' && records[2].reason).toMatch(
      /score 6 is outside the configured ces scale 1-5/,
    );
  });

  it('accepts a 7-point CES project once the options say so', async () => {
    const opts = delightedAdapter.optionsSchema.parse({
      surveyTypes: { ces: { kind: 'ces', scaleMin: 1, scaleMax: 7 } },
    });
    const records = await collect(createReadStream(fixture), opts);
    expect(records[2]?.kind === 'mapped' && records[2].rows[0]?.row.scale_max).toBe(7);
  });

  it('fails when the survey type has no configured scale', async () => {
    const records = await collect(createReadStream(fixture));
    expect(records[3]).toMatchObject({ kind: 'rejected', field: 'survey_type' });
    expect(records[3]?.kind === 'rejected' && records[3].reason).toMatch(/"thumbs" has no scale/);
  });

  it('fails when the score is missing or the time is not a Unix timestamp', async () => {
    const records = await collect(createReadStream(fixture));
    expect(records[4]).toMatchObject({ kind: 'rejected', field: 'score', reason: 'is missing' });
    expect(records[5]).toMatchObject({ kind: 'rejected', field: 'created_at' });
  });

  it('reads JSON Lines of the same objects', async () => {
    const line = JSON.stringify({ id: '1', person: '9', survey_type: 'enps', score: 10, created_at: 1714644873 });
    const [record] = await collect(Readable.from([`${line}\n${line.replace('"1"', '"2"')}\n`]));
    expect(record?.kind === 'mapped' && record.rows[0]?.row).toMatchObject({ survey_kind: 'enps', score: 10 });
  });
});
