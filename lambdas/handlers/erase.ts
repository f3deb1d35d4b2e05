/**
 * Erasure Lambda, invoked by an operator:
 *   aws lambda invoke --function-name <ErasureFunction> --cli-binary-format raw-in-base64-out \
 *     --payload '{"customers":["ann@example.com"],"dryRun":true}' out.json
 * It runs eraseCustomers, the core `servicebench erase` runs, over the deployed buckets and answers
 * with what was removed and the landing objects to delete. Neither the answer nor the logs hold a
 * raw identifier: the event is never logged.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { parseEnvironment } from '../core/env/environment.ts';
import { erasureEnvSchema } from '../core/env/erasure.ts';
import { type ErasureRecord, type ErasureStores, eraseCustomers } from '../core/erase/erase.ts';
import { S3ObjectStore } from '../core/store/s3.ts';
import { log } from './log.ts';

export const erasureEventSchema = z.object({
  customers: z
    .array(z.string().min(1, 'must be an e-mail, phone or id'), { error: 'must be a list of customer identifiers' })
    .min(1, 'must name at least one customer'),
  dryRun: z.boolean().optional(),
});

export type ErasureEvent = z.input<typeof erasureEventSchema>;

export interface ErasureDeps {
  readonly stores: ErasureStores;
  readonly pseudonymKey: Uint8Array;
  readonly landingBucket: string;
  readonly curatedBucket: string;
}

export interface ErasureResponse extends Omit<ErasureRecord, 'landingObjects'> {
  /** The erasure record, `s3://<curated bucket>/_erasures/…json`; null for a dry run. */
  readonly record: string | null;
  /** Landing objects still holding the customers, as `s3://` URIs: the operator deletes them. */
  readonly landingObjects: readonly string[];
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
  return {
    ...record,
    record: recordKey === null ? null : `s3://${deps.curatedBucket}/${recordKey}`,
    landingObjects,
    nextStep:
      landingObjects.length === 0
        ? 'nothing is left to delete by hand'
        : 'delete the landingObjects (aws s3 rm each one): they are never modified here, and ingesting them again brings the rows back',
  };
}

export interface ErasureClients {
  readonly s3?: S3Client;
  readonly secrets?: SecretsManagerClient;
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
