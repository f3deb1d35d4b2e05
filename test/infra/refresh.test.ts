import { createHash } from 'node:crypto';
import { Capture, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { ServiceBenchConfig } from '../../lambdas/core/config/config.ts';
import { DEFAULTS } from '../../lambdas/core/config/defaults.ts';
import { EXPORTS_DEFAULTS } from '../../lib/exports.ts';
import { familySlices, MATERIALISED_TABLES, METRIC_FAMILIES, sliceInsertSql } from '../../sql/materialised.ts';
import {
  DATABASE_REF,
  fixtureConfig,
  glueTablePattern,
  synth,
  WORKGROUP_ARN_PATTERN,
  WORKGROUP_REF,
} from './support.ts';

const { template } = synth();
const refresher = { Description: Match.stringLikeRegexp('rewrites the materialised metric tables') };
const refresherArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^RefreshRefresherFunction'), 'Arn'] };
const refresherStatements = () =>
  Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles ?? []).includes('RefreshRefresherRole'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
const actionsOf = (s: { Action: string | string[] }) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('MetricRefresh', () => {
  it('runs one refresh at a time, on Athena, knowing where the materialised tables live', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      ...refresher,
      Runtime: 'nodejs22.x',
      Timeout: 900,
      ReservedConcurrentExecutions: 1,
      Environment: {
        Variables: Match.objectLike({
          ATHENA_WORKGROUP: WORKGROUP_REF,
          GLUE_DATABASE: DATABASE_REF,
          CURATED_BUCKET: { Ref: Match.stringLikeRegexp('^StorageCurated') },
          MATERIALISED_PREFIX: 'materialised/',
        }),
      },
    });
  });

  it('refreshes on the default schedule in UTC, with the report schedules retries and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Description: 'ServiceBench metric refresh',
      ScheduleExpression: DEFAULTS.refreshSchedule,
      ScheduleExpressionTimezone: 'Etc/UTC',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: EXPORTS_DEFAULTS.flexibleWindow.toMinutes() },
      Target: {
        Arn: refresherArn,
        Input: '{}',
        RetryPolicy: {
          MaximumRetryAttempts: EXPORTS_DEFAULTS.schedulerRetryAttempts,
          MaximumEventAgeInSeconds: EXPORTS_DEFAULTS.schedulerMaxEventAge.toSeconds(),
        },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RefreshFailedRefreshes'), 'Arn'] } },
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RefreshSchedulerRole'), 'Arn'] },
      },
    });
  });

  it('takes its schedule from the config', () => {
    const config = fixtureConfig({ deployment: { refreshSchedule: 'rate(6 hours)' } });
    synth({ config }).template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Description: 'ServiceBench metric refresh',
      ScheduleExpression: 'rate(6 hours)',
    });
  });

  it('fails when the schedule is not a Scheduler expression, in the config and in the construct', () => {
    expect(() => fixtureConfig({ deployment: { refreshSchedule: 'daily' } })).toThrow(
      /deployment\.refreshSchedule: must be cron\(\.\.\.\) or rate\(\.\.\.\) \(got "daily"\)/,
    );
    const checked = fixtureConfig();
    const unchecked = {
      ...checked,
      deployment: { ...checked.deployment, refreshSchedule: 'daily' },
    } as ServiceBenchConfig;
    expect(() => synth({ config: unchecked })).toThrow(
      /MetricRefresh: schedule "daily" must be cron\(\.\.\.\) or rate/,
    );
  });

  it('retries a failed run once, then queues it; reports its successes on the default event bus', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: Match.stringLikeRegexp('^RefreshRefresherFunction') },
      MaximumRetryAttempts: EXPORTS_DEFAULTS.asyncRetryAttempts,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RefreshFailedRefreshes'), 'Arn'] } },
        OnSuccess: { Destination: { 'Fn::Join': ['', Match.arrayWith([':event-bus/default'])] } },
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageKey'), 'Arn'] },
    });
  });

  it('writes and deletes objects only in the folders of the materialised tables', () => {
    const curatedWrites = refresherStatements().filter(
      (s) =>
        actionsOf(s).some((a) => a === 's3:PutObject' || a === 's3:DeleteObject') &&
        JSON.stringify(s.Resource).includes('StorageCurated'),
    );
    expect(curatedWrites).toHaveLength(1);
    expect(actionsOf(curatedWrites[0] as { Action: string[] })).toEqual([
      's3:PutObject',
      's3:DeleteObject',
      's3:AbortMultipartUpload',
    ]);
    const resources = curatedWrites[0]?.Resource;
    expect(Array.isArray(resources)).toBe(true);
    const folders = (resources as unknown[]).map((resource) => {
      const match =
        /^\{"Fn::Join":\["",\[\{"Fn::GetAtt":\["StorageCurated\w+","Arn"\]\},"(\/materialised\/[a-z_]+\/\*)"\]\]\}$/.exec(
          JSON.stringify(resource),
        );
      return match?.[1];
    });
    expect(folders).toEqual(MATERIALISED_TABLES.map((table) => `/materialised/${table.name}/*`));
  });

  it('adds and drops partitions of the materialised tables only, and creates no table', () => {
    const partitions = refresherStatements().find((s) => actionsOf(s).includes('glue:BatchCreatePartition'));
    expect(actionsOf(partitions as { Action: string[] })).toEqual([
      'glue:CreatePartition',
      'glue:BatchCreatePartition',
      'glue:UpdatePartition',
      'glue:DeletePartition',
      'glue:BatchDeletePartition',
    ]);
    const resources = JSON.stringify(partitions?.Resource);
    for (const table of MATERIALISED_TABLES) expect(resources).toMatch(glueTablePattern(table.name));
    expect(resources).not.toMatch(glueTablePattern('*'));
    const everything = JSON.stringify(refresherStatements());
    expect(everything).not.toMatch(/glue:(Create|Update|Delete)Table/);
    const athena = refresherStatements().find((s) => actionsOf(s).includes('athena:StartQueryExecution'));
    expect(JSON.stringify(athena?.Resource)).toMatch(WORKGROUP_ARN_PATTERN);
  });
});

describe('refresh after deployment', () => {
  it('starts the refresh once the views exist, again whenever the views, reference rows or statements change', () => {
    const definitions = new Capture();
    template.hasResourceProperties('Custom::ServiceBenchViews', { DefinitionsKey: definitions });
    template.hasResourceProperties('Custom::ServiceBenchMetricRefresh', {
      ServiceToken: refresherArn,
      Definitions: definitions.asString(),
      Statements: createHash('sha256')
        // every statement the refresh writes with: each family's rows of metric_values and its period tables
        .update(
          METRIC_FAMILIES.flatMap((family) => familySlices(family).map((slice) => sliceInsertSql(slice))).join(';\n'),
        )
        .digest('hex'),
    });
    const [views] = Object.keys(template.findResources('Custom::ServiceBenchViews'));
    const [resource] = Object.values(template.findResources('Custom::ServiceBenchMetricRefresh'));
    expect(resource?.DependsOn).toEqual([views]);

    const retargeted = synth({ config: fixtureConfig({ targets: [{ metric: 'csat_pct', goal: 90 }] }) }).template;
    const other = new Capture();
    retargeted.hasResourceProperties('Custom::ServiceBenchMetricRefresh', { Definitions: other });
    expect(other.asString()).not.toBe(definitions.asString());
  });
});
