import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type StartQueryExecutionCommandInput,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AthenaEngine } from '../../../lambdas/core/query/athena.ts';
import { S3ObjectStore } from '../../../lambdas/core/store/s3.ts';
import { exportEventSchema } from '../../../lambdas/handlers/export.ts';
import {
  type CloudFormationResponse,
  DEPLOYMENT_RESOURCE_ID,
  type RefreshDeps,
  runRefresh,
} from '../../../lambdas/handlers/refresh.ts';
import {
  familySlices,
  METRIC_FAMILIES,
  type RefreshSlice,
  sliceInsertSql,
  slicePartitionsSql,
} from '../../../sql/materialised.ts';
import { type S3rverHandle, startS3rver } from '../../support/s3rver.ts';

const athena = mockClient(AthenaClient);
const table = 'materialised/metric_values/';
/** The one partition every family's view gives, and the catalog lists for every family, in these tests. */
const JUNE = { grain: 'month', period_start: '2025-06-01' };
/** What the refresh sends Athena for one slice: a family of metric_values, or a period table of the family. */
const sliceStatements = (slice: RefreshSlice) => {
  const family = slice.kind === 'family' ? `family = '${slice.family}', ` : '';
  return [
    slicePartitionsSql(slice),
    `SELECT grain, CAST(period_start AS VARCHAR) AS period_start FROM "${slice.table.name}$partitions"${
      slice.kind === 'family' ? ` WHERE family = '${slice.family}'` : ''
    }`,
    `ALTER TABLE ${slice.table.name} DROP IF EXISTS PARTITION (${family}grain = 'month', period_start = '2025-06-01')`,
    sliceInsertSql(slice),
  ];
};
/** Its rows of metric_values, then the period tables it owns (quality: the QA criteria, surveys: the comments). */
const familyStatements = (family: (typeof METRIC_FAMILIES)[number]) => familySlices(family).flatMap(sliceStatements);

let s3: S3rverHandle;
let deps: RefreshDeps;
let store: S3ObjectStore;
/** Each statement Athena was given, with the keys left under the table's folder when it started. */
let started: { sql: string; keys: string[] }[];
let responses: { url: string; response: CloudFormationResponse; statementsBefore: number }[];

const keysUnder = async (prefix: string) => {
  const keys: string[] = [];
  for await (const object of store.list(prefix)) keys.push(object.key);
  return keys;
};
const statements = () =>
  athena
    .commandCalls(StartQueryExecutionCommand)
    .map((c) => (c.args[0].input as StartQueryExecutionCommandInput).QueryString);

beforeAll(async () => {
  vi.spyOn(console, 'info').mockImplementation(() => {});
  s3 = await startS3rver();
  await s3.createBucket('curated');
  store = new S3ObjectStore({ client: s3.client, bucket: 'curated' });
  const engine = new AthenaEngine({
    client: new AthenaClient({ region: 'eu-west-1' }),
    workGroup: 'servicebench',
    database: 'servicebench',
    sleep: async () => {},
  });
  deps = {
    execute: (sql) => engine.execute(sql),
    query: (sql) => engine.query(sql),
    store,
    bucket: 'curated',
    materialisedPrefix: 'materialised/',
    respond: async (url, response) => {
      responses.push({ url, response, statementsBefore: started.length });
    },
  };
});

afterAll(async () => {
  athena.restore();
  await s3?.stop();
});

beforeEach(async () => {
  athena.reset();
  started = [];
  responses = [];
  for (const key of await keysUnder('')) await store.delete(key);
  for (const key of [
    `${table}family=contact_centre/20250601_a.parquet`,
    `${table}family=contact_centre/20250601_b.parquet`,
    `${table}family=tickets/20250601_c.parquet`,
    `${table}family=surveys/20250601_d.parquet`,
    'materialised/survey_comments_by_period/grain=month/period_start=2025-06-01/20250601_e.parquet',
    'interactions/dt=2025-06-01/compacted.parquet',
  ]) {
    await store.write(key, 'parquet bytes');
  }
  let n = 0;
  athena.on(StartQueryExecutionCommand).callsFake(async (input: StartQueryExecutionCommandInput) => {
    started.push({ sql: input.QueryString ?? '', keys: await keysUnder(table) });
    return { QueryExecutionId: `q-${++n}` };
  });
  athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
  athena.on(GetQueryResultsCommand).resolves({
    ResultSet: {
      ResultSetMetadata: {
        ColumnInfo: [
          { Name: 'grain', Type: 'varchar' },
          { Name: 'period_start', Type: 'varchar' },
        ],
      },
      Rows: [{ Data: [{ VarCharValue: JUNE.grain }, { VarCharValue: JUNE.period_start }] }],
    },
  });
});

describe('metric refresh handler', () => {
  it('rewrites each listed family in turn: deletes its files, drops the partitions listed, then inserts it', async () => {
    const result = await runRefresh({ families: ['contact_centre', 'tickets'] }, deps);

    expect(statements()).toEqual([...familyStatements('contact_centre'), ...familyStatements('tickets')]);
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input).toMatchObject({
      WorkGroup: 'servicebench',
      QueryExecutionContext: { Database: 'servicebench' },
    });
    // When a family's partition is dropped, its files are already gone, and only its files.
    expect(started[0]?.keys).toHaveLength(4);
    expect(started[2]?.keys).toEqual([
      `${table}family=surveys/20250601_d.parquet`,
      `${table}family=tickets/20250601_c.parquet`,
    ]);
    expect(started[6]?.keys).toEqual([`${table}family=surveys/20250601_d.parquet`]);
    expect(await keysUnder('interactions/')).toEqual(['interactions/dt=2025-06-01/compacted.parquet']);
    // the survey comments' table belongs to the surveys family, not refreshed here
    expect(await keysUnder('materialised/survey_comments_by_period/')).toHaveLength(1);
    expect(result.families.map((f) => f.family)).toEqual(['contact_centre', 'tickets']);
    expect(result.export).toBeUndefined();
  });

  it('rewrites every family, in the order metric_long stacks them, when the request lists none', async () => {
    const result = await runRefresh({}, deps);

    expect(statements()).toEqual(METRIC_FAMILIES.flatMap(familyStatements));
    // the period table's folder was emptied before its partitions were dropped
    expect(await keysUnder('materialised/survey_comments_by_period/')).toEqual([]);
    expect(result.families.map((f) => f.family)).toEqual([...METRIC_FAMILIES]);
    expect(await keysUnder(table)).toEqual([]);
  });

  it("returns a report's request after the refresh, in the shape the exporter accepts", async () => {
    const result = await runRefresh({ export: { report: 'monthly-exec', period: '2025-05' } }, deps);

    expect(statements()).toEqual(METRIC_FAMILIES.flatMap(familyStatements));
    expect(result.export).toEqual({ report: 'monthly-exec', period: '2025-05' });
    expect(exportEventSchema.parse(result.export)).toEqual(result.export);
  });

  it("fails with Athena's reason and the family, leaves later families alone and hands no report on", async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'SUCCEEDED' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'SUCCEEDED' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'SUCCEEDED' } } })
      .resolves({
        QueryExecution: {
          Status: {
            State: 'FAILED',
            StateChangeReason: 'HIVE_PATH_ALREADY_EXISTS: Target directory for new partition already exists',
            AthenaError: { ErrorCategory: 2, Retryable: false },
          },
        },
      });

    await expect(
      runRefresh({ families: ['contact_centre', 'tickets'], export: { report: 'monthly-exec' } }, deps),
    ).rejects.toThrow(
      /refreshing metric_values family contact_centre failed: .*HIVE_PATH_ALREADY_EXISTS: Target directory for new partition already exists/,
    );
    expect(statements()).toEqual(familyStatements('contact_centre'));
    expect(await keysUnder(`${table}family=tickets/`)).toEqual([`${table}family=tickets/20250601_c.parquet`]);
  });

  it('fails on an unknown family or field, naming each, before touching any file', async () => {
    await expect(runRefresh({ families: ['nps'], report: 'monthly-exec' }, deps)).rejects.toThrow(
      /invalid refresh request: families\.0: .*; \(root\): Unrecognized key: "report"/,
    );
    expect(statements()).toEqual([]);
    expect(await keysUnder(table)).toHaveLength(4);
  });

  it('after a deployment, answers CloudFormation first, then rewrites every family', async () => {
    const event = {
      RequestType: 'Update',
      ResponseURL: 'https://cloudformation-custom-resource-response.example/response',
      StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/ServiceBench/1',
      RequestId: 'request-1',
      LogicalResourceId: 'ViewsRefreshAfterDeployment',
      PhysicalResourceId: DEPLOYMENT_RESOURCE_ID,
      ResourceType: 'Custom::ServiceBenchMetricRefresh',
      ResourceProperties: { ServiceToken: 'arn', Definitions: 'abc.json', Statements: 'def' },
    };

    const result = await runRefresh(event, deps);

    expect(responses).toEqual([
      {
        url: event.ResponseURL,
        statementsBefore: 0,
        response: expect.objectContaining({
          Status: 'SUCCESS',
          PhysicalResourceId: DEPLOYMENT_RESOURCE_ID,
          StackId: event.StackId,
          RequestId: 'request-1',
          LogicalResourceId: 'ViewsRefreshAfterDeployment',
        }),
      },
    ]);
    expect(statements()).toEqual(METRIC_FAMILIES.flatMap(familyStatements));
    expect(result.families).toHaveLength(METRIC_FAMILIES.length);
  });

  it('when the stack is deleted, answers CloudFormation and refreshes nothing', async () => {
    const result = await runRefresh(
      {
        RequestType: 'Delete',
        ResponseURL: 'https://cloudformation-custom-resource-response.example/response',
        StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/ServiceBench/1',
        RequestId: 'request-2',
        LogicalResourceId: 'ViewsRefreshAfterDeployment',
        PhysicalResourceId: DEPLOYMENT_RESOURCE_ID,
      },
      deps,
    );

    expect(responses.map((r) => r.response.Status)).toEqual(['SUCCESS']);
    expect(statements()).toEqual([]);
    expect(result.families).toEqual([]);
  });
});
