import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Lifecycle of each zone, in days. Raw landing objects are kept (they are the system of record). */
export const STORAGE_DEFAULTS = {
  landingInfrequentAccessDays: 30,
  landingGlacierIrDays: 90,
  noncurrentVersionExpirationDays: 30,
  quarantineExpirationDays: 90,
  athenaResultsExpirationDays: 7,
  exportsInfrequentAccessDays: 90,
  accessLogsExpirationDays: 365,
  incompleteMultipartUploadDays: 7,
} as const;

export interface StorageProps {
  /**
   * Delete the buckets (emptying them first) and the key when the stack is deleted.
   * @default false: every bucket and the key are retained, so a `cdk destroy` never loses data
   */
  readonly allowDestroy?: boolean;
  /** @default STORAGE_DEFAULTS.quarantineExpirationDays */
  readonly quarantineExpirationDays?: number;
  /** @default STORAGE_DEFAULTS.athenaResultsExpirationDays */
  readonly athenaResultsExpirationDays?: number;
}

/**
 * The lake's buckets and the customer-managed key that encrypts them. Every bucket blocks public
 * access, refuses plain HTTP and logs its requests to the access-logs bucket.
 */
export class Storage extends Construct {
  readonly key: kms.Key;
  readonly landing: s3.Bucket;
  readonly curated: s3.Bucket;
  readonly quarantine: s3.Bucket;
  readonly exports: s3.Bucket;
  readonly athenaResults: s3.Bucket;
  readonly accessLogs: s3.Bucket;
  readonly removalPolicy: RemovalPolicy;

  constructor(scope: Construct, id: string, props: StorageProps = {}) {
    super(scope, id);
    const allowDestroy = props.allowDestroy ?? false;
    this.removalPolicy = allowDestroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const removal = { removalPolicy: this.removalPolicy, autoDeleteObjects: allowDestroy };

    this.key = new kms.Key(this, 'Key', {
      description: 'ServiceBench data lake: buckets, queues, secret and query results',
      enableKeyRotation: true,
      removalPolicy: this.removalPolicy,
    });

    // S3 server access logging cannot deliver to a KMS-encrypted bucket, hence S3-managed keys here.
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        { id: 'ExpireAccessLogs', expiration: Duration.days(STORAGE_DEFAULTS.accessLogsExpirationDays) },
      ],
      ...removal,
    });

    const bucket = (bucketId: string, extra: Partial<s3.BucketProps>) =>
      new s3.Bucket(this, bucketId, {
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: this.key,
        bucketKeyEnabled: true,
        enforceSSL: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        serverAccessLogsBucket: this.accessLogs,
        serverAccessLogsPrefix: `${bucketId.toLowerCase()}/`,
        ...removal,
        ...extra,
        lifecycleRules: [
          {
            id: 'AbortIncompleteUploads',
            abortIncompleteMultipartUploadAfter: Duration.days(STORAGE_DEFAULTS.incompleteMultipartUploadDays),
          },
          ...(extra.lifecycleRules ?? []),
        ],
      });

    this.landing = bucket('Landing', {
      versioned: true,
      lifecycleRules: [
        {
          id: 'TierRawObjects',
          transitions: [
            {
              storageClass: s3.StorageClass.INFREQUENT_ACCESS,
              transitionAfter: Duration.days(STORAGE_DEFAULTS.landingInfrequentAccessDays),
            },
            {
              storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
              transitionAfter: Duration.days(STORAGE_DEFAULTS.landingGlacierIrDays),
            },
          ],
        },
        {
          id: 'ExpireNoncurrentVersions',
          noncurrentVersionExpiration: Duration.days(STORAGE_DEFAULTS.noncurrentVersionExpirationDays),
        },
      ],
    });
    this.curated = bucket('Curated', {});
    this.quarantine = bucket('Quarantine', {
      lifecycleRules: [
        {
          id: 'ExpireRejects',
          expiration: Duration.days(props.quarantineExpirationDays ?? STORAGE_DEFAULTS.quarantineExpirationDays),
        },
      ],
    });
    this.exports = bucket('Exports', {
      lifecycleRules: [
        {
          id: 'TierOldReports',
          transitions: [
            {
              storageClass: s3.StorageClass.INFREQUENT_ACCESS,
              transitionAfter: Duration.days(STORAGE_DEFAULTS.exportsInfrequentAccessDays),
            },
          ],
        },
      ],
    });
    this.athenaResults = bucket('AthenaResults', {
      lifecycleRules: [
        {
          id: 'ExpireQueryResults',
          expiration: Duration.days(props.athenaResultsExpirationDays ?? STORAGE_DEFAULTS.athenaResultsExpirationDays),
        },
      ],
    });
  }
}
