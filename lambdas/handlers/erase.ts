/**
 * Erasure Lambda, invoked by an operator:
 *   aws lambda invoke --function-name <ErasureFunction> --cli-binary-format raw-in-base64-out \
 *     --payload '{"customers":["ann@example.com"],"dryRun":true}' out.json
 * It runs eraseCustomers, the core `servicebench erase` runs, over the deployed buckets and answers
 * with what was removed and the landing objects to delete. Neither the answer nor the logs hold a
 * raw identifier: the event is never logged.
 *
 * The materialised tables (metric_values and the period tables) are computed from the curated
 * tables and keep the erased rows until they are rewritten, so an erasure that rewrote a partition
 * starts the metric refresh of every family asynchronously, as its schedule does. The erasure has
 * happened whatever the refresh does: a refresh that cannot be started is reported in the answer,
 * for the operator to start, never thrown.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { parseEnvironment } from '../core/env/environment.ts';
import { erasureEnvSchema } from '../core/env/erasure.ts';
import type { RefreshRequest } from '../core/env/refresh.ts';
import { type ErasureRecord, type ErasureStores, eraseCustomers } from '../core/erase/erase.ts';
import { S3ObjectStore } from '../core/store/s3.ts';
import { describeError, log } from './log.ts';

export const erasureEventSchema = z.object({
  customers: z
    .array(z.string().min(1, 'must be an e-mail, phone or id'), { error: 'must be a list of customer identifiers' })
    .min(1, 'must name at least one customer'),
  dryRun: z.boolean().optional(),
});

export type ErasureEvent = z.input<typeof erasureEventSchema>;

/** The request the metric refresh's own schedule sends: every family, no report run after it. */
export const REFRESH_EVERYTHING: RefreshRequest = {};

export interface ErasureDeps {
  readonly stores: ErasureStores;
  readonly pseudonymKey: Uint8Array;
  readonly landingBucket: string;
  readonly curatedBucket: string;
  /** The metric refresh function, as REFRESH_FUNCTION names it (for the operator's command). */
  readonly refreshFunction: string;
  /** Starts the metric refresh without waiting for it; rejects when it could not be started. */
  readonly startRefresh: (request: RefreshRequest) => Promise<void>;
}

/**
 * `started`: the metric refresh was queued and rewrites the materialised tables without the erased
 * rows. `not needed`: a dry run, or no curated partition held the customers. `failed`: it could
 * not be started (see refreshError): the operator starts it.
 */
export type RefreshStart = 'started' | 'not needed' | 'failed';

export interface ErasureResponse extends Omit<ErasureRecord, 'landingObjects'> {
  /** The erasure record, `s3://<curated bucket>/_erasures/…json`; null for a dry run. */
  readonly record: string | null;
  /** Landing objects still holding the customers, as `s3://` URIs: the operator deletes them. */
  readonly landingObjects: readonly string[];
  readonly refresh: RefreshStart;
  /** Why the metric refresh could not be started; only when `refresh` is `failed`. */
  readonly refreshError?: string;
  readonly nextStep: string;
}

export async function handleErasure(event: unknown, deps: ErasureDeps): Promise<ErasureResponse> {
  const parsed = erasureEventSchema.safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ');
    throw new Error(`the event is not an erasure request (${problems}); send {"customers":["<id>"],"dryRun":true}`);
  }
  const { record, recordKey } = await eraseCustomers({
    stores: deps.stores,
    customers: parsed.data.customers,
    pseudonymKey: deps.pseudonymKey,
    dryRun: parsed.data.dryRun ?? false,
    onProgress: (message) => log.info(message),
  });
  const landingObjects = record.landingObjects.map((key) => `s3://${deps.landingBucket}/${key}`);
  log.info('customers erased', {
    status: record.status,
    customerKeys: record.customerKeys,
    rows: Object.fromEntries(record.tables.map((t) => [t.table, t.rows])),
    rejectLines: record.rejectLines,
    landingObjects: landingObjects.length,
  });
  const refresh = await startRefreshAfter(record, deps);
  return {
    ...record,
    record: recordKey === null ? null : `s3://${deps.curatedBucket}/${recordKey}`,
    landingObjects,
    ...refresh,
    nextStep: nextSteps(landingObjects, refresh, deps.refreshFunction),
  };
}

/**
 * Starts the metric refresh when the run rewrote a curated partition, the only change the views
 * (and so the materialised tables) see; reject files are read by no view.
 */
async function startRefreshAfter(
  record: ErasureRecord,
  deps: ErasureDeps,
): Promise<{ refresh: RefreshStart; refreshError?: string }> {
  const rewrote = record.tables.some((table) => table.partitions.length > 0);
  if (record.status === 'dry-run' || !rewrote) return { refresh: 'not needed' };
  try {
    await deps.startRefresh(REFRESH_EVERYTHING);
    log.info('metric refresh started', { function: deps.refreshFunction });
    return { refresh: 'started' };
  } catch (error) {
    const reason = describeError(error);
    log.error('metric refresh not started', { function: deps.refreshFunction, ...reason });
    return { refresh: 'failed', refreshError: `${reason.errorType}: ${reason.error}` };
  }
}

/** What the operator still does, in order, and what runs on its own. */
function nextSteps(
  landingObjects: readonly string[],
  refresh: { refresh: RefreshStart; refreshError?: string },
  refreshFunction: string,
): string {
  const steps: string[] = [];
  if (landingObjects.length > 0) {
    steps.push(
      'delete the landingObjects (aws s3 rm each one): they are never modified here, and ingesting them again brings the rows back',
    );
  }
  if (refresh.refresh === 'failed') {
    steps.push(
      `start the metric refresh, which could not be started (${refresh.refreshError}): until it runs, the materialised tables keep the erased rows ` +
        `(aws lambda invoke --function-name ${refreshFunction} --invocation-type Event --cli-binary-format raw-in-base64-out --payload '${JSON.stringify(REFRESH_EVERYTHING)}' out.json)`,
    );
  }
  if (steps.length === 0) steps.push('nothing is left to do by hand');
  if (refresh.refresh === 'started') {
    steps.push(
      'the metric refresh was started: the materialised tables lose the erased rows when it finishes (a failed refresh raises the failed-refreshes alarm)',
    );
  }
  return steps.join('; ');
}

/** Invokes the refresh function asynchronously (Lambda queues the event and retries it on failure). */
export function lambdaRefreshStarter(client: LambdaClient, functionName: string): ErasureDeps['startRefresh'] {
  return async (request) => {
    const answer = await client.send(
      new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: JSON.stringify(request) }),
    );
    if (answer.StatusCode !== 202) {
      throw new Error(`Lambda answered the asynchronous invoke of ${functionName} with status ${answer.StatusCode}`);
    }
  };
}

export interface ErasureClients {
  readonly s3?: S3Client;
  readonly secrets?: SecretsManagerClient;
  readonly lambda?: LambdaClient;
}

/** Reads the environment and the pseudonymisation key once per execution environment. */
export async function coldStart(
  env: Readonly<Record<string, string | undefined>>,
  clients: ErasureClients = {},
): Promise<ErasureDeps> {
  const settings = parseEnvironment('erasure', erasureEnvSchema, env);
  const s3 = clients.s3 ?? new S3Client({});
  const secrets = clients.secrets ?? new SecretsManagerClient({});
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: settings.PSEUDONYM_SECRET_ARN }));
  if (!secret.SecretString) throw new Error(`secret ${settings.PSEUDONYM_SECRET_ARN} has no string value`);
  return {
    stores: {
      landing: new S3ObjectStore({ client: s3, bucket: settings.LANDING_BUCKET }),
      curated: new S3ObjectStore({ client: s3, bucket: settings.CURATED_BUCKET }),
      quarantine: new S3ObjectStore({ client: s3, bucket: settings.QUARANTINE_BUCKET }),
    },
    // The normaliser's reading of the same secret: its UTF-8 bytes are the HMAC key.
    pseudonymKey: new Uint8Array(Buffer.from(secret.SecretString, 'utf8')),
    landingBucket: settings.LANDING_BUCKET,
    curatedBucket: settings.CURATED_BUCKET,
    refreshFunction: settings.REFRESH_FUNCTION,
    startRefresh: lambdaRefreshStarter(clients.lambda ?? new LambdaClient({}), settings.REFRESH_FUNCTION),
  };
}

let ready: Promise<ErasureDeps> | undefined;

export async function handler(event: unknown): Promise<ErasureResponse> {
  // A failed cold start is not cached, so the next invocation tries again.
  ready ??= coldStart(process.env).catch((error: unknown) => {
    ready = undefined;
    throw error;
  });
  return handleErasure(event, await ready);
}
