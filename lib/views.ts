import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomResource, Duration, type RemovalPolicy, Stack, TimeZone } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { referenceFiles } from '../lambdas/core/catalog/trino-ddl.ts';
import { DEFAULTS } from '../lambdas/core/config/defaults.ts';
import { materialisedTableKey, type RefreshEnvironment, type RefreshRequest } from '../lambdas/core/env/refresh.ts';
import type { ViewDefinitions, ViewsEnvironment } from '../lambdas/core/env/views.ts';
import type { ReferenceTable } from '../lambdas/core/reference/tables.ts';
import { familySlices, MATERIALISED_TABLES, METRIC_FAMILIES, sliceInsertSql } from '../sql/materialised.ts';
import { EXPORTS_DEFAULTS } from './exports.ts';
import { LOG_RETENTION, ServiceFunction } from './function.ts';
import {
  type AthenaAccess,
  databaseName,
  grantAthenaQueries,
  grantKeyUse,
  grantObjects,
  workgroupName,
} from './grants.ts';
import { acknowledge, wildcardResourceFinding } from './nag.ts';
import { handlerEntry } from './paths.ts';

/** One view as the deployer receives it: its name and its `CREATE OR REPLACE VIEW` DDL. */
export interface ViewStatement {
  readonly name: string;
  readonly ddl: string;
}

export interface MetricViewsProps {
  /** Views in build order, with their DDL from the Trino DDL generator (viewStatements). */
  readonly views: readonly ViewStatement[];
  /** Reference tables written as JSON lines (referenceFiles, as for Trino) before the views are created. */
  readonly referenceTables: readonly ReferenceTable[];
  /** Where the views are created; the reference tables are written to its curated bucket. */
  readonly athena: AthenaAccess;
  /** Folder of the curated bucket the reference tables' Glue tables point at. */
  readonly referencePrefix: string;
  readonly removalPolicy: RemovalPolicy;
  /**
   * The metric refresh to start once the views are deployed, and again whenever a later deployment
   * changes them, the reference rows or the refresh statements.
   * @default no refresh after deployment
   */
  readonly refresh?: lambda.IFunction;
}

/**
 * Creates the metric views in Athena from the sql/ files at deploy time, through a custom resource
 * that runs each DDL in order and waits for it: a view that Athena rejects fails the deployment
 * with Athena's own message. The DDL and the reference files travel in a content-addressed asset
 * named in the resource properties, so any change to a view (or to the reference data) updates the
 * resource; deleting the stack drops the views. The materialised tables the last views read are
 * Glue tables of the catalog, in place before any view is created; the refresh fills them.
 */
export class MetricViews extends Construct {
  readonly deployer: ServiceFunction;
  readonly resource: CustomResource;
  /** Starts the refresh after the views are deployed; present when `refresh` is given. */
  readonly refreshAfterDeployment?: CustomResource;

  constructor(scope: Construct, id: string, props: MetricViewsProps) {
    super(scope, id);
    const files = referenceFiles(props.referenceTables);
    const problems = props.views.flatMap((v) =>
      /^[a-z_][a-z0-9_]*$/.test(v.name) ? [] : [`view name ${JSON.stringify(v.name)} must be a lower-case identifier`],
    );
    const names = props.views.map((v) => v.name);
    for (const name of new Set(names)) {
      if (names.indexOf(name) !== names.lastIndexOf(name)) problems.push(`view ${name} is listed twice`);
    }
    for (const file of files) {
      if (!file.key.startsWith(props.referencePrefix)) {
        problems.push(
          `reference file ${file.key} lies outside referencePrefix ${JSON.stringify(props.referencePrefix)}`,
        );
      }
    }
    if (problems.length > 0) throw new Error(`MetricViews: ${problems.join('; ')}`);

    const environment: ViewsEnvironment = {
      ATHENA_WORKGROUP: workgroupName(props.athena),
      GLUE_DATABASE: databaseName(props.athena),
      CURATED_BUCKET: props.athena.curated.bucketName,
      REFERENCE_PREFIX: props.referencePrefix,
    };
    this.deployer = new ServiceFunction(this, 'Deployer', {
      entry: handlerEntry('views'),
      description: 'ServiceBench: writes the reference tables and creates the Athena views',
      environment,
      timeout: Duration.minutes(15),
      memorySize: 512,
      logRemovalPolicy: props.removalPolicy,
    });
    grantAthenaQueries(this.deployer.function, props.athena, { manageViews: true });
    grantObjects(
      this.deployer.function,
      props.athena.curated,
      ['s3:PutObject', 's3:DeleteObject'],
      [props.referencePrefix],
    );

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.deployer.function,
      logGroup: new logs.LogGroup(this, 'ProviderLogs', {
        retention: LOG_RETENTION,
        removalPolicy: props.removalPolicy,
      }),
    });
    acknowledge(
      provider,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'The custom-resource Provider framework function is created by aws-cdk-lib with this managed policy; it only relays CloudFormation events to the deployer.',
    );
    acknowledge(
      provider,
      wildcardResourceFinding(this.deployer.function, ':*'),
      'The Provider framework may invoke the deployer function and its versions, and nothing else.',
    );
    // The DDL and reference files travel as an S3 asset, not in the resource properties: an update
    // event carries old and new properties together, which would outgrow the size CloudFormation
    // can hand to a custom resource. Each asset key is its content hash, so a rollback still finds
    // the definitions of the previous deployment.
    const definitions = new s3assets.Asset(this, 'Definitions', {
      path: stageDefinitions({
        views: props.views.map((v) => ({ name: v.name, ddl: v.ddl })),
        referenceFiles: files.map((f) => ({ key: f.key, body: f.body })),
      }),
    });
    this.deployer.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [
          Stack.of(this).formatArn({
            service: 's3',
            region: '',
            account: '',
            resource: definitions.s3BucketName,
            resourceName: definitions.s3ObjectKey,
          }),
        ],
      }),
    );
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::ServiceBenchViews',
      properties: {
        DefinitionsBucket: definitions.s3BucketName,
        DefinitionsKey: definitions.s3ObjectKey,
        // Names alone let a delete, or an update that removes views, work without the definitions.
        Views: props.views.map((v) => v.name),
        ReferenceTables: props.referenceTables.map((t) => t.name),
      },
    });

    if (props.refresh) {
      // The refresh function answers CloudFormation itself and then refreshes, so the deployment
      // does not wait for (nor roll back on) a refresh; a failed refresh raises its own alarm.
      this.refreshAfterDeployment = new CustomResource(this, 'RefreshAfterDeployment', {
        serviceToken: props.refresh.functionArn,
        resourceType: 'Custom::ServiceBenchMetricRefresh',
        properties: {
          Definitions: definitions.s3ObjectKey,
          Statements: createHash('sha256')
            .update(
              METRIC_FAMILIES.flatMap((family) => familySlices(family).map((slice) => sliceInsertSql(slice))).join(
                ';\n',
              ),
            )
            .digest('hex'),
        },
      });
      this.refreshAfterDeployment.node.addDependency(this.resource);
    }
  }
}

export interface MetricRefreshProps {
  /**
   * Where the refresh queries run; its curated bucket holds the materialised tables under
   * `materialisedPrefix` and the curated tables they are computed from.
   */
  readonly athena: AthenaAccess;
  /** Folder of the curated bucket holding the materialised tables' Glue locations, ending with `/`. */
  readonly materialisedPrefix: string;
  /** Encrypts the failed-refreshes queue. */
  readonly key: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  /**
   * When the refresh runs on its own (EventBridge Scheduler expression, UTC).
   * @default DEFAULTS.refreshSchedule: daily at 03:00 UTC
   */
  readonly schedule?: string;
}

/**
 * The refresh of the materialised metric tables on Athena (lambdas/handlers/refresh.ts): a function
 * that runs one refresh at a time, started by its own schedule, by each report's schedule (before
 * the report, see ScheduledExports) and after each deployment of the views (see MetricViews). Its
 * runs retry once, then land in the failed-refreshes queue; its successes go to the default event
 * bus, where a report run picks up the request it carried.
 */
export class MetricRefresh extends Construct {
  readonly refresher: ServiceFunction;
  readonly schedule: scheduler.Schedule;
  /** Refresh runs that failed after Lambda's retry, and schedules that could not start one. */
  readonly failedRefreshes: sqs.Queue;

  constructor(scope: Construct, id: string, props: MetricRefreshProps) {
    super(scope, id);
    const expression = props.schedule ?? DEFAULTS.refreshSchedule;
    if (!/^(cron|rate)\(.+\)$/.test(expression)) {
      throw new Error(`MetricRefresh: schedule ${JSON.stringify(expression)} must be cron(...) or rate(...)`);
    }
    if (!props.materialisedPrefix.endsWith('/')) {
      throw new Error(`MetricRefresh: materialisedPrefix ${JSON.stringify(props.materialisedPrefix)} must end with /`);
    }

    this.failedRefreshes = new sqs.Queue(this, 'FailedRefreshes', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: EXPORTS_DEFAULTS.deadLetterRetention,
    });
    acknowledge(
      this.failedRefreshes,
      'AwsSolutions-SQS3',
      'This queue is itself a dead-letter destination (of the refresh schedule and of failed refresh runs) with an alarm on its depth.',
    );

    const { key } = props;
    const { curated } = props.athena;
    const database = databaseName(props.athena);
    const environment: RefreshEnvironment = {
      ATHENA_WORKGROUP: workgroupName(props.athena),
      GLUE_DATABASE: database,
      CURATED_BUCKET: curated.bucketName,
      MATERIALISED_PREFIX: props.materialisedPrefix,
    };
    this.refresher = new ServiceFunction(this, 'Refresher', {
      entry: handlerEntry('refresh'),
      description: 'ServiceBench: rewrites the materialised metric tables on Athena',
      environment,
      timeout: Duration.minutes(15),
      // Two runs at once would interleave deletes and inserts of a family; Lambda queues the second.
      reservedConcurrentExecutions: 1,
      logRemovalPolicy: props.removalPolicy,
    });
    const fn = this.refresher.function;
    this.refresher.sendFailedRunsTo(this.failedRefreshes, {
      retryAttempts: EXPORTS_DEFAULTS.asyncRetryAttempts,
      run: 'refresh',
      onSuccess: new destinations.EventBridgeDestination(),
    });

    grantAthenaQueries(fn, props.athena);
    // Athena's INSERT writes the files with the caller's permissions; the refresh deletes them.
    grantObjects(
      fn,
      curated,
      ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      MATERIALISED_TABLES.map((table) => materialisedTableKey(props.materialisedPrefix, table.name)),
    );
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [curated.bucketArn] }));
    const stack = Stack.of(this);
    const glueArn = (resource: string, name?: string) =>
      stack.formatArn({ service: 'glue', resource, ...(name === undefined ? {} : { resourceName: name }) });
    // The INSERT registers a family's partition and ALTER TABLE … DROP PARTITION removes it.
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'glue:CreatePartition',
          'glue:BatchCreatePartition',
          'glue:UpdatePartition',
          'glue:DeletePartition',
          'glue:BatchDeletePartition',
        ],
        resources: [
          glueArn('catalog'),
          glueArn('database', database),
          ...MATERIALISED_TABLES.map((table) => glueArn('table', `${database}/${table.name}`)),
        ],
      }),
    );

    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'Lets EventBridge Scheduler start ServiceBench metric refreshes',
    });
    grantKeyUse(schedulerRole, key);
    acknowledge(
      schedulerRole,
      wildcardResourceFinding(fn, ':*'),
      'The Scheduler target grants lambda:InvokeFunction on the refresh function and its versions; the role can invoke nothing else.',
    );
    const everyFamily: RefreshRequest = {};
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'ServiceBench metric refresh',
      schedule: scheduler.ScheduleExpression.expression(expression, TimeZone.ETC_UTC),
      timeWindow: scheduler.TimeWindow.flexible(EXPORTS_DEFAULTS.flexibleWindow),
      target: new targets.LambdaInvoke(fn, {
        role: schedulerRole,
        input: scheduler.ScheduleTargetInput.fromObject(everyFamily),
        deadLetterQueue: this.failedRefreshes,
        retryAttempts: EXPORTS_DEFAULTS.schedulerRetryAttempts,
        maxEventAge: EXPORTS_DEFAULTS.schedulerMaxEventAge,
      }),
    });
  }
}

/** Writes the definitions the deployer reads to a fresh folder at synth time, for the asset. */
function stageDefinitions(definitions: ViewDefinitions): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sb-views-')), 'definitions.json');
  writeFileSync(file, `${JSON.stringify(definitions)}\n`);
  return file;
}
