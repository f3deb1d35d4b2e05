import { Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
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

/** An existing bucket to use as the landing zone (`deployment.landing` of the config). */
export interface ExistingLanding {
  /** Name of the bucket, in the stack's account and region. */
  readonly bucketName: string;
  /** The KMS key the bucket's objects are encrypted with. @default none: SSE-S3 */
  readonly keyArn?: string;
}

export interface StorageProps {
  /**
   * Use this existing bucket (an Amazon Connect or Firehose delivery bucket, say) as the landing
   * zone: the stack then creates no landing bucket and changes nothing on that one, whose owner
   * grants the normaliser access (docs/deploy.md).
   * @default a landing bucket created by the stack, encrypted with the stack's key
   */
  readonly existingLanding?: ExistingLanding;
  /**
   * Other accounts allowed to upload into the landing bucket the stack creates, under `uploadPrefixes`.
   * @default none
   */
  readonly uploaderAccounts?: readonly string[];
  /** Key prefixes other accounts may upload under: one per configured source. @default none */
  readonly uploadPrefixes?: readonly string[];
  /**
   * Delete the buckets (emptying them first) and the key when the stack is deleted.
   * @default false: every bucket and the key are retained, so a `cdk destroy` never loses data
   */
  readonly allowDestroy?: boolean;
  /** @default STORAGE_DEFAULTS.quarantineExpirationDays */
  readonly quarantineExpirationDays?: number;
  /** @default STORAGE_DEFAULTS.athenaResultsExpirationDays */
  readonly athenaResultsExpirationDays?: number;
  /**
   * Curated folders whose objects expire after a number of days (the closed-loop alerts' published
   * markers). @default none
   */
  readonly expiringCuratedPrefixes?: readonly { readonly prefix: string; readonly days: number }[];
}

/**
 * The lake's buckets and the customer-managed key that encrypts them. Every bucket blocks public
 * access, refuses plain HTTP and logs its requests to the access-logs bucket.
 */
export class Storage extends Construct {
  readonly key: kms.Key;
  /** The bucket the stack created, or the existing bucket of `existingLanding`. */
  readonly landing: s3.IBucket;
  /** False when the landing bucket is an existing one: its policy and notifications are its owner's. */
  readonly ownsLanding: boolean;
  /**
   * The key of an existing landing bucket's objects. @default undefined: the stack's own landing
   * bucket uses `key`, and an existing bucket without `keyArn` uses SSE-S3
   */
  readonly landingKey?: kms.IKey;
  readonly curated: s3.Bucket;
  /**
   * Rejected rows as they arrived, with raw (unpseudonymised) customer and employee identifiers:
   * encrypted, expiring after `quarantineExpirationDays`, and readable only by the roles given to
   * allowQuarantineReads.
   */
  readonly quarantine: s3.Bucket;
  readonly exports: s3.Bucket;
  readonly athenaResults: s3.Bucket;
  readonly accessLogs: s3.Bucket;
  readonly removalPolicy: RemovalPolicy;
  private readonly quarantineReaders: string[] = [];

  constructor(scope: Construct, id: string, props: StorageProps = {}) {
    super(scope, id);
    const uploaderAccounts = props.uploaderAccounts ?? [];
    const uploadPrefixes = props.uploadPrefixes ?? [];
    const problems: string[] = [];
    if (props.existingLanding && uploaderAccounts.length > 0) {
      problems.push(
        `deployment.uploaderAccounts: the stack cannot change the policy of the existing landing bucket ${props.existingLanding.bucketName}; grant those accounts in that bucket's own policy, or leave out deployment.landing`,
      );
    }
    if (uploaderAccounts.length > 0 && uploadPrefixes.length === 0) {
      problems.push('deployment.uploaderAccounts: there is no source to upload for; add sources first');
    }
    if (problems.length > 0) {
      throw new Error(`the landing bucket cannot be deployed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    }
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

    this.ownsLanding = props.existingLanding === undefined;
    if (props.existingLanding) {
      this.landing = s3.Bucket.fromBucketName(this, 'Landing', props.existingLanding.bucketName);
      if (props.existingLanding.keyArn) {
        this.landingKey = kms.Key.fromKeyArn(this, 'LandingKey', props.existingLanding.keyArn);
      }
    } else {
      const landing = bucket('Landing', {
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
      allowUploads(landing, this.key, uploaderAccounts, uploadPrefixes);
      this.landing = landing;
    }
    this.curated = bucket('Curated', {
      lifecycleRules: (props.expiringCuratedPrefixes ?? []).map(({ prefix, days }) => ({
        id: `Expire${prefix.replace(/[^A-Za-z0-9]/g, '')}`,
        prefix,
        expiration: Duration.days(days),
      })),
    });
    this.quarantine = bucket('Quarantine', {
      lifecycleRules: [
        {
          id: 'ExpireRejects',
          expiration: Duration.days(props.quarantineExpirationDays ?? STORAGE_DEFAULTS.quarantineExpirationDays),
        },
      ],
    });
    // Denies reading quarantined objects to every principal whose ARN is not one of the readers,
    // whatever its IAM policies allow, administrators included. Only reads are denied: listing,
    // deleting (erasure, expiry) and managing the bucket and its policy stay with IAM, so nobody is
    // locked out of the bucket; an administrator reads rejects by assuming a reader role.
    this.quarantine.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'QuarantineReadsOnlyByReaders',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [this.quarantine.arnForObjects('*')],
        // aws:PrincipalArn is the role's ARN for every session of the role, whatever its session name.
        conditions: {
          ArnNotLike: { 'aws:PrincipalArn': Lazy.list({ produce: () => this.quarantineReaders }) },
        },
      }),
    );
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

  /**
   * Exempts roles from the quarantine's read deny: the functions that read rejects (the normaliser,
   * erasure) and the people's roles of `deployment.quarantineReaders`.
   */
  allowQuarantineReads(...roleArns: string[]): void {
    this.quarantineReaders.push(...roleArns);
  }
}

/**
 * cdk-nag's finding for object ARNs under a prefix of an imported bucket, which has no logical id
 * to name it by (wildcardResourceFinding covers the stack's own buckets).
 */
export function importedObjectsFinding(bucketName: string, prefix: string): string {
  return `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${bucketName}/${prefix}*]`;
}

/**
 * Lets other accounts put objects under the given prefixes, over TLS, encrypted with the stack's
 * key (the bucket's default when the upload names none) and owned by this account (the bucket
 * enforces bucket-owner ownership, so uploaded objects are never the uploader's). The key lets
 * those accounts use it through S3 only: GenerateDataKey and Encrypt to write, Decrypt because a
 * multipart upload (the CLI's choice above 8 MB) decrypts the data key for each part.
 */
function allowUploads(
  landing: s3.Bucket,
  key: kms.Key,
  accounts: readonly string[],
  prefixes: readonly string[],
): void {
  if (accounts.length === 0) return;
  const principals = accounts.map((account) => new iam.AccountPrincipal(account));
  landing.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'UploadsFromOtherAccounts',
      principals,
      actions: ['s3:PutObject'],
      resources: prefixes.map((prefix) => landing.arnForObjects(`${prefix}*`)),
      conditions: {
        Bool: { 'aws:SecureTransport': 'true' },
        StringEqualsIfExists: {
          's3:x-amz-server-side-encryption': 'aws:kms',
          's3:x-amz-server-side-encryption-aws-kms-key-id': key.keyArn,
        },
      },
    }),
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'UploadsFromOtherAccountsThroughS3',
      principals,
      actions: ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(key).region}.amazonaws.com` } },
    }),
  );
}
