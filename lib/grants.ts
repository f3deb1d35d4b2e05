import { Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import type * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge, wildcardResourceFinding } from './nag.ts';

/** Object-level S3 actions, named exactly: the grant methods' `s3:GetObject*` and `s3:List*` are broader. */
export type ObjectAction = 's3:GetObject' | 's3:PutObject' | 's3:DeleteObject' | 's3:AbortMultipartUpload';

/**
 * Grants exactly the listed object actions under the given prefixes of a bucket, plus ListBucket
 * (without it S3 answers 403 instead of 404 for a missing key, and the stores rely on the 404).
 */
export function grantObjects(
  grantee: iam.IGrantable,
  bucket: s3.IBucket,
  actions: readonly ObjectAction[],
  prefixes: readonly string[] = [''],
): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [...actions],
      resources: prefixes.map((prefix) => bucket.arnForObjects(`${prefix}*`)),
    }),
  );
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
  );
  if (!(grantee.grantPrincipal instanceof Construct)) return;
  for (const prefix of prefixes) {
    acknowledge(
      grantee.grantPrincipal,
      wildcardResourceFinding(bucket, `/${prefix}*`),
      `Object actions (${actions.join(', ')}) need object ARNs; limited to ${prefix === '' ? 'this one bucket' : `the ${prefix} prefix of this bucket`}, whose keys are generated at run time.`,
    );
  }
}

/** Decrypt to read and GenerateDataKey to write SSE-KMS objects, and nothing else. */
export function grantKeyUse(grantee: iam.IGrantable, key: kms.IKey): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [key.keyArn] }),
  );
}

/**
 * What querying the views takes: one workgroup over one Glue database, the curated bucket it
 * reads, the bucket its results land in and the key of both. Functions that query receive this,
 * and read the workgroup and database names from it, so they depend on those resources.
 */
export interface AthenaAccess {
  readonly workgroup: athena.CfnWorkGroup;
  readonly database: glue.CfnDatabase;
  readonly curated: s3.IBucket;
  readonly results: s3.IBucket;
  readonly key: kms.IKey;
}

export const workgroupName = (access: AthenaAccess): string => access.workgroup.workGroupRef.workGroupName;
export const databaseName = (access: AthenaAccess): string => access.database.databaseRef.databaseName;

export interface AthenaGrantOptions {
  /** Also create, replace and drop views (Glue tables) in the database. @default false */
  readonly manageViews?: boolean;
}

/** Run queries in one workgroup over one Glue database, reading the curated bucket. */
export function grantAthenaQueries(
  grantee: iam.IGrantable,
  access: AthenaAccess,
  options: AthenaGrantOptions = {},
): void {
  const stack = Stack.of(access.curated);
  const database = databaseName(access);
  const glueArn = (resource: string, name?: string) =>
    stack.formatArn({ service: 'glue', resource, ...(name === undefined ? {} : { resourceName: name }) });
  const principal = grantee.grantPrincipal;
  principal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [
        'athena:StartQueryExecution',
        'athena:GetQueryExecution',
        'athena:GetQueryResults',
        'athena:StopQueryExecution',
      ],
      resources: [athena.CfnWorkGroup.arnForWorkGroup(access.workgroup)],
    }),
  );
  principal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [
        'glue:GetDatabase',
        'glue:GetTable',
        'glue:GetTables',
        'glue:GetPartition',
        'glue:GetPartitions',
        ...(options.manageViews ? ['glue:CreateTable', 'glue:UpdateTable', 'glue:DeleteTable'] : []),
      ],
      resources: [glueArn('catalog'), glueArn('database', database), glueArn('table', `${database}/*`)],
    }),
  );
  grantObjects(grantee, access.curated, ['s3:GetObject']);
  grantObjects(grantee, access.results, ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload']);
  principal.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [access.results.bucketArn] }),
  );
  grantKeyUse(grantee, access.key);
  if (principal instanceof Construct) {
    acknowledge(
      principal,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/<${stack.getLogicalId(access.database)}>/*]`,
      'Athena reads (and the views deployer replaces) tables and views of this one Glue database; their names come from the canonical schema and the sql/ registry.',
    );
  }
}
