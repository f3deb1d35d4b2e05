import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import {
  mapQualtricsResponse,
  parseImportIdRow,
  type QualtricsOptions,
  qualtricsOptionsSchema,
} from '../../../../lambdas/adapters/qualtrics/map.ts';
import { mapRecord } from '../../../../lambdas/adapters/shared/records.ts';
import { type AdapterContext, FileRejectedError } from '../../../../lambdas/core/normalise/adapter.ts';
import { createPseudonymiser } from '../../../../lambdas/core/normalise/pseudonymise.ts';
import { TABLES } from '../../../../lambdas/core/schema/canonical.ts';

const fixture = new URL('../../../fixtures/qualtrics/responses.csv', import.meta.url);
const context: AdapterContext = {
  source: 'qualtrics-support',
  objectKey: 'qualtrics-support/2024-05/responses.csv',
  ingestedAt: new Date('2024-06-01T00:00:00Z'),
  pseudonymise: createPseudonymiser(new Uint8Array(32).fill(7)),
  timeZone: 'UTC',
};
const options: QualtricsOptions = qualtricsOptionsSchema.parse({
  questions: [
    { column: 'Q1', kind: 'nps', touchpoint: 'relationship', commentColumn: 'Q5' },
    { column: 'Q2', kind: 'csat' },
    { column: 'Q3', kind: 'ces' },
  ],
  customerIdColumn: 'ExternalReference',
  interactionIdColumn: 'ticket_id',
  agentColumn: 'agent',
  teamColumn: 'team',
  channelColumn: 'channel',
  touchpoint: 'support ticket',
  resolved: { column: 'Q4', yes: ['1'], no: ['2'] },
});

/** The fixture as the CSV reader hands it over: the first row is the header, the rest are records. */
function fixtureRecords(): Record<string, string>[] {
  return parse(readFileSync(fixture), { bom: true, columns: true }) as Record<string, string>[];
}

function mapFixture(opts: QualtricsOptions = options) {
  const [, importRow, ...responses] = fixtureRecords();
  const header = parseImportIdRow(importRow ?? {}, opts);
  return responses.map((values, i) =>
    mapRecord(i + 1, values, () => mapQualtricsResponse(values, opts, context, header)),
  );
}

describe('qualtrics mapping', () => {
  it('maps each answered rating question of a finished response to one valid survey_responses row', () => {
    const [first] = mapFixture();
    expect(first?.kind).toBe('mapped');
    if (first?.kind !== 'mapped') return;
    expect(first.rows.map((r) => r.row.response_id)).toEqual([
      'R_1a2B3c4D5e6F7g8/Q1',
      'R_1a2B3c4D5e6F7g8/Q2',
      'R_1a2B3c4D5e6F7g8/Q3',
    ]);
    for (const { table, row } of first.rows) {
      expect(table).toBe('survey_responses');
      expect(TABLES.survey_responses.schema.safeParse(row).success).toBe(true);
    }
    expect(first.rows[0]?.row).toMatchObject({
      survey_kind: 'nps',
      question: 'Q1',
      score: 9,
      scale_min: 0,
      scale_max: 10,
      higher_is_better: true,
      interaction_id: '1001',
      agent_id: 'a.smith',
      team: 'Billing',
      channel: 'chat',
      touchpoint: 'relationship',
      comment: 'Quick and friendly, thanks',
      resolved: true,
      // EndDate 10:14:33 in America/Denver (the ImportId time zone, UTC-6 in May).
      responded_at: new Date('2024-05-02T16:14:33Z'),
      updated_at: new Date('2024-05-02T16:14:34Z'),
    });
    expect(first.rows[1]?.row).toMatchObject({
      survey_kind: 'csat',
      score: 5,
      scale_min: 1,
      scale_max: 5,
      touchpoint: 'support ticket',
      comment: null,
    });
    expect(first.rows[2]?.row).toMatchObject({ survey_kind: 'ces', score: 6, scale_min: 1, scale_max: 7 });
  });

  it('pseudonymises the respondent and never writes the raw identifier', () => {
    const [first] = mapFixture();
    if (first?.kind !== 'mapped') throw new Error('expected a mapped record');
    const key = first.rows[0]?.row.customer_key;
    expect(key).toBe(context.pseudonymise('customer', 'CUST-0042'));
    expect(JSON.stringify(first.rows)).not.toContain('CUST-0042');
  });

  it('fails when the response is a survey preview, naming the status', () => {
    const preview = mapFixture()[1];
    expect(preview).toMatchObject({ kind: 'rejected', rowNumber: 2, field: 'Status' });
    expect(preview?.kind === 'rejected' && preview.reason).toMatch(/1 \(Survey Preview\)/);
  });

  it('fails when the response is unfinished, unless partial responses are asked for', () => {
    const unfinished = mapFixture()[2];
    expect(unfinished).toMatchObject({ kind: 'rejected', field: 'Finished' });
    expect(unfinished?.kind === 'rejected' && unfinished.reason).toMatch(/Progress=40%/);

    const kept = mapFixture({ ...options, includeUnfinished: true })[2];
    expect(kept?.kind).toBe('mapped');
    if (kept?.kind === 'mapped') expect(kept.rows.map((r) => r.row.score)).toEqual([3]);
  });

  it('fails when a 0-10 question was exported with 1-11 recodes (11 is off the scale)', () => {
    const shifted = mapFixture()[3];
    expect(shifted).toMatchObject({ kind: 'rejected', field: 'Q1' });
    expect(shifted?.kind === 'rejected' && shifted.reason).toMatch(/score 11 is outside the configured nps scale 0-10/);
  });

  it('fails when the score disagrees with the Qualtrics NPS group (shifted recodes inside the scale)', () => {
    const shifted = mapFixture()[4];
    expect(shifted).toMatchObject({ kind: 'rejected', field: 'Q1_NPS_GROUP' });
    expect(shifted?.kind === 'rejected' && shifted.reason).toMatch(/score 9 is group 3/);
  });

  it('remaps shifted recodes only when the recode option says so', () => {
    const recode = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [String(i + 1), i]));
    const opts = qualtricsOptionsSchema.parse({
      ...options,
      questions: [{ column: 'Q1', kind: 'nps', recode }],
    });
    const results = mapFixture(opts);
    const shifted = results[3];
    expect(shifted?.kind).toBe('mapped');
    if (shifted?.kind === 'mapped') expect(shifted.rows[0]?.row.score).toBe(10);
  });

  it('writes rows only for the questions that were answered', () => {
    const csatOnly = mapFixture()[5];
    if (csatOnly?.kind !== 'mapped') throw new Error('expected a mapped record');
    expect(csatOnly.rows.map((r) => [r.row.question, r.row.score, r.row.resolved])).toEqual([['Q2', 3, false]]);
  });

  it('keeps imported responses (status 4) and their detractor scores', () => {
    const imported = mapFixture()[6];
    if (imported?.kind !== 'mapped') throw new Error('expected a mapped record');
    expect(imported.rows.map((r) => [r.row.question, r.row.score])).toEqual([
      ['Q1', 0],
      ['Q2', 1],
      ['Q3', 2],
    ]);
  });

  it('fails when no configured question was answered', () => {
    const values = { ...fixtureRecords()[2], Status: '0', Finished: '1', Q1: '', Q1_NPS_GROUP: '', Q2: '', Q3: '' };
    const header = parseImportIdRow(fixtureRecords()[1] ?? {}, options);
    expect(
      mapRecord(1, values, () => mapQualtricsResponse(values as Record<string, string>, options, context, header)),
    ).toMatchObject({
      kind: 'rejected',
      field: null,
      reason: expect.stringMatching(/no configured rating question was answered/),
    });
  });

  it('reads choice-text exports: status and group labels instead of codes', () => {
    const [, importRow, first] = fixtureRecords();
    const header = parseImportIdRow(importRow ?? {}, options);
    const values = { ...first, Status: 'IP Address', Finished: 'True', Q1_NPS_GROUP: 'Promoter' } as Record<
      string,
      string
    >;
    expect(mapQualtricsResponse(values, options, context, header).map((r) => r.row.score)).toEqual([9, 5, 6]);
    const passive = { ...values, Q1_NPS_GROUP: 'Passive' };
    expect(mapRecord(1, passive, () => mapQualtricsResponse(passive, options, context, header))).toMatchObject({
      kind: 'rejected',
      field: 'Q1_NPS_GROUP',
    });
    const preview = { ...values, Status: 'Survey Preview' };
    expect(mapRecord(1, preview, () => mapQualtricsResponse(preview, options, context, header))).toMatchObject({
      kind: 'rejected',
      field: 'Status',
    });
  });

  it('fails the whole file when the ImportId header row is missing (a two-row export)', () => {
    const [, , firstResponse] = fixtureRecords();
    expect(() => parseImportIdRow(firstResponse ?? {}, options)).toThrow(FileRejectedError);
  });
});

describe('qualtrics options', () => {
  it('fails when an NPS question is given a scale other than 0-10', () => {
    const result = qualtricsOptionsSchema.safeParse({
      questions: [{ column: 'Q1', kind: 'nps', scaleMin: 1, scaleMax: 11 }],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/nps is defined on 0-10/);
  });

  it('fails when a custom question has no scale', () => {
    const result = qualtricsOptionsSchema.safeParse({ questions: [{ column: 'Q9', kind: 'custom' }] });
    expect(result.error?.issues[0]?.message).toMatch(/custom instrument needs scaleMin and scaleMax/);
  });

  it('fails when no question is configured', () => {
    expect(qualtricsOptionsSchema.safeParse({ questions: [] }).success).toBe(false);
  });
});
