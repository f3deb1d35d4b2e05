import { Duration, type RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { getAdapter } from '../lambdas/adapters/registry.ts';
import type { ServiceBenchConfig } from '../lambdas/core/config/config.ts';
import type { CompactorEnvironment } from '../lambdas/core/env/compactor.ts';
import { CONFIG_FILE_NAME } from '../lambdas/core/env/environment.ts';
import { type NormaliserEnvironment, normaliserConfigJson } from '../lambdas/core/env/normaliser.ts';
import type { TelemetryEnvironment } from '../lambdas/core/env/telemetry.ts';
import type { Adapter } from '../lambdas/core/normalise/adapter.ts';
import { TABLE_NAMES } from '../lambdas/core/schema/canonical.ts';
import { STAGING_PREFIX } from '../lambdas/core/schema/layout.ts';
import { ServiceFunction } from './function.ts';
import { grantKeyUse, grantObjects } from './grants.ts';
import { acknowledge } from './nag.ts';
import { handlerEntry } from './paths.ts';
import { importedObjectsFinding } from './storage.ts';

export const INGESTION_DEFAULTS = {
  /** Lambda's maximum: a large export must finish in one invocation. */
  timeout: Duration.minutes(15),
  /** Memory also buys CPU; Parquet encoding of a large file is CPU-bound. */
  memorySize: 3008,
  /** Large objects are spooled to /tmp while they are partitioned. */
  ephemeralStorage: Size.gibibytes(10),
  /** Concurrent normalisers when the config sets no deployment.maxNormaliserConcurrency. */
  maxConcurrency: 5,
  /** Messages per invocation; each is processed on its own and fails on its own. */
  batchSize: 5,
  /** Deliveries before a message is dead-lettered. */
  maxReceiveCount: 3,
  /** EventBridge's attempts to put an existing landing bucket's event on the queue, then the dead-letter queue. */
  landingEventRetryAttempts: 185,
  /** EventBridge's own default and maximum: an event the queue refuses for a day is dead-lettered. */
  landingEventMaxAge: Duration.hours(24),
  /** SQS's maximum, so a dead letter is there for two weeks of investigation. */
  deadLetterRetention: Duration.days(14),
  /** AWS guidance for SQS → Lambda: the visibility timeout is at least six times the function timeout. */
  visibilityTimeoutFactor: 6,
  /** Characters of the generated pseudonymisation key (at least MIN_KEY_BYTES of the pseudonymiser). */
  pseudonymKeyLength: 64,
  /** A partition is a day of one table: seconds of work, minutes at worst for a very large day. */
  compactorTimeout: Duration.minutes(5),
  /** A partition's rows are sorted in memory before they are written as one file. */
  compactorMemorySize: 2048,
  /** Partition messages per invocation: SQS's maximum for FIFO queues. */
  compactorBatchSize: 10,
  /** Concurrent compactors (FIFO delivery already keeps one per partition). */
  compactorMaxConcurrency: 5,
} as const;

export interface IngestionProps {
  readonly config: ServiceBenchConfig;
  readonly landing: s3.IBucket;
  readonly curated: s3.IBucket;
  readonly quarantine: s3.IBucket;
  /** Encrypts the secret and the buckets the function reads and writes. */
  readonly key: kms.IKey;
  /**
   * Whether the stack created the landing bucket. If so, the bucket's notification configuration
   * sends object-created events to the queue. If not (an existing bucket), an EventBridge rule does,
   * and that bucket's one notification configuration, which its owner's other consumers rely on,
   * is left alone.
   * @default true
   */
  readonly ownsLanding?: boolean;
  /** The key of the landing objects when it is not `key` (an existing bucket's SSE-KMS key). @default `key` */
  readonly landingKey?: kms.IKey;
  /** Removal of the pseudonymisation key secret and the log group (data resources). */
  readonly removalPolicy: RemovalPolicy;
  /** @default config.deployment.maxNormaliserConcurrency, else INGESTION_DEFAULTS.maxConcurrency */
  readonly maxConcurrency?: number;
  /** Looks up a source's adapter to check it at synth. @default the registry the normaliser uses */
  readonly adapterFor?: (name: string) => Adapter;
}

/**
 * Checks every source against its adapter before anything is deployed: an unknown adapter or
 * invalid options would otherwise only surface as dead letters once files land.
 */
export function sourceProblems(
  config: ServiceBenchConfig,
  adapterFor: (name: string) => Adapter = getAdapter,
): string[] {
  return config.sources.flatMap((source, i) => {
    const at = `sources.${i} (${source.name})`;
    let adapter: Adapter;
    try {
      adapter = adapterFor(source.adapter);
    } catch (error) {
      return [`${at}.adapter: ${(error as Error).message}`];
    }
    const options = adapter.optionsSchema.safeParse(source.options);
    if (options.success) return [];
    return options.error.issues.map((issue) => `${at}.options.${issue.path.join('.')}: ${issue.message}`);
  });
}

/**
 * Landing object-created events → encrypted queue (with a dead-letter queue) → normaliser Lambda,
 * which writes one staging Parquet file per object and partition, quarantined rejects, and one
 * message per touched partition → FIFO compaction queue (one message group per partition, with a
 * dead-letter queue) → compactor Lambda, which rewrites each partition as the one file its table
 * reads. The pseudonymisation key is generated by Secrets Manager and read by the normaliser at
 * cold start.
 */
export class Ingestion extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly normaliser: ServiceFunction;
  readonly compactionQueue: sqs.Queue;
  readonly compactionDeadLetterQueue: sqs.Queue;
  readonly compactor: ServiceFunction;
  readonly pseudonymKey: secretsmanager.Secret;
  /** Encrypts the queues. Separate from the data key, whose policy would otherwise cycle with the landing bucket's. */
  readonly queueKey: kms.Key;
  /** Routes an existing landing bucket's object-created events to the queue. @default undefined: the stack's own bucket notifies */
  readonly landingRule?: events.Rule;
  /**
   * What the owner of an existing landing bucket adds to its bucket policy and its key's policy for
   * the normaliser's role. @default undefined: the stack's own landing bucket needs none
   */
  readonly landingOwnerStatements?: { readonly bucket: iam.PolicyStatement[]; readonly key?: iam.PolicyStatement };

  constructor(scope: Construct, id: string, props: IngestionProps) {
    super(scope, id);
    const problems = sourceProblems(props.config, props.adapterFor);
    if (problems.length > 0) {
      throw new Error(`the config's sources cannot be deployed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    }
    const maxConcurrency =
      props.maxConcurrency ?? props.config.deployment.maxNormaliserConcurrency ?? INGESTION_DEFAULTS.maxConcurrency;

    this.pseudonymKey = new secretsmanager.Secret(this, 'PseudonymKey', {
      description: 'ServiceBench HMAC key that pseudonymises customer and employee identifiers',
      encryptionKey: props.key,
      generateSecretString: {
        passwordLength: INGESTION_DEFAULTS.pseudonymKeyLength,
        excludePunctuation: true,
      },
      removalPolicy: props.removalPolicy,
    });
    acknowledge(
      this.pseudonymKey,
      'AwsSolutions-SMG4',
      'Rotating the pseudonymisation key would change every customer and employee key, breaking joins and trends across history; it is generated once, KMS-encrypted and readable only by the normaliser.',
    );

    this.queueKey = new kms.Key(this, 'QueueKey', {
      description: 'ServiceBench ingestion queues',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.queueKey,
      enforceSSL: true,
      retentionPeriod: INGESTION_DEFAULTS.deadLetterRetention,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.queueKey,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(
        INGESTION_DEFAULTS.timeout.toSeconds() * INGESTION_DEFAULTS.visibilityTimeoutFactor,
      ),
      retentionPeriod: INGESTION_DEFAULTS.deadLetterRetention,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: INGESTION_DEFAULTS.maxReceiveCount },
    });

    this.compactionDeadLetterQueue = new sqs.Queue(this, 'CompactionDeadLetterQueue', {
      fifo: true,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.queueKey,
      enforceSSL: true,
      retentionPeriod: INGESTION_DEFAULTS.deadLetterRetention,
    });
    this.compactionQueue = new sqs.Queue(this, 'CompactionQueue', {
      fifo: true,
      // Every message carries its own id: a partition touched again must be compacted again.
      contentBasedDeduplication: false,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.queueKey,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(
        INGESTION_DEFAULTS.compactorTimeout.toSeconds() * INGESTION_DEFAULTS.visibilityTimeoutFactor,
      ),
      retentionPeriod: INGESTION_DEFAULTS.deadLetterRetention,
      deadLetterQueue: { queue: this.compactionDeadLetterQueue, maxReceiveCount: INGESTION_DEFAULTS.maxReceiveCount },
    });

    const environment: NormaliserEnvironment & TelemetryEnvironment = {
      SERVICEBENCH_CONFIG_FILE: CONFIG_FILE_NAME,
      LANDING_BUCKET: props.landing.bucketName,
      CURATED_BUCKET: props.curated.bucketName,
      QUARANTINE_BUCKET: props.quarantine.bucketName,
      COMPACTION_QUEUE_URL: this.compactionQueue.queueUrl,
      PSEUDONYM_SECRET_ARN: this.pseudonymKey.secretArn,
      SPOOL_DIR: '/tmp',
      STACK_NAME: Stack.of(this).stackName,
    };
    this.normaliser = new ServiceFunction(this, 'Normaliser', {
      entry: handlerEntry('normalise'),
      description: 'ServiceBench: normalises landed exports into curated Parquet',
      environment: environment as Record<string, string>,
      timeout: INGESTION_DEFAULTS.timeout,
      memorySize: INGESTION_DEFAULTS.memorySize,
      ephemeralStorageSize: INGESTION_DEFAULTS.ephemeralStorage,
      reservedConcurrentExecutions: maxConcurrency,
      logRemovalPolicy: props.removalPolicy,
      bundledFiles: { [CONFIG_FILE_NAME]: normaliserConfigJson(props.config) },
    });
    const fn = this.normaliser.function;
    fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: INGESTION_DEFAULTS.batchSize,
        reportBatchItemFailures: true,
        // The event source's own cap (minimum 2) keeps it from polling more than the reservation allows.
        ...(maxConcurrency >= 2 ? { maxConcurrency } : {}),
      }),
    );

    const sourcePrefixes = props.config.sources.map((source) => `${source.name}/`);
    const ownsLanding = props.ownsLanding ?? true;
    if (ownsLanding) {
      props.landing.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.queue));
      // aws-cdk-lib configures bucket notifications through a stack-wide singleton function.
      const notificationsHandler = Stack.of(this).node.children.find((child) =>
        child.node.id.startsWith('BucketNotificationsHandler'),
      );
      if (notificationsHandler) {
        acknowledge(
          notificationsHandler,
          'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          'The bucket-notifications function is created by aws-cdk-lib with this managed policy; it only runs at deploy time to set the landing notification.',
        );
      }
    } else if (sourcePrefixes.length > 0) {
      this.landingRule = this.routeLandingEvents(props.landing, sourcePrefixes);
      for (const prefix of sourcePrefixes) {
        acknowledge(
          this.normaliser.role,
          importedObjectsFinding(props.landing.bucketName, prefix),
          `s3:GetObject needs object ARNs; limited to the ${prefix} prefix of the existing landing bucket, whose keys are generated by its writers.`,
        );
      }
    }
    if (sourcePrefixes.length > 0) grantObjects(fn, props.landing, ['s3:GetObject'], sourcePrefixes);
    if (props.landingKey) {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [props.landingKey.keyArn] }));
    }
    if (!ownsLanding) {
      const role = new iam.ArnPrincipal(this.normaliser.role.roleArn);
      this.landingOwnerStatements = {
        bucket: [
          new iam.PolicyStatement({
            sid: 'ServiceBenchNormaliserReads',
            principals: [role],
            actions: ['s3:GetObject'],
            resources: sourcePrefixes.map((prefix) => props.landing.arnForObjects(`${prefix}*`)),
          }),
          new iam.PolicyStatement({
            sid: 'ServiceBenchNormaliserLists',
            principals: [role],
            actions: ['s3:ListBucket'],
            resources: [props.landing.bucketArn],
          }),
        ],
        ...(props.landingKey
          ? {
              key: new iam.PolicyStatement({
                sid: 'ServiceBenchNormaliserDecrypts',
                principals: [role],
                actions: ['kms:Decrypt'],
                resources: ['*'],
              }),
            }
          : {}),
      };
    }
    grantObjects(fn, props.curated, ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload']);
    grantObjects(fn, props.quarantine, ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload']);
    grantKeyUse(fn, props.key);
    // Exactly SendMessage and the queue key's data-key use, where grantSendMessages adds wildcards.
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.compactionQueue.queueArn] }),
    );
    grantKeyUse(fn, this.queueKey);
    this.pseudonymKey.grantRead(fn);
    fn.addToRolePolicy(
      // Comprehend's detection APIs have no resource-level permissions.
      new iam.PolicyStatement({ actions: ['comprehend:BatchDetectSentiment'], resources: ['*'] }),
    );
    acknowledge(
      this.normaliser.role,
      'AwsSolutions-IAM5[Resource::*]',
      'comprehend:BatchDetectSentiment supports no resource-level permissions; the statement allows that one action only.',
    );

    const compactorEnvironment: CompactorEnvironment = { CURATED_BUCKET: props.curated.bucketName };
    this.compactor = new ServiceFunction(this, 'Compactor', {
      entry: handlerEntry('compact'),
      description: 'ServiceBench: compacts touched curated partitions into one Parquet file each',
      environment: compactorEnvironment as Record<string, string>,
      timeout: INGESTION_DEFAULTS.compactorTimeout,
      memorySize: INGESTION_DEFAULTS.compactorMemorySize,
      logRemovalPolicy: props.removalPolicy,
    });
    const compactorFn = this.compactor.function;
    compactorFn.addEventSource(
      new SqsEventSource(this.compactionQueue, {
        batchSize: INGESTION_DEFAULTS.compactorBatchSize,
        reportBatchItemFailures: true,
        maxConcurrency: INGESTION_DEFAULTS.compactorMaxConcurrency,
      }),
    );
    // Reads staging files; writes (one PUT) and deletes only the partition files of the canonical tables.
    grantObjects(compactorFn, props.curated, ['s3:GetObject'], [STAGING_PREFIX]);
    grantObjects(
      compactorFn,
      props.curated,
      ['s3:PutObject', 's3:DeleteObject'],
      TABLE_NAMES.map((table) => `${table}/`),
    );
    grantKeyUse(compactorFn, props.key);
  }
  /**
   * An EventBridge rule from the existing landing bucket's Object Created events under the sources'
   * prefixes to the queue (S3 → EventBridge is the bucket owner's switch, docs/deploy.md). Only this
   * rule may send to the queue, and EventBridge may use the queues' key for this account's rules
   * only: the key cannot name the rule, which already depends on the queue and so on the key. An
   * event EventBridge cannot deliver after its retries goes to the dead-letter queue, whose redrive
   * returns it to the queue in the same shape.
   */
  private routeLandingEvents(landing: s3.IBucket, prefixes: readonly string[]): events.Rule {
    const rule = new events.Rule(this, 'LandingObjectCreated', {
      description: "ServiceBench: objects created under the sources' prefixes of the existing landing bucket",
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [landing.bucketName] },
          object: { key: prefixes.map((prefix) => ({ prefix })) },
        },
      },
    });
    rule.addTarget({
      bind: () => ({
        arn: this.queue.queueArn,
        deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
        retryPolicy: {
          maximumRetryAttempts: INGESTION_DEFAULTS.landingEventRetryAttempts,
          maximumEventAgeInSeconds: INGESTION_DEFAULTS.landingEventMaxAge.toSeconds(),
        },
      }),
    });
    const eventBridge = new iam.ServicePrincipal('events.amazonaws.com');
    for (const queue of [this.queue, this.deadLetterQueue]) {
      queue.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [eventBridge],
          actions: ['sqs:SendMessage'],
          resources: [queue.queueArn],
          conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
        }),
      );
    }
    this.queueKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [eventBridge],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    return rule;
  }
}
