/** What a source feeds, derived from its mapping's declaration and the metrics' declared inputs. */
import { describe, expect, it } from 'vitest';
import { METRIC_IDS } from '../../../lambdas/core/metrics/catalogue.ts';
import {
  coverageOf,
  describeCoverage,
  METRIC_INPUTS,
  mappingOutput,
  scheduleReaches,
} from '../../../lambdas/core/metrics/coverage.ts';
import { TABLES } from '../../../lambdas/core/schema/canonical.ts';

const CALLS = {
  table: 'interactions' as const,
  fields: {
    interaction_id: { column: 'id' },
    channel: { const: 'voice' },
    direction: { const: 'inbound' },
    created_at: { column: 'start' },
    answered_at: { column: 'answered' },
    agent_id: { column: 'agent' },
    talk_s: { column: 'talk', type: 'duration' },
    is_abandoned: { column: 'outcome', map: { answered: false, abandoned: true } },
    is_callback: { const: false },
    updated_at: { field: 'created_at' },
  },
};

describe('coverage', () => {
  it('declares the inputs of every metric of the catalogue but the service index, on real canonical fields', () => {
    expect(Object.keys(METRIC_INPUTS).sort()).toEqual(METRIC_IDS.filter((id) => id !== 'service_index').sort());
    for (const [metric, inputs] of Object.entries(METRIC_INPUTS)) {
      for (const input of inputs) {
        const shape = TABLES[input.table].schema.shape as Record<string, unknown>;
        for (const field of [...(input.all ?? []), ...(input.any ?? []), ...(input.kind ? [input.kind.field] : [])]) {
          expect(shape[field], `${metric}: ${input.table}.${field}`).toBeDefined();
        }
      }
    }
  });

  it('without queued_at a call mapping feeds no speed of answer, abandonment or service level, and says so', () => {
    const coverage = coverageOf(mappingOutput(CALLS));
    expect(coverage.feeds).toEqual(['aht_s', 'service_index']);
    expect(coverage.starved).toEqual(
      expect.arrayContaining([
        { metric: 'asa_s', lacks: ['queued_at'] },
        { metric: 'abandonment_rate', lacks: ['queued_at'] },
        { metric: 'service_level_pct', lacks: ['queued_at'] },
        { metric: 'transfer_rate', lacks: ['is_transfer'] },
      ]),
    );
    expect(coverage.emptyFields).toEqual(expect.arrayContaining(['queued_at', 'queue_s', 'hold_s', 'is_transfer']));
    expect(coverage.emptyFields).not.toContain('talk_s');
    const lines = describeCoverage('calls', coverage);
    expect(lines[0]).toBe('calls (interactions) feeds: aht_s, service_index');
    expect(lines[1]).toContain('asa_s, abandonment_rate, service_level_pct (needs queued_at)');
    expect(lines[2]).toMatch(/^ {2}leaves empty: initial_interaction_id, .*queued_at/);
  });

  it('with queued_at and a queue wait the same mapping feeds them', () => {
    const coverage = coverageOf(
      mappingOutput({
        ...CALLS,
        fields: { ...CALLS.fields, queued_at: { field: 'created_at' }, queue_s: { column: 'wait' } },
      }),
    );
    expect(coverage.feeds).toEqual(['aht_s', 'asa_s', 'abandonment_rate', 'service_level_pct', 'service_index']);
  });

  it('feeds business-time response and resolution only when a schedule can claim the contacts', () => {
    const tickets = {
      table: 'interactions' as const,
      fields: new Set(['created_at', 'first_response_at', 'resolved_at']),
    };
    const business = (scheduled: boolean | undefined) =>
      coverageOf({ ...tickets, ...(scheduled === undefined ? {} : { scheduled }) }).feeds.filter((m) =>
        m.includes('business'),
      );
    const all = [
      'first_response_business_median_s',
      'first_response_business_p90_s',
      'resolution_business_median_s',
      'resolution_business_p90_s',
    ];
    expect(business(true)).toEqual(all);
    expect(business(undefined)).toEqual(all);
    expect(business(false)).toEqual([]);
    expect(coverageOf({ ...tickets, scheduled: false }).starved).toContainEqual({
      metric: 'resolution_business_median_s',
      lacks: ['a schedule in schedules'],
    });
    const office = { appliesTo: { sources: ['zendesk'] } };
    expect(scheduleReaches([], 'zendesk')).toBe(false);
    expect(scheduleReaches([office], 'zendesk')).toBe(true);
    expect(scheduleReaches([office], 'connect')).toBe(false);
    expect(scheduleReaches([{ appliesTo: {} }], 'connect')).toBe(true);
    expect(scheduleReaches([{ appliesTo: { teams: ['Billing'] } }], 'connect')).toBe(true);
  });

  it('reads the survey kinds a mapping can write from its constants and value maps', () => {
    const surveys = (survey_kind: unknown) =>
      coverageOf(
        mappingOutput({
          table: 'survey_responses',
          fields: { response_id: { column: 'id' }, score: { column: 's' }, survey_kind },
        }),
      ).feeds;
    expect(surveys({ const: 'nps' })).toEqual(['nps', 'service_index']);
    expect(surveys({ column: 'q', map: { Q1: 'csat', Q2: 'ces' } })).toEqual([
      'csat_pct',
      'csat_mean',
      'ces_mean',
      'ces_easy_pct',
      'service_index',
    ]);
    // A kind read from a column as is may be any kind.
    expect(surveys({ column: 'kind' })).toEqual([
      'csat_pct',
      'csat_mean',
      'nps',
      'ces_mean',
      'ces_easy_pct',
      'service_index',
    ]);
  });

  it('feeds nothing, not even the index, from a table no metric reads', () => {
    expect(coverageOf({ table: 'ingestion_audit', fields: new Set(['source']) }).feeds).toEqual([]);
  });
});
