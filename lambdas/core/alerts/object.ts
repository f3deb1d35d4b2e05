/**
 * Alerts of one normalised object, deployed: the rule engine over the rows the normaliser just
 * staged (read back from the object's staging files), with the compacted contacts of the days
 * before as the history repeat contacts count; each new alert is published to the event bus once.
 *
 * De-duplication across invocations keeps a marker per alert id (rule × customer × window) in the
 * curated bucket, `_alerts/published/<id>.json`, written after EventBridge accepted the event. An
 * id is deterministic, so re-ingesting a file, a retried message or a later file with another
 * detractor of the same customer in the same window finds the marker and publishes nothing. The
 * marker is written after the event, not before: a crash in between publishes the alert again
 * (with the same id, so a consumer can tell), where the opposite order would lose it. The bucket
 * was chosen over a DynamoDB table because the normaliser already reads and writes it, the
 * markers are a few hundred bytes, and a second store would bring a second key, grant and backup.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { parquetReadObjects } from 'hyparquet';
import type { ServiceBenchConfig } from '../config/config.ts';
import { normaliserEnvSchema } from '../env/normaliser.ts';
import type { NormaliseResult } from '../normalise/pipeline.ts';
import { SURVEY_KINDS, type TableName } from '../schema/canonical.ts';
import { compactedKey, partitionOfKey } from '../schema/layout.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { ALERT_DEFAULTS, ALERT_MARKER_PREFIX } from './config.ts';
import { type Alert, type AlertContact, type AlertRows, evaluateAlerts, tablesRead } from './engine.ts';
import { type PublishOptions, publishAlerts } from './publish.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface ObjectAlertsRequest {
  readonly config: Pick<ServiceBenchConfig, 'alerts'>;
  readonly curated: ObjectStore;
  /** What normaliseObject returned for the object: its staging files and when it landed. */
  readonly result: NormalisedObject;
  readonly publish: PublishOptions;
}

/** The part of a NormaliseResult the alerts read. */
export interface NormalisedObject {
  readonly outputs: NormaliseResult['outputs'];
  readonly audit: Pick<NormaliseResult['audit'], 'landed_at'>;
}

export interface ObjectAlertsOutcome {
  /** Alerts the object's rows raise. */
  readonly raised: number;
  /** Of those, published now. */
  readonly published: number;
  /** Already published (a marker exists). */
  readonly known: number;
  /** Dated more than publishWithinHours before the file landed. */
  readonly stale: number;
}

export function alertMarkerKey(alertId: string): string {
  return `${ALERT_MARKER_PREFIX}${alertId}.json`;
}

/** Evaluates the rules on an object's staged rows and publishes the alerts not published before. */
export async function publishObjectAlerts(request: ObjectAlertsRequest): Promise<ObjectAlertsOutcome> {
  const { rules } = request.config.alerts;
  if (rules.length === 0) return { raised: 0, published: 0, known: 0, stale: 0 };
  const current = await stagedRows(request.curated, request.result.outputs, tablesRead(rules));
  const repeatSpans = rules.flatMap((r) =>
    r.kind === 'repeat_contacts' ? [(r.days ?? ALERT_DEFAULTS.repeatDays) * DAY_MS] : [],
  );
  const history =
    repeatSpans.length === 0 || current.contacts.length === 0
      ? []
      : await compactedContacts(request.curated, current.contacts, Math.max(...repeatSpans));
  const alerts = evaluateAlerts(rules, current, history);

  const withinMs = (request.config.alerts.publishWithinHours ?? ALERT_DEFAULTS.publishWithinHours) * HOUR_MS;
  const oldest = request.result.audit.landed_at.getTime() - withinMs;
  const fresh = alerts.filter((a) => a.alert_at.getTime() >= oldest);
  const unpublished: Alert[] = [];
  for (const alert of fresh) {
    if (!(await request.curated.head(alertMarkerKey(alert.alert_id)))) unpublished.push(alert);
  }
  await publishAlerts(unpublished, request.publish, async (alert) => {
    const marker = { alert_id: alert.alert_id, rule: alert.rule, alert_at: alert.alert_at.toISOString() };
    await request.curated.write(alertMarkerKey(alert.alert_id), `${JSON.stringify(marker)}\n`, 'application/json');
  });
  return {
    raised: alerts.length,
    published: unpublished.length,
    known: fresh.length - unpublished.length,
    stale: alerts.length - fresh.length,
  };
}

let client: EventBridgeClient | undefined;

/**
 * The normaliser handler's one call: the object's alerts to the bus its environment names
 * (ALERT_BUS_NAME), through one EventBridge client per execution environment.
 */
export async function publishNormalisedAlerts(
  deps: { readonly config: Pick<ServiceBenchConfig, 'alerts'>; readonly stores: { readonly curated: ObjectStore } },
  result: NormalisedObject,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<ObjectAlertsOutcome> {
  if (deps.config.alerts.rules.length === 0) return { raised: 0, published: 0, known: 0, stale: 0 };
  const busName = normaliserEnvSchema.shape.ALERT_BUS_NAME.parse(env.ALERT_BUS_NAME);
  if (busName === undefined) {
    throw new Error('alerts.rules are configured but ALERT_BUS_NAME is not set; deploy the stack to create the bus');
  }
  client ??= new EventBridgeClient({});
  return publishObjectAlerts({
    config: deps.config,
    curated: deps.stores.curated,
    result,
    publish: { client, busName },
  });
}

/** The rows the rules read from the object's staging files (of the tables they read). */
async function stagedRows(
  curated: ObjectStore,
  outputs: readonly string[],
  tables: ReadonlySet<TableName>,
): Promise<AlertRows> {
  const keysOf = (table: TableName) =>
    tables.has(table) ? outputs.filter((key) => partitionOfKey(key)?.table === table) : [];
  const read = async (table: TableName, columns: readonly string[]) =>
    (await Promise.all(keysOf(table).map((key) => readParquet(curated, key, columns)))).flat();
  const [surveys, mentions, contacts] = await Promise.all([
    read('survey_responses', SURVEY_COLUMNS),
    read('social_mentions', MENTION_COLUMNS),
    read('interactions', CONTACT_COLUMNS),
  ]);
  return {
    surveys: surveys.map((r) => ({
      source: String(r.source),
      response_id: String(r.response_id),
      survey_kind: SURVEY_KINDS.find((k) => k === r.survey_kind) ?? 'custom',
      score: numberOrNull(r.score),
      scale_min: Number(r.scale_min),
      scale_max: Number(r.scale_max),
      higher_is_better: r.higher_is_better === true,
      interaction_id: textOrNull(r.interaction_id),
      customer_key: textOrNull(r.customer_key),
      agent_id: textOrNull(r.agent_id),
      team: textOrNull(r.team),
      responded_at: dateOrNull(r.responded_at),
      updated_at: dateOf(r.updated_at),
      comment: textOrNull(r.comment),
      resolved: typeof r.resolved === 'boolean' ? r.resolved : null,
    })),
    mentions: mentions.map((r) => ({
      source: String(r.source),
      mention_id: String(r.mention_id),
      posted_at: dateOf(r.posted_at),
      author_key: textOrNull(r.author_key),
      text: textOrNull(r.text),
      sentiment_label:
        r.sentiment_label === 'positive' || r.sentiment_label === 'neutral' || r.sentiment_label === 'negative'
          ? r.sentiment_label
          : null,
      sentiment_score: numberOrNull(r.sentiment_score),
      is_brand_reply: r.is_brand_reply === true,
    })),
    contacts: contacts.map(contactOf),
  };
}

/**
 * Contacts of the compacted partitions from `spanMs` before the object's first contact to its
 * last: the history repeat contacts count (a contact the object restates is counted once).
 */
async function compactedContacts(
  curated: ObjectStore,
  current: readonly AlertContact[],
  spanMs: number,
): Promise<AlertContact[]> {
  const times = current.map((c) => c.created_at.getTime());
  const first = Math.floor((Math.min(...times) - spanMs) / DAY_MS);
  const last = Math.floor(Math.max(...times) / DAY_MS);
  const customers = new Set(current.flatMap((c) => c.customer_key ?? []));
  const found: AlertContact[] = [];
  for (let day = first; day <= last; day++) {
    const key = compactedKey({ table: 'interactions', dt: new Date(day * DAY_MS).toISOString().slice(0, 10) });
    if (!(await curated.head(key))) continue;
    for (const row of await readParquet(curated, key, CONTACT_COLUMNS)) {
      const contact = contactOf(row);
      if (contact.customer_key !== null && customers.has(contact.customer_key)) found.push(contact);
    }
  }
  return found;
}

const SURVEY_COLUMNS = [
  'source',
  'response_id',
  'survey_kind',
  'score',
  'scale_min',
  'scale_max',
  'higher_is_better',
  'interaction_id',
  'customer_key',
  'agent_id',
  'team',
  'responded_at',
  'updated_at',
  'comment',
  'resolved',
];
const MENTION_COLUMNS = [
  'source',
  'mention_id',
  'posted_at',
  'author_key',
  'text',
  'sentiment_label',
  'sentiment_score',
  'is_brand_reply',
];
const CONTACT_COLUMNS = [
  'source',
  'interaction_id',
  'customer_key',
  'agent_id',
  'team',
  'direction',
  'created_at',
  'category',
];

function contactOf(r: Record<string, unknown>): AlertContact {
  return {
    source: String(r.source),
    interaction_id: String(r.interaction_id),
    customer_key: textOrNull(r.customer_key),
    agent_id: textOrNull(r.agent_id),
    team: textOrNull(r.team),
    direction: r.direction === 'outbound' ? 'outbound' : 'inbound',
    created_at: dateOf(r.created_at),
    category: textOrNull(r.category),
  };
}

async function readParquet(
  store: ObjectStore,
  key: string,
  columns: readonly string[],
): Promise<Record<string, unknown>[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.read(key)) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return (await parquetReadObjects({ file, columns: [...columns] })) as Record<string, unknown>[];
}

const textOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
const numberOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
/** TIMESTAMP_MILLIS reads as a Date; a plain INT64 of milliseconds as a bigint. */
const dateOf = (value: unknown): Date => (value instanceof Date ? value : new Date(Number(value)));
const dateOrNull = (value: unknown): Date | null => (value === null || value === undefined ? null : dateOf(value));
