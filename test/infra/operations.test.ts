import { readFileSync } from 'node:fs';
import { Capture, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../lambdas/core/config/defaults.ts';
import { fixtureConfig, nagFindings, synth } from './support.ts';

/** The fixture's sources, zendesk watched for silence. */
const SOURCES = [
  { name: 'zendesk', adapter: 'zendesk', silenceHours: 24 },
  { name: 'connect', adapter: 'amazon-connect-ctr', timeZone: 'Europe/Paris' },
];
const { template } = synth({
  config: fixtureConfig({
    sources: SOURCES,
    deployment: { alarmEmail: 'alarms@example.com', maxNormaliserConcurrency: 4, rejectShareAlarm: 0.07 },
  }),
});
/** No alarm e-mail, no report, no source watched for silence. */
const quiet = synth({ config: fixtureConfig({ deployment: {}, reports: [] }) }).template;
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

describe('alarms on what fails silently', () => {
  const ours = (metric: string) =>
    Object.values(alarms).filter(
      (a) => a.Properties.Namespace === 'ServiceBench' && a.Properties.MetricName === metric,
    );

  it('alarms on any file rejected whole in five minutes, over every source of the stack', () => {
    expect(ours('FilesRejectedWhole').map((a) => a.Properties)).toEqual([
      expect.objectContaining({
        Dimensions: [{ Name: 'Stack', Value: 'ServiceBench' }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmDescription: expect.stringContaining('docs/deploy.md#a-file-rejected-whole'),
      }),
    ]);
  });

  it('alarms on a file whose reject share is above deployment.rejectShareAlarm, else the default', () => {
    expect(ours('RejectShare').map((a) => a.Properties)).toEqual([
      expect.objectContaining({
        Dimensions: [{ Name: 'Stack', Value: 'ServiceBench' }],
        Statistic: 'Maximum',
        Period: 300,
        Threshold: 0.07,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmDescription: expect.stringMatching(
          /^A landed file had more than 7 % of its records rejected .*#a-files-reject-share$/,
        ),
      }),
    ]);
    quiet.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'RejectShare',
      Threshold: DEFAULTS.maxRejectShare,
    });
  });

  it('alarms per source that sets silenceHours, above its hours since the last delivery', () => {
    expect(ours('HoursSinceDelivery').map((a) => a.Properties)).toEqual([
      expect.objectContaining({
        Dimensions: [
          { Name: 'Source', Value: 'zendesk' },
          { Name: 'Stack', Value: 'ServiceBench' },
        ],
        Statistic: 'Maximum',
        Period: 3600,
        Threshold: 24,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmDescription: expect.stringContaining('docs/deploy.md#a-silent-source'),
      }),
    ]);
  });

  it('points every alarm to a section of the runbook that exists', () => {
    // GitHub's heading anchors: lower case, punctuation dropped, spaces as dashes.
    const anchors = new Set(
      readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('#'))
        .map((line) =>
          line
            .replace(/^#+\s*/, '')
            .toLowerCase()
            .replace(/[^a-z0-9 -]/g, '')
            .replaceAll(' ', '-'),
        ),
    );
    for (const alarm of Object.values(alarms)) {
      const [, anchor] = /Runbook: docs\/deploy\.md#([a-z-]+)$/.exec(alarm.Properties.AlarmDescription) ?? [];
      expect(anchors).toContain(anchor);
    }
  });

  it('passes the stack name to the normaliser, the Stack dimension of its metrics', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('normalises landed exports'),
      Environment: { Variables: Match.objectLike({ STACK_NAME: 'ServiceBench' }) },
    });
  });
});

describe('silence check', () => {
  const checker = () => {
    const [logicalId, fn] =
      Object.entries(template.findResources('AWS::Lambda::Function')).find(([, f]) =>
        String(f.Properties.Description).includes('since each watched source'),
      ) ?? [];
    return { logicalId: logicalId ?? '', fn };
  };

  it('watches the sources that set silenceHours, and exists only when one does', () => {
    expect(checker().fn?.Properties.Environment.Variables).toMatchObject({
      STACK_NAME: 'ServiceBench',
      DELIVERIES_BUCKET: { Ref: expect.stringMatching(/^StorageCurated/) },
      WATCHED_SOURCES: '{"zendesk":24}',
    });
    expect(
      Object.values(quiet.findResources('AWS::Lambda::Function')).filter((f) =>
        String(f.Properties.Description).includes('since each watched source'),
      ),
    ).toEqual([]);
  });

  it('runs hourly from EventBridge Scheduler, with a dead-letter queue whose depth alarms', () => {
    const { logicalId } = checker();
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Description: 'ServiceBench silence check',
      ScheduleExpression: 'rate(1 hour)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [logicalId, 'Arn'] },
        DeadLetterConfig: {
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OperationsSilenceCheckDeadLetterQueue'), 'Arn'] },
        },
      }),
    });
    expect(alarmOn('ApproximateNumberOfMessagesVisible', /OperationsSilenceCheckDeadLetterQueue/)).toHaveLength(1);
    expect(alarmOn('Errors', new RegExp(logicalId))).toHaveLength(1);
  });

  it('may read the delivery markers and write only a watch-start marker, nothing else of the lake', () => {
    const { logicalId } = checker();
    const roleRef = template.findResources('AWS::Lambda::Function')[logicalId]?.Properties.Role['Fn::GetAtt'][0];
    const statements = new Capture();
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleRef }],
      PolicyDocument: { Statement: statements },
    });
    const granted = (statements.asArray() as { Action: string | string[]; Resource: unknown }[]).map((s) => ({
      actions: [s.Action].flat(),
      resource: JSON.stringify(s.Resource),
    }));
    const s3Actions = granted.filter((g) => g.actions.some((a) => a.startsWith('s3:')));
    expect(s3Actions).toEqual(
      expect.arrayContaining([
        { actions: ['s3:GetObject'], resource: expect.stringMatching(/StorageCurated.*\/_deliveries\/\*"/) },
        {
          actions: ['s3:PutObject'],
          resource: expect.stringMatching(/StorageCurated.*\/_deliveries\/\*\/watched-since\.json"/),
        },
        { actions: ['s3:ListBucket'], resource: expect.stringMatching(/StorageCurated/) },
      ]),
    );
    expect(s3Actions.flatMap((g) => g.actions).sort()).toEqual(['s3:GetObject', 's3:ListBucket', 's3:PutObject']);
    // Besides S3, the key and its logs: sending a failed run to its own dead-letter queue.
    const others = granted.filter((g) => !g.actions.some((a) => /^(s3|kms|logs):/.test(a)));
    expect(others).toEqual([
      {
        actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
        resource: expect.stringMatching(
          /^\{"Fn::GetAtt":\["OperationsSilenceCheckDeadLetterQueue[0-9A-F]+","Arn"\]\}$/,
        ),
      },
    ]);
  });
});

describe('cdk-nag AwsSolutions with a source watched for silence', () => {
  it('finds nothing unacknowledged in the silence check, its schedule and its queue', () => {
    const { outdir } = synth({ nag: true, config: fixtureConfig({ sources: SOURCES }) });
    expect(nagFindings(outdir)).toEqual([]);
  });
});

describe('dashboard', () => {
  const dashboards = template.findResources('AWS::CloudWatch::Dashboard');
  const body = () => {
    const [dashboard] = Object.values(dashboards);
    return JSON.stringify(dashboard?.Properties.DashboardBody);
  };

  it('is one dashboard named after the stack', () => {
    expect(Object.values(dashboards).map((d) => d.Properties.DashboardName)).toEqual(['ServiceBench-operations']);
  });

  it('charts ingestion, rejects, queue age, dead letters, Athena bytes scanned, exports and alarm states', () => {
    const text = body();
    for (const title of [
      'Alarms',
      'Ingestion: files landed per source',
      'Ingestion: rows accepted and rejected per source',
      'Rejects: files rejected whole',
      'Rejects: highest reject share of a file',
      'Queues: age of the oldest message',
      'Queues: dead letters and failures waiting',
      'Athena: bytes scanned',
      'Sources: hours since the last delivery',
      'Exports: runs, errors and failed runs waiting',
      'Exports: duration',
    ]) {
      expect(text).toContain(title);
    }
    for (const metric of [
      'FilesLanded',
      'RowsAccepted',
      'RowsRejected',
      'FilesRejectedWhole',
      'RejectShare',
      'ApproximateAgeOfOldestMessage',
      'ProcessedBytes',
      'HoursSinceDelivery',
      'Invocations',
      'Duration',
    ]) {
      expect(text).toContain(metric);
    }
    expect(text).toMatch(/alarm/);
    // Only the watched source has hours since delivery; the quiet stack watches none and has no such graph.
    expect(text.match(/HoursSinceDelivery/g)).toHaveLength(1);
    const quietBody = JSON.stringify(Object.values(quiet.findResources('AWS::CloudWatch::Dashboard'))[0]?.Properties);
    expect(quietBody).not.toContain('HoursSinceDelivery');
    expect(quietBody).toContain('FilesLanded');
    expect(text).toContain('WorkGroup=\\\\\\"');
  });
});
