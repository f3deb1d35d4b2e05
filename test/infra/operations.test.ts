import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { fixtureConfig, synth } from './support.ts';

const { template } = synth();
const alarms = template.findResources('AWS::CloudWatch::Alarm');
const alarmOn = (metric: string, dimension: RegExp) =>
  Object.values(alarms).filter(
    (a) => a.Properties.MetricName === metric && JSON.stringify(a.Properties.Dimensions).match(dimension),
  );

describe('Operations', () => {
  it('alarms on the depth of every dead-letter and failure queue', () => {
    for (const queue of [
      /IngestionDeadLetterQueue/,
      /ExportsSchedulerDeadLetterQueue/,
      /ExportsFailedExports/,
      /RefreshFailedRefreshes/,
    ]) {
      const [alarm] = alarmOn('ApproximateNumberOfMessagesVisible', queue);
      expect(alarm?.Properties).toMatchObject({
        Namespace: 'AWS/SQS',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Statistic: 'Maximum',
      });
    }
  });

  it('alarms on errors and throttles of each function', () => {
    for (const fn of [/IngestionNormaliserFunction/, /ExportsExporterFunction/, /ViewsDeployerFunction/]) {
      expect(alarmOn('Errors', fn)).toHaveLength(1);
      expect(alarmOn('Throttles', fn)).toHaveLength(1);
    }
  });

  it('alarms on errors of the refresh, but not on its throttles: one run at a time queues the next', () => {
    expect(alarmOn('Errors', /RefreshRefresherFunction/)).toHaveLength(1);
    expect(alarmOn('Throttles', /RefreshRefresherFunction/)).toHaveLength(0);
  });

  it('sends every alarm to the encrypted alarm topic, which CloudWatch may use the key for', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'ServiceBench alarms',
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageKey'), 'Arn'] },
    });
    for (const alarm of Object.values(alarms)) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^OperationsAlarmTopic/) }]);
      expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
    }
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: Match.stringLikeRegexp('data lake'),
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          }),
        ]),
      },
    });
  });

  it('subscribes the configured alarm e-mail, and nobody when none is configured', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'alarms@example.com',
      TopicArn: { Ref: Match.stringLikeRegexp('^OperationsAlarmTopic') },
    });
    const quiet = synth({ config: fixtureConfig({ deployment: {}, reports: [] }) }).template;
    quiet.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('logs every function as JSON to its own log group with a retention', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter((f) =>
      String(f.Properties.Description).startsWith('ServiceBench'),
    );
    expect(functions.map((f) => f.Properties.Description)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/normalises landed exports/),
        expect.stringMatching(/runs a scheduled report/),
        expect.stringMatching(/creates the Athena views/),
        expect.stringMatching(/rewrites the materialised metric tables/),
      ]),
    );
    for (const fn of functions) expect(fn.Properties.LoggingConfig.LogFormat).toBe('JSON');
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
      expect(group.Properties.RetentionInDays).toBe(90);
    }
  });
});

describe('outputs', () => {
  it('tells the platform team where to land files, what to query and where reports go', () => {
    template.hasOutput('LandingBucket', { Value: { Ref: Match.stringLikeRegexp('^StorageLanding') } });
    template.hasOutput('LandingZendesk', {
      Value: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^StorageLanding') }, '/zendesk/']] },
    });
    template.hasOutput('LandingConnect', { Description: Match.stringLikeRegexp('adapter amazon-connect-ctr') });
    template.hasOutput('AthenaWorkGroup', { Value: 'servicebench' });
    template.hasOutput('GlueDatabase', { Value: 'servicebench' });
    template.hasOutput('ExportsBucket', { Value: { Ref: Match.stringLikeRegexp('^StorageExports') } });
  });
});
