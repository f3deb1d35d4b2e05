/**
 * Metric refresh Lambda: rewrites the materialised tables on Athena with the refresh the CLI runs
 * on DuckDB and Trino (refreshFamilies), one family at a time, then the period tables the family
 * owns: the files are deleted from the family's folder of metric_values (a period table's whole
 * folder), its partitions (one per grain and period) dropped from the catalog, then INSERT … SELECT
 * writes it again, at most 100 partitions per statement (Athena's limit), and registers the partitions.
 *
 * It is started asynchronously, one run at a time, in three ways:
 * - by its own schedule, with `{}` (every family) or `{ "families": [...] }`;
 * - by a report's schedule, with `{ "export": { "report": … } }`: the result carries that request,
 *   and a rule on the function's success records hands it to the exporter, so a report reads the
 *   table its own run refreshed;
 * - by CloudFormation, once the views are deployed (a custom resource): the request is answered
 *   first, so a deployment never waits for the refresh, then every family is rewritten.
 * A failure throws with Athena's reason: Lambda retries once, then the failed-refreshes queue and
 * its alarm take over.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { MetricFamily } from '../../sql/materialised.ts';
import { parseEnvironment } from '../core/env/environment.ts';
import { materialisedTableKey, refreshEnvSchema, refreshRequestSchema } from '../core/env/refresh.ts';
import { AthenaEngine } from '../core/query/athena.ts';
import { athenaTarget, type RefreshedFamily, refreshFamilies } from '../core/query/refresh.ts';
import type { ObjectStore } from '../core/store/object-store.ts';
import { S3ObjectStore } from '../core/store/s3.ts';
import { log } from './log.ts';

/** The physical id of the after-deployment resource: one per stack, never replaced. */
export const DEPLOYMENT_RESOURCE_ID = 'servicebench-metric-refresh';

const cloudFormationEventSchema = z.object({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  ResponseURL: z.url(),
  StackId: z.string().min(1),
  RequestId: z.string().min(1),
  LogicalResourceId: z.string().min(1),
});
type CloudFormationEvent = z.output<typeof cloudFormationEventSchema>;

/** What CloudFormation expects at a custom resource's response URL. */
export interface CloudFormationResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
}

export interface RefreshDeps {
  /** Runs one statement on Athena and waits for it (AthenaEngine.execute). */
  readonly execute: (sql: string) => Promise<unknown>;
  /** Runs one query on Athena and returns its rows (AthenaEngine.query). */
  readonly query: (sql: string) => Promise<readonly Record<string, unknown>[]>;
  /** The curated bucket, which holds the materialised tables' files. */
  readonly store: ObjectStore;
  readonly bucket: string;
  /** Folder of the curated bucket holding the materialised tables, ending with `/`. */
  readonly materialisedPrefix: string;
  /** Answers a CloudFormation custom resource request at its presigned response URL. */
  readonly respond: (responseUrl: string, response: CloudFormationResponse) => Promise<void>;
}

export interface RefreshResult {
  readonly families: readonly RefreshedFamily[];
  /** The report run to start now that the table is fresh; the exporter receives exactly this. */
  readonly export?: { readonly report: string; readonly period?: string };
}

export async function runRefresh(event: unknown, deps: RefreshDeps): Promise<RefreshResult> {
  if (isCloudFormationEvent(event)) return afterDeployment(cloudFormationEventSchema.parse(event), deps);
  const parsed = refreshRequestSchema.safeParse(event ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`invalid refresh request: ${problems}`);
  }
  const { families, export: exportRequest } = parsed.data;
  const refreshed = await refresh(deps, families);
  if (exportRequest) log.info('report run handed on', { report: exportRequest.report });
  return { families: refreshed, ...(exportRequest ? { export: exportRequest } : {}) };
}

async function afterDeployment(event: CloudFormationEvent, deps: RefreshDeps): Promise<RefreshResult> {
  await deps.respond(event.ResponseURL, {
    Status: 'SUCCESS',
    Reason: event.RequestType === 'Delete' ? 'nothing to remove' : 'refresh started; its failures raise an alarm',
    PhysicalResourceId: DEPLOYMENT_RESOURCE_ID,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
  if (event.RequestType === 'Delete') return { families: [] };
  return { families: await refresh(deps) };
}

async function refresh(deps: RefreshDeps, families?: readonly MetricFamily[]): Promise<RefreshedFamily[]> {
  const target = athenaTarget({
    execute: deps.execute,
    query: deps.query,
    deletePrefix: (uri) => deleteFolder(uri, deps),
    location: (table) => `s3://${deps.bucket}/${materialisedTableKey(deps.materialisedPrefix, table)}`,
  });
  const refreshed = await refreshFamilies(target, families);
  for (const { family, ms } of refreshed) log.info('family refreshed', { family, ms: Math.round(ms) });
  return refreshed;
}

/** Deletes every object of a family's or a period table's folder, which must lie under the materialised prefix. */
async function deleteFolder(uri: string, deps: RefreshDeps): Promise<void> {
  const root = `s3://${deps.bucket}/`;
  const prefix = uri.startsWith(root) ? uri.slice(root.length) : '';
  if (!prefix.startsWith(deps.materialisedPrefix) || !prefix.endsWith('/') || prefix === deps.materialisedPrefix) {
    throw new Error(`refusing to delete ${uri}: not a partition folder under ${root}${deps.materialisedPrefix}`);
  }
  const keys: string[] = [];
  for await (const object of deps.store.list(prefix)) keys.push(object.key);
  for (const key of keys) await deps.store.delete(key);
  log.info('partition files deleted', { prefix: uri, objects: keys.length });
}

function isCloudFormationEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && 'RequestType' in event && 'ResponseURL' in event;
}

/** CloudFormation's presigned URL is signed without a content type, so none is sent. */
async function putResponse(responseUrl: string, response: CloudFormationResponse): Promise<void> {
  const answer = await fetch(responseUrl, {
    method: 'PUT',
    headers: { 'content-type': '' },
    body: JSON.stringify(response),
  });
  if (!answer.ok) throw new Error(`CloudFormation response refused: HTTP ${answer.status}`);
}

let deps: RefreshDeps | undefined;

export async function handler(event: unknown): Promise<RefreshResult> {
  if (!deps) {
    const settings = parseEnvironment('metric refresh', refreshEnvSchema);
    const engine = new AthenaEngine({ workGroup: settings.ATHENA_WORKGROUP, database: settings.GLUE_DATABASE });
    deps = {
      execute: (sql) => engine.execute(sql),
      query: (sql) => engine.query(sql),
      store: new S3ObjectStore({ client: new S3Client({}), bucket: settings.CURATED_BUCKET }),
      bucket: settings.CURATED_BUCKET,
      materialisedPrefix: settings.MATERIALISED_PREFIX,
      respond: putResponse,
    };
  }
  log.info('refresh event', { kind: isCloudFormationEvent(event) ? 'deployment' : 'request' });
  return runRefresh(event, deps);
}
