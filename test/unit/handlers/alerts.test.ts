/**
 * The normaliser's closed-loop alerts: a detractor survey landed in s3rver is published to the
 * event bus once (aws-sdk-client-mock for the EventBridge choreography), without a raw identifier.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { alertId } from '../../../lambdas/core/alerts/engine.ts';
import { alertMarkerKey } from '../../../lambdas/core/alerts/object.ts';
import { ALERT_DETAIL_TYPE, ALERT_EVENT_SOURCE } from '../../../lambdas/core/alerts/publish.ts';
import { parseConfig } from '../../../lambdas/core/config/config.ts';
import { createPseudonymiser } from '../../../lambdas/core/normalise/pseudonymise.ts';
import { S3ObjectStore } from '../../../lambdas/core/store/s3.ts';
import { handleNormaliseBatch, type NormaliserDeps } from '../../../lambdas/handlers/normalise.ts';
import { s3NotificationRecord } from '../../support/handlers.ts';
import { type S3rverHandle, startS3rver } from '../../support/s3rver.ts';

const BUS = 'servicebench-alerts';
const KEY = 'delighted/2024/05/responses.json';
const PSEUDONYM_KEY = new Uint8Array(Buffer.from('k'.repeat(64)));
const HOUR_S = 3600;
const WEEK_MS = 168 * HOUR_S * 1000;

const config = parseConfig({
  sources: [
    {
      name: 'delighted',
      adapter: 'delighted',
      options: {
        customerProperty: 'email',
        interactionProperty: 'ticket_id',
        agentProperty: 'agent',
        teamProperty: 'team',
      },
    },
  ],
  alerts: { rules: [{ name: 'detractors', kind: 'nps_detractor' }] },
});

/** Whole seconds, so the epoch-seconds export round-trips exactly. */
const nowS = Math.floor(Date.now() / 1000);
const answeredS = nowS - 2 * HOUR_S;
const staleS = nowS - 10 * 24 * HOUR_S;

function response(id: string, score: number, createdS: number, email: string, comment: string | null) {
  return {
    id,
    person: { id: `p-${id}`, email },
    survey_type: 'nps',
    score,
    comment,
    created_at: createdS,
    updated_at: createdS,
    person_properties: { email, ticket_id: `T-${id}`, agent: 'a.smith', team: 'Billing' },
    notes: [],
    tags: [],
    additional_answers: [],
  };
}

const EXPORT = [
  response('1', 3, answeredS, 'jane@example.com', 'Ring me on 07700 900123 or write to jane@example.com'),
  response('2', 9, answeredS, 'sam@example.com', 'Great'),
  // A detractor from ten days before the file landed: counted in the lake, never paged.
  response('3', 0, staleS, 'old@example.com', null),
];

const eventBridge = mockClient(EventBridgeClient);
let s3: S3rverHandle;
let deps: NormaliserDeps;

beforeAll(async () => {
  for (const level of ['info', 'warn', 'error'] as const) vi.spyOn(console, level).mockImplementation(() => {});
  vi.stubEnv('ALERT_BUS_NAME', BUS);
  s3 = await startS3rver();
  for (const bucket of ['landing', 'curated', 'quarantine']) await s3.createBucket(bucket);
  await s3.client.send(new PutObjectCommand({ Bucket: 'landing', Key: KEY, Body: JSON.stringify(EXPORT) }));
  const store = (bucket: string) => new S3ObjectStore({ client: s3.client, bucket });
  deps = {
    config,
    landingBucket: 'landing',
    stores: { landing: store('landing'), curated: store('curated'), quarantine: store('quarantine') },
    pseudonymKey: PSEUDONYM_KEY,
    tmpDir: mkdtempSync(join(tmpdir(), 'sb-alerts-')),
    publishPartitions: async () => {},
  };
}, 60_000);

beforeEach(() => {
  eventBridge.reset();
  eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
    FailedEntryCount: 0,
    Entries: input.Entries.map((_, i) => ({ EventId: `event-${i}` })),
  }));
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await s3?.stop();
});

describe('normaliser alerts', () => {
  it('publishes the fresh detractor to the bus with its ticket, team, agent and pseudonymised customer', async () => {
    const response = await handleNormaliseBatch({ Records: [s3NotificationRecord('first', 'landing', KEY)] }, deps);
    expect(response.batchItemFailures).toEqual([]);

    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(1);
    const entries = calls[0]?.args[0].input.Entries ?? [];
    expect(entries).toHaveLength(1);
    const customer = createPseudonymiser(PSEUDONYM_KEY)('customer', 'jane@example.com') ?? '';
    expect(customer).not.toBe('');
    const alertAt = new Date(answeredS * 1000);
    expect(entries[0]).toMatchObject({
      EventBusName: BUS,
      Source: ALERT_EVENT_SOURCE,
      DetailType: ALERT_DETAIL_TYPE,
      Time: alertAt,
    });
    expect(JSON.parse(entries[0]?.Detail ?? '{}')).toEqual({
      alert_id: alertId('detractors', customer, Math.floor(alertAt.getTime() / WEEK_MS)),
      alert_at: alertAt.toISOString(),
      rule: 'detractors',
      kind: 'nps_detractor',
      source: 'delighted',
      source_ref: 'T-1',
      team: 'Billing',
      agent_id: 'a.smith',
      score: 3,
      comment: 'Ring me on [phone] or write to [e-mail]',
      customer_key: customer,
    });
    // The planted address and phone number reach no event.
    expect(JSON.stringify(entries)).not.toMatch(/example\.com|07700|900123/);
  });

  it('publishes nothing again when the object is delivered again (the marker of the alert id)', async () => {
    const curated = deps.stores.curated as S3ObjectStore;
    const customer = createPseudonymiser(PSEUDONYM_KEY)('customer', 'jane@example.com') ?? '';
    const id = alertId('detractors', customer, Math.floor((answeredS * 1000) / WEEK_MS));
    expect(await curated.head(alertMarkerKey(id))).toBeDefined();
    const response = await handleNormaliseBatch({ Records: [s3NotificationRecord('again', 'landing', KEY)] }, deps);
    expect(response.batchItemFailures).toEqual([]);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('fails the message when EventBridge keeps refusing the alert, so SQS delivers it again', async () => {
    const curated = deps.stores.curated as S3ObjectStore;
    for await (const marker of curated.list('_alerts/')) await curated.delete(marker.key);
    eventBridge.reset();
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });
    const response = await handleNormaliseBatch({ Records: [s3NotificationRecord('refused', 'landing', KEY)] }, deps);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'refused' }]);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(4);
    expect(
      await (async () => {
        for await (const marker of curated.list('_alerts/')) return marker.key;
        return undefined;
      })(),
    ).toBeUndefined();
  }, 30_000);
});
