import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type EmployeePulseOptions, employeePulseAdapter } from '../../../../lambdas/adapters/employee-pulse/index.ts';
import {
  type AdapterContext,
  FileRejectedError,
  type SourceRecord,
} from '../../../../lambdas/core/normalise/adapter.ts';
import { createPseudonymiser } from '../../../../lambdas/core/normalise/pseudonymise.ts';
import { TABLES } from '../../../../lambdas/core/schema/canonical.ts';

const longFile = new URL('../../../fixtures/employee-pulse/pulse-long.csv', import.meta.url);
const wideFile = new URL('../../../fixtures/employee-pulse/pulse-wide.csv', import.meta.url);
const context: AdapterContext = {
  source: 'pulse',
  objectKey: 'pulse/2024-05.csv',
  ingestedAt: new Date('2024-06-01T00:00:00Z'),
  pseudonymise: createPseudonymiser(new Uint8Array(32).fill(8)),
  timeZone: 'UTC',
};
const wideOptions = employeePulseAdapter.optionsSchema.parse({
  layout: 'wide',
  columns: { responseId: 'Response ID', team: 'Team', period: 'Month' },
  questions: [
    { column: 'How likely are you to recommend working here?', kind: 'enps' },
    { column: 'I feel proud to work here', kind: 'engagement' },
    { column: 'I have the tools I need', kind: 'satisfaction' },
  ],
  dropIdentifyingColumns: true,
});

async function collect(input: Readable, options: EmployeePulseOptions): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of employeePulseAdapter.read(input, options, context)) out.push(r);
  return out;
}

describe('employee-pulse adapter, long layout', () => {
  it('maps each answer to a valid employee_pulse row with its scale and period start', async () => {
    const records = await collect(createReadStream(longFile), employeePulseAdapter.optionsSchema.parse({}));
    const rows = records.flatMap((r) => (r.kind === 'mapped' ? r.rows.map((m) => m.row) : []));
    for (const row of rows) expect(TABLES.employee_pulse.schema.safeParse(row).success).toBe(true);
    expect(rows.map((r) => [r.response_id, r.question_kind, r.score, r.scale_min, r.scale_max])).toEqual([
      ['P-001/enps', 'enps', 9, 0, 10],
      ['P-001/q_proud', 'engagement', 4, 1, 5],
      ['P-001/q_recommend_work', 'engagement', 5, 1, 5],
      ['P-002/enps', 'enps', 3, 0, 10],
      ['P-002/q_tools', 'satisfaction', 2, 1, 5],
    ]);
    expect(rows[0]?.period).toEqual(new Date('2024-05-01T00:00:00Z'));
    expect(rows[3]?.period).toEqual(new Date('2024-05-01T00:00:00Z'));
  });

  it('fails when a score is off its scale, the period is not a month, or the kind is unknown', async () => {
    const records = await collect(createReadStream(longFile), employeePulseAdapter.optionsSchema.parse({}));
    expect(records[5]).toMatchObject({
      kind: 'rejected',
      field: 'score',
      reason: 'score 6 is outside the engagement scale 1-5',
    });
    expect(records[6]).toMatchObject({ kind: 'rejected', field: 'period' });
    expect(records[7]).toMatchObject({ kind: 'rejected', field: 'question_kind' });
  });

  it('maps a source label to a kind with kindValues', async () => {
    const opts = employeePulseAdapter.optionsSchema.parse({ kindValues: { wellbeing: 'satisfaction' } });
    const records = await collect(createReadStream(longFile), opts);
    expect(records[7]?.kind === 'mapped' && records[7].rows[0]?.row.question_kind).toBe('satisfaction');
  });
});

describe('employee-pulse adapter, wide layout', () => {
  it('writes one row per answered question and never stores the dropped e-mail column', async () => {
    const records = await collect(createReadStream(wideFile), wideOptions);
    const rows = records.flatMap((r) => (r.kind === 'mapped' ? r.rows.map((m) => m.row) : []));
    expect(rows.map((r) => [r.response_id, r.team, r.question_kind, r.score])).toEqual([
      ['W-1/How likely are you to recommend working here?', 'Billing', 'enps', 10],
      ['W-1/I feel proud to work here', 'Billing', 'engagement', 5],
      ['W-1/I have the tools I need', 'Billing', 'satisfaction', 4],
      ['W-2/How likely are you to recommend working here?', 'Retail', 'enps', 6],
      ['W-2/I have the tools I need', 'Retail', 'satisfaction', 3],
    ]);
    expect(JSON.stringify(records)).not.toContain('@acme.example');
    expect(records[2]).toMatchObject({ kind: 'rejected', reason: 'no question was answered' });
  });

  it('fails the whole file when it carries an e-mail column and dropping is not asked for', async () => {
    const opts = employeePulseAdapter.optionsSchema.parse({ ...wideOptions, dropIdentifyingColumns: false });
    await expect(collect(createReadStream(wideFile), opts)).rejects.toThrow(FileRejectedError);
    await expect(collect(createReadStream(wideFile), opts)).rejects.toThrow(/person identifiers \(Email\)/);
  });

  it('fails the whole file on a name column too', async () => {
    const csv = 'period,question_kind,score,Employee Name\n2024-05,enps,9,Ann Smith\n';
    await expect(collect(Readable.from([csv]), employeePulseAdapter.optionsSchema.parse({}))).rejects.toThrow(
      /Employee Name/,
    );
  });

  it('gives rows of a file without response ids a stable id per object and row', async () => {
    const csv = 'period,question_kind,score\n2024-05,enps,9\n2024-05,enps,9\n';
    const opts = employeePulseAdapter.optionsSchema.parse({});
    const first = await collect(Readable.from([csv]), opts);
    const again = await collect(Readable.from([csv]), opts);
    const ids = first.flatMap((r) => (r.kind === 'mapped' ? r.rows.map((m) => m.row.response_id) : []));
    expect(new Set(ids).size).toBe(2);
    expect(again.flatMap((r) => (r.kind === 'mapped' ? r.rows.map((m) => m.row.response_id) : []))).toEqual(ids);
  });
});

describe('employee-pulse options', () => {
  it('fails when the wide layout names no questions, or eNPS is not 0-10', () => {
    expect(employeePulseAdapter.optionsSchema.safeParse({ layout: 'wide' }).success).toBe(false);
    const enps = employeePulseAdapter.optionsSchema.safeParse({ scales: { enps: { min: 1, max: 10 } } });
    expect(enps.error?.issues[0]?.message).toMatch(/eNPS is defined on 0-10/);
  });
});
