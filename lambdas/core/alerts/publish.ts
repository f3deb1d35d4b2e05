/**
 * Alerts to the stack's EventBridge bus: PutEvents in requests of at most 10 entries and 256 KB,
 * retrying the entries EventBridge reports as failed (throttling, internal errors) with backoff.
 * What still fails after the retries fails the normaliser's message, so SQS delivers it again.
 */
import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { type Alert, alertJson } from './engine.ts';

/** The `source` of every alert event; the stack's rule matches on it. */
export const ALERT_EVENT_SOURCE = 'servicebench.alerts';
/** The `detail-type` of every alert event. */
export const ALERT_DETAIL_TYPE = 'Closed-loop alert';
/** PutEvents quotas: entries per request, and bytes per request as EventBridge counts them. */
export const PUT_EVENTS_MAX_ENTRIES = 10;
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;
/** EventBridge counts 14 bytes for an entry's Time. */
const TIME_BYTES = 14;
/** A verbatim is cut to this many characters in an event: enough to read, never near the size quota. */
export const EVENT_COMMENT_CHARS = 2000;
/** Attempts per entry (the first plus retries), and the delay before the first retry. */
export const PUT_EVENTS_ATTEMPTS = 4;
const FIRST_RETRY_MS = 100;

export interface PublishOptions {
  readonly client: EventBridgeClient;
  readonly busName: string;
  /** @default setTimeout; tests pass a clock that does not wait */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The PutEvents entry of one alert: its JSON, the verbatim cut to EVENT_COMMENT_CHARS. */
export function alertEntry(alert: Alert, busName: string): PutEventsRequestEntry {
  const detail = alertJson(alert);
  const comment =
    detail.comment !== null && detail.comment.length > EVENT_COMMENT_CHARS
      ? `${detail.comment.slice(0, EVENT_COMMENT_CHARS - 1)}…`
      : detail.comment;
  return {
    EventBusName: busName,
    Source: ALERT_EVENT_SOURCE,
    DetailType: ALERT_DETAIL_TYPE,
    Time: alert.alert_at,
    Resources: [],
    Detail: JSON.stringify({ ...detail, comment }),
  };
}

/** An entry's size as EventBridge counts it towards the 256 KB of a request (bus name included, to be safe). */
export function entryBytes(entry: PutEventsRequestEntry): number {
  const bytes = (text: string | undefined) => Buffer.byteLength(text ?? '', 'utf8');
  return (
    (entry.Time ? TIME_BYTES : 0) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    bytes(entry.EventBusName) +
    (entry.Resources ?? []).reduce((sum, r) => sum + bytes(r), 0)
  );
}

/** Items in request order, each request's entries within both PutEvents quotas. */
export function putEventsBatches<T>(items: readonly T[], entryOf: (item: T) => PutEventsRequestEntry): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let size = 0;
  for (const item of items) {
    const bytes = entryBytes(entryOf(item));
    if (bytes > PUT_EVENTS_MAX_BYTES) {
      throw new Error(`an event of ${bytes} bytes is over the PutEvents limit of ${PUT_EVENTS_MAX_BYTES}`);
    }
    if (batch.length === PUT_EVENTS_MAX_ENTRIES || size + bytes > PUT_EVENTS_MAX_BYTES) {
      batches.push(batch);
      batch = [];
      size = 0;
    }
    batch.push(item);
    size += bytes;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * Publishes the alerts and calls `published` for each one EventBridge accepted, as it is accepted
 * (the caller marks it so a retry of the message does not publish it again). Throws, naming the
 * error codes, when some are still refused after PUT_EVENTS_ATTEMPTS.
 */
export async function publishAlerts(
  alerts: readonly Alert[],
  options: PublishOptions,
  published: (alert: Alert) => Promise<void>,
): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let pending = alerts.map((alert) => ({ alert, entry: alertEntry(alert, options.busName) }));
  const refusals: string[] = [];
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > 1) await sleep(FIRST_RETRY_MS * 2 ** (attempt - 2));
    const failed: typeof pending = [];
    refusals.length = 0;
    for (const batch of putEventsBatches(pending, (p) => p.entry)) {
      const response = await options.client.send(new PutEventsCommand({ Entries: batch.map((p) => p.entry) }));
      const results = response.Entries ?? [];
      for (const [i, sent] of batch.entries()) {
        const result = results[i];
        if (result?.EventId !== undefined && result.ErrorCode === undefined) await published(sent.alert);
        else {
          failed.push(sent);
          refusals.push(`${result?.ErrorCode ?? 'no result'} ${result?.ErrorMessage ?? ''}`.trim());
        }
      }
    }
    if (failed.length > 0 && attempt >= PUT_EVENTS_ATTEMPTS) {
      throw new Error(
        `EventBridge refused ${failed.length} alert(s) after ${attempt} attempts: ${[...new Set(refusals)].join('; ')}`,
      );
    }
    pending = failed;
  }
}
