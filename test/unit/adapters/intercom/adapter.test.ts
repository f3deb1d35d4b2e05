import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { intercomAdapter } from '../../../../lambdas/adapters/intercom/index.ts';
import { mapConversation } from '../../../../lambdas/adapters/intercom/map.ts';
import { type IntercomOptions, intercomOptionsSchema } from '../../../../lambdas/adapters/intercom/options.ts';
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

const context = testContext('intercom');
const defaults = intercomOptionsSchema.parse({});
const read = (name: string, options: IntercomOptions = defaults) =>
  collect(intercomAdapter.read(createReadStream(join(FIXTURES, 'intercom', name)), options, context));
const interactionOf = (records: readonly SourceRecord[], id: string) =>
  rowsOf(mappedRows(records), 'interactions').find((r) => r.interaction_id === id);
const T = 1709542800;
const at = (offset: number) => new Date((T + offset) * 1000);
const conversations = (
  JSON.parse(fixture('intercom', 'conversations-page.json')) as { conversations: Record<string, unknown>[] }
).conversations;

describe('intercom conversations', () => {
  it('streams a List conversations page and maps each conversation in order; rows pass the canonical schema', async () => {
    const records = await read('conversations-page.json');
    expect(records.map((r) => [r.rowNumber, r.kind])).toEqual([
      [1, 'mapped'],
      [2, 'mapped'],
      [3, 'mapped'],
      [4, 'rejected'],
      [5, 'rejected'],
    ]);
    expectCanonical(mappedRows(records));
  });

  it('maps a closed Messenger conversation: Unix seconds to UTC, calendar response and resolution times', async () => {
    const options = intercomOptionsSchema.parse({ teamNames: { '5017691': 'Billing' }, categoryAttribute: 'Topic' });
    expect(interactionOf(await read('conversations-page.json', options), '1911149811')).toMatchObject({
      source: 'intercom',
      channel: 'chat',
      direction: 'inbound',
      customer_key: context.pseudonymise('customer', '6329bd9ffe4e2e91dac76188'),
      agent_id: '814860',
      team: 'Billing',
      queue: 'Billing',
      priority: 'not_priority',
      status: 'closed',
      created_at: at(0),
      first_response_at: at(300),
      resolved_at: at(3600),
      closed_at: at(3600),
      first_response_s: 300,
      resolution_s: 3600,
      reopen_count: 0,
      is_transfer: false,
      category: 'Billing',
      updated_at: at(7200),
    });
  });

  it('maps an admin-initiated e-mail as outbound and open, with no assignee yet', async () => {
    expect(interactionOf(await read('conversations-page.json'), '1911149812')).toMatchObject({
      channel: 'email',
      direction: 'outbound',
      status: 'open',
      agent_id: null,
      team: null,
      first_response_s: null,
      resolved_at: null,
    });
  });

  it('maps a snoozed WhatsApp conversation as pending, with its reopens and reassignments', async () => {
    expect(interactionOf(await read('conversations-page.json'), '1911149813')).toMatchObject({
      channel: 'messaging',
      status: 'pending',
      priority: 'priority',
      reopen_count: 2,
      is_transfer: true,
      first_response_s: 600,
      resolved_at: null,
      resolution_s: null,
    });
  });

  it('turns the conversation rating into a 1-5 CSAT response with its remark and teammate', async () => {
    const surveys = rowsOf(mappedRows(await read('conversations-page.json')), 'survey_responses');
    expect(surveys).toEqual([
      expect.objectContaining({
        response_id: '1911149811:conversation_rating',
        survey_kind: 'csat',
        score: 5,
        scale_min: 1,
        scale_max: 5,
        higher_is_better: true,
        interaction_id: '1911149811',
        agent_id: '814860',
        channel: 'chat',
        comment: 'Super helpful',
        responded_at: at(4000),
        updated_at: at(4000),
      }),
    ]);
  });

  it('reads JSON Lines of conversations with layout "records"', async () => {
    const records = await read('conversations.jsonl', intercomOptionsSchema.parse({ layout: 'records' }));
    expect(rowsOf(mappedRows(records), 'interactions').map((r) => r.interaction_id)).toEqual([
      '1911149811',
      '1911149812',
    ]);
  });

  it('accepts the bare contacts array of older API versions', () => {
    const older = { ...conversations[0], contacts: [{ type: 'user', id: '5bc8f7ae2d96695c18a' }] };
    const rows = mapConversation(older, defaults, context);
    expect(rowsOf(rows, 'interactions')[0]?.customer_key).toBe(context.pseudonymise('customer', '5bc8f7ae2d96695c18a'));
  });

  it('leaves the transfer flag unknown when the conversation carries no statistics', () => {
    const rows = mapConversation({ ...conversations[0], statistics: null }, defaults, context);
    expect(rowsOf(rows, 'interactions')[0]?.is_transfer).toBeNull();
  });

  it('fails when a rating lies outside 1-5', async () => {
    expect((await read('conversations-page.json'))[3]).toMatchObject({
      kind: 'rejected',
      field: 'conversation_rating.rating',
      reason: 'score 6 is outside the scale 1-5',
    });
  });

  it('fails when a conversation was closed before it was created', async () => {
    expect((await read('conversations-page.json'))[4]).toMatchObject({
      kind: 'rejected',
      field: 'statistics.last_close_at',
      reason: expect.stringContaining('conversation closed before it was created'),
    });
  });

  it('fails when a timestamp is not Unix seconds, or the source type is unknown', () => {
    const map = (value: unknown) => mapRecord(1, value, (v) => mapConversation(v, defaults, context));
    expect(map({ ...conversations[0], created_at: '2024-03-04T09:00:00Z' })).toMatchObject({
      kind: 'rejected',
      field: 'created_at',
    });
    const fax = { ...conversations[0], source: { type: 'fax', delivered_as: 'customer_initiated' } };
    expect(map(fax)).toMatchObject({ kind: 'rejected', field: 'source.type' });
  });

  it('fails the whole file when a page layout has no conversations array at the top', async () => {
    await expect(collect(intercomAdapter.read(Readable.from(['[{"id": "1"}]']), defaults, context))).rejects.toThrow(
      'expected a JSON object with a "conversations" array',
    );
  });

  it('pins the documented defaults', () => {
    expect(defaults).toEqual({ layout: 'page', teamNames: {} });
  });
});
