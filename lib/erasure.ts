import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ErasureEnvironment } from '../lambdas/core/env/erasure.ts';
import { CUSTOMER_TABLES, ERASURE_RECORD_PREFIX } from '../lambdas/core/erase/erase.ts';
import { STAGING_PREFIX } from '../lambdas/core/schema/layout.ts';
import { ServiceFunction } from './function.ts';
import { grantKeyUse, grantObjects } from './grants.ts';
import { INGESTION_DEFAULTS } from './ingestion.ts';
import { handlerEntry } from './paths.ts';

export const ERASURE_DEFAULTS = {
  /** Lambda's maximum: one run reads every file of the customer tables, and rewrites a partition per day found. */
  timeout: Duration.minutes(15),
  /** A partition is recompacted in memory, as by the compactor. */
  memorySize: INGESTION_DEFAULTS.compactorMemorySize,
  /** One run at a time: two runs rewriting one partition could each bring back the other's rows. */
  reservedConcurrentExecutions: 1,
} as const;

export interface ErasureProps {
  /** Asked (HeadObject) whether the landing objects the erased rows came from are still there. */
  readonly landing: s3.IBucket;
  /** Prefixes of the landing (and quarantine) keys: one per configured source, `<source>/`. */
  readonly sourcePrefixes: readonly string[];
  readonly curated: s3.IBucket;
  readonly quarantine: s3.IBucket;
  /** Encrypts the curated and quarantine objects. */
  readonly key: kms.IKey;
  /** The normaliser's pseudonymisation key: the erasure must compute the pseudonyms it wrote. */
  readonly pseudonymKey: secretsmanager.ISecret;
  /**
   * The metric refresh (MetricRefresh), started asynchronously after an erasure that rewrote a
   * partition, so no materialised table keeps the erased rows until its next scheduled run.
   */
  readonly refresh: lambda.IFunction;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The function an operator invokes to erase customers (lambdas/handlers/erase.ts). It may rewrite
 * only what holds customers: the staging and partition files of the tables with a `customer_key`,
 * the reject files, and its own records; the landing bucket is only asked whether objects exist.
 * It may start the metric refresh, and invoke nothing else.
 */
export class Erasure extends Construct {
  readonly eraser: ServiceFunction;

  constructor(scope: Construct, id: string, props: ErasureProps) {
    super(scope, id);
    const environment: ErasureEnvironment = {
      LANDING_BUCKET: props.landing.bucketName,
      CURATED_BUCKET: props.curated.bucketName,
      QUARANTINE_BUCKET: props.quarantine.bucketName,
      PSEUDONYM_SECRET_ARN: props.pseudonymKey.secretArn,
      REFRESH_FUNCTION: props.refresh.functionName,
    };
    this.eraser = new ServiceFunction(this, 'Eraser', {
      entry: handlerEntry('erase'),
      description: 'ServiceBench: erases customers from the curated tables and the rejects (invoked by an operator)',
      environment: environment as Record<string, string>,
      timeout: ERASURE_DEFAULTS.timeout,
      memorySize: ERASURE_DEFAULTS.memorySize,
      reservedConcurrentExecutions: ERASURE_DEFAULTS.reservedConcurrentExecutions,
      logRemovalPolicy: props.removalPolicy,
    });
    const fn = this.eraser.function;
    if (props.sourcePrefixes.length > 0) {
      // HeadObject needs s3:GetObject; the handler never reads a landing object's bytes.
      grantObjects(fn, props.landing, ['s3:GetObject'], props.sourcePrefixes);
      grantObjects(fn, props.quarantine, ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], props.sourcePrefixes);
    }
    grantObjects(
      fn,
      props.curated,
      ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      [...CUSTOMER_TABLES.flatMap((table) => [`${STAGING_PREFIX}${table}/`, `${table}/`]), ERASURE_RECORD_PREFIX],
    );
    grantKeyUse(fn, props.key);
    props.pseudonymKey.grantRead(fn);
    // The unqualified function only: the handler invokes it by name, never a version or alias.
    props.refresh.grantInvokeLatestVersion(fn);
  }
}
