import { Stack } from 'aws-cdk-lib';
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

export interface AthenaAccess {
  readonly workgroupArn: string;
  readonly databaseName: string;
  readonly curated: s3.IBucket;
  readonly results: s3.IBucket;
  readonly key: kms.IKey;
  /** Also create, replace and drop views (Glue tables) in the database. @default false */
  readonly manageViews?: boolean;
}

/** Run queries in one workgroup over one Glue database, reading the curated bucket. */
export function grantAthenaQueries(grantee: iam.IGrantable, access: AthenaAccess): void {
  const stack = Stack.of(access.curated);
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
      resources: [access.workgroupArn],
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
        ...(access.manageViews ? ['glue:CreateTable', 'glue:UpdateTable', 'glue:DeleteTable'] : []),
      ],
      resources: [
        glueArn('catalog'),
        glueArn('database', access.databaseName),
        glueArn('table', `${access.databaseName}/*`),
      ],
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
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/${access.databaseName}/*]`,
      'Athena reads (and the views deployer replaces) tables and views of this one Glue database; their names come from the canonical schema and the sql/ registry.',
    );
  }
}
