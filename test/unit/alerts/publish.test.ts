import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../lambdas/core/alerts/engine.ts';
import {
  alertEntry,
  EVENT_COMMENT_CHARS,
  entryBytes,
  PUT_EVENTS_MAX_BYTES,
  publishAlerts,
  putEventsBatches,
} from '../../../lambdas/core/alerts/publish.ts';

const alert = (i: number, comment: string | null = null): Alert => ({
  alert_id: `id-${i}`,
  rule: 'detractors',
  kind: 'nps_detractor',
  source: 'surveys',
  source_ref: `T-${i}`,
  team: null,
  agent_id: null,
  score: 2,
  comment,
  alert_at: new Date(Date.UTC(2025, 5, 2, 9, 0, i)),
  customer_key: `k${i}`,
});

const eventBridge = mockClient(EventBridgeClient);
const client = new EventBridgeClient({ region: 'eu-west-1' });
const noWait = async () => {};

beforeEach(() => eventBridge.reset());

describe('PutEvents batches', () => {
  it('counts an entry as EventBridge does: 14 bytes of time, then source, detail type, detail, bus and resources', () => {
    const entry = {
      Time: new Date(),
      Source: 'ab',
      DetailType: 'cd',
      Detail: '{"é":1}',
      EventBusName: 'bus',
      Resources: ['r'],
    };
    // The detail is 7 characters, 8 bytes in UTF-8 (é takes two).
    expect(entryBytes(entry)).toBe(14 + 2 + 2 + 8 + 3 + 1);
  });

  it('sends at most ten entries a request', () => {
    const items = Array.from({ length: 23 }, (_, i) => alertEntry(alert(i), 'bus'));
    expect(putEventsBatches(items, (e) => e).map((b) => b.length)).toEqual([10, 10, 3]);
  });

  it('starts a new request before the entries pass 256 KB', () => {
    const big = { Source: 's', DetailType: 'd', Detail: 'x'.repeat(100 * 1024) };
    expect(entryBytes(big)).toBe(2 + 100 * 1024);
    // Two fit in 256 KB (200 KiB and a little), a third would not.
    expect(putEventsBatches([big, big, big, big, big], (e) => e).map((b) => b.length)).toEqual([2, 2, 1]);
    const tooBig = { Source: 's', DetailType: 'd', Detail: 'x'.repeat(PUT_EVENTS_MAX_BYTES) };
    expect(() => putEventsBatches([tooBig], (e) => e)).toThrow(/over the PutEvents limit/);
  });

  it('cuts a long verbatim so an alert always fits', () => {
    const detail = JSON.parse(alertEntry(alert(1, 'y'.repeat(10_000)), 'bus').Detail ?? '{}') as { comment: string };
    expect(detail.comment).toHaveLength(EVENT_COMMENT_CHARS);
    expect(detail.comment.endsWith('…')).toBe(true);
  });
});

describe('publishAlerts', () => {
  it('retries only the refused entries and reports each accepted alert once', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [
          { EventId: 'e0' },
          { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' },
          { EventId: 'e2' },
        ],
      })
      .resolvesOnce({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
    const accepted: string[] = [];
    const waits: number[] = [];
    await publishAlerts(
      [alert(0), alert(1), alert(2)],
      { client, busName: 'bus', sleep: async (ms) => void waits.push(ms) },
      async (a) => void accepted.push(a.alert_id),
    );
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([3, 1]);
    expect(JSON.parse(calls[1]?.args[0].input.Entries?.[0]?.Detail ?? '{}')).toMatchObject({ alert_id: 'id-1' });
    expect(accepted).toEqual(['id-0', 'id-2', 'id-1']);
    expect(waits).toEqual([100]);
  });

  it('fails naming the error after four attempts, having reported the accepted ones', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
      FailedEntryCount: 1,
      Entries: input.Entries.map((_, i) =>
        i === 0 && input.Entries.length === 2 ? { EventId: 'ok' } : { ErrorCode: 'InternalFailure' },
      ),
    }));
    const accepted: string[] = [];
    await expect(
      publishAlerts(
        [alert(0), alert(1)],
        { client, busName: 'bus', sleep: noWait },
        async (a) => void accepted.push(a.alert_id),
      ),
    ).rejects.toThrow('EventBridge refused 1 alert(s) after 4 attempts: InternalFailure');
    expect(accepted).toEqual(['id-0']);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(4);
  });

  it('sends nothing for no alerts', async () => {
    await publishAlerts([], { client, busName: 'bus', sleep: noWait }, noWait);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});
