import { createHash } from 'node:crypto';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  StartQueryExecutionCommand,
  type StartQueryExecutionCommandInput,
} from '@aws-sdk/client-athena';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { CdkCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { referenceFiles, viewStatements } from '../../../lambdas/core/catalog/trino-ddl.ts';
import { AthenaEngine } from '../../../lambdas/core/query/athena.ts';
import type { ReferenceTable } from '../../../lambdas/core/reference/tables.ts';
import { S3ObjectStore } from '../../../lambdas/core/store/s3.ts';
import { onViewsEvent, type ViewsDeps } from '../../../lambdas/handlers/views.ts';
import { type S3rverHandle, startS3rver } from '../../support/s3rver.ts';

const athena = mockClient(AthenaClient);
const views = viewStatements()
  .slice(0, 3)
  .map((v) => ({ name: v.name, ddl: v.sql }));
const reference: ReferenceTable[] = [
  {
    name: 'targets',
    columns: [
      { name: 'metric', type: 'string' },
      { name: 'scope', type: 'string' },
      { name: 'goal', type: 'double' },
      { name: 'amber_band', type: 'double' },
    ],
    rows: [
      { metric: 'csat_pct', scope: 'overall', goal: 85, amber_band: 0.05 },
      { metric: 'aht_s', scope: 'team:Billing', goal: 420 },
    ],
  },
  { name: 'metric_options', columns: [{ name: 'name', type: 'string' }], rows: [{ name: 'min_sample' }] },
];
/** Stages a definitions asset in the assets bucket and returns the properties naming it. */
async function properties(v = views, r = reference, files = referenceFiles(r)) {
  const key = `${createHash('sha256').update(JSON.stringify({ v, files })).digest('hex')}.json`;
  await s3.client.send(
    new PutObjectCommand({ Bucket: 'assets', Key: key, Body: JSON.stringify({ views: v, referenceFiles: files }) }),
  );
  return {
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
    DefinitionsBucket: 'assets',
    DefinitionsKey: key,
    Views: v.map((view) => view.name),
    ReferenceTables: r.map((table) => table.name),
  };
}
const base = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
  ResponseURL: 'https://cloudformation-custom-resource-response.example/',
  StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/ServiceBench/1',
  RequestId: 'request-1',
  LogicalResourceId: 'ViewsResource',
  ResourceType: 'Custom::ServiceBenchViews',
};

let s3: S3rverHandle;
let deps: ViewsDeps;
const statements = () =>
  athena
    .commandCalls(StartQueryExecutionCommand)
    .map((c) => (c.args[0].input as StartQueryExecutionCommandInput).QueryString);

beforeAll(async () => {
  s3 = await startS3rver();
  await s3.createBucket('curated');
  await s3.createBucket('assets');
  vi.spyOn(console, 'info').mockImplementation(() => {});
  const engine = new AthenaEngine({
    client: new AthenaClient({ region: 'eu-west-1' }),
    workGroup: 'servicebench',
    database: 'servicebench',
    sleep: async () => {},
  });
  deps = {
    database: 'servicebench',
    execute: (sql) => engine.execute(sql),
    store: new S3ObjectStore({ client: s3.client, bucket: 'curated' }),
    referencePrefix: 'reference/',
    readDefinitions: async (bucket, key) => {
      const chunks: Buffer[] = [];
      for await (const chunk of await new S3ObjectStore({ client: s3.client, bucket }).read(key))
        chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
});

afterAll(async () => {
  athena.restore();
  await s3?.stop();
});

beforeEach(() => {
  athena.reset();
  let n = 0;
  athena.on(StartQueryExecutionCommand).callsFake(async () => ({ QueryExecutionId: `q-${++n}` }));
  athena
    .on(GetQueryExecutionCommand)
    .resolves({ QueryExecution: { StatementType: 'DDL', Status: { State: 'SUCCEEDED' } } });
});

const read = async (key: string) => {
  const chunks: Buffer[] = [];
  for await (const chunk of await deps.store.read(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

describe('views deployer', () => {
  it('on create, writes the reference files a Trino lake gets, then creates each view in build order', async () => {
    const event = { ...base, RequestType: 'Create', ResourceProperties: await properties() } as CdkCustomResourceEvent;

    const response = await onViewsEvent(event, deps);

    expect(response.PhysicalResourceId).toBe('servicebench-views-servicebench');
    expect(statements()).toEqual(views.map((v) => v.ddl));
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input).toMatchObject({
      WorkGroup: 'servicebench',
      QueryExecutionContext: { Database: 'servicebench' },
    });
    const targets = (await read('reference/targets/rows.json'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(targets).toEqual([
      { metric: 'csat_pct', scope: 'overall', goal: 85, amber_band: 0.05 },
      { metric: 'aht_s', scope: 'team:Billing', goal: 420, amber_band: null },
    ]);
    expect(await read('reference/metric_options/rows.json')).toBe('{"name":"min_sample"}\n');
  });

  it('on update, replaces the views, then drops the ones that left and deletes reference files that left', async () => {
    await deps.store.write('reference/metric_options/rows.json', '{"name":"min_sample"}\n');
    await deps.store.write('reference/composite_weights/rows.json', '{}\n');
    const [first, second] = views;
    const event = {
      ...base,
      RequestType: 'Update',
      PhysicalResourceId: 'servicebench-views-servicebench',
      ResourceProperties: await properties(
        [first, second].filter((v) => v !== undefined),
        [reference[0] as ReferenceTable],
      ),
      OldResourceProperties: await properties(),
    } as CdkCustomResourceEvent;

    await onViewsEvent(event, deps);

    expect(statements()).toEqual([first?.ddl, second?.ddl, `DROP VIEW IF EXISTS ${views[2]?.name}`]);
    expect(await deps.store.head('reference/metric_options/rows.json')).toBeUndefined();
    expect(await deps.store.head('reference/composite_weights/rows.json')).toBeUndefined();
    expect(await deps.store.head('reference/targets/rows.json')).toBeDefined();
  });

  it('on delete, drops every view, dependents first, and deletes the reference files', async () => {
    await deps.store.write('reference/targets/rows.json', '{}\n');
    const event = {
      ...base,
      RequestType: 'Delete',
      PhysicalResourceId: 'servicebench-views-servicebench',
      ResourceProperties: await properties(),
    } as CdkCustomResourceEvent;

    const response = await onViewsEvent(event, deps);

    expect(response.PhysicalResourceId).toBe('servicebench-views-servicebench');
    expect(statements()).toEqual([...views].reverse().map((v) => `DROP VIEW IF EXISTS ${v.name}`));
    expect(await deps.store.head('reference/targets/rows.json')).toBeUndefined();
  });

  it('fails when a reference file lies outside the reference folder or a named table has none', async () => {
    const event = {
      ...base,
      RequestType: 'Create',
      ResourceProperties: await properties(views, reference, [{ key: 'interactions/rows.json', body: '{}\n' }]),
    } as CdkCustomResourceEvent;

    await expect(onViewsEvent(event, deps)).rejects.toThrow(
      'reference file interactions/rows.json lies outside reference/; reference table targets has no file in the definitions; reference table metric_options has no file in the definitions',
    );
    expect(statements()).toEqual([]);
    expect(await deps.store.head('interactions/rows.json')).toBeUndefined();
  });

  it('fails the deployment with Athena own message when a view does not compile, creating no later view', async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'SUCCEEDED' } } })
      .resolves({
        QueryExecution: {
          Status: {
            State: 'FAILED',
            StateChangeReason: "line 4:8: Column 'queue_seconds' cannot be resolved",
            AthenaError: { ErrorCategory: 2, Retryable: false },
          },
        },
      });
    const event = { ...base, RequestType: 'Create', ResourceProperties: await properties() } as CdkCustomResourceEvent;

    await expect(onViewsEvent(event, deps)).rejects.toThrow(
      `view ${views[1]?.name}: line 4:8: Column 'queue_seconds' cannot be resolved`,
    );
    expect(statements()).toHaveLength(2);
  });

  it('fails when the definitions hold a statement that is not a view', async () => {
    const event = {
      ...base,
      RequestType: 'Create',
      ResourceProperties: await properties([{ name: 'interactions', ddl: 'DROP TABLE interactions' }]),
    } as CdkCustomResourceEvent;
    await expect(onViewsEvent(event, deps)).rejects.toThrow(
      /invalid view definitions in s3:\/\/assets\/.*views\.0\.ddl/,
    );
    expect(statements()).toEqual([]);
  });

  it('fails when the properties do not name the definitions', async () => {
    const event = {
      ...base,
      RequestType: 'Create',
      ResourceProperties: { Views: ['x'] },
    } as unknown as CdkCustomResourceEvent;
    await expect(onViewsEvent(event, deps)).rejects.toThrow(/invalid views resource properties: DefinitionsBucket/);
  });
});
