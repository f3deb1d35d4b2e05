/**
 * Views deployer: the onEvent handler of a CloudFormation custom resource (custom-resources
 * Provider). Create and update read the definitions asset (each view's `CREATE OR REPLACE VIEW`
 * from the Trino DDL generator, and the reference tables' JSON-lines files, the same files a Trino
 * lake gets), write the reference files, then run every DDL in build order, each waited for; views
 * that left the definitions are dropped, dependents first, and reference files that left them are
 * deleted. Delete drops every view in reverse order and deletes the reference files. An Athena
 * failure is thrown with Athena's own reason, which the Provider reports to CloudFormation as the
 * failure message.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { CdkCustomResourceEvent, CdkCustomResourceResponse } from 'aws-lambda';
import { z } from 'zod';
import { writeReferenceFiles } from '../core/catalog/trino-ddl.ts';
import { parseEnvironment } from '../core/env/environment.ts';
import { type ViewDefinitions, viewDefinitionsSchema, viewsEnvSchema } from '../core/env/views.ts';
import { AthenaEngine, AthenaQueryError } from '../core/query/athena.ts';
import type { ObjectStore } from '../core/store/object-store.ts';
import { S3ObjectStore } from '../core/store/s3.ts';
import { log } from './log.ts';

/** DDL needs no more than this; a view still running after it is broken. */
export const DDL_TIMEOUT_MS = 5 * 60_000;
/** CloudFormation rejects a custom resource response over 4 KB, failure reason included. */
export const MAX_REASON_CHARS = 2_000;

const identifier = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL identifier');

const propertiesSchema = z.object({
  DefinitionsBucket: z.string().min(1),
  DefinitionsKey: z.string().min(1),
  Views: z.array(identifier),
  ReferenceTables: z.array(identifier),
});
type ViewsProperties = z.output<typeof propertiesSchema>;

export interface ViewsDeps {
  readonly database: string;
  /** Runs one statement and waits for it (AthenaEngine.execute). */
  readonly execute: (sql: string) => Promise<unknown>;
  /** The curated bucket, where the reference tables live. */
  readonly store: ObjectStore;
  /** Folder of the reference files; the deployer owns everything under it. */
  readonly referencePrefix: string;
  /** Reads the definitions asset named in the resource properties. */
  readonly readDefinitions: (bucket: string, key: string) => Promise<string>;
}

export function parseProperties(raw: unknown): ViewsProperties {
  const parsed = propertiesSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid views resource properties: ${problems}`);
  }
  return parsed.data;
}

async function loadDefinitions(properties: ViewsProperties, deps: ViewsDeps): Promise<ViewDefinitions> {
  const text = await deps.readDefinitions(properties.DefinitionsBucket, properties.DefinitionsKey);
  const parsed = viewDefinitionsSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(
      `invalid view definitions in s3://${properties.DefinitionsBucket}/${properties.DefinitionsKey}: ${problems}`,
    );
  }
  const names = parsed.data.views.map((v) => v.name);
  if (names.join(',') !== properties.Views.join(',')) {
    throw new Error(
      `the definitions list views ${names.join(', ')} but the resource lists ${properties.Views.join(', ')}`,
    );
  }
  const keys = parsed.data.referenceFiles.map((f) => f.key);
  const outside = keys.filter((key) => !key.startsWith(deps.referencePrefix));
  const missing = properties.ReferenceTables.filter(
    (table) => !keys.some((key) => key.startsWith(`${deps.referencePrefix}${table}/`)),
  );
  if (outside.length > 0 || missing.length > 0) {
    throw new Error(
      [
        ...outside.map((key) => `reference file ${key} lies outside ${deps.referencePrefix}`),
        ...missing.map((table) => `reference table ${table} has no file in the definitions`),
      ].join('; '),
    );
  }
  return parsed.data;
}

export async function onViewsEvent(event: CdkCustomResourceEvent, deps: ViewsDeps): Promise<CdkCustomResourceResponse> {
  const physicalResourceId = `servicebench-views-${deps.database}`;
  if (event.RequestType === 'Delete') {
    const previous = parseProperties(event.ResourceProperties);
    await dropViews(previous.Views, deps);
    await deleteReferenceFilesExcept(new Set(), deps);
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  const next = parseProperties(event.ResourceProperties);
  const definitions = await loadDefinitions(next, deps);
  await writeReferenceFiles(deps.store, definitions.referenceFiles);
  for (const view of definitions.views) {
    await run(view.name, view.ddl, deps);
    log.info('view created', { view: view.name });
  }
  if (event.RequestType === 'Update') {
    const previous = parseProperties(event.OldResourceProperties);
    const views = new Set(next.Views);
    await dropViews(
      previous.Views.filter((name) => !views.has(name)),
      deps,
    );
  }
  await deleteReferenceFilesExcept(new Set(definitions.referenceFiles.map((f) => f.key)), deps);
  return { PhysicalResourceId: physicalResourceId, Data: { Views: definitions.views.length } };
}

/** Later views read earlier ones, so they are dropped first. */
async function dropViews(names: readonly string[], deps: ViewsDeps): Promise<void> {
  for (const name of [...names].reverse()) {
    await run(name, `DROP VIEW IF EXISTS ${name}`, deps);
    log.info('view dropped', { view: name });
  }
}

/** Deletes every file under the reference prefix but those kept (the current definitions' files). */
async function deleteReferenceFilesExcept(keep: ReadonlySet<string>, deps: ViewsDeps): Promise<void> {
  const stale: string[] = [];
  for await (const object of deps.store.list(deps.referencePrefix)) {
    if (!keep.has(object.key)) stale.push(object.key);
  }
  for (const key of stale) {
    await deps.store.delete(key);
    log.info('reference file deleted', { key });
  }
}

async function run(view: string, sql: string, deps: ViewsDeps): Promise<void> {
  try {
    await deps.execute(sql);
  } catch (error) {
    if (error instanceof AthenaQueryError) throw new Error(`view ${view}: ${error.reason.slice(0, MAX_REASON_CHARS)}`);
    throw error;
  }
}

async function readText(store: ObjectStore, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.read(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

let deps: ViewsDeps | undefined;

export async function handler(event: CdkCustomResourceEvent): Promise<CdkCustomResourceResponse> {
  if (!deps) {
    const settings = parseEnvironment('views deployer', viewsEnvSchema);
    const s3 = new S3Client({});
    const engine = new AthenaEngine({
      workGroup: settings.ATHENA_WORKGROUP,
      database: settings.GLUE_DATABASE,
      timeoutMs: DDL_TIMEOUT_MS,
    });
    deps = {
      database: settings.GLUE_DATABASE,
      execute: (sql) => engine.execute(sql),
      store: new S3ObjectStore({ client: s3, bucket: settings.CURATED_BUCKET }),
      referencePrefix: settings.REFERENCE_PREFIX,
      readDefinitions: (bucket, key) => readText(new S3ObjectStore({ client: s3, bucket }), key),
    };
  }
  log.info('views event', { requestType: event.RequestType, logicalResourceId: event.LogicalResourceId });
  return onViewsEvent(event, deps);
}
