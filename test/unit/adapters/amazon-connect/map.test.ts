import { describe, expect, it } from 'vitest';
import { mapContactRecord } from '../../../../lambdas/adapters/amazon-connect/map.ts';
import {
  type AmazonConnectOptions,
  amazonConnectOptionsSchema,
} from '../../../../lambdas/adapters/amazon-connect/options.ts';
import { mapRecord } from '../../../../lambdas/adapters/shared/records.ts';
import { expectCanonical, fixture, rowsOf, testContext } from './support.ts';

const context = testContext('connect');
const defaults = amazonConnectOptionsSchema.parse({});
/** The fixture's post-call survey asks a 1-5 CSAT question and a 0-10 NPS question. */
const configured = amazonConnectOptionsSchema.parse({ surveyQuestions: { nps: { kind: 'nps', min: 0, max: 10 } } });
const records = fixture('amazon-connect', 'ctr-firehose.ndjson')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as Record<string, unknown>);
const byId = (id: string, nth = 0) =>
  records.filter((r) => String(r.ContactId).endsWith(id))[nth] as Record<string, unknown>;
const map = (record: unknown, options: AmazonConnectOptions = configured) => mapContactRecord(record, options, context);
const contactOf = (record: unknown, options?: AmazonConnectOptions) => rowsOf(map(record, options), 'interactions')[0];

describe('amazon-connect contact record mapping', () => {
  it('maps every fixture record to rows that pass the canonical schema', () => {
    const rows = records.flatMap((r) => map(r));
    expectCanonical(rows);
    expect(rowsOf(rows, 'interactions')).toHaveLength(7);
  });

  it('maps an answered inbound call: queue, talk, hold, after-contact work in seconds, agent and team', () => {
    const row = contactOf(byId('0001'));
    expect(row).toMatchObject({
      source: 'connect',
      interaction_id: '5f0c3a1e-1111-4a2b-9c3d-000000000001',
      initial_interaction_id: '5f0c3a1e-1111-4a2b-9c3d-000000000001',
      channel: 'voice',
      direction: 'inbound',
      agent_id: 'jsmith',
      team: 'Billing Team',
      queue: 'Billing',
      status: null,
      created_at: new Date('2024-03-04T09:00:00Z'),
      queued_at: new Date('2024-03-04T09:00:25Z'),
      answered_at: new Date('2024-03-04T09:01:10Z'),
      closed_at: new Date('2024-03-04T09:05:40Z'),
      queue_s: 45,
      talk_s: 240,
      hold_s: 30,
      hold_count: 1,
      acw_s: 45,
      is_abandoned: false,
      is_callback: false,
      is_transfer: false,
      updated_at: new Date('2024-03-04T09:06:30Z'),
      ingested_at: context.ingestedAt,
    });
  });

  it('pseudonymises the customer phone number and never writes it out', () => {
    const rows = map(byId('0001'));
    const customerKey = contactOf(byId('0001'))?.customer_key;
    expect(customerKey).toBe(context.pseudonymise('customer', '+447700900123'));
    expect(JSON.stringify(rows)).not.toContain('447700900123');
  });

  it('takes the team from the configured hierarchy level', () => {
    const level1 = amazonConnectOptionsSchema.parse({ teamHierarchyLevel: 1 });
    expect(contactOf(byId('0001'), level1)?.team).toBe('Customer Service');
    expect(contactOf(byId('0004'))?.team).toBeNull();
  });

  it('flags a queued contact that never reached an agent as abandoned', () => {
    expect(contactOf(byId('0002'))).toMatchObject({
      is_abandoned: true,
      answered_at: null,
      agent_id: null,
      queue_s: 105,
    });
  });

  it('gives a contact no agent took the team that owns its queue, when queueTeams says so', () => {
    const abandoned = byId('0002');
    const queueName = String((abandoned.Queue as { Name: string }).Name);
    expect(contactOf(abandoned)?.team).toBeNull();
    const owned = amazonConnectOptionsSchema.parse({ queueTeams: { [queueName]: 'Billing' } });
    expect(contactOf(abandoned, owned)?.team).toBe('Billing');
    // an agent's own hierarchy group still wins over the queue's owner
    const answered = byId('0001');
    const answeredQueue = String((answered.Queue as { Name: string }).Name);
    const other = amazonConnectOptionsSchema.parse({ queueTeams: { [answeredQueue]: 'Somebody else' } });
    expect(contactOf(answered, other)?.team).toBe(contactOf(answered)?.team);
  });

  it('never flags a callback as abandoned, even when no agent was reached', () => {
    expect(contactOf(byId('0003'))).toMatchObject({ is_callback: true, is_abandoned: false, direction: 'inbound' });
  });

  it('flags the leg created by a transfer and keeps the chain through InitialContactId', () => {
    expect(contactOf(byId('0004'))).toMatchObject({ is_transfer: false, is_abandoned: false });
    expect(contactOf(byId('0005'))).toMatchObject({
      is_transfer: true,
      initial_interaction_id: '5f0c3a1e-4444-4a2b-9c3d-000000000004',
    });
  });

  it('flags a contact transferred out of Connect by its TransferCompletedTimestamp', () => {
    const record = { ...byId('0002'), TransferCompletedTimestamp: '2024-03-04T10:01:00Z' };
    expect(contactOf(record)).toMatchObject({ is_transfer: true, is_abandoned: false });
  });

  it('treats an API-started chat as inbound and an API-started call as outbound', () => {
    expect(contactOf(byId('0006'))).toMatchObject({ channel: 'chat', direction: 'inbound', customer_key: null });
    expect(contactOf({ ...byId('0006'), Channel: 'VOICE' })?.direction).toBe('outbound');
  });

  it('skips supervisor monitoring records, which are not customer contacts', () => {
    expect(map(byId('0007'))).toEqual([]);
  });

  it('emits each delivery of a contact with its own LastUpdateTimestamp, for the dedup views to resolve', () => {
    const first = contactOf(byId('0001', 0));
    const second = contactOf(byId('0001', 1));
    expect(first?.interaction_id).toBe(second?.interaction_id);
    expect(first?.updated_at).toEqual(new Date('2024-03-04T09:06:30Z'));
    expect(second?.updated_at).toEqual(new Date('2024-03-04T09:09:02Z'));
  });

  it('turns survey attributes into survey responses with the default and per-question instruments', () => {
    expect(() => map(byId('0001', 1), defaults)).toThrow('score 9 is outside the scale 1-5');
    const surveys = rowsOf(map(byId('0001', 1)), 'survey_responses');
    expect(surveys).toEqual([
      expect.objectContaining({
        response_id: '5f0c3a1e-1111-4a2b-9c3d-000000000001:csat',
        survey_kind: 'csat',
        question: 'csat',
        score: 4,
        scale_min: 1,
        scale_max: 5,
        higher_is_better: true,
        interaction_id: '5f0c3a1e-1111-4a2b-9c3d-000000000001',
        agent_id: 'jsmith',
        channel: 'voice',
        updated_at: new Date('2024-03-04T09:09:02Z'),
      }),
      expect.objectContaining({
        response_id: '5f0c3a1e-1111-4a2b-9c3d-000000000001:nps',
        survey_kind: 'nps',
        score: 9,
        scale_max: 10,
      }),
    ]);
    expectCanonical(map(byId('0001', 1)));
  });

  it('honours a custom survey attribute prefix', () => {
    const options = amazonConnectOptionsSchema.parse({ surveyAttributePrefix: 'pcs_' });
    const record = { ...byId('0001'), Attributes: { pcs_effort: '3', survey_result_csat: '5' } };
    expect(rowsOf(map(record, options), 'survey_responses')).toMatchObject([{ question: 'effort', score: 3 }]);
  });

  it('records an empty survey attribute as offered but unanswered (null score)', () => {
    expect(rowsOf(map(byId('0006')), 'survey_responses')).toMatchObject([{ question: 'csat', score: null }]);
  });

  it('records the "was your issue resolved?" answer as a 0-1 response and on the contact\'s other responses', () => {
    const options = amazonConnectOptionsSchema.parse({ ...configured, resolvedQuestion: 'resolved' });
    const record = { ...byId('0001'), Attributes: { survey_result_csat: '5', survey_result_resolved: 'No' } };
    const surveys = rowsOf(map(record, options), 'survey_responses');
    expect(surveys).toEqual([
      expect.objectContaining({ question: 'csat', survey_kind: 'csat', score: 5, resolved: false }),
      expect.objectContaining({
        question: 'resolved',
        survey_kind: 'custom',
        score: 0,
        scale_min: 0,
        scale_max: 1,
        resolved: false,
      }),
    ]);
    expectCanonical(map(record, options));
    const yes = { ...byId('0001'), Attributes: { survey_result_resolved: '1' } };
    expect(rowsOf(map(yes, options), 'survey_responses')).toMatchObject([{ score: 1, resolved: true }]);
    expect(rowsOf(map(byId('0001', 1), options), 'survey_responses').every((r) => r.resolved === null)).toBe(true);
  });

  it('fails when the resolution answer is neither a yes nor a no', () => {
    const options = amazonConnectOptionsSchema.parse({ resolvedQuestion: 'resolved' });
    const record = { ...byId('0001'), Attributes: { survey_result_resolved: 'maybe' } };
    expect(mapRecord(1, record, (v) => map(v, options))).toMatchObject({
      kind: 'rejected',
      field: 'Attributes.survey_result_resolved',
      reason: expect.stringContaining('"maybe" is not a yes/no answer'),
    });
  });

  it('reads the category from the configured contact attribute', () => {
    const options = amazonConnectOptionsSchema.parse({ categoryAttribute: 'reason' });
    expect(contactOf(byId('0001'), options)?.category).toBe('refund');
    expect(contactOf(byId('0001'))?.category).toBeNull();
  });

  it('fails when a contact record has no ContactId', () => {
    const { ContactId: _, ...record } = byId('0002');
    expect(mapRecord(3, record, (v) => map(v))).toMatchObject({
      kind: 'rejected',
      rowNumber: 3,
      field: 'ContactId',
      reason: 'is missing',
    });
  });

  it('fails when a timestamp cannot be parsed', () => {
    const record = { ...byId('0002'), InitiationTimestamp: '04/03/2024 10:00' };
    expect(mapRecord(1, record, (v) => map(v))).toMatchObject({ kind: 'rejected', field: 'InitiationTimestamp' });
  });

  it('fails when a survey answer lies outside its scale', () => {
    const record = { ...byId('0001'), Attributes: { survey_result_csat: '7' } };
    expect(mapRecord(1, record, (v) => map(v))).toMatchObject({
      kind: 'rejected',
      field: 'Attributes.survey_result_csat',
      reason: 'score 7 is outside the scale 1-5',
    });
  });

  it('fails when a survey answer is not a number', () => {
    const record = { ...byId('0001'), Attributes: { survey_result_csat: 'great' } };
    expect(mapRecord(1, record, (v) => map(v))).toMatchObject({
      kind: 'rejected',
      field: 'Attributes.survey_result_csat',
    });
  });

  it('fails when the channel is unknown, or a duration is negative', () => {
    expect(mapRecord(1, { ...byId('0001'), Channel: 'FAX' }, (v) => map(v))).toMatchObject({
      kind: 'rejected',
      field: 'Channel',
    });
    const negative = { ...byId('0002'), Queue: { ...(byId('0002').Queue as object), Duration: -5 } };
    expect(mapRecord(1, negative, (v) => map(v))).toMatchObject({ kind: 'rejected', field: 'Queue.Duration' });
  });

  it('fails when the options name an impossible hierarchy level or scale', () => {
    expect(amazonConnectOptionsSchema.safeParse({ teamHierarchyLevel: 6 }).success).toBe(false);
    expect(amazonConnectOptionsSchema.safeParse({ survey: { min: 5, max: 1 } }).success).toBe(false);
  });

  it('pins the documented defaults', () => {
    expect(defaults).toEqual({
      teamHierarchyLevel: 'deepest',
      queueTeams: {},
      surveyAttributePrefix: 'survey_result_',
      survey: { kind: 'csat', min: 1, max: 5, higherIsBetter: true },
      surveyQuestions: {},
      resolvedAnswers: { yes: ['1', 'yes', 'y', 'true'], no: ['2', '0', 'no', 'n', 'false'] },
    });
  });
});
