import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mappingAdapter, parseMapping } from '../../../../lambdas/adapters/mapping/index.ts';
import { FileRejectedError } from '../../../../lambdas/core/normalise/adapter.ts';
import { iso, loadExample, rejected, rowOf, runMapping, testContext } from './support.ts';

const activity = (fields: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  parseMapping({
    table: 'customer_activity',
    fields: {
      event_id: { template: '{id}' },
      customer_key: { pseudonymise: 'customer', column: 'customer' },
      event_at: { column: 'at' },
      kind: { const: 'order' },
      ...fields,
    },
    ...extra,
  });

describe('mappingAdapter', () => {
  it('is registered under the name "mapping" and validates its options', () => {
    expect(mappingAdapter.name).toBe('mapping');
    expect(mappingAdapter.optionsSchema.safeParse({ mapping: { table: 'nope', fields: {} } }).success).toBe(false);
    expect(mappingAdapter.optionsSchema.safeParse({ mapping: loadExample('telco-signups') }).success).toBe(true);
  });

  it('fails when the file lacks a mapped column: the whole file is rejected, naming missing and found columns', async () => {
    const csv = 'Call Id,Agent,Date,Time\r\nID1,Ann,1-Jan-21,9:12\r\n';
    const run = runMapping(loadExample('pwc-calls'), csv);
    await expect(run).rejects.toThrow(FileRejectedError);
    await expect(runMapping(loadExample('pwc-calls'), csv)).rejects.toThrow(
      /missing column\(s\) "Answered \(Y\/N\)", "Speed of answer in seconds", "AvgTalkDuration", "Resolved", "Topic" used by the interactions mapping; the file has columns "Call Id", "Agent", "Date", "Time"/,
    );
  });

  it('fails when a column listed in `required` is absent, even if no field reads it', async () => {
    const mapping = activity({}, { required: ['region'] });
    await expect(runMapping(mapping, 'id,customer,at\n1,c1,2024-01-01\n')).rejects.toThrow(
      /missing column\(s\) "region"/,
    );
  });

  it('yields exactly one record per data row, so rows read = accepted + rejected', async () => {
    const csv = 'id,customer,at,amount\n1,c1,2024-01-01,10\n2,c2,2024-01-02\n3,c3,not a date,5\n,c4,2024-01-04,1\n';
    const records = await runMapping(activity({ amount: { column: 'amount' } }), csv);
    expect(records.map((r) => [r.rowNumber, r.kind])).toEqual([
      [1, 'mapped'],
      [2, 'rejected'],
      [3, 'rejected'],
      [4, 'rejected'],
    ]);
    const [ragged, badDate, noId] = rejected(records);
    expect(ragged?.field).toBeNull();
    expect(badDate).toMatchObject({ field: 'at' });
    expect(badDate?.reason).toMatch(/^"not a date" is not an ISO 8601 timestamp .* \(column "at" → event_at\)$/);
    expect(noId).toMatchObject({ field: 'event_id', reason: 'event_id is required but the mapping gave no value' });
  });

  it('fails a record whose required column is blank, naming the column', async () => {
    const records = await runMapping(activity({}), 'id,customer,at\n1,c1,\n');
    expect(records).toEqual([
      expect.objectContaining({
        kind: 'rejected',
        field: 'at',
        reason: 'event_at is required but column "at" is blank',
      }),
    ]);
  });

  it('sets source and ingested_at from the context and nulls every unmapped nullable field', async () => {
    const [record] = await runMapping(activity({}), 'id,customer,at\n1,c1,2024-01-01T10:00:00+02:00\n');
    expect(rowOf(record)).toEqual({
      source: 'test-source',
      event_id: '1',
      customer_key: 'customer#c1',
      event_at: new Date('2024-01-01T08:00:00Z'),
      kind: 'order',
      amount: null,
      ingested_at: new Date('2024-05-01T00:00:00Z'),
      // Lineage is the normaliser's to set, after mapping.
      source_object: null,
      source_row: null,
    });
  });

  it('never lets a raw identifier through a pseudonymise spec', async () => {
    const hashing = (kind: string, value: string | null | undefined) =>
      value ? `k_${createHash('sha256').update(`${kind}:${value}`).digest('hex').slice(0, 16)}` : null;
    const [record] = await runMapping(
      activity({ event_id: { hash: ['customer', 'at'] } }),
      'id,customer,at\n1,jane@example.com,2024-01-01\n',
      testContext({ pseudonymise: hashing }),
    );
    expect(JSON.stringify(rowOf(record))).not.toContain('jane');
  });

  it('derives the same hash id for the same values and a different one when a value changes', async () => {
    const mapping = activity({ event_id: { hash: ['id', 'at'] } });
    const csv = 'id,customer,at\n1,c,2024-01-01\n1,c,2024-01-01\n1,c,2024-01-02\n';
    const ids = (await runMapping(mapping, csv)).map((r) => rowOf(r).event_id);
    expect(ids[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
  });

  it('fills {_row} and literal braces in templates', async () => {
    const records = await runMapping(
      activity({ event_id: { template: '{{{id}}}-{_row}' } }),
      'id,customer,at\nA,c,2024-01-01\nB,c,2024-01-02\n',
    );
    expect(records.map((r) => rowOf(r).event_id)).toEqual(['{A}-1', '{B}-2']);
  });

  it('applies map, otherwise, default, nullIf, decimal commas and custom boolean tokens', async () => {
    const mapping = parseMapping({
      table: 'survey_responses',
      format: { type: 'csv', delimiter: ';' },
      nullTokens: ['', '-'],
      fields: {
        response_id: { column: 'id' },
        survey_kind: { column: 'kind', map: { CSAT: 'csat', NPS: 'nps' }, otherwise: 'custom' },
        score: { column: 'score', decimalComma: true },
        scale_min: { const: 1 },
        scale_max: { column: 'max', type: 'number', default: 5 },
        higher_is_better: { const: true },
        resolved: { column: 'solved', type: 'boolean', trueValues: ['oui'], falseValues: ['non'] },
        agent_id: { column: 'agent', nullIf: ['UNKNOWN'] },
        updated_at: { column: 'at', format: 'dd/MM/yyyy HH:mm' },
      },
    });
    const csv =
      'id;kind;score;max;solved;agent;at\nr1;CSAT;4,5;-;oui;UNKNOWN;07/03/2021 19:05\nr2;Other;1.234,5;10;non;Bo;07/03/2021 19:05\nr3;CSAT;4;5;peut-être;Bo;07/03/2021 19:05\n';
    const records = await runMapping(mapping, csv);
    expect(rowOf(records[0])).toMatchObject({
      survey_kind: 'csat',
      score: 4.5,
      scale_max: 5,
      resolved: true,
      agent_id: null,
    });
    expect(rowOf(records[1])).toMatchObject({
      survey_kind: 'custom',
      score: 1234.5,
      scale_max: 10,
      resolved: false,
      agent_id: 'Bo',
    });
    expect(records[2]).toMatchObject({ kind: 'rejected', field: 'solved' });
  });

  it('fails a value missing from a map without `otherwise`, listing the mapped values', async () => {
    const mapping = activity({ kind: { column: 'what', map: { S: 'signup', C: 'cancellation' } } });
    const [record] = await runMapping(mapping, 'id,customer,at,what\n1,c,2024-01-01,X\n');
    expect(record).toMatchObject({
      kind: 'rejected',
      field: 'what',
      reason: '"X" is not one of the mapped values ("S", "C") (column "what" → kind)',
    });
  });

  it('computes durationBetween and rejects a negative one instead of loading it', async () => {
    const mapping = parseMapping({
      ...loadExample('kaggle-tickets'),
      checks: [],
      fields: {
        ...loadExample('kaggle-tickets').fields,
        resolution_s: { durationBetween: ['created_at', 'resolved_at'] },
      },
    });
    const header =
      'Ticket ID,Customer Email,Ticket Type,Ticket Status,Ticket Priority,Ticket Channel,First Response Time,Time to Resolution\n';
    const records = await runMapping(
      mapping,
      `${header}1,a@x.org,Refund request,Closed,Low,Chat,2023-06-01 10:00:00,2023-06-01 12:30:00\n2,b@x.org,Refund request,Closed,Low,Chat,2023-06-01 10:00:00,2023-06-01 09:00:00\n`,
    );
    expect(rowOf(records[0]).resolution_s).toBe(9000);
    expect(records[1]).toMatchObject({
      kind: 'rejected',
      field: null,
      reason:
        'resolution_s: resolved_at (2023-06-01T09:00:00.000Z) is before created_at (2023-06-01T10:00:00.000Z), so the duration would be negative',
    });
  });

  it('adds a whole-number field as an amount and fails when an operand is not a field of the table', () => {
    const base = loadExample('servicenow-incidents');
    const withAdd = {
      ...base,
      fields: { ...base.fields, closed_at: { add: { to: 'created_at', amount: 'reopen_count', unit: 'days' } } },
    };
    expect(parseMapping(withAdd).fields.closed_at).toBeDefined();
    expect(() =>
      parseMapping({
        ...base,
        fields: { ...base.fields, closed_at: { add: { to: 'opened', amount: 'reopen_count', unit: 'days' } } },
      }),
    ).toThrow(/fields\.closed_at\.add\.to: "opened" is not a field of interactions/);
  });

  it('compares text conditions with the cell as written and tests null tokens only with blank', async () => {
    const mapping = activity({
      kind: {
        cases: [
          { when: { column: 'flag', equals: 'N/A' }, use: { const: 'renewal' } },
          { when: { column: 'flag', blank: true }, use: { const: 'cancellation' } },
          { when: { column: 'flag', matches: '^sign' }, use: { const: 'signup' } },
        ],
        else: { const: 'order' },
      },
    });
    const csv =
      'id,customer,at,flag\n1,c,2024-01-01,N/A\n2,c,2024-01-01,NA\n3,c,2024-01-01, signup \n4,c,2024-01-01,x\n';
    const records = await runMapping(mapping, csv);
    expect(records.map((r) => rowOf(r).kind)).toEqual(['renewal', 'cancellation', 'signup', 'order']);
  });

  it('compares numbers in conditions and rejects a non-number compared as one', async () => {
    const mapping = activity({
      kind: {
        cases: [{ when: { column: 'n', greaterThan: 0 }, use: { const: 'renewal' } }],
        else: { const: 'signup' },
      },
    });
    const records = await runMapping(
      mapping,
      'id,customer,at,n\n1,c,2024-01-01,3\n2,c,2024-01-01,0\n3,c,2024-01-01,\n4,c,2024-01-01,x\n',
    );
    expect(records.slice(0, 3).map((r) => rowOf(r).kind)).toEqual(['renewal', 'signup', 'signup']);
    expect(records[3]).toMatchObject({
      kind: 'rejected',
      field: 'n',
      reason: '"x" is not a number (e.g. 1234.5 or 1,234.5) (compared as a number)',
    });
  });

  it('reads JSON Lines with dotted paths and JSON documents with a records key', async () => {
    const mapping = activity(
      { customer_key: { pseudonymise: 'customer', column: 'customer.id' }, amount: { column: 'total' } },
      { format: { type: 'jsonl' } },
    );
    const jsonl =
      '{"id":7,"customer":{"id":"c9"},"at":"2024-02-01T00:00:00Z","total":12.5}\n[1,2]\n{"id":8,"customer":{"id":null},"at":"2024-02-02","total":null}\n{"id":9,"customer":{"id":"c1"},"at":"2024-02-03"}\n';
    const records = await runMapping(mapping, jsonl);
    expect(rowOf(records[0])).toMatchObject({ event_id: '7', customer_key: 'customer#c9', amount: 12.5 });
    expect(records[1]).toMatchObject({ kind: 'rejected', reason: 'record is not a JSON object' });
    expect(records[2]).toMatchObject({
      kind: 'rejected',
      field: 'customer.id',
      reason: 'customer_key is required but column "customer.id" is blank',
    });
    expect(rowOf(records[3])).toMatchObject({ event_id: '9', amount: null });

    const document = activity({}, { format: { type: 'json', recordsPath: 'orders' } });
    const docRecords = await runMapping(
      document,
      JSON.stringify({ orders: [{ id: 'a', customer: 'c', at: '2024-03-01' }] }),
    );
    expect(iso(rowOf(docRecords[0]).event_at)).toBe('2024-03-01T00:00:00.000Z');
  });

  it('uses the mapping time zone over the source one for values without an offset', async () => {
    const inParis = activity({}, { timeZone: 'Europe/Paris' });
    const [record] = await runMapping(
      inParis,
      'id,customer,at\n1,c,2024-07-01 12:00\n',
      testContext({ timeZone: 'America/New_York' }),
    );
    expect(iso(rowOf(record).event_at)).toBe('2024-07-01T10:00:00.000Z');
    const [fromSource] = await runMapping(
      activity({}),
      'id,customer,at\n1,c,2024-07-01 12:00\n',
      testContext({ timeZone: 'America/New_York' }),
    );
    expect(iso(rowOf(fromSource).event_at)).toBe('2024-07-01T16:00:00.000Z');
  });
});
