/**
 * Normaliser Lambda: SQS batch of S3 object-created notifications (or the same events through
 * EventBridge, for an existing landing bucket) → normaliseObject for each
 * landing object, the same core the `servicebench ingest` command runs, then one compaction
 * message per partition the object touched. Each message succeeds or fails on its own (partial
 * batch response), so one bad message never holds back the others; a message that keeps failing
 * ends in the dead-letter queue, where an alarm picks it up. A message fails until its partitions
 * are published, so a retry publishes them again: the compactor never misses a touched partition.
 */
import { ComprehendClient } from '@aws-sdk/client-comprehend';
import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { getAdapter } from '../adapters/registry.ts';
import { publishNormalisedAlerts } from '../core/alerts/object.ts';
import { compactionMessages, SQS_BATCH_ENTRIES } from '../core/compact/messages.ts';
import type { ServiceBenchConfig } from '../core/config/config.ts';
import { loadFunctionConfig, parseEnvironment } from '../core/env/environment.ts';
import { normaliserEnvSchema } from '../core/env/normaliser.ts';
import type { Adapter, SentimentAnalyser } from '../core/normalise/adapter.ts';
import { type NormaliseStores, normaliseObject, resolveSource } from '../core/normalise/pipeline.ts';
import type { Partition } from '../core/schema/layout.ts';
import { ComprehendSentimentAnalyser } from '../core/sentiment/index.ts';
import type { ObjectStore } from '../core/store/object-store.ts';
import { S3ObjectStore } from '../core/store/s3.ts';
import { type IngestionTelemetry, normaliserTelemetry } from '../core/telemetry/ingestion.ts';
import { describeError, log } from './log.ts';

export interface NormaliserDeps {
  readonly config: ServiceBenchConfig;
  readonly landingBucket: string;
  readonly stores: NormaliseStores;
  readonly pseudonymKey: Uint8Array;
  readonly sentiment?: SentimentAnalyser;
  readonly tmpDir: string;
  /** Sends the partitions an object touched to the compaction queue. */
  readonly publishPartitions: (partitions: readonly Partition[]) => Promise<void>;
  /** @default the adapter registry the CLI uses */
  readonly adapterFor?: (name: string) => Adapter;
  /** Each object's delivery marker and metrics (the handler sets it from STACK_NAME). @default none */
  readonly telemetry?: IngestionTelemetry;
}

const s3EventSchema = z.object({
  Records: z
    .array(
      z.object({
        eventName: z.string().startsWith('ObjectCreated:'),
        s3: z.object({
          bucket: z.object({ name: z.string().min(1) }),
          object: z.object({ key: z.string().min(1), size: z.number().optional() }),
        }),
      }),
    )
    .min(1),
});

/**
 * The same event through Amazon EventBridge (an existing landing bucket whose owner turned on
 * EventBridge notifications, routed by the stack's rule). AWS documents its key without saying
 * whether it is URL-encoded as a notification's is, and published events show both; the key is
 * taken as is, and its decoded form only when the object under the key as given does not exist
 * (landingKey).
 */
const eventBridgeS3Schema = z.object({
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  detail: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({ key: z.string().min(1) }),
  }),
});

/** S3 sends this once when the notification is configured; it names no object. */
const s3TestEventSchema = z.object({ Event: z.literal('s3:TestEvent') });

/** Keys in S3 event notifications are URL-encoded with `+` for spaces. */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replaceAll('+', ' '));
}

export async function handleNormaliseBatch(event: SQSEvent, deps: NormaliserDeps): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      await normaliseMessage(record, deps);
    } catch (error) {
      log.error('message failed; it will be retried, then dead-lettered', {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        ...describeError(error),
      });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}

async function normaliseMessage(record: SQSRecord, deps: NormaliserDeps): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new Error(`message body is not JSON: ${record.body.slice(0, 200)}`);
  }
  if (s3TestEventSchema.safeParse(body).success) return;
  for (const named of createdObjects(body)) {
    const { bucket } = named;
    if (bucket !== deps.landingBucket)
      throw new Error(`notification for bucket ${bucket}, expected ${deps.landingBucket}`);
    const key = await landingKey(named, deps.stores.landing);
    // Consoles create zero-byte "folder" objects when someone makes a prefix by hand.
    if (key.endsWith('/')) continue;
    const source = resolveSource(deps.config, key);
    const adapter = (deps.adapterFor ?? getAdapter)(source.adapter);
    const result = await normaliseObject({
      stores: deps.stores,
      key,
      source,
      adapter,
      pseudonymKey: deps.pseudonymKey,
      tmpDir: deps.tmpDir,
      partitionsFrom: deps.config.lake.partitionsFrom,
      ...(deps.sentiment ? { sentiment: deps.sentiment } : {}),
    });
    await deps.publishPartitions(result.partitions);
    await publishNormalisedAlerts(deps, result);
    const fields = {
      source: source.name,
      key,
      rows_read: result.audit.rows_read,
      rows_accepted: result.audit.rows_accepted,
      rows_rejected: result.audit.rows_rejected,
      duration_ms: result.audit.duration_ms,
      outputs: result.outputs.length,
      partitions: result.partitions.length,
      rejectKey: result.rejectKey,
    };
    if (result.fileError !== null) log.warn('file rejected whole', { ...fields, fileError: result.fileError });
    else log.info('object normalised', fields);
    await deps.telemetry?.objectNormalised(result);
  }
}

interface NamedObject {
  readonly bucket: string;
  readonly key: string;
  /** The key URL-decoded, when an EventBridge event's key might be encoded and decodes to another. */
  readonly decoded?: string;
}

/** The objects an S3 notification or an EventBridge S3 event names, with their keys decoded. */
function createdObjects(body: unknown): NamedObject[] {
  const viaEventBridge = eventBridgeS3Schema.safeParse(body);
  if (viaEventBridge.success) {
    const { detail } = viaEventBridge.data;
    const key = detail.object.key;
    let decoded: string | undefined;
    try {
      decoded = decodeS3Key(key);
    } catch {
      decoded = undefined; // a lone '%' is no encoding
    }
    return [{ bucket: detail.bucket.name, key, ...(decoded !== undefined && decoded !== key ? { decoded } : {}) }];
  }
  const parsed = s3EventSchema.safeParse(body);
  if (!parsed.success) {
    throw new Error(`message is not an S3 object-created notification: ${parsed.error.issues[0]?.message}`);
  }
  return parsed.data.Records.map((r) => ({ bucket: r.s3.bucket.name, key: decodeS3Key(r.s3.object.key) }));
}

/**
 * The landing key an event names: as given, unless that object does not exist and the decoded key's
 * does (one HEAD, only for EventBridge keys holding `%` or `+`).
 */
async function landingKey(named: NamedObject, landing: ObjectStore): Promise<string> {
  if (named.decoded === undefined || (await landing.head(named.key)) !== undefined) return named.key;
  return (await landing.head(named.decoded)) !== undefined ? named.decoded : named.key;
}

/** Publishes partitions to the FIFO compaction queue, ten per request; fails if SQS refuses any. */
export function sqsPartitionPublisher(
  client: SQSClient,
  queueUrl: string,
): (partitions: readonly Partition[]) => Promise<void> {
  return async (partitions) => {
    const messages = compactionMessages(partitions);
    for (let start = 0; start < messages.length; start += SQS_BATCH_ENTRIES) {
      const batch = messages.slice(start, start + SQS_BATCH_ENTRIES);
      const response = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((m, i) => ({
            Id: String(i),
            MessageBody: m.body,
            MessageGroupId: m.groupId,
            MessageDeduplicationId: m.deduplicationId,
          })),
        }),
      );
      const failed = response.Failed ?? [];
      if (failed.length > 0) {
        const reasons = failed.map((f) => `${batch[Number(f.Id)]?.groupId}: ${f.Code} ${f.Message ?? ''}`.trim());
        throw new Error(`the compaction queue refused ${failed.length} partition(s): ${reasons.join('; ')}`);
      }
    }
  };
}

export interface NormaliserClients {
  readonly s3?: S3Client;
  readonly sqs?: SQSClient;
  readonly secrets?: SecretsManagerClient;
  readonly comprehend?: ComprehendClient;
}

/** Reads the environment and the pseudonymisation key once per execution environment. */
export async function coldStart(
  env: Readonly<Record<string, string | undefined>>,
  clients: NormaliserClients = {},
): Promise<NormaliserDeps> {
  const settings = parseEnvironment('normaliser', normaliserEnvSchema, env);
  const s3 = clients.s3 ?? new S3Client({});
  const secrets = clients.secrets ?? new SecretsManagerClient({});
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: settings.PSEUDONYM_SECRET_ARN }));
  if (!secret.SecretString) throw new Error(`secret ${settings.PSEUDONYM_SECRET_ARN} has no string value`);
  return {
    config: loadFunctionConfig(settings.SERVICEBENCH_CONFIG_FILE, env),
    landingBucket: settings.LANDING_BUCKET,
    stores: {
      landing: new S3ObjectStore({ client: s3, bucket: settings.LANDING_BUCKET }),
      curated: new S3ObjectStore({ client: s3, bucket: settings.CURATED_BUCKET }),
      quarantine: new S3ObjectStore({ client: s3, bucket: settings.QUARANTINE_BUCKET }),
    },
    pseudonymKey: new Uint8Array(Buffer.from(secret.SecretString, 'utf8')),
    sentiment: new ComprehendSentimentAnalyser({ client: clients.comprehend ?? new ComprehendClient({}) }),
    tmpDir: settings.SPOOL_DIR,
    publishPartitions: sqsPartitionPublisher(clients.sqs ?? new SQSClient({}), settings.COMPACTION_QUEUE_URL),
  };
}

let ready: Promise<NormaliserDeps> | undefined;

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  // A failed cold start is not cached, so the next invocation tries again.
  ready ??= coldStart(process.env)
    .then((deps) => ({ ...deps, telemetry: normaliserTelemetry(process.env, deps.stores.curated) }))
    .catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
  return handleNormaliseBatch(event, await ready);
}
