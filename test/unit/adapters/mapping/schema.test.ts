import { describe, expect, it } from 'vitest';
import { MappingError, mappingSchema, parseMapping } from '../../../../lambdas/adapters/mapping/index.ts';

const valid = {
  table: 'customer_activity',
  format: { type: 'csv' },
  fields: {
    event_id: { template: '{id}-{_row}' },
    customer_key: { pseudonymise: 'customer', column: 'id' },
    event_at: { column: 'when', format: 'dd/MM/yyyy HH:mm' },
    kind: { column: 'what', map: { S: 'signup', C: 'cancellation' } },
  },
};

function problems(raw: unknown): string[] {
  try {
    parseMapping(raw, 'm.json');
  } catch (error) {
    if (error instanceof MappingError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('mappingSchema', () => {
  it('accepts a valid mapping and fills the default format', () => {
    const { format: _format, ...withoutFormat } = valid;
    const mapping = parseMapping(withoutFormat);
    expect(mapping.table).toBe('customer_activity');
    expect(mapping.format).toEqual({ type: 'csv' });
  });

  it('fails when the table is unknown, listing the tables', () => {
    expect(problems({ ...valid, table: 'tickets' })).toEqual([
      expect.stringMatching(/^table: unknown table "tickets"; use one of interactions, survey_responses/),
    ]);
  });

  it('fails when a canonical field is unknown, naming the fields of the table', () => {
    const found = problems({ ...valid, fields: { ...valid.fields, customer_id: { column: 'id' } } });
    expect(found).toEqual([
      expect.stringMatching(
        /^fields\.customer_id: "customer_id" is not a field of customer_activity; fields: event_id, customer_key/,
      ),
    ]);
  });

  it('fails when a timestamp format has a bad token, naming the token', () => {
    const found = problems({
      ...valid,
      fields: { ...valid.fields, event_at: { column: 'when', format: 'dd/MM/yyyy HH:mi' } },
    });
    expect(found).toEqual([expect.stringMatching(/^fields\.event_at\.format: .*unknown token "mi" at position 15/)]);
  });

  it('fails when a time column format has no hour', () => {
    const found = problems({
      ...valid,
      fields: {
        ...valid.fields,
        event_at: { date: { column: 'd', format: 'yyMMdd' }, time: { column: 't', format: 'mm:ss' } },
      },
    });
    expect(found).toEqual([expect.stringMatching(/^fields\.event_at\.time\.format: .*needs an hour token/)]);
  });

  it('fails when a required field is not mapped, suggesting a constant for booleans', () => {
    const found = problems({
      table: 'interactions',
      fields: {
        interaction_id: { column: 'id' },
        channel: { const: 'voice' },
        direction: { const: 'inbound' },
        created_at: { column: 'start' },
        updated_at: { field: 'created_at' },
        is_abandoned: { const: false },
      },
    });
    // is_transfer and is_escalated may be left out: a source that never records them leaves them unknown
    expect(found).toEqual([
      'fields.is_callback: required by interactions but not mapped; add a spec (e.g. {"const": false} when the source never sets it)',
    ]);
  });

  it('fails when a mapping sets a field the pipeline sets', () => {
    expect(problems({ ...valid, fields: { ...valid.fields, source: { const: 'x' } } })).toEqual([
      'fields.source: "source" is set by the pipeline; remove it from the mapping',
    ]);
  });

  it('fails when a mapped or constant value is not allowed by the canonical enum', () => {
    const found = problems({
      ...valid,
      fields: { ...valid.fields, kind: { column: 'what', map: { S: 'signup', C: 'churn' } } },
    });
    expect(found).toEqual([
      expect.stringMatching(/^fields\.kind\.map\.C: "churn" is not an allowed value; use one of signup, order/),
    ]);
  });

  it('fails when a spec has an unknown shape or a wrong type for its field', () => {
    const found = problems({
      ...valid,
      fields: { ...valid.fields, amount: { columns: 'x' }, event_at: { column: 'when', type: 'number' } },
    });
    expect(found).toContainEqual(expect.stringMatching(/^fields\.amount: unknown spec with keys columns; use one of/));
    expect(found).toContainEqual(
      expect.stringMatching(/^fields\.event_at\.type: "number" cannot fill a timestamp field/),
    );
  });

  it('fails when fields read each other in a cycle or read a field that is not set', () => {
    const found = problems({
      table: 'survey_responses',
      fields: {
        response_id: { column: 'id' },
        survey_kind: { const: 'csat' },
        scale_min: { const: 1 },
        scale_max: { const: 5 },
        higher_is_better: { const: true },
        updated_at: { field: 'responded_at' },
        responded_at: { coalesce: [{ field: 'updated_at' }, { field: 'sent_at' }] },
      },
    });
    expect(found).toContainEqual('fields.responded_at: reads field "sent_at", which the mapping does not set');
    expect(found).toContainEqual(
      expect.stringMatching(
        /^fields: fields read each other in a cycle: (updated_at → responded_at → updated_at|responded_at → updated_at → responded_at)/,
      ),
    );
  });

  it('fails when a drop rule has no operator or two, or no reason', () => {
    const found = problems({
      ...valid,
      drop: [
        { column: 'a', reason: 'x' },
        { column: 'b', equals: '1', in: ['2'], reason: 'y' },
        { column: 'c', equals: '1' },
      ],
    });
    expect(found).toContainEqual(expect.stringMatching(/^drop\.0: needs exactly one operator .* \(got none\)/));
    expect(found).toContainEqual(expect.stringMatching(/^drop\.1: needs exactly one operator .* \(got equals, in\)/));
    expect(found).toContainEqual(expect.stringMatching(/^drop\.2\.reason: /));
  });

  it('fails when a check names a field that is not a mapped timestamp', () => {
    const found = problems({ ...valid, checks: [{ notBefore: ['event_at', 'kind'], reason: 'x' }] });
    expect(found).toEqual(['checks.0.notBefore.1: "kind" is not a timestamp field of customer_activity']);
  });

  it('fails when a template is malformed or references no column', () => {
    expect(problems({ ...valid, fields: { ...valid.fields, event_id: { template: '{id' } } })).toEqual([
      'fields.event_id.template: unclosed "{" at position 1',
    ]);
    expect(problems({ ...valid, fields: { ...valid.fields, event_id: { template: 'fixed' } } })).toEqual([
      'fields.event_id.template: references no column; use {"const": ...} for a fixed value',
    ]);
  });

  it('reports every problem together, each with its path', () => {
    const found = problems({
      table: 'customer_activity',
      format: { type: 'xlsx' },
      timeZone: 'Mars/Olympus',
      fields: {
        event_id: { template: '{id}' },
        customer_key: { column: 'id' },
        event_at: { column: 'when', format: 'yyyy-QQ-dd' },
        kind: { const: 'refund' },
        colour: { const: 'red' },
      },
    });
    const paths = found.map((p) => p.split(':')[0]);
    expect(paths).toEqual(
      expect.arrayContaining([
        'format.type',
        'timeZone',
        'fields.event_at.format',
        'fields.kind.const',
        'fields.colour',
      ]),
    );
    expect(found.length).toBe(5);
    expect(() => parseMapping({ table: 'nope', fields: {} }, 'm.json')).toThrow(/^m\.json: invalid mapping, 1 problem/);
  });

  it('is a zod schema whose issues carry paths into the mapping', () => {
    const result = mappingSchema.safeParse({
      ...valid,
      fields: { ...valid.fields, amount: { column: 'x', type: 'duration', format: 'fortnights' } },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['fields', 'amount', 'format']);
  });
});
