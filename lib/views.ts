import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomResource, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { ViewDefinitions, ViewsEnvironment } from '../lambdas/core/env/views.ts';
import type { ReferenceTable } from '../lambdas/core/reference/tables.ts';
import { LOG_RETENTION, ServiceFunction } from './function.ts';
import { grantAthenaQueries, grantObjects } from './grants.ts';
import { acknowledge, wildcardResourceFinding } from './nag.ts';
import { handlerEntry } from './paths.ts';

/** One view as the deployer receives it: its name and its `CREATE OR REPLACE VIEW` DDL. */
export interface ViewStatement {
  readonly name: string;
  readonly ddl: string;
}

export interface MetricViewsProps {
  /** Views in dependency order, with their DDL from sql/registry.ts createViewSql. */
  readonly views: readonly ViewStatement[];
  /** Reference tables written as JSON lines before the views are created. */
  readonly referenceTables: readonly ReferenceTable[];
  readonly workgroupName: string;
  readonly workgroupArn: string;
  readonly databaseName: string;
  /** Folder of the curated bucket the reference tables' Glue tables point at. */
  readonly referencePrefix: string;
  readonly curated: s3.IBucket;
  readonly results: s3.IBucket;
  readonly key: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Creates the metric views in Athena from the sql/ files at deploy time, through a custom resource
 * that runs each DDL in order and waits for it: a view that Athena rejects fails the deployment
 * with Athena's own message. The DDL and the reference rows travel in a content-addressed asset
 * named in the resource properties, so any change to a view (or to the reference data) updates the
 * resource; deleting the stack drops the views.
 */
export class MetricViews extends Construct {
  readonly deployer: ServiceFunction;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: MetricViewsProps) {
    super(scope, id);
    const problems = props.views.flatMap((v) =>
      /^[a-z_][a-z0-9_]*$/.test(v.name) ? [] : [`view name ${JSON.stringify(v.name)} must be a lower-case identifier`],
    );
    const names = props.views.map((v) => v.name);
    for (const name of new Set(names)) {
      if (names.indexOf(name) !== names.lastIndexOf(name)) problems.push(`view ${name} is listed twice`);
    }
    if (problems.length > 0) throw new Error(`MetricViews: ${problems.join('; ')}`);

    const environment: ViewsEnvironment = {
      ATHENA_WORKGROUP: props.workgroupName,
      GLUE_DATABASE: props.databaseName,
      CURATED_BUCKET: props.curated.bucketName,
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
    grantAthenaQueries(this.deployer.function, {
      workgroupArn: props.workgroupArn,
      databaseName: props.databaseName,
      curated: props.curated,
      results: props.results,
      key: props.key,
      manageViews: true,
    });
    grantObjects(this.deployer.function, props.curated, ['s3:PutObject', 's3:DeleteObject'], [props.referencePrefix]);

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
    // The DDL and reference rows travel as an S3 asset, not in the resource properties: an update
    // event carries old and new properties together, which would outgrow the size CloudFormation
    // can hand to a custom resource. Each asset key is its content hash, so a rollback still finds
    // the definitions of the previous deployment.
    const definitions = new s3assets.Asset(this, 'Definitions', {
      path: stageDefinitions({
        views: props.views.map((v) => ({ name: v.name, ddl: v.ddl })),
        referenceTables: props.referenceTables.map((t) => ({ name: t.name, rows: [...t.rows] })),
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
  }
}

/** Writes the definitions the deployer reads to a fresh folder at synth time, for the asset. */
function stageDefinitions(definitions: ViewDefinitions): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sb-views-')), 'definitions.json');
  writeFileSync(file, `${JSON.stringify(definitions)}\n`);
  return file;
}
