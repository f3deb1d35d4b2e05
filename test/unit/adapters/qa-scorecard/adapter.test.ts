import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type QaScorecardOptions, qaScorecardAdapter } from '../../../../lambdas/adapters/qa-scorecard/index.ts';
import {
  type AdapterContext,
  FileRejectedError,
  type SourceRecord,
} from '../../../../lambdas/core/normalise/adapter.ts';
import { createPseudonymiser } from '../../../../lambdas/core/normalise/pseudonymise.ts';
import { TABLES } from '../../../../lambdas/core/schema/canonical.ts';

const fixture = new URL('../../../fixtures/qa-scorecard/evaluations.csv', import.meta.url);
const context: AdapterContext = {
  source: 'qa',
  objectKey: 'qa/2024-05.csv',
  ingestedAt: new Date('2024-06-01T00:00:00Z'),
  pseudonymise: createPseudonymiser(new Uint8Array(32).fill(2)),
  timeZone: 'Europe/London',
};

async function collect(input: Readable, options: QaScorecardOptions = {}): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of qaScorecardAdapter.read(input, options, context)) out.push(r);
  return out;
}

describe('qa-scorecard adapter', () => {
  it('maps each criterion row to a valid qa_evaluations row', async () => {
    const records = await collect(createReadStream(fixture));
    const rows = records.flatMap((r) => (r.kind === 'mapped' ? r.rows.map((m) => m.row) : []));
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(TABLES.qa_evaluations.schema.safeParse(row).success).toBe(true);
    expect(rows[1]).toMatchObject({
      evaluation_id: 'EV-1001',
      evaluation_kind: 'internal_qa',
      interaction_id: 'T-1001',
      agent_id: 'a.smith',
      team: 'Billing',
      evaluator: 'q.lead',
      scorecard: 'Support QA v3',
      section: 'Resolution',
      criterion: 'Correct answer',
      points: 3,
      max_points: 5,
      weight: 3,
      is_critical: true,
      is_na: false,
      evaluated_at: new Date('2024-05-02T09:00:00Z'),
    });
  });

  it('keeps N/A criteria with null points, and defaults a blank weight to 1', async () => {
    const records = await collect(createReadStream(fixture));
    const [, , na, shop] = records;
    expect(na?.kind === 'mapped' && na.rows[0]?.row).toMatchObject({ is_na: true, points: null, max_points: 1 });
    expect(shop?.kind === 'mapped' && shop.rows[0]?.row).toMatchObject({
      evaluation_kind: 'mystery_shop',
      weight: 1,
      interaction_id: null,
      // 14:30 in London (BST, UTC+1): no offset in the file, so the source time zone applies.
      evaluated_at: new Date('2024-05-03T13:30:00Z'),
    });
  });

  it('fails when points exceed max_points', async () => {
    const records = await collect(createReadStream(fixture));
    expect(records[4]).toMatchObject({
      kind: 'rejected',
      rowNumber: 5,
      field: 'points',
      reason: '7 is outside 0-5 (max_points)',
    });
  });

  it('fails when a flag is neither true nor false', async () => {
    const records = await collect(createReadStream(fixture));
    expect(records[5]).toMatchObject({
      kind: 'rejected',
      field: 'critical',
      reason: '"maybe" is neither true nor false',
    });
  });

  it('fails on an unknown kind unless kindValues maps it', async () => {
    expect((await collect(createReadStream(fixture)))[6]).toMatchObject({ kind: 'rejected', field: 'kind' });
    const mapped = await collect(createReadStream(fixture), { kindValues: { peer_review: 'internal_qa' } });
    expect(mapped[6]?.kind === 'mapped' && mapped[6].rows[0]?.row.evaluation_kind).toBe('internal_qa');
  });

  it('fails when points are blank on a criterion that is not N/A', async () => {
    const records = await collect(createReadStream(fixture));
    expect(records[7]).toMatchObject({ kind: 'rejected', field: 'points' });
  });

  it('reads renamed columns and a default kind', async () => {
    const csv = 'Eval,Question,Score,Out of,Date\nE1,Empathy,4,5,2024-05-02T10:00:00Z\n';
    const records = await collect(Readable.from([csv]), {
      columns: {
        evaluationId: 'Eval',
        criterion: 'Question',
        points: 'Score',
        maxPoints: 'Out of',
        evaluatedAt: 'Date',
      },
      kind: 'mystery_shop',
    });
    expect(records[0]?.kind === 'mapped' && records[0].rows[0]?.row).toMatchObject({
      evaluation_id: 'E1',
      criterion: 'Empathy',
      points: 4,
      evaluation_kind: 'mystery_shop',
      weight: 1,
      is_critical: false,
    });
  });

  it('fails the whole file when a required column is missing', async () => {
    const csv = 'evaluation_id,criterion,points,evaluated_at,kind\nE1,Empathy,4,2024-05-02T10:00:00Z,internal_qa\n';
    await expect(collect(Readable.from([csv]))).rejects.toThrow(FileRejectedError);
    await expect(collect(Readable.from([csv]))).rejects.toThrow(/missing column\(s\) max_points/);
  });

  it('reads day-first dates with a timestamp pattern, and fails on a pattern that cannot compile', async () => {
    const csv =
      'evaluation_id,criterion,points,max_points,kind,evaluated_at\nE1,Empathy,4,5,internal_qa,02/05/2024 14:30\n';
    const records = await collect(Readable.from([csv]), { timestampFormat: 'dd/MM/yyyy HH:mm' });
    expect(records[0]?.kind === 'mapped' && records[0].rows[0]?.row.evaluated_at).toEqual(
      new Date('2024-05-02T13:30:00Z'),
    );
    expect(qaScorecardAdapter.optionsSchema.safeParse({ timestampFormat: 'dd/QQ/yyyy' }).success).toBe(false);
  });
});
