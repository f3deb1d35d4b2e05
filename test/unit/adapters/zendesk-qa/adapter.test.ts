import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type ZendeskQaOptions, zendeskQaAdapter } from '../../../../lambdas/adapters/zendesk-qa/index.ts';
import type { AdapterContext, SourceRecord } from '../../../../lambdas/core/normalise/adapter.ts';
import { createPseudonymiser } from '../../../../lambdas/core/normalise/pseudonymise.ts';
import { TABLES } from '../../../../lambdas/core/schema/canonical.ts';

const fixture = new URL('../../../fixtures/zendesk-qa/reviews.json', import.meta.url);
const context: AdapterContext = {
  source: 'zendesk-qa',
  objectKey: 'zendesk-qa/reviews-page-1.json',
  ingestedAt: new Date('2024-06-01T00:00:00Z'),
  pseudonymise: createPseudonymiser(new Uint8Array(32).fill(6)),
  timeZone: 'UTC',
};

async function collect(input: Readable, options: ZendeskQaOptions = {}): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of zendeskQaAdapter.read(input, options, context)) out.push(r);
  return out;
}

describe('zendesk-qa adapter', () => {
  it('maps each rating of each review to a valid qa_evaluations row', async () => {
    const [first] = await collect(createReadStream(fixture));
    if (first?.kind !== 'mapped') throw new Error('expected the first conversation to map');
    const rows = first.rows.map((r) => r.row);
    for (const row of rows) expect(TABLES.qa_evaluations.schema.safeParse(row).success).toBe(true);
    expect(rows.map((r) => [r.criterion, r.points, r.weight, r.is_critical, r.is_na])).toEqual([
      ['Tone', 100, 1, false, false],
      ['Solution', 50, 2, true, false],
      ['Upsell', null, 1, false, true],
    ]);
    expect(rows[1]).toMatchObject({
      evaluation_id: '880001',
      evaluation_kind: 'internal_qa',
      interaction_id: '1001',
      agent_id: 'a.smith@acme.example',
      team: 'Billing',
      evaluator: 'q.lead@acme.example',
      scorecard: 'Support scorecard',
      section: 'Resolution',
      max_points: 100,
      evaluated_at: new Date('2024-05-02T10:15:00Z'),
      updated_at: new Date('2024-05-02T10:16:00Z'),
    });
  });

  it('identifies agents by name when asked, and honours a mystery-shop workspace', async () => {
    const [first] = await collect(createReadStream(fixture), { agentIdentity: 'name', evaluationKind: 'mystery_shop' });
    expect(first?.kind === 'mapped' && first.rows[0]?.row).toMatchObject({
      agent_id: 'Ann Smith',
      evaluator: 'Quinn Lead',
      evaluation_kind: 'mystery_shop',
    });
  });

  it('fails when a rating is not a percentage, naming the rating', async () => {
    const records = await collect(createReadStream(fixture));
    expect(records[1]).toMatchObject({ kind: 'rejected', rowNumber: 2, field: 'reviews[0].ratings[0].score' });
  });

  it('fails when a conversation has no rated review', async () => {
    const records = await collect(createReadStream(fixture));
    expect(records[2]).toMatchObject({
      kind: 'rejected',
      field: 'reviews',
      reason: 'the conversation has no rated reviews',
    });
  });

  it('fails when the review time is not ISO 8601', async () => {
    const records = await collect(createReadStream(fixture));
    expect(records[3]).toMatchObject({ kind: 'rejected', field: 'reviews[0].created' });
    expect(records).toHaveLength(4);
  });
});
