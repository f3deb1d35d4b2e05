import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/core/config/config.ts';
import { EXPORTS_PREFIX } from '../../lambdas/core/config/reports.ts';
import { CONFIG_FILE_NAME } from '../../lambdas/core/env/environment.ts';
import { EXPORTS_DEFAULTS } from '../../lib/exports.ts';
import { fixtureConfig, synth } from './support.ts';

const { template } = synth();
const exporter = { Description: Match.stringLikeRegexp('runs a scheduled report') };
const exporterStatements = (t = template) =>
  Object.values(t.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles ?? []).includes('ExportsExporterRole'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);

describe('ScheduledExports', () => {
  it('schedules each configured report with its cron, time zone, a flexible window, retries and a dead-letter queue', () => {
    const reports = template.findResources('AWS::Scheduler::Schedule', {
      Properties: { Description: Match.stringLikeRegexp('^ServiceBench report ') },
    });
    expect(Object.keys(reports)).toHaveLength(2);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 7 1 * ? *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: EXPORTS_DEFAULTS.flexibleWindow.toMinutes() },
      Target: {
        // A report run starts with the metric refresh, which carries the request on to the exporter.
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RefreshRefresherFunction'), 'Arn'] },
        Input: JSON.stringify({ export: { report: 'monthly-exec' } }),
        RetryPolicy: { MaximumRetryAttempts: EXPORTS_DEFAULTS.schedulerRetryAttempts, MaximumEventAgeInSeconds: 21600 },
        DeadLetterConfig: {
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ExportsSchedulerDeadLetterQueue'), 'Arn'] },
        },
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ExportsSchedulerRole'), 'Arn'] },
      },
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 6 ? * MON *)',
      ScheduleExpressionTimezone: 'UTC',
      Target: Match.objectLike({ Input: JSON.stringify({ export: { report: 'weekly-ops' } }) }),
    });
  });

  it('starts the exporter with the report request of each refresh that succeeded, with retries and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['lambda'],
        'detail-type': ['Lambda Function Invocation Result - Success'],
        detail: {
          requestContext: {
            functionArn: [
              {
                prefix: {
                  'Fn::Join': [
                    '',
                    [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^RefreshRefresherFunction'), 'Arn'] }, ':'],
                  ],
                },
              },
            ],
          },
          responsePayload: { export: { report: [{ exists: true }] } },
        },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ExportsExporterFunction'), 'Arn'] },
          InputPath: '$.detail.responsePayload.export',
          RetryPolicy: {
            MaximumRetryAttempts: EXPORTS_DEFAULTS.schedulerRetryAttempts,
            MaximumEventAgeInSeconds: EXPORTS_DEFAULTS.schedulerMaxEventAge.toSeconds(),
          },
          DeadLetterConfig: {
            Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ExportsSchedulerDeadLetterQueue'), 'Arn'] },
          },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ExportsExporterFunction'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'events.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
  });

  it('lets the scheduler role start the refresh only, and use the key of the encrypted dead-letter queue', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles ?? []).includes('ExportsSchedulerRole'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[]);
    expect(statements.map((s) => s.Action)).toEqual(
      expect.arrayContaining(['lambda:InvokeFunction', 'sqs:SendMessage', ['kms:Decrypt', 'kms:GenerateDataKey']]),
    );
    const invoke = statements.find((s) => s.Action === 'lambda:InvokeFunction');
    expect(JSON.stringify(invoke?.Resource)).toContain('RefreshRefresherFunction');
    expect(JSON.stringify(invoke?.Resource)).not.toContain('ExportsExporterFunction');
  });

  it('sends failed report runs to an encrypted queue after one retry', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: Match.stringLikeRegexp('^ExportsExporterFunction') },
      MaximumRetryAttempts: EXPORTS_DEFAULTS.asyncRetryAttempts,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ExportsFailedExports'), 'Arn'] } },
      },
    });
  });

  it('without an SES sender, announces reports on an encrypted topic each recipient subscribes to for their reports only', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'ServiceBench reports',
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ceo@example.com',
      FilterPolicy: { report: ['monthly-exec'] },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      FilterPolicy: { report: ['monthly-exec', 'weekly-ops'] },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      ...exporter,
      Environment: {
        Variables: Match.objectLike({
          REPORT_TOPIC_ARN: { Ref: Match.stringLikeRegexp('^ExportsReportTopic') },
          SES_SENDER: Match.absent(),
        }),
      },
    });
    expect(exporterStatements().some((s) => s.Action === 'sns:Publish')).toBe(true);
  });

  it('with an SES sender, e-mails through SES from that identity and creates no e-mail subscriptions', () => {
    const config = fixtureConfig({ deployment: { sesSender: 'reports@acme.example' } });
    const withSes = synth({ config }).template;
    withSes.hasResourceProperties('AWS::Lambda::Function', {
      ...exporter,
      Environment: {
        Variables: Match.objectLike({ SES_SENDER: 'reports@acme.example', REPORT_TOPIC_ARN: Match.absent() }),
      },
    });
    withSes.resourceCountIs('AWS::SNS::Subscription', 0);
    const ses = exporterStatements(withSes).find((s) => s.Action === 'ses:SendEmail');
    expect(JSON.stringify(ses?.Resource)).toContain('identity/reports@acme.example');
    expect(JSON.stringify(ses?.Resource)).toContain('identity/acme.example');
  });

  it('writes only under the folder the report writer uses, and passes the report config to the handler', () => {
    const writes = exporterStatements().find(
      (s) => JSON.stringify(s.Action).includes('s3:PutObject') && JSON.stringify(s.Resource).includes('StorageExports'),
    );
    expect(JSON.stringify(writes?.Resource)).toContain(`/${EXPORTS_PREFIX}*`);
    template.hasResourceProperties('AWS::Lambda::Function', {
      ...exporter,
      Environment: {
        Variables: Match.objectLike({ SERVICEBENCH_CONFIG_FILE: CONFIG_FILE_NAME, LINK_TTL_SECONDS: '604800' }),
      },
    });
    const bundled = JSON.parse(synth().stack.exports.exporter.bundledFiles[CONFIG_FILE_NAME] as string);
    expect(Object.keys(bundled)).toEqual([
      'organisation',
      'metrics',
      'targets',
      'benchmarks',
      'reports',
      'alerts',
      'retention',
      'reporting',
    ]);
    expect(parseConfig(bundled).reports.map((r) => r.name)).toEqual(['monthly-exec', 'weekly-ops']);
  });

  it('adds a Chromium layer, the playwright-core layer that drives it and its path only when one is configured', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      ...exporter,
      Layers: Match.absent(),
      Environment: { Variables: Match.objectLike({ CHROMIUM_PATH: Match.absent() }) },
    });
    template.resourceCountIs('AWS::Lambda::LayerVersion', 0);
    const layer = 'arn:aws:lambda:eu-west-1:123456789012:layer:chromium:3';
    const withChromium = synth({ chromiumLayerArn: layer }).template;
    withChromium.hasResourceProperties('AWS::Lambda::Function', {
      ...exporter,
      Layers: [layer, { Ref: Match.stringLikeRegexp('^ExportsPlaywrightLayer') }],
      Environment: { Variables: Match.objectLike({ CHROMIUM_PATH: EXPORTS_DEFAULTS.chromiumPath }) },
    });
    withChromium.hasResourceProperties('AWS::Lambda::LayerVersion', {
      CompatibleRuntimes: ['nodejs22.x'],
      CompatibleArchitectures: ['arm64'],
      Description: Match.stringLikeRegexp('^playwright-core \\d+\\.\\d+\\.\\d+ '),
    });
  });

  it('creates no report schedule and no rule when the config has no report', () => {
    const quiet = synth({ config: fixtureConfig({ reports: [] }) }).template;
    quiet.resourceCountIs('AWS::Scheduler::Schedule', 1);
    quiet.hasResourceProperties('AWS::Scheduler::Schedule', { Description: 'ServiceBench metric refresh' });
    expect(
      Object.values(quiet.findResources('AWS::Events::Rule')).filter((r) =>
        String(r.Properties.Description).startsWith('Starts a report run'),
      ),
    ).toEqual([]);
  });

  it('signs report links with an IAM user that can only read the exports prefix, its key in an encrypted secret', () => {
    const users = template.findResources('AWS::IAM::User');
    expect(Object.keys(users)).toHaveLength(1);
    const [userId, user] = Object.entries(users)[0] ?? [];
    expect(user?.Properties ?? {}).toEqual({});
    const userPolicies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.Users ?? []).includes(String(userId)),
    );
    expect(userPolicies).toHaveLength(1);
    expect(userPolicies[0]?.Properties.PolicyDocument.Statement).toEqual([
      {
        Action: 's3:GetObject',
        Effect: 'Allow',
        Resource: {
          'Fn::Join': [
            '',
            [{ 'Fn::GetAtt': [expect.stringMatching(/^StorageExports/), 'Arn'] }, `/${EXPORTS_PREFIX}*`],
          ],
        },
      },
      {
        Action: 'kms:Decrypt',
        Condition: {
          StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
        },
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^StorageKey/), 'Arn'] },
      },
    ]);
    // No group, no managed policy, no login: the access key is its only credential.
    expect(JSON.stringify(template.findResources('AWS::IAM::UserToGroupAddition'))).not.toContain(String(userId));
    template.resourceCountIs('AWS::IAM::AccessKey', 1);
    template.hasResourceProperties('AWS::IAM::AccessKey', { UserName: { Ref: userId }, Serial: 1 });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageKey'), 'Arn'] },
      SecretString: {
        'Fn::Join': [
          '',
          [
            '{"accessKeyId":"',
            { Ref: Match.stringLikeRegexp('^ExportsReportLinkSignerKey') },
            '","secretAccessKey":"',
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^ExportsReportLinkSignerKey'), 'SecretAccessKey'] },
            '"}',
          ],
        ],
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      ...exporter,
      Environment: {
        Variables: Match.objectLike({
          LINK_SIGNER_SECRET_ARN: { Ref: Match.stringLikeRegexp('^ExportsReportLinkSignerSecret') },
          ATTACH_PDF_UNDER_BYTES: '5000000',
          WEBHOOK_FORMAT: Match.absent(),
        }),
      },
    });
    const read = exporterStatements().find((s) => JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue'));
    expect(JSON.stringify(read?.Resource)).toMatch(/^\{"Ref":"ExportsReportLinkSignerSecret[0-9A-F]+"\}$/);
  });

  it('passes the link lifetime and attachment limit of the config, and reads exactly the named webhook secret', () => {
    const config = fixtureConfig({
      deployment: {
        reportLinkHours: 36,
        attachPdfUnderBytes: 0,
        webhook: { format: 'teams', urlSecretName: 'servicebench/teams-webhook' },
      },
    });
    const withWebhook = synth({ config }).template;
    withWebhook.hasResourceProperties('AWS::Lambda::Function', {
      ...exporter,
      Environment: {
        Variables: Match.objectLike({
          LINK_TTL_SECONDS: '129600',
          ATTACH_PDF_UNDER_BYTES: '0',
          WEBHOOK_FORMAT: 'teams',
          WEBHOOK_URL_SECRET: 'servicebench/teams-webhook',
        }),
      },
    });
    const reads = exporterStatements(withWebhook).filter((s) =>
      JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue'),
    );
    expect(reads).toHaveLength(2);
    const webhook = reads.find((s) => JSON.stringify(s.Resource).includes('teams-webhook'));
    expect(webhook?.Action).toEqual(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']);
    expect(JSON.stringify(webhook?.Resource)).toContain(':secret:servicebench/teams-webhook-??????"');
  });
});
