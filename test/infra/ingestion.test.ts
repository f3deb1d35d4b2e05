import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/core/config/config.ts';
import { CONFIG_FILE_NAME } from '../../lambdas/core/env/environment.ts';
import { TABLE_NAMES } from '../../lambdas/core/schema/canonical.ts';
import { INGESTION_DEFAULTS } from '../../lib/ingestion.ts';
import { fixtureConfig, synth } from './support.ts';

const { template } = synth();
const normaliserProps = { Description: Match.stringLikeRegexp('normalises landed exports') };
const functionId = Object.keys(template.findResources('AWS::Lambda::Function', { Properties: normaliserProps }))[0];
const policies = () =>
  Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
    JSON.stringify(p.Properties.Roles ?? []).includes('IngestionNormaliserRole'),
  );
const statements = () => policies().flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[]);

describe('Ingestion', () => {
  it('sends every landing object-created event to the queue', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: Match.stringLikeRegexp('^StorageLanding') },
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            QueueArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestionQueue'), 'Arn'] },
          },
        ],
      },
    });
  });

  it('encrypts the queue with its own rotating key, dead-letters after a few deliveries, hides messages for 6× the timeout', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: 'ServiceBench ingestion queues',
      EnableKeyRotation: true,
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestionQueueKey'), 'Arn'] },
      VisibilityTimeout: INGESTION_DEFAULTS.timeout.toSeconds() * 6,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestionDeadLetterQueue'), 'Arn'] },
        maxReceiveCount: INGESTION_DEFAULTS.maxReceiveCount,
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestionQueueKey'), 'Arn'] },
      MessageRetentionPeriod: 14 * 24 * 3600,
      RedrivePolicy: Match.absent(),
    });
  });

  it('accepts only TLS connections on both queues', () => {
    const tlsOnly = template.findResources('AWS::SQS::QueuePolicy', {
      Properties: {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
        Queues: [{ Ref: Match.stringLikeRegexp('^Ingestion(Queue|DeadLetterQueue)') }],
      },
    });
    expect(Object.keys(tlsOnly)).toHaveLength(2);
  });

  it('runs the normaliser on Node 22 ESM bundles sized for large files, with bounded concurrency from the config', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      ...normaliserProps,
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Timeout: 900,
      MemorySize: INGESTION_DEFAULTS.memorySize,
      EphemeralStorage: { Size: 10240 },
      ReservedConcurrentExecutions: 4,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('^IngestionNormaliserLogs') } },
    });
  });

  it('falls back to the default concurrency when the config sets none', () => {
    const config = fixtureConfig({ deployment: {} });
    synth({ config }).template.hasResourceProperties('AWS::Lambda::Function', {
      ...normaliserProps,
      ReservedConcurrentExecutions: INGESTION_DEFAULTS.maxConcurrency,
    });
  });

  it('reads the queue in small batches and reports partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionId },
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestionQueue'), 'Arn'] },
      BatchSize: INGESTION_DEFAULTS.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 4 },
    });
  });

  it('bundles the sources next to the handler and names the file in the typed environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      ...normaliserProps,
      Environment: { Variables: Match.objectLike({ SERVICEBENCH_CONFIG_FILE: CONFIG_FILE_NAME }) },
    });
    const { stack } = synth();
    const bundled = stack.ingestion.normaliser.bundledFiles[CONFIG_FILE_NAME] as string;
    const parsed = parseConfig(JSON.parse(bundled));
    expect(Object.keys(JSON.parse(bundled))).toEqual(['sources', 'alerts']);
    expect(parsed.sources.map((s) => s.name)).toEqual(['zendesk', 'connect']);
    expect(parsed.sources[1]?.timeZone).toBe('Europe/Paris');
  });

  it('keeps the pseudonymisation key in a generated, KMS-encrypted secret, never in the environment', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: INGESTION_DEFAULTS.pseudonymKeyLength, ExcludePunctuation: true },
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageKey'), 'Arn'] },
    });
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      ...normaliserProps,
      Environment: {
        Variables: Match.objectLike({
          PSEUDONYM_SECRET_ARN: { Ref: Match.stringLikeRegexp('^IngestionPseudonymKey') },
        }),
      },
    });
    expect(statements()).toContainEqual(
      expect.objectContaining({
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: { Ref: expect.stringMatching(/^IngestionPseudonymKey/) },
      }),
    );
  });

  it('lets the normaliser read only the configured source prefixes of the landing bucket', () => {
    const landingRead = statements().find(
      (s) => s.Action === 's3:GetObject' && JSON.stringify(s.Resource).includes('StorageLanding'),
    );
    const resources = JSON.stringify(landingRead?.Resource);
    expect(resources).toContain('/zendesk/*');
    expect(resources).toContain('/connect/*');
    expect(
      statements().some(
        (s) => String(s.Action).includes('s3:PutObject') && JSON.stringify(s.Resource).includes('StorageLanding'),
      ),
    ).toBe(false);
  });

  it('grants exact object actions and no wildcard actions', () => {
    const actions = statements().flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]) as string[]);
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    expect(actions).toEqual(
      expect.arrayContaining(['s3:PutObject', 's3:DeleteObject', 'kms:Decrypt', 'kms:GenerateDataKey']),
    );
  });

  it('fails with every unknown adapter and invalid option named at synth', () => {
    const config = fixtureConfig({
      sources: [
        { name: 'tickets', adapter: 'zendesk-tickets' },
        { name: 'survey', adapter: 'qualtrics' },
        { name: 'calls', adapter: 'amazon-connect-ctr' },
      ],
    });
    const build = () => synth({ config });
    expect(build).toThrow(/sources\.0 \(tickets\)\.adapter: unknown adapter "zendesk-tickets"/);
    expect(build).toThrow(/sources\.1 \(survey\)\.options\.questions/);
  });

  it('deploys a config far larger than the 4 KB a Lambda environment holds', () => {
    const large = fixtureConfig({
      sources: Array.from({ length: 40 }, (_, i) => ({
        name: `source-${i}`,
        adapter: 'zendesk',
        description: `Helpdesk ${i}: ${'tickets of one brand, exported nightly. '.repeat(10)}`,
      })),
    });
    const { stack } = synth({ config: large });
    expect(stack.ingestion.normaliser.bundledFiles[CONFIG_FILE_NAME]?.length).toBeGreaterThan(16_000);
  });
});

describe('Compaction', () => {
  const compactorProps = { Description: Match.stringLikeRegexp('compacts touched curated partitions') };
  const compactorId = Object.keys(template.findResources('AWS::Lambda::Function', { Properties: compactorProps }))[0];
  const compactorStatements = () =>
    Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles ?? []).includes('IngestionCompactorRole'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[]);
  const curatedObjects = (suffix: string) => ({
    'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^StorageCurated/), 'Arn'] }, suffix]],
  });

  it('queues touched partitions on an encrypted FIFO queue with its own ids, dead-lettered after a few deliveries', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      ContentBasedDeduplication: false,
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestionQueueKey'), 'Arn'] },
      VisibilityTimeout: INGESTION_DEFAULTS.compactorTimeout.toSeconds() * INGESTION_DEFAULTS.visibilityTimeoutFactor,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestionCompactionDeadLetterQueue'), 'Arn'] },
        maxReceiveCount: INGESTION_DEFAULTS.maxReceiveCount,
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestionQueueKey'), 'Arn'] },
      MessageRetentionPeriod: INGESTION_DEFAULTS.deadLetterRetention.toSeconds(),
      RedrivePolicy: Match.absent(),
    });
    const tlsOnly = template.findResources('AWS::SQS::QueuePolicy', {
      Properties: {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
        Queues: [{ Ref: Match.stringLikeRegexp('^IngestionCompaction(Queue|DeadLetterQueue)') }],
      },
    });
    expect(Object.keys(tlsOnly)).toHaveLength(2);
  });

  it('gives the normaliser the queue URL and lets it send there, with exact actions', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      ...normaliserProps,
      Environment: {
        Variables: Match.objectLike({
          COMPACTION_QUEUE_URL: { Ref: Match.stringLikeRegexp('^IngestionCompactionQueue') },
        }),
      },
    });
    expect(statements()).toContainEqual(
      expect.objectContaining({
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^IngestionCompactionQueue/), 'Arn'] },
      }),
    );
  });

  it('runs the compactor on every batch of the queue, reporting partial batch failures, with bounded concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      ...compactorProps,
      Runtime: 'nodejs22.x',
      Timeout: INGESTION_DEFAULTS.compactorTimeout.toSeconds(),
      MemorySize: INGESTION_DEFAULTS.compactorMemorySize,
      Environment: {
        Variables: {
          CURATED_BUCKET: { Ref: Match.stringLikeRegexp('^StorageCurated') },
        },
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: compactorId },
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestionCompactionQueue'), 'Arn'] },
      BatchSize: INGESTION_DEFAULTS.compactorBatchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: INGESTION_DEFAULTS.compactorMaxConcurrency },
    });
  });

  it('lets the compactor read only staging files and write or delete only partition files of the canonical tables', () => {
    const s3 = compactorStatements().filter(
      (s) => String(s.Action).startsWith('s3:') || JSON.stringify(s.Action).includes('"s3:'),
    );
    const read = s3.find((s) => s.Action === 's3:GetObject');
    expect(read?.Resource).toEqual(curatedObjects('/_staging/*'));
    const write = s3.find((s) => JSON.stringify(s.Action) === JSON.stringify(['s3:PutObject', 's3:DeleteObject']));
    expect(write?.Resource).toEqual(TABLE_NAMES.map((table) => curatedObjects(`/${table}/*`)));
    const actions = compactorStatements().flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]) as string[]);
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    expect(actions.filter((a) => a.startsWith('secretsmanager:') || a.startsWith('comprehend:'))).toEqual([]);
    expect(JSON.stringify(compactorStatements())).not.toMatch(/StorageLanding|StorageQuarantine/);
  });

  it('alarms on compactor errors and on compaction dead letters', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: compactorId } }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestionCompactionDeadLetterQueue'), 'QueueName'] },
        },
      ],
    });
  });
});
