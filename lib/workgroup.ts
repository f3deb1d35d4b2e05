import { Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { resourceNames } from './names.ts';

export const WORKGROUP_DEFAULTS = {
  /** 10 GB per query: far above a year of scorecards, low enough to stop a runaway cross join. */
  bytesScannedCutoffPerQuery: 10_000_000_000,
  resultsPrefix: 'results/',
} as const;

export interface QueryWorkgroupProps {
  readonly results: s3.IBucket;
  readonly key: kms.IKey;
  /** @default the stack's derived name (lib/names.ts): `servicebench` for the stack `ServiceBench` */
  readonly name?: string;
  /** Queries scanning more are cancelled. @default WORKGROUP_DEFAULTS.bytesScannedCutoffPerQuery */
  readonly bytesScannedCutoffPerQuery?: number;
  /** Delete the workgroup with its saved queries and history on stack deletion. @default false */
  readonly allowDestroy?: boolean;
}

/**
 * Athena engine v3 workgroup whose settings clients cannot override: results land KMS-encrypted in
 * the results bucket, every query is capped by bytes scanned, and metrics go to CloudWatch.
 */
export class QueryWorkgroup extends Construct {
  readonly workgroup: athena.CfnWorkGroup;
  readonly name: string;

  constructor(scope: Construct, id: string, props: QueryWorkgroupProps) {
    super(scope, id);
    this.name = props.name ?? resourceNames(Stack.of(this).stackName).athenaWorkgroup;
    this.workgroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.name,
      description: 'ServiceBench: curated tables and metric views',
      state: 'ENABLED',
      recursiveDeleteOption: props.allowDestroy ?? false,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery ?? WORKGROUP_DEFAULTS.bytesScannedCutoffPerQuery,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${props.results.bucketName}/${WORKGROUP_DEFAULTS.resultsPrefix}`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.key.keyArn },
        },
      },
    });
  }
}
