/**
 * The shipped example mappings, run over tiny hand-written files shaped like the real exports in
 * ../shared/realdata (same headers, delimiters, encodings and quirks), with hand-computed rows.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMapping } from '../../../../lambdas/adapters/mapping/index.ts';
import { EXAMPLES, FIXTURES, iso, loadExample, mapped, rejected, rowOf, runMapping } from './support.ts';

const fixture = (name: string) => ({ file: join(FIXTURES, name) });

describe('every shipped mapping', () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json'));

  it.each(files)('%s validates and explains its decisions', (file) => {
    const raw = JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8'));
    const mapping = parseMapping(raw, file);
    expect(mapping.description?.length ?? 0).toBeGreaterThan(200);
  });
});

describe('bank-calls.json on a tab-separated CRLF call log', () => {
  it('combines the date with each clock column in Israel time and keeps ids unique per line', async () => {
    const records = await runMapping(loadExample('bank-calls'), fixture('bank.tsv'));
    expect(records).toHaveLength(7);
    const [answered, abandoned, , callback, vruHangUp, midnight] = records;
    expect(rowOf(answered)).toMatchObject({
      interaction_id: '990201-AB0101-10001',
      channel: 'voice',
      status: null,
      agent_id: 'RONIT',
      customer_key: null,
      queue: 'PS',
      queued_at: null,
      queue_s: null,
      talk_s: 166,
      is_abandoned: false,
      source: 'test-source',
    });
    expect(iso(rowOf(answered).created_at)).toBe('1999-02-01T05:02:47.000Z');
    expect(iso(rowOf(answered).answered_at)).toBe('1999-02-01T05:02:55.000Z');
    expect(rowOf(abandoned)).toMatchObject({
      is_abandoned: true,
      agent_id: null,
      answered_at: null,
      talk_s: null,
      queue_s: 5,
    });
    expect(rowOf(abandoned).customer_key).toBe('customer#11223344');
    expect(iso(rowOf(abandoned).queued_at)).toBe('1999-02-01T06:09:22.000Z');
    expect(rowOf(callback)).toMatchObject({ interaction_id: '990202-AB0102-10001', is_callback: true, queue_s: 85 });
    expect(rowOf(vruHangUp)).toMatchObject({ is_abandoned: false, queued_at: null, queue_s: null });
    expect(iso(rowOf(midnight).created_at)).toBe('1999-02-11T21:59:39.000Z');
    expect(iso(rowOf(midnight).answered_at)).toBe('1999-02-11T22:00:09.000Z');
  });

  it('drops PHANTOM rows with a reason and rejects a malformed date naming column, value and format', async () => {
    const records = await runMapping(loadExample('bank-calls'), fixture('bank.tsv'));
    const [phantom, badDate] = rejected(records);
    expect(phantom).toMatchObject({
      rowNumber: 3,
      field: 'outcome',
      reason: 'dropped by rule: PHANTOM is not a real call',
    });
    expect(badDate).toMatchObject({ rowNumber: 7, field: 'date' });
    expect(badDate?.reason).toContain('"99021" is not a date in format "yyMMdd"');
    expect(mapped(records)).toHaveLength(5);
  });
});

describe('pwc-calls.json and pwc-csat.json on the PwC call export', () => {
  it('maps answered and abandoned calls, and reads a time inside the spring-forward gap', async () => {
    const records = await runMapping(loadExample('pwc-calls'), fixture('pwc.csv'));
    const [first, second, unanswered, badTalk] = records;
    expect(rowOf(first)).toMatchObject({
      interaction_id: 'ID0001',
      status: null,
      agent_id: 'Alice',
      queue_s: 109,
      talk_s: 143,
      is_abandoned: false,
      resolved_first_contact: true,
      category: 'Contract related',
    });
    expect(iso(rowOf(first).created_at)).toBe('2021-01-01T08:12:00.000Z');
    expect(iso(rowOf(first).answered_at)).toBe('2021-01-01T08:13:49.000Z');
    expect(rowOf(second)).toMatchObject({ talk_s: 242, resolved_first_contact: false });
    expect(rowOf(unanswered)).toMatchObject({
      is_abandoned: true,
      agent_id: null,
      queue_s: null,
      talk_s: null,
      answered_at: null,
      resolved_first_contact: null,
    });
    // 02:30 does not exist in Zurich on 2021-03-28; it is read as 03:30 CEST.
    expect(iso(rowOf(unanswered).created_at)).toBe('2021-03-28T01:30:00.000Z');
    expect(badTalk).toMatchObject({ kind: 'rejected', field: 'AvgTalkDuration' });
    expect(badTalk?.kind === 'rejected' && badTalk.reason).toBe(
      '"0:1:30" is not a duration in format h:mm:ss (e.g. 0:04:02) (column "AvgTalkDuration" → talk_s)',
    );
  });

  it('loads ratings 1-5 and drops rating 0 (unanswered call, no survey) with its reason', async () => {
    const records = await runMapping(loadExample('pwc-csat'), fixture('pwc.csv'));
    expect(mapped(records).map((r) => rowOf(r).score)).toEqual([3, 5, 4]);
    expect(rowOf(records[0])).toMatchObject({
      response_id: 'ID0001-csat',
      interaction_id: 'ID0001',
      survey_kind: 'csat',
      scale_min: 1,
      scale_max: 5,
    });
    expect(rejected(records)).toEqual([
      expect.objectContaining({
        rowNumber: 3,
        field: 'Satisfaction rating',
        reason: expect.stringMatching(/^dropped by rule: rating 0/),
      }),
    ]);
  });
});

describe('nps-garden.json on a Windows-1252 survey export with NA tokens', () => {
  it('decodes accents, keeps an unanswered NPS as a null score and rejects a non-number', async () => {
    const records = await runMapping(loadExample('nps-garden'), fixture('nps.csv'));
    const [first, withComment, unanswered, bad] = records;
    expect(rowOf(first)).toMatchObject({
      response_id: '2368',
      score: 10,
      comment: null,
      touchpoint: 'wave 11',
      survey_kind: 'nps',
    });
    expect(rowOf(withComment).comment).toBe("Il y a très peu de caisses ouvertes, l'attente est longue");
    expect(rowOf(unanswered)).toMatchObject({ score: null, touchpoint: null });
    expect(iso(rowOf(first).updated_at)).toBe('2021-10-19T00:00:00.000Z');
    expect(bad).toMatchObject({ kind: 'rejected', field: 'nps' });
    expect(bad?.kind === 'rejected' && bad.reason).toMatch(/^"dix" is not a number/);
  });
});

describe('kaggle-tickets.json and kaggle-tickets-csat.json on the ticket export', () => {
  it('drops undatable open tickets and rejects a resolution before the first response', async () => {
    const records = await runMapping(loadExample('kaggle-tickets'), fixture('kaggle.csv'));
    const [pending, open, closed, impossible] = records;
    expect(rowOf(pending)).toMatchObject({
      status: 'pending',
      channel: 'social',
      customer_key: 'customer#ann@example.com',
      resolved_at: null,
      closed_at: null,
      first_response_at: null,
    });
    expect(iso(rowOf(pending).updated_at)).toBe('2023-06-01T12:15:36.000Z');
    expect(open).toMatchObject({ kind: 'rejected', field: 'Ticket Status' });
    expect(rowOf(closed)).toMatchObject({ status: 'closed', channel: 'email', category: 'Refund request' });
    expect(iso(rowOf(closed).resolved_at)).toBe('2023-06-01T18:05:38.000Z');
    expect(iso(rowOf(closed).closed_at)).toBe('2023-06-01T18:05:38.000Z');
    expect(iso(rowOf(closed).updated_at)).toBe('2023-06-01T18:05:38.000Z');
    expect(impossible).toMatchObject({ kind: 'rejected', field: 'resolved_at' });
    expect(impossible?.kind === 'rejected' && impossible.reason).toBe(
      'check failed: resolved before its first response (created_at is the first response time in this export) (resolved_at 2023-06-01T02:12:15.000Z is before created_at 2023-06-01T07:29:40.000Z)',
    );
  });

  it('loads the ratings of closed tickets and drops blank ratings', async () => {
    const records = await runMapping(loadExample('kaggle-tickets-csat'), fixture('kaggle.csv'));
    expect(mapped(records).map((r) => [rowOf(r).response_id, rowOf(r).score])).toEqual([
      ['3-csat', 4],
      ['4-csat', 2],
    ]);
    expect(rejected(records).map((r) => r.reason)).toEqual([
      'dropped by rule: no rating: only closed tickets were rated',
      'dropped by rule: no rating: only closed tickets were rated',
    ]);
  });
});

describe('servicenow-incidents.json on the incident event log', () => {
  it('maps each event to the incident state at that event, ordered by update time then modification count', async () => {
    const records = await runMapping(loadExample('servicenow-incidents'), fixture('servicenow.csv'));
    const [created, active, resolved, closed, impossible] = records;
    expect(rowOf(created)).toMatchObject({
      interaction_id: 'INC0000045',
      status: 'open',
      agent_id: null,
      resolved_at: null,
      is_escalated: false,
    });
    expect(rowOf(active)).toMatchObject({
      status: 'open',
      agent_id: 'Resolver 89',
      team: 'Group 56',
      is_escalated: true,
    });
    expect(rowOf(resolved)).toMatchObject({ status: 'resolved', closed_at: null, sla_resolution_met: true });
    expect(iso(rowOf(resolved).resolved_at)).toBe('2016-02-29T11:29:00.000Z');
    expect(rowOf(closed)).toMatchObject({ status: 'closed', reopen_count: 1, sla_resolution_met: false });
    expect(iso(rowOf(closed).closed_at)).toBe('2016-03-05T12:00:00.000Z');
    expect([created, active, resolved, closed].map((r) => iso(rowOf(r).updated_at))).toEqual([
      '2016-02-29T01:23:00.000Z',
      '2016-02-29T08:53:00.001Z',
      '2016-02-29T08:53:00.002Z',
      '2016-03-05T12:00:00.003Z',
    ]);
    expect(impossible).toMatchObject({ kind: 'rejected', field: 'resolved_at' });
  });
});

describe('cfpb-complaints.json on the complaint export with stray lines before the header', () => {
  it('skips the stray lines, keeps quoted newlines and reads timeliness as the first-response SLA', async () => {
    const records = await runMapping(loadExample('cfpb-complaints'), fixture('cfpb.csv'));
    expect(records).toHaveLength(3);
    const [timely, untimely, inProgress] = records;
    expect(rowOf(timely)).toMatchObject({
      interaction_id: '3571115',
      team: 'ACME HOLDINGS, INC.',
      channel: 'web',
      status: 'closed',
      sla_first_response_met: true,
      sla_first_response_target_s: 1296000,
      sla_resolution_met: null,
    });
    expect(iso(rowOf(timely).created_at)).toBe('2020-03-18T04:00:00.000Z');
    expect(rowOf(untimely)).toMatchObject({ channel: 'voice', status: 'closed', sla_first_response_met: false });
    expect(iso(rowOf(untimely).updated_at)).toBe('2019-09-26T04:00:00.000Z');
    expect(rowOf(inProgress)).toMatchObject({ channel: 'other', status: 'open' });
  });
});

describe('telco-signups.json and telco-cancellations.json on the churn snapshot', () => {
  it('dates each signup tenure months before the snapshot, clamping to the end of shorter months', async () => {
    const records = await runMapping(loadExample('telco-signups'), fixture('telco.csv'));
    expect(records.map((r) => iso(rowOf(r).event_at))).toEqual([
      '2019-08-30T00:00:00.000Z',
      '2019-02-28T00:00:00.000Z',
      '2019-09-30T00:00:00.000Z',
      '2019-07-30T00:00:00.000Z',
    ]);
    expect(rowOf(records[0])).toMatchObject({
      event_id: 'customer#1111-AAAAA-signup',
      customer_key: 'customer#1111-AAAAA',
      kind: 'signup',
      amount: null,
    });
  });

  it('turns Churn = Yes into a cancellation at the snapshot and drops current customers', async () => {
    const records = await runMapping(loadExample('telco-cancellations'), fixture('telco.csv'));
    expect(mapped(records).map((r) => [rowOf(r).event_id, rowOf(r).amount, iso(rowOf(r).event_at)])).toEqual([
      ['customer#2222-BBBBB-cancellation', 398.65, '2019-09-30T00:00:00.000Z'],
      ['customer#4444-DDDDD-cancellation', 151.65, '2019-09-30T00:00:00.000Z'],
    ]);
    expect(rejected(records).map((r) => r.field)).toEqual(['Churn', 'Churn']);
  });
});

describe('twcs-tweets.json on the support tweet export', () => {
  it('keeps brand handles, pseudonymises customers, normalises float ids and keeps a bare CR inside a tweet', async () => {
    const records = await runMapping(loadExample('twcs-tweets'), fixture('twcs.csv'));
    expect(records).toHaveLength(3);
    const [reply, complaint] = records;
    expect(rowOf(reply)).toMatchObject({
      mention_id: '11',
      author_key: 'acmecare',
      is_brand_reply: true,
      in_reply_to: '12',
    });
    expect(iso(rowOf(reply).posted_at)).toBe('2017-10-31T22:10:47.000Z');
    expect(rowOf(complaint)).toMatchObject({
      author_key: 'author#900001',
      is_brand_reply: false,
      in_reply_to: null,
      text: '@acmecare my router keeps\rdropping',
    });
  });
});
