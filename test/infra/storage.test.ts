import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { STORAGE_DEFAULTS } from '../../lib/storage.ts';
import { synth } from './support.ts';

const { template } = synth();
const buckets = template.findResources('AWS::S3::Bucket');
const bucketIds = Object.keys(buckets);
const idOf = (prefix: string) => {
  const id = bucketIds.find((b) => b.startsWith(prefix));
  if (!id) throw new Error(`no bucket ${prefix}`);
  return id;
};
// biome-ignore lint/suspicious/noExplicitAny: template JSON
const props = (id: string): any => (buckets[id] as { Properties: unknown }).Properties;
const KMS_BUCKETS = ['StorageLanding', 'StorageCurated', 'StorageQuarantine', 'StorageExports', 'StorageAthenaResults'];

describe('Storage', () => {
  it('creates the six buckets of the lake', () => {
    expect(bucketIds).toHaveLength(6);
    for (const prefix of [...KMS_BUCKETS, 'StorageAccessLogs']) expect(idOf(prefix)).toBeDefined();
  });

  it('encrypts the data with one customer-managed key that rotates', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      Description: Match.stringLikeRegexp('data lake'),
    });
    for (const prefix of KMS_BUCKETS) {
      expect(props(idOf(prefix)).BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^StorageKey/), 'Arn'] },
            },
          },
        ],
      });
    }
  });

  it('keeps the access-logs bucket on S3-managed keys, as server access logging requires', () => {
    expect(props(idOf('StorageAccessLogs')).BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
  });

  it('blocks every form of public access on every bucket', () => {
    for (const id of bucketIds) {
      expect(props(id).PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
  });

  it('refuses plain-HTTP requests on every bucket', () => {
    const policies = template.findResources('AWS::S3::BucketPolicy', {
      Properties: {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      },
    });
    const covered = Object.values(policies).map((p) => (p.Properties.Bucket as { Ref: string }).Ref);
    expect(covered.sort()).toEqual([...bucketIds].sort());
  });

  it('logs requests of every data bucket to the access-logs bucket', () => {
    for (const prefix of KMS_BUCKETS) {
      expect(props(idOf(prefix)).LoggingConfiguration).toEqual({
        DestinationBucketName: { Ref: idOf('StorageAccessLogs') },
        LogFilePrefix: expect.stringMatching(/\/$/),
      });
    }
  });

  it('versions the landing bucket, tiers raw objects and expires old versions', () => {
    const landing = props(idOf('StorageLanding'));
    expect(landing.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(landing.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Transitions: [
            { StorageClass: 'STANDARD_IA', TransitionInDays: STORAGE_DEFAULTS.landingInfrequentAccessDays },
            { StorageClass: 'GLACIER_IR', TransitionInDays: STORAGE_DEFAULTS.landingGlacierIrDays },
          ],
        }),
        expect.objectContaining({
          NoncurrentVersionExpiration: { NoncurrentDays: STORAGE_DEFAULTS.noncurrentVersionExpirationDays },
        }),
      ]),
    );
    expect(JSON.stringify(props(idOf('StorageLanding')).LifecycleConfiguration)).not.toContain('ExpirationInDays');
    // Curated data never expires; only the alert markers, outside every table's folder, do.
    const expiring = (props(idOf('StorageCurated')).LifecycleConfiguration.Rules as Record<string, unknown>[]).filter(
      (rule) => 'ExpirationInDays' in rule,
    );
    expect(expiring.map((rule) => rule.Prefix)).toEqual(['_alerts/published/']);
  });

  it('expires rejects and query results', () => {
    const rules = (prefix: string) => props(idOf(prefix)).LifecycleConfiguration.Rules;
    expect(rules('StorageQuarantine')).toContainEqual(
      expect.objectContaining({ ExpirationInDays: STORAGE_DEFAULTS.quarantineExpirationDays, Status: 'Enabled' }),
    );
    expect(rules('StorageAthenaResults')).toContainEqual(
      expect.objectContaining({ ExpirationInDays: STORAGE_DEFAULTS.athenaResultsExpirationDays, Status: 'Enabled' }),
    );
  });

  it('retains buckets and the key when the stack is deleted, by default', () => {
    for (const id of bucketIds) expect(buckets[id]?.DeletionPolicy).toBe('Retain');
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  it('deletes buckets with their objects only when allowDestroy is set', () => {
    const destroyable = synth({ allowDestroy: true }).template;
    const all = destroyable.findResources('AWS::S3::Bucket');
    for (const bucket of Object.values(all)) expect(bucket.DeletionPolicy).toBe('Delete');
    destroyable.resourceCountIs('Custom::S3AutoDeleteObjects', 6);
  });

  it('lets the closed-loop alert markers expire from the curated bucket once they guard nothing', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          { Id: 'Expirealertspublished', Prefix: '_alerts/published/', ExpirationInDays: 11, Status: 'Enabled' },
        ]),
      },
    });
  });
});
