/**
 * The deployed evaluation of one object: its staged rows raise the alerts, the compacted contacts
 * of the days before count towards repeat contacts, and each alert is published once.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ALERT_MARKER_PREFIX } from '../../../lambdas/core/alerts/config.ts';
import { alertId, tablesRead } from '../../../lambdas/core/alerts/engine.ts';
import { publishObjectAlerts } from '../../../lambdas/core/alerts/object.ts';
import { parseConfig } from '../../../lambdas/core/config/config.ts';
import { PartitionedParquetWriter } from '../../../lambdas/core/normalise/parquet.ts';
import { TABLES } from '../../../lambdas/core/schema/canonical.ts';
import { compactedKey, stagingKey } from '../../../lambdas/core/schema/layout.ts';
import { LocalObjectStore } from '../../../lambdas/core/store/local.ts';

const config = parseConfig({ alerts: { rules: [{ name: 'repeat', kind: 'repeat_contacts' }] } });
const LANDED = new Date('2025-06-05T12:00:00Z');

function contact(id: string, customer: string, at: string) {
  // Every column the table has, unknown unless set here.
  const unknown = Object.fromEntries(Object.keys(TABLES.interactions.schema.shape).map((column) => [column, null]));
  return TABLES.interactions.schema.parse({
    ...unknown,
    source: 'desk',
    interaction_id: id,
    channel: 'email',
    direction: 'inbound',
    customer_key: customer,
    agent_id: 'ana',
    team: 'billing',
    created_at: new Date(at),
    is_abandoned: false,
    is_callback: false,
    updated_at: new Date(at),
    ingested_at: LANDED,
    source_object: 'desk/export.json',
    source_row: 1,
  });
}

/** Writes the rows as Parquet, one file per day, under the key `keyOf` gives each day. */
async function writeParquet(
  store: LocalObjectStore,
  rows: Record<string, unknown>[],
  keyOf: (dt: string) => string,
): Promise<string[]> {
  const writer = new PartitionedParquetWriter('interactions', { tmpDir: mkdtempSync(join(tmpdir(), 'sb-pq-')) });
  for (const row of rows) writer.add(row);
  const keys: string[] = [];
  for (const file of writer.finish()) {
    const key = keyOf(file.dt);
    await store.write(key, readFileSync(file.file));
    keys.push(key);
  }
  writer.dispose();
  return keys;
}

const eventBridge = mockClient(EventBridgeClient);
beforeEach(() => {
  eventBridge.reset();
  eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
    FailedEntryCount: 0,
    Entries: input.Entries.map((_, i) => ({ EventId: `e${i}` })),
  }));
});

describe('alerts of a normalised object', () => {
  it('counts the compacted contacts before the object towards repeat contacts, and publishes the alert once', async () => {
    const curated = new LocalObjectStore(mkdtempSync(join(tmpdir(), 'sb-curated-')));
    // Two earlier contacts of k1 in the lake, one of k2 outside its seven days.
    await writeParquet(
      curated,
      [
        contact('c1', 'k1', '2025-06-01T09:00:00Z'),
        contact('c2', 'k1', '2025-06-03T09:00:00Z'),
        contact('c0', 'k2', '2025-05-20T09:00:00Z'),
      ],
      (dt) => compactedKey({ table: 'interactions', dt }),
    );
    const outputs = await writeParquet(
      curated,
      [contact('c3', 'k1', '2025-06-05T09:00:00Z'), contact('c4', 'k2', '2025-06-05T10:00:00Z')],
      (dt) => stagingKey({ table: 'interactions', dt }, 'desk-0123456789abcdef'),
    );
    const request = {
      config,
      curated,
      result: { outputs, audit: { landed_at: LANDED } },
      publish: { client: new EventBridgeClient({ region: 'eu-west-1' }), busName: 'bus' },
    };

    expect(await publishObjectAlerts(request)).toEqual({ raised: 1, published: 1, known: 0, stale: 0 });
    const entries = eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries ?? [];
    const week = Math.floor(Date.parse('2025-06-05T09:00:00Z') / (168 * 3_600_000));
    expect(entries.map((e) => JSON.parse(e.Detail ?? '{}'))).toEqual([
      expect.objectContaining({ alert_id: alertId('repeat', 'k1', week), source_ref: 'c3', score: 3 }),
    ]);
    const markers: string[] = [];
    for await (const info of curated.list(ALERT_MARKER_PREFIX)) markers.push(info.key);
    expect(markers).toEqual([`${ALERT_MARKER_PREFIX}${alertId('repeat', 'k1', week)}.json`]);

    // The same object again: the marker holds, nothing is sent.
    expect(await publishObjectAlerts(request)).toEqual({ raised: 1, published: 0, known: 1, stale: 0 });
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(1);
  });
});

describe('tables read back', () => {
  it('reads contacts for repeat contacts only, posts for negative posts only, surveys for the survey rules', () => {
    const rules = (kinds: string[]) =>
      parseConfig({ alerts: { rules: kinds.map((kind, i) => ({ name: `r${i}`, kind })) } }).alerts.rules;
    expect([...tablesRead(rules(['nps_detractor', 'unresolved']))]).toEqual(['survey_responses']);
    expect([...tablesRead(rules(['repeat_contacts', 'negative_social'])).values()].sort()).toEqual([
      'interactions',
      'social_mentions',
    ]);
    expect(tablesRead([]).size).toBe(0);
  });
});
