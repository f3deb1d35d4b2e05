import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { freshdeskAdapter } from '../../../../lambdas/adapters/freshdesk/index.ts';
import { FRESHDESK_RATINGS, mapFreshdeskRecord } from '../../../../lambdas/adapters/freshdesk/map.ts';
import { type FreshdeskOptions, freshdeskOptionsSchema } from '../../../../lambdas/adapters/freshdesk/options.ts';
import { mapRecord } from '../../../../lambdas/adapters/shared/records.ts';
import type { SourceRecord } from '../../../../lambdas/core/normalise/adapter.ts';
import {
  collect,
  expectCanonical,
  FIXTURES,
  fixture,
  mappedRows,
  rowsOf,
  testContext,
} from '../amazon-connect/support.ts';

const context = testContext('freshdesk');
const defaults = freshdeskOptionsSchema.parse({});
const read = (name: string, options: FreshdeskOptions = defaults) =>
  collect(freshdeskAdapter.read(createReadStream(join(FIXTURES, 'freshdesk', name)), options, context));
const interactionOf = (records: readonly SourceRecord[], id: string) =>
  rowsOf(mappedRows(records), 'interactions').find((r) => r.interaction_id === id);
const tickets = JSON.parse(fixture('freshdesk', 'tickets-with-stats.json')) as Record<string, unknown>[];

describe('freshdesk tickets', () => {
  it('streams the ticket list and maps each ticket in order; rows pass the canonical schema', async () => {
    const records = await read('tickets-with-stats.json');
    expect(records.map((r) => r.kind)).toEqual([
      'mapped',
      'mapped',
      'mapped',
      'mapped',
      'rejected',
      'rejected',
      'rejected',
    ]);
    expectCanonical(mappedRows(records));
  });

  it('maps a resolved e-mail ticket: codes through lookup tables, stats to times, due dates to SLA targets', async () => {
    expect(interactionOf(await read('tickets-with-stats.json'), '201')).toMatchObject({
      source: 'freshdesk',
      channel: 'email',
      direction: 'inbound',
      priority: 'high',
      status: 'resolved',
      agent_id: '4001',
      team: '5001',
      customer_key: context.pseudonymise('customer', '3001'),
      created_at: new Date('2024-03-04T08:00:00Z'),
      first_response_at: new Date('2024-03-04T08:30:00Z'),
      resolved_at: new Date('2024-03-04T12:00:00Z'),
      first_response_s: 1800,
      resolution_s: 14400,
      reopen_count: 0,
      sla_first_response_target_s: 3600,
      sla_resolution_target_s: 86400,
      sla_first_response_met: true,
      sla_resolution_met: true,
      is_escalated: false,
      category: 'Refund',
    });
  });

  it('leaves escalation unknown when the ticket carries neither escalation flag', () => {
    const { is_escalated: _, fr_escalated: __, ...unflagged } = tickets[0] as Record<string, unknown>;
    const rows = rowsOf(mapFreshdeskRecord(unflagged, defaults, context), 'interactions');
    expect(rows[0]?.is_escalated).toBeNull();
  });

  it('maps an open phone ticket whose first response missed its due time and escalated', async () => {
    expect(interactionOf(await read('tickets-with-stats.json'), '202')).toMatchObject({
      channel: 'voice',
      status: 'open',
      priority: 'low',
      resolved_at: null,
      resolution_s: null,
      sla_first_response_met: false,
      sla_resolution_met: null,
      is_escalated: true,
      agent_id: null,
      team: null,
    });
  });

  it('maps a reopened, closed chat with its category from a custom field when configured', async () => {
    const options = freshdeskOptionsSchema.parse({ categoryField: 'cf_category', groupNames: { '5001': 'Support' } });
    expect(interactionOf(await read('tickets-with-stats.json', options), '203')).toMatchObject({
      channel: 'chat',
      status: 'closed',
      reopen_count: 1,
      resolved_at: new Date('2024-03-03T10:00:00Z'),
      closed_at: new Date('2024-03-06T10:00:00Z'),
      category: 'Delivery',
      team: 'Support',
    });
  });

  it('maps an outbound e-mail as outbound', async () => {
    expect(interactionOf(await read('tickets-with-stats.json'), '204')).toMatchObject({
      channel: 'email',
      direction: 'outbound',
    });
  });

  it('fails when the status code is not published, unless options.statusMap maps it', async () => {
    const records = await read('tickets-with-stats.json');
    expect(records[4]).toMatchObject({
      kind: 'rejected',
      rowNumber: 5,
      field: 'status',
      reason: expect.stringContaining('unknown status code 6'),
    });
    const mapped = await read(
      'tickets-with-stats.json',
      freshdeskOptionsSchema.parse({ statusMap: { '6': 'pending' } }),
    );
    expect(interactionOf(mapped, '205')?.status).toBe('pending');
  });

  it('fails when a ticket was resolved before it was created', async () => {
    expect((await read('tickets-with-stats.json'))[5]).toMatchObject({
      kind: 'rejected',
      field: 'stats.resolved_at',
      reason: expect.stringContaining('ticket resolved before it was created'),
    });
  });

  it('fails when the source code is not published, unless options.sourceMap maps it', async () => {
    expect((await read('tickets-with-stats.json'))[6]).toMatchObject({ kind: 'rejected', field: 'source' });
    const mapped = await read(
      'tickets-with-stats.json',
      freshdeskOptionsSchema.parse({ sourceMap: { '5': 'social' } }),
    );
    expect(interactionOf(mapped, '207')?.channel).toBe('social');
  });

  it('fails when the priority code is unknown or the first response precedes creation', () => {
    const map = (value: unknown) => mapRecord(1, value, (v) => mapFreshdeskRecord(v, defaults, context));
    expect(map({ ...tickets[0], priority: 9 })).toMatchObject({ kind: 'rejected', field: 'priority' });
    const early = { ...tickets[0], stats: { first_responded_at: '2024-03-04T07:00:00Z' } };
    expect(map(early)).toMatchObject({ kind: 'rejected', field: 'stats.first_responded_at' });
  });

  it('fails the whole file when it is not JSON records', async () => {
    await expect(collect(freshdeskAdapter.read(Readable.from(['<html>']), defaults, context))).rejects.toThrow(
      'not JSON records',
    );
  });
});

describe('freshdesk satisfaction ratings', () => {
  it('maps the default question as CSAT and extra questions as custom, on the 7-point scale', async () => {
    const records = await read('satisfaction-ratings.json');
    expectCanonical(mappedRows(records));
    expect(rowsOf(mappedRows(records.slice(0, 1)), 'survey_responses')).toEqual([
      expect.objectContaining({
        response_id: '102:default_question',
        survey_kind: 'csat',
        score: 7,
        scale_min: 1,
        scale_max: 7,
        higher_is_better: true,
        interaction_id: '201',
        agent_id: '4001',
        comment: 'Thank you for the quick action',
        responded_at: new Date('2024-03-04T13:00:00Z'),
      }),
      expect.objectContaining({ response_id: '102:question_2', survey_kind: 'custom', score: 2, scale_max: 7 }),
    ]);
  });

  it('places neutral in the middle of the new scale and classic answers on their 3-point scale', async () => {
    const surveys = rowsOf(mappedRows(await read('satisfaction-ratings.json')), 'survey_responses');
    expect(surveys.find((s) => s.response_id === '112:default_question')).toMatchObject({ score: 4, scale_max: 7 });
    expect(surveys.find((s) => s.response_id === '120:default_question')).toMatchObject({ score: 1, scale_max: 3 });
  });

  it('translates every published code through the lookup table', () => {
    expect(Object.fromEntries(Object.entries(FRESHDESK_RATINGS).map(([code, r]) => [code, r.score]))).toEqual({
      '103': 7,
      '102': 6,
      '101': 5,
      '100': 4,
      '-101': 3,
      '-102': 2,
      '-103': 1,
      '1': 3,
      '2': 2,
      '3': 1,
    });
  });

  it('fails when a rating code is not published', async () => {
    expect((await read('satisfaction-ratings.json'))[3]).toMatchObject({
      kind: 'rejected',
      field: 'ratings.default_question',
      reason: expect.stringContaining('unknown rating code 104'),
    });
  });
});

describe('freshdesk options', () => {
  it('pins the documented defaults', () => {
    expect(defaults).toEqual({ statusMap: {}, sourceMap: {}, groupNames: {} });
  });

  it('fails when a status mapping names a state that does not exist', () => {
    expect(freshdeskOptionsSchema.safeParse({ statusMap: { '6': 'waiting' } }).success).toBe(false);
    expect(freshdeskOptionsSchema.safeParse({ statusMap: { six: 'pending' } }).success).toBe(false);
  });
});
