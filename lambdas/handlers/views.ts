/**
 * Views deployer: the onEvent handler of a CloudFormation custom resource (custom-resources
 * Provider). Create and update write the reference tables as JSON lines, then run each view's
 * `CREATE OR REPLACE VIEW` DDL (from sql/registry.ts) in registry order, each waited for; views that left the
 * registry are dropped. Delete drops every view in reverse order. Any Athena failure is thrown with
 * Athena's own reason, which the Provider reports to CloudFormation as the failure message.
 */

import { S3Client } from '@aws-sdk/client-s3';
import type { CdkCustomResourceEvent, CdkCustomResourceResponse } from 'aws-lambda';
import { z } from 'zod';
import { parseEnvironment } from '../core/env/environment.ts';
import { viewsEnvSchema } from '../core/env/views.ts';
import { AthenaEngine, AthenaQueryError } from '../core/query/athena.ts';
import type { ObjectStore } from '../core/store/object-store.ts';
import { S3ObjectStore } from '../core/store/s3.ts';
import { log } from './log.ts';

/** DDL needs no more than this; a view still running after it is broken. */
export const DDL_TIMEOUT_MS = 5 * 60_000;

const identifier = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL identifier');

const propertiesSchema = z.object({
  /** Each view's DDL from sql/registry.ts createViewSql, the statement the local engine runs too. */
  Views: z.array(z.object({ Name: identifier, Ddl: z.string().startsWith('CREATE OR REPLACE VIEW ') })),
  ReferenceTables: z.string().transform((text, ctx) => {
    const parsed = z
      .array(z.object({ name: identifier, rows: z.array(z.record(z.string(), z.unknown())) }))
      .safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
    ctx.addIssue({ code: 'custom', message: `ReferenceTables: ${parsed.error.issues[0]?.message}` });
    return z.NEVER;
  }),
});
type ViewsProperties = z.output<typeof propertiesSchema>;

export interface ViewsDeps {
  readonly database: string;
  /** Runs one statement and waits for it (AthenaEngine.execute). */
  readonly execute: (sql: string) => Promise<unknown>;
  readonly store: ObjectStore;
  readonly referencePrefix: string;
}

export function parseProperties(raw: unknown): ViewsProperties {
  const parsed = propertiesSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `invalid views resource properties: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

export async function onViewsEvent(event: CdkCustomResourceEvent, deps: ViewsDeps): Promise<CdkCustomResourceResponse> {
  const physicalResourceId = `servicebench-views-${deps.database}`;
  if (event.RequestType === 'Delete') {
    const previous = parseProperties(event.ResourceProperties);
    await dropViews(
      previous.Views.map((v) => v.Name),
      deps,
    );
    await deleteReference(
      previous.ReferenceTables.map((t) => t.name),
      deps,
    );
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  const next = parseProperties(event.ResourceProperties);
  for (const table of next.ReferenceTables) {
    const body = table.rows.map((row) => JSON.stringify(row)).join('\n');
    await deps.store.write(referenceKey(table.name, deps), body === '' ? '' : `${body}\n`, 'application/x-ndjson');
  }
  for (const view of next.Views) {
    await run(view.Name, view.Ddl, deps);
    log.info('view created', { view: view.Name });
  }
  if (event.RequestType === 'Update') {
    const previous = parseProperties(event.OldResourceProperties);
    const kept = new Set(next.Views.map((v) => v.Name));
    await dropViews(
      previous.Views.map((v) => v.Name).filter((name) => !kept.has(name)),
      deps,
    );
    const keptTables = new Set(next.ReferenceTables.map((t) => t.name));
    await deleteReference(
      previous.ReferenceTables.map((t) => t.name).filter((name) => !keptTables.has(name)),
      deps,
    );
  }
  return { PhysicalResourceId: physicalResourceId, Data: { Views: next.Views.length } };
}

function referenceKey(table: string, deps: ViewsDeps): string {
  return `${deps.referencePrefix}${table}/rows.json`;
}

/** Later views read earlier ones, so they are dropped first. */
async function dropViews(names: readonly string[], deps: ViewsDeps): Promise<void> {
  for (const name of [...names].reverse()) {
    await run(name, `DROP VIEW IF EXISTS ${name}`, deps);
    log.info('view dropped', { view: name });
  }
}

async function deleteReference(names: readonly string[], deps: ViewsDeps): Promise<void> {
  for (const name of names) {
    const key = referenceKey(name, deps);
    if (await deps.store.head(key)) await deps.store.delete(key);
  }
}

async function run(view: string, sql: string, deps: ViewsDeps): Promise<void> {
  try {
    await deps.execute(sql);
  } catch (error) {
    if (error instanceof AthenaQueryError) throw new Error(`view ${view}: ${error.reason}`);
    throw error;
  }
}

let deps: ViewsDeps | undefined;

export async function handler(event: CdkCustomResourceEvent): Promise<CdkCustomResourceResponse> {
  if (!deps) {
    const settings = parseEnvironment('views deployer', viewsEnvSchema);
    const engine = new AthenaEngine({
      workGroup: settings.ATHENA_WORKGROUP,
      database: settings.GLUE_DATABASE,
      timeoutMs: DDL_TIMEOUT_MS,
    });
    deps = {
      database: settings.GLUE_DATABASE,
      execute: (sql) => engine.execute(sql),
      store: new S3ObjectStore({ client: new S3Client({}), bucket: settings.CURATED_BUCKET }),
      referencePrefix: settings.REFERENCE_PREFIX,
    };
  }
  log.info('views event', { requestType: event.RequestType, logicalResourceId: event.LogicalResourceId });
  return onViewsEvent(event, deps);
}
