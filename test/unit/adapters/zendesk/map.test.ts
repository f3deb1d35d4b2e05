import { describe, expect, it } from 'vitest';
import { mapZendeskPage } from '../../../../lambdas/adapters/zendesk/map.ts';
import { type ZendeskOptions, zendeskOptionsSchema } from '../../../../lambdas/adapters/zendesk/options.ts';
import { FileRejectedError } from '../../../../lambdas/core/normalise/adapter.ts';
import { expectCanonical, fixture, mappedRows, rowsOf, testContext } from '../amazon-connect/support.ts';

const context = testContext('zendesk');
const defaults = zendeskOptionsSchema.parse({});
const page = (name: string) => JSON.parse(fixture('zendesk', name)) as unknown;
const run = (name: string, options: ZendeskOptions = defaults) => mapZendeskPage(page(name), options, context);
const ticketRow = (id: string, options?: ZendeskOptions) =>
  rowsOf(mappedRows(run('incremental-tickets-metric-sets.json', options)), 'interactions').find(
    (r) => r.interaction_id === id,
  );

describe('zendesk incremental ticket export', () => {
  it('maps every ticket of the page, in order, to rows that pass the canonical schema', () => {
    const records = run('incremental-tickets-metric-sets.json');
    expect(records.map((r) => r.rowNumber)).toEqual([1, 2, 3, 4, 5, 6]);
    expectCanonical(mappedRows(records));
  });

  it('maps a solved e-mail ticket with its side-loaded metric set (minutes to seconds, calendar time)', () => {
    expect(ticketRow('1001')).toMatchObject({
      source: 'zendesk',
      channel: 'email',
      direction: 'inbound',
      agent_id: '9001',
      team: '360001',
      queue: '360001',
      priority: 'high',
      status: 'resolved',
      created_at: new Date('2024-03-04T08:00:00Z'),
      resolved_at: new Date('2024-03-04T13:00:00Z'),
      closed_at: null,
      first_response_s: 1800,
      resolution_s: 18000,
      reopen_count: 0,
      agent_replies: 2,
      is_transfer: false,
      is_escalated: null, // no escalation tags configured: nothing marks an escalation
      updated_at: new Date('2024-03-05T09:00:00Z'),
    });
  });

  it('pseudonymises the requester and names groups from the options', () => {
    const options = zendeskOptionsSchema.parse({ groupNames: { '360001': 'Tier 1' } });
    expect(ticketRow('1001', options)).toMatchObject({
      team: 'Tier 1',
      customer_key: context.pseudonymise('customer', '20001'),
    });
  });

  it('maps statuses: new/open → open, solved → resolved, closed → closed with its close time', () => {
    expect(ticketRow('1002')).toMatchObject({
      status: 'open',
      channel: 'web',
      first_response_s: null,
      agent_id: null,
      team: null,
    });
    expect(ticketRow('1003')).toMatchObject({
      status: 'closed',
      channel: 'chat',
      resolved_at: new Date('2024-03-02T12:00:00Z'),
      closed_at: new Date('2024-03-06T12:00:00Z'),
      reopen_count: 1,
      resolution_s: 86400,
    });
  });

  it('counts passing through more than one group as a transfer, and configured tags as an escalation', () => {
    expect(ticketRow('1003')?.is_transfer).toBe(true);
    const options = zendeskOptionsSchema.parse({ escalationTags: ['escalated_l2'] });
    expect(ticketRow('1003', options)?.is_escalated).toBe(true);
    expect(ticketRow('1001', options)?.is_escalated).toBe(false);
    expect(ticketRow('1003')?.is_escalated).toBeNull();
  });

  it('takes the category from a custom field or a tag prefix, as configured', () => {
    expect(ticketRow('1003')?.category).toBeNull();
    expect(ticketRow('1003', zendeskOptionsSchema.parse({ categoryCustomFieldId: 360010 }))?.category).toBe(
      'billing_dispute',
    );
    expect(ticketRow('1001', zendeskOptionsSchema.parse({ categoryTagPrefix: 'topic_' }))?.category).toBe('refund');
  });

  it('sets SLA targets by priority from the options, falling back to the default target', () => {
    const options = zendeskOptionsSchema.parse({
      slaTargets: {
        high: { firstResponseMinutes: 60, resolutionMinutes: 480 },
        default: { firstResponseMinutes: 240 },
      },
    });
    expect(ticketRow('1001', options)).toMatchObject({
      sla_first_response_target_s: 3600,
      sla_resolution_target_s: 28800,
    });
    expect(ticketRow('1003', options)).toMatchObject({
      sla_first_response_target_s: 14400,
      sla_resolution_target_s: null,
    });
    expect(ticketRow('1001')).toMatchObject({ sla_first_response_target_s: null });
  });

  it("says the SLA targets are business minutes when the policy metric's business_hours says so, else nothing", () => {
    const options = zendeskOptionsSchema.parse({
      slaTargets: { high: { firstResponseMinutes: 60, businessHours: true }, default: { firstResponseMinutes: 240 } },
    });
    expect(ticketRow('1001', options)).toMatchObject({
      sla_first_response_target_s: 3600,
      sla_in_business_hours: true,
    });
    expect(ticketRow('1003', options)).toMatchObject({ sla_in_business_hours: null });
    expect(ticketRow('1001')).toMatchObject({ sla_in_business_hours: null });
  });

  it('keeps a follow-up ticket as its own contact, so it counts as a repeat contact of the customer', () => {
    expect(ticketRow('1005')).toMatchObject({ initial_interaction_id: '1005', status: 'open' });
    expect(ticketRow('1005')?.customer_key).toBe(ticketRow('1003')?.customer_key);
  });

  it('yields no row for a deleted ticket', () => {
    const deleted = run('incremental-tickets-metric-sets.json')[3];
    expect(deleted).toMatchObject({ kind: 'mapped', rows: [] });
  });

  it('turns the legacy rating on the ticket into a good/bad survey row, and an offered one into a null score', () => {
    const surveys = rowsOf(mappedRows(run('incremental-tickets-metric-sets.json')), 'survey_responses');
    expect(surveys).toEqual([
      expect.objectContaining({
        response_id: 'ticket:1001:satisfaction_rating',
        survey_kind: 'csat',
        score: 1,
        scale_min: 0,
        scale_max: 1,
        comment: 'Quick and kind',
        interaction_id: '1001',
        agent_id: '9001',
        channel: 'email',
      }),
      expect.objectContaining({ response_id: 'ticket:1003:satisfaction_rating', score: null }),
    ]);
  });

  it('fails when a ticket was resolved before it was created', () => {
    expect(run('incremental-tickets-metric-sets.json')[5]).toMatchObject({
      kind: 'rejected',
      rowNumber: 6,
      field: 'metric_set.solved_at',
      reason: expect.stringContaining('ticket resolved before it was created'),
    });
  });

  it('fails when the status is unknown or the creation time is missing', () => {
    const doc = page('incremental-tickets-metric-sets.json') as { tickets: Record<string, unknown>[] };
    const bad = {
      tickets: [
        { ...doc.tickets[0], status: 'archived' },
        { ...doc.tickets[1], created_at: null },
      ],
    };
    expect(mapZendeskPage(bad, defaults, context)).toMatchObject([
      { kind: 'rejected', field: 'status', reason: expect.stringContaining('unknown status "archived"') },
      { kind: 'rejected', field: 'created_at', reason: 'is missing' },
    ]);
  });

  it('fails the whole file when the page is not a ticket, rating or survey response export', () => {
    expect(() => run('not-an-export.json')).toThrow(FileRejectedError);
    expect(() => mapZendeskPage([1, 2], defaults, context)).toThrow(FileRejectedError);
  });
});

describe('zendesk legacy satisfaction ratings export', () => {
  const records = run('satisfaction-ratings.json');

  it('keys each rating by its ticket so it merges with the rating seen on the ticket', () => {
    const surveys = rowsOf(mappedRows(records), 'survey_responses');
    expectCanonical(mappedRows(records));
    expect(surveys[0]).toMatchObject({
      response_id: 'ticket:1001:satisfaction_rating',
      score: 1,
      sent_at: new Date('2024-03-04T13:00:10Z'),
      responded_at: new Date('2024-03-04T15:20:00Z'),
      updated_at: new Date('2024-03-04T15:20:00Z'),
      customer_key: context.pseudonymise('customer', '20001'),
    });
  });

  it('scores bad as 0 with its reason as the comment, and offered as a null score with no response time', () => {
    const surveys = rowsOf(mappedRows(records), 'survey_responses');
    expect(surveys[1]).toMatchObject({
      response_id: 'ticket:1003:satisfaction_rating',
      score: null,
      responded_at: null,
    });
    expect(surveys[2]).toMatchObject({ score: 0, comment: 'The issue took too long to resolve' });
  });

  it('fails when the score is not one of good, bad, offered, unoffered', () => {
    expect(records[3]).toMatchObject({ kind: 'rejected', field: 'score', reason: expect.stringContaining('"meh"') });
  });
});

describe('zendesk CSAT survey responses', () => {
  const records = run('csat-survey-responses.json');

  it('maps the rated customer-satisfaction question with its comment and ticket', () => {
    expectCanonical(mappedRows(records.slice(0, 2)));
    expect(records[0]).toMatchObject({ kind: 'mapped' });
    expect(rowsOf(mappedRows(records.slice(0, 1)), 'survey_responses')).toEqual([
      expect.objectContaining({
        response_id: 'survey_response:01J1WB51MG6HXTYWE6Q0C93RNW',
        survey_kind: 'csat',
        score: 4,
        scale_min: 1,
        scale_max: 5,
        interaction_id: '1001',
        comment: 'Sorted in one reply.',
        responded_at: new Date('2024-03-05T10:02:00.000Z'),
        updated_at: new Date('2024-03-05T10:02:00.000Z'),
      }),
    ]);
  });

  it('records a response whose rating was skipped as offered, with a null score', () => {
    expect(rowsOf(mappedRows(records.slice(1, 2)), 'survey_responses')).toEqual([
      expect.objectContaining({
        response_id: 'survey_response:01J1WC00000000000000000002',
        score: null,
        updated_at: context.ingestedAt,
      }),
    ]);
  });

  it('fails when a rating lies outside the configured CSAT scale', () => {
    expect(records[2]).toMatchObject({
      kind: 'rejected',
      field: 'answers.0.rating',
      reason: 'score 9 is outside the scale 1-5',
    });
    const tenPoint = zendeskOptionsSchema.parse({ csatScale: { min: 1, max: 10 } });
    expect(run('csat-survey-responses.json', tenPoint)[2]).toMatchObject({ kind: 'mapped' });
  });
});

describe('zendesk options', () => {
  it('pins the documented defaults', () => {
    expect(defaults).toEqual({
      groupNames: {},
      escalationTags: [],
      channelMap: {},
      slaTargets: {},
      csatScale: { min: 1, max: 5 },
    });
  });

  it('fails when a channel mapping names a channel that does not exist', () => {
    expect(zendeskOptionsSchema.safeParse({ channelMap: { any_channel: 'fax' } }).success).toBe(false);
  });
});
