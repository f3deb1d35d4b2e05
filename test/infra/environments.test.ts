import { readFileSync } from 'node:fs';
import { App, CfnResource, Stack, TagManager, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { APP_DEFAULTS } from '../../lib/app-settings.ts';
import { ATHENA_WORKGROUP_NAME, GLUE_DATABASE_NAME, resourceNames, stackNameProblem } from '../../lib/names.ts';
import { ServiceBenchStack } from '../../lib/servicebench-stack.ts';
import { STORAGE_DEFAULTS, Storage } from '../../lib/storage.ts';
import { DATABASE_REF, fixtureConfig, nagFindings, WORKGROUP_REF } from './support.ts';

describe('resourceNames', () => {
  it('keeps servicebench for the default stack, the names every deployment so far has', () => {
    expect(resourceNames(APP_DEFAULTS.stackName)).toEqual({
      glueDatabase: 'servicebench',
      athenaWorkgroup: 'servicebench',
      operationsDashboard: 'ServiceBench-operations',
    });
  });

  it('lower-cases another stack name and spells its hyphens as underscores', () => {
    expect(resourceNames('ServiceBench-Staging')).toEqual({
      glueDatabase: 'servicebench_staging',
      athenaWorkgroup: 'servicebench_staging',
      operationsDashboard: 'ServiceBench-Staging-operations',
    });
    expect(resourceNames('sb-2-EU-prod').glueDatabase).toBe('sb_2_eu_prod');
  });

  it('gives valid names for the shortest and the longest stack names', () => {
    const longest = `A${'-b9'.repeat(42)}C`;
    expect(longest).toHaveLength(128);
    for (const stackName of ['X', longest]) {
      const names = resourceNames(stackName);
      expect(names.glueDatabase).toMatch(GLUE_DATABASE_NAME);
      expect(names.athenaWorkgroup).toMatch(ATHENA_WORKGROUP_NAME);
      expect(names.operationsDashboard).toMatch(/^[A-Za-z0-9_-]{1,255}$/);
    }
    expect(resourceNames(longest).athenaWorkgroup).toHaveLength(128);
  });

  it('fails on a name CloudFormation would refuse, naming the rule', () => {
    expect(stackNameProblem('ServiceBench')).toBeUndefined();
    expect(() => resourceNames('1-stack')).toThrow(
      'the stack name must be a CloudFormation stack name: letters, digits and hyphens, starting with a letter (got "1-stack")',
    );
    expect(() => resourceNames('Service_Bench')).toThrow(/letters, digits and hyphens/);
    expect(() => resourceNames('')).toThrow(/letters, digits and hyphens/);
    expect(() => resourceNames(`S${'b'.repeat(128)}`)).toThrow(/at most 128 characters \(got 129\)/);
  });
});

const CDK_CONTEXT = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }
).context;

const UPLOADERS = ['111122223333', '444455556666'];
const READER = 'arn:aws:iam::123456789012:role/privacy/RejectReviewer';
const EXISTING = {
  bucketName: 'acme-connect-ctr',
  keyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
};

/**
 * Production and staging side by side in one app, as two `cdk deploy -c servicebench:stackName=…`
 * would put them in one account and region: production with its own landing bucket, tags,
 * uploaders from two accounts and a quarantine reader; staging on an existing landing bucket.
 * One synthesis with cdk-nag serves every test below.
 */
const app = new App({
  context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:failSynthOnValidationErrors': false },
});
const production = new ServiceBenchStack(app, 'ServiceBench', {
  config: fixtureConfig({
    deployment: {
      tags: { 'cost-centre': 'cx-42', environment: 'production' },
      uploaderAccounts: UPLOADERS,
      quarantineReaders: [READER],
    },
  }),
});
const staging = new ServiceBenchStack(app, 'ServiceBench-Staging', {
  config: fixtureConfig({ deployment: { tags: { environment: 'staging' }, landing: EXISTING } }),
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
const assembly = app.synth();
const prod = Template.fromStack(production);
const stage = Template.fromStack(staging);

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;
const resourcesOf = (template: Template) => template.toJSON().Resources as Resources;

/**
 * Every name a resource's type makes unique in an account and region: top-level `Name` and
 * `…Name` properties, and the `Name` of a Glue database's input. Left out, each with its scope:
 * an inline policy's `PolicyName` (unique within its role), a topic's `DisplayName` (a label), an
 * alarm's `MetricName` and a Glue table's `DatabaseName` (they name something else), and the
 * references to functions and buckets of the same stack (`FunctionName`, `BucketName` as Ref/GetAtt).
 */
function physicalNames(template: Template): Set<string> {
  const notNames = new Set(['PolicyName', 'DisplayName', 'MetricName', 'DatabaseName']);
  const names = new Set<string>();
  for (const resource of Object.values(resourcesOf(template))) {
    for (const [property, value] of Object.entries(resource.Properties ?? {})) {
      if (!/Name$/.test(property) || notNames.has(property)) continue;
      if (typeof value === 'string') names.add(`${resource.Type} ${property} ${value}`);
    }
    const input = resource.Properties?.DatabaseInput as { Name?: unknown } | undefined;
    if (typeof input?.Name === 'string') names.add(`${resource.Type} DatabaseInput.Name ${input.Name}`);
  }
  return names;
}

describe('two environments in one account and region', () => {
  it('share no named resource', () => {
    const prodNames = physicalNames(prod);
    const stageNames = physicalNames(stage);
    expect([...prodNames].filter((name) => stageNames.has(name))).toEqual([]);
    expect(prodNames).toContain('AWS::Glue::Database DatabaseInput.Name servicebench');
    expect(stageNames).toContain('AWS::Glue::Database DatabaseInput.Name servicebench_staging');
    expect(stageNames).toContain('AWS::Athena::WorkGroup Name servicebench_staging');
  });

  it("gives the functions, the outputs and the Glue tables each stack's own database and workgroup", () => {
    const tables = Object.values(resourcesOf(stage)).filter((r) => r.Type === 'AWS::Glue::Table');
    expect(tables.length).toBeGreaterThan(0);
    for (const table of tables) expect(table.Properties?.DatabaseName).toBe('servicebench_staging');
    stage.hasOutput('GlueDatabase', { Value: 'servicebench_staging' });
    stage.hasOutput('AthenaWorkGroup', { Value: 'servicebench_staging' });
    prod.hasOutput('GlueDatabase', { Value: 'servicebench' });
    stage.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ATHENA_WORKGROUP: WORKGROUP_REF, GLUE_DATABASE: DATABASE_REF }) },
    });
  });

  it('synthesises both with no unacknowledged cdk-nag finding', () => {
    expect(nagFindings(assembly.directory)).toEqual([]);
  });
});

describe('deployment.tags', () => {
  /** Tags of a resource as CloudFormation receives them: a list of Key/Value, or a map for a few types. */
  const tagsOf = (properties: Record<string, unknown> | undefined): Record<string, unknown> => {
    const tags = properties?.Tags ?? properties?.tags;
    if (Array.isArray(tags))
      return Object.fromEntries(tags.map((t: { Key: string; Value: unknown }) => [t.Key, t.Value]));
    return (tags as Record<string, unknown> | undefined) ?? {};
  };

  it('puts every configured tag on every resource CloudFormation can tag', () => {
    const resources = resourcesOf(prod);
    const taggable = production.node
      .findAll()
      .filter((c): c is CfnResource => CfnResource.isCfnResource(c) && TagManager.isTaggable(c));
    const types = new Set(taggable.map((r) => r.cfnResourceType));
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::SQS::Queue', 'AWS::Lambda::Function']) {
      expect(types).toContain(type);
    }
    expect(types).toContain('AWS::Athena::WorkGroup');
    for (const resource of taggable) {
      const logicalId = production.getLogicalId(resource);
      expect(tagsOf(resources[logicalId]?.Properties), `${resource.cfnResourceType} ${logicalId}`).toMatchObject({
        'cost-centre': 'cx-42',
        environment: 'production',
      });
    }
  });

  it('leaves the Glue database untagged, as its CloudFormation type takes no tags', () => {
    const database = production.catalog.database;
    expect(TagManager.isTaggable(database)).toBe(false);
    expect(resourcesOf(prod)[production.getLogicalId(database)]?.Properties).not.toHaveProperty('Tags');
  });

  it("tags each stack with its own config's tags only", () => {
    const stagingQueue =
      resourcesOf(stage)[staging.getLogicalId(staging.ingestion.queue.node.defaultChild as CfnResource)];
    expect(tagsOf(stagingQueue?.Properties)).toEqual({ environment: 'staging' });
  });
});

/** Statements of the identity policies attached to a stack's normaliser role. */
function normaliserStatements(template: Template): Record<string, unknown>[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles ?? []).includes('IngestionNormaliserRole'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[]);
}
const partitionArn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });
const NORMALISER_ROLE_ARN = { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestionNormaliserRole'), 'Arn'] };
const ERASER_ROLE_ARN = { 'Fn::GetAtt': [Match.stringLikeRegexp('^ErasureEraserRole'), 'Arn'] };

describe('an existing landing bucket (deployment.landing)', () => {
  it('creates no landing bucket and sets no bucket notification', () => {
    const buckets = Object.keys(stage.findResources('AWS::S3::Bucket'));
    expect(buckets).toHaveLength(5);
    expect(buckets.filter((id) => id.startsWith('StorageLanding'))).toEqual([]);
    stage.resourceCountIs('Custom::S3BucketNotifications', 0);
    expect(Object.keys(resourcesOf(stage)).filter((id) => id.startsWith('BucketNotificationsHandler'))).toEqual([]);
    expect(staging.storage.ownsLanding).toBe(false);
  });

  it("routes the bucket's Object Created events under the sources' prefixes to the ingestion queue, dead-lettering undeliverable ones", () => {
    stage.resourceCountIs('AWS::Events::Rule', Object.keys(prod.findResources('AWS::Events::Rule')).length + 1);
    stage.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: {
          bucket: { name: ['acme-connect-ctr'] },
          object: { key: [{ prefix: 'zendesk/' }, { prefix: 'connect/' }] },
        },
      },
      State: 'ENABLED',
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestionQueue(?!Key)'), 'Arn'] },
          Id: 'Target0',
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestionDeadLetterQueue'), 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
        },
      ],
    });
  });

  it('lets only that rule send to the queues, and EventBridge use the queue key for this account only', () => {
    const ruleArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestionLandingObjectCreated'), 'Arn'] };
    for (const queue of ['^IngestionQueue(?!Key)', '^IngestionDeadLetterQueue']) {
      stage.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: Match.stringLikeRegexp(queue) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp(queue), 'Arn'] },
              Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
            },
          ]),
        },
      });
    }
    stage.hasResourceProperties('AWS::KMS::Key', {
      Description: 'ServiceBench ingestion queues',
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
            Resource: '*',
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ]),
      },
    });
  });

  it("lets the normaliser read the sources' prefixes of that bucket and decrypt with its key, and names the bucket", () => {
    const statements = normaliserStatements(stage);
    expect(statements).toContainEqual({
      Action: 's3:GetObject',
      Effect: 'Allow',
      Resource: [partitionArn(':s3:::acme-connect-ctr/zendesk/*'), partitionArn(':s3:::acme-connect-ctr/connect/*')],
    });
    expect(statements).toContainEqual({
      Action: 's3:ListBucket',
      Effect: 'Allow',
      Resource: partitionArn(':s3:::acme-connect-ctr'),
    });
    expect(statements).toContainEqual({ Action: 'kms:Decrypt', Effect: 'Allow', Resource: EXISTING.keyArn });
    stage.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('normalises landed exports'),
      Environment: { Variables: Match.objectLike({ LANDING_BUCKET: 'acme-connect-ctr' }) },
    });
    stage.hasOutput('LandingBucket', { Value: 'acme-connect-ctr' });
    stage.hasOutput('LandingConnect', { Value: 's3://acme-connect-ctr/connect/' });
  });

  it("prints the statements the bucket's owner adds to the bucket and key policies, naming the normaliser's role", () => {
    const outputs = stage.toJSON().Outputs as Record<string, { Value: unknown }>;
    const rendered = (name: string) => {
      const value = outputs[name]?.Value as { 'Fn::Join': [string, unknown[]] };
      const text = value['Fn::Join'][1]
        .map((part) => (typeof part === 'string' ? part : JSON.stringify(part).includes('Partition') ? 'aws' : 'ROLE'))
        .join('');
      return JSON.parse(text) as unknown;
    };
    expect(rendered('LandingBucketPolicyStatements')).toEqual([
      {
        Sid: 'ServiceBenchNormaliserReads',
        Effect: 'Allow',
        Principal: { AWS: 'ROLE' },
        Action: 's3:GetObject',
        Resource: ['arn:aws:s3:::acme-connect-ctr/zendesk/*', 'arn:aws:s3:::acme-connect-ctr/connect/*'],
      },
      {
        Sid: 'ServiceBenchNormaliserLists',
        Effect: 'Allow',
        Principal: { AWS: 'ROLE' },
        Action: 's3:ListBucket',
        Resource: 'arn:aws:s3:::acme-connect-ctr',
      },
    ]);
    expect(rendered('LandingKeyPolicyStatement')).toEqual({
      Sid: 'ServiceBenchNormaliserDecrypts',
      Effect: 'Allow',
      Principal: { AWS: 'ROLE' },
      Action: 'kms:Decrypt',
      Resource: '*',
    });
    expect(JSON.stringify(outputs.LandingKeyPolicyStatement)).toMatch(
      /"Fn::GetAtt":\["IngestionNormaliserRole[0-9A-F]+","Arn"\]/,
    );
    expect(Object.keys(prod.toJSON().Outputs)).not.toContain('LandingBucketPolicyStatements');
  });

  it('fails at synth when uploader accounts are asked of a bucket the stack does not own', () => {
    const stack = new Stack(new App(), 'Check');
    expect(
      () =>
        new Storage(stack, 'Storage', {
          existingLanding: EXISTING,
          uploaderAccounts: ['111122223333'],
          uploadPrefixes: ['connect/'],
        }),
    ).toThrow(
      /deployment\.uploaderAccounts: the stack cannot change the policy of the existing landing bucket acme-connect-ctr; grant those accounts in that bucket's own policy, or leave out deployment\.landing/,
    );
    expect(() => new Storage(stack, 'NoSources', { uploaderAccounts: ['111122223333'] })).toThrow(
      /deployment\.uploaderAccounts: there is no source to upload for/,
    );
  });
});

describe('uploads from other accounts (deployment.uploaderAccounts)', () => {
  const accountRoots = UPLOADERS.map((account) => ({ AWS: partitionArn(`:iam::${account}:root`) }));
  const principal = { AWS: UPLOADERS.map((account) => partitionArn(`:iam::${account}:root`)) };

  it("lets exactly those accounts put objects under the sources' prefixes, over TLS, with the stack's key only", () => {
    expect(accountRoots).toHaveLength(2);
    prod.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^StorageLanding') },
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'UploadsFromOtherAccounts',
            Effect: 'Allow',
            Principal: principal,
            Action: 's3:PutObject',
            Resource: [
              {
                'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageLanding'), 'Arn'] }, '/zendesk/*']],
              },
              {
                'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageLanding'), 'Arn'] }, '/connect/*']],
              },
            ],
            Condition: {
              Bool: { 'aws:SecureTransport': 'true' },
              StringEqualsIfExists: {
                's3:x-amz-server-side-encryption': 'aws:kms',
                's3:x-amz-server-side-encryption-aws-kms-key-id': {
                  'Fn::GetAtt': [Match.stringLikeRegexp('^StorageKey'), 'Arn'],
                },
              },
            },
          },
        ]),
      },
    });
    prod.hasResourceProperties('AWS::S3::Bucket', {
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });

  it('lets them use the data key through S3 only, to write', () => {
    prod.hasResourceProperties('AWS::KMS::Key', {
      Description: Match.stringLikeRegexp('data lake'),
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'UploadsFromOtherAccountsThroughS3',
            Effect: 'Allow',
            Principal: principal,
            Action: ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'],
            Resource: '*',
            Condition: {
              StringEquals: {
                'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
              },
            },
          },
        ]),
      },
    });
    prod.hasOutput('UploadKey', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageKey'), 'Arn'] } });
  });

  it('grants no other account anything when none is configured', () => {
    expect(JSON.stringify(stage.toJSON())).not.toMatch(/UploadsFromOtherAccounts/);
    expect(Object.keys(stage.toJSON().Outputs)).not.toContain('UploadKey');
  });
});

describe('quarantine reads', () => {
  it('takes IAM role ARNs as readers and refuses anything else, naming the field', () => {
    expect(fixtureConfig({ deployment: { quarantineReaders: [READER] } }).deployment.quarantineReaders).toEqual([
      READER,
    ]);
    expect(fixtureConfig().deployment.quarantineReaders).toEqual([]);
    for (const bad of ['arn:aws:iam::123456789012:user/alice', 'RejectReviewer', 'arn:aws:iam::1234:role/x']) {
      expect(() => fixtureConfig({ deployment: { quarantineReaders: [bad] } })).toThrow(
        /deployment\.quarantineReaders\.0: must be an IAM role ARN \(arn:aws:iam::<account>:role\/<name>\)/,
      );
    }
  });

  const quarantineDeny = (readers: unknown[]) => ({
    Bucket: { Ref: Match.stringLikeRegexp('^StorageQuarantine') },
    PolicyDocument: {
      Statement: Match.arrayWith([
        {
          Sid: 'QuarantineReadsOnlyByReaders',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: ['s3:GetObject', 's3:GetObjectVersion'],
          Resource: {
            'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageQuarantine'), 'Arn'] }, '/*']],
          },
          Condition: { ArnNotLike: { 'aws:PrincipalArn': readers } },
        },
      ]),
    },
  });

  it('are denied to every principal but the normaliser, the eraser and the configured readers', () => {
    prod.hasResourceProperties('AWS::S3::BucketPolicy', quarantineDeny([NORMALISER_ROLE_ARN, READER, ERASER_ROLE_ARN]));
    stage.hasResourceProperties('AWS::S3::BucketPolicy', quarantineDeny([NORMALISER_ROLE_ARN, ERASER_ROLE_ARN]));
  });

  it('deny reads only, so listing, deleting and managing the bucket stay with IAM', () => {
    const policy = Object.values(prod.findResources('AWS::S3::BucketPolicy')).find((p) =>
      JSON.stringify(p.Properties.Bucket).includes('StorageQuarantine'),
    );
    const statements = (policy?.Properties.PolicyDocument.Statement ?? []) as {
      Effect: string;
      Action: unknown;
      Condition: unknown;
    }[];
    const denies = statements.filter((s) => s.Effect === 'Deny');
    expect(denies.map((s) => s.Action)).toEqual(['s3:*', ['s3:GetObject', 's3:GetObjectVersion']]);
    expect(denies[0]?.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
  });

  it('hold encrypted rows that expire', () => {
    prod.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'quarantine/' }),
      BucketEncryption: Match.objectLike({
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) }),
        ],
      }),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Id: 'ExpireRejects',
            ExpirationInDays: STORAGE_DEFAULTS.quarantineExpirationDays,
            Status: 'Enabled',
          }),
        ]),
      },
    });
  });
});
