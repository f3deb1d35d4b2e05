import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { surveyMonkeyAdapter } from '../../../../lambdas/adapters/surveymonkey/index.ts';
import type { SurveyMonkeyOptions } from '../../../../lambdas/adapters/surveymonkey/map.ts';
import {
  type AdapterContext,
  FileRejectedError,
  type SourceRecord,
} from '../../../../lambdas/core/normalise/adapter.ts';
import { createPseudonymiser } from '../../../../lambdas/core/normalise/pseudonymise.ts';
import { TABLES } from '../../../../lambdas/core/schema/canonical.ts';

const fixture = new URL('../../../fixtures/surveymonkey/responses.csv', import.meta.url);
const NPS = 'How likely is it that you would recommend Acme to a friend or colleague?';
const CSAT = 'How satisfied were you with the support you received?';
const context: AdapterContext = {
  source: 'surveymonkey-support',
  objectKey: 'surveymonkey-support/responses.csv',
  ingestedAt: new Date('2024-06-01T00:00:00Z'),
  pseudonymise: createPseudonymiser(new Uint8Array(32).fill(5)),
  timeZone: 'America/New_York',
};
const options: SurveyMonkeyOptions = surveyMonkeyAdapter.optionsSchema.parse({
  questions: [
    { heading: NPS, id: 'nps', kind: 'nps' },
    {
      heading: CSAT,
      id: 'csat',
      kind: 'csat',
      commentHeading: 'Is there anything else you would like to tell us?',
      recode: { 'Very dissatisfied': 1, Dissatisfied: 2, Neutral: 3, Satisfied: 4, 'Very satisfied': 5 },
    },
  ],
  customerIdColumn: 'Email Address',
  interactionIdColumn: 'Custom Data 1',
  touchpoint: 'post-ticket',
});

async function collect(input: Readable, opts: SurveyMonkeyOptions = options): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of surveyMonkeyAdapter.read(input, opts, context)) out.push(r);
  return out;
}

describe('surveymonkey adapter', () => {
  it('maps each answered rating to a valid row, finding answers under the two header rows', async () => {
    const records = await collect(createReadStream(fixture));
    expect(records.map((r) => [r.rowNumber, r.kind])).toEqual([
      [1, 'mapped'],
      [2, 'mapped'],
      [3, 'mapped'],
      [4, 'rejected'],
      [5, 'rejected'],
    ]);
    const rows = records.flatMap((r) => (r.kind === 'mapped' ? r.rows.map((m) => m.row) : []));
    for (const row of rows) expect(TABLES.survey_responses.schema.safeParse(row).success).toBe(true);
    expect(rows.map((r) => [r.response_id, r.survey_kind, r.score])).toEqual([
      ['114151092873/nps', 'nps', 9],
      ['114151092873/csat', 'csat', 5],
      ['114151093001/nps', 'nps', 3],
      ['114151093001/csat', 'csat', 1],
      ['114151093115/csat', 'csat', 4],
    ]);
    expect(rows[1]).toMatchObject({
      comment: 'Fast and friendly',
      interaction_id: 'T-1001',
      touchpoint: 'post-ticket',
      customer_key: context.pseudonymise('customer', 'jane@example.com'),
      // 10:14:33 AM in New York (EDT, UTC-4).
      responded_at: new Date('2024-05-02T14:14:33Z'),
    });
    expect(rows[0]?.comment).toBeNull();
    expect(rows[3]?.comment).toBe('I was on hold, forever');
  });

  it('fails when an answer text is not in the recode map, naming the column', async () => {
    const records = await collect(createReadStream(fixture));
    expect(records[3]).toMatchObject({ kind: 'rejected', field: CSAT });
    expect(records[3]?.kind === 'rejected' && records[3].reason).toMatch(/"Delighted" is not in the recode map/);
  });

  it('fails when a response answers none of the rating questions', async () => {
    const records = await collect(createReadStream(fixture));
    expect(records[4]).toMatchObject({
      kind: 'rejected',
      field: null,
      reason: 'no configured rating question was answered',
    });
  });

  it('finds an option column inside a multi-column question', async () => {
    const opts = surveyMonkeyAdapter.optionsSchema.parse({
      questions: [
        {
          heading: 'Which channels did you use to contact us?',
          option: 'Chat',
          kind: 'custom',
          scaleMin: 0,
          scaleMax: 1,
          recode: { Chat: 1 },
        },
      ],
    });
    const records = await collect(createReadStream(fixture), opts);
    expect(records.filter((r) => r.kind === 'mapped').map((r) => r.rowNumber)).toEqual([1, 4]);
  });

  it('fails the whole file when a configured question is not in the header', async () => {
    const opts = surveyMonkeyAdapter.optionsSchema.parse({ questions: [{ heading: 'How easy was it?', kind: 'ces' }] });
    await expect(collect(createReadStream(fixture), opts)).rejects.toThrow(FileRejectedError);
    await expect(collect(createReadStream(fixture), opts)).rejects.toThrow(/"How easy was it\?"/);
  });

  it('fails the whole file when the second header row is missing', async () => {
    const firstRowOnly = readFileSync(fixture, 'utf8').split('\r\n')[0] ?? '';
    await expect(collect(Readable.from([firstRowOnly]))).rejects.toThrow(/second header row is missing/);
  });
});
