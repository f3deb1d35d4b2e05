import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureConfig, nagFindings, synth } from './support.ts';

const WEBHOOK = { format: 'slack', urlSecretName: 'servicebench/slack-url' };
const RULES = { rules: [{ name: 'detractors', kind: 'nps_detractor' }] };

/** Every IAM statement of the stack, with the roles (or users) of its policy. */
function statements(template: Template): { roles: string; statement: Record<string, unknown> }[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) => {
    const properties = policy.Properties as {
      Roles?: unknown;
      Users?: unknown;
      PolicyDocument: { Statement: Record<string, unknown>[] };
    };
    return properties.PolicyDocument.Statement.map((statement) => ({
      roles: JSON.stringify(properties.Roles ?? properties.Users),
      statement,
    }));
  });
}

describe('closed-loop alerts', () => {
  let template: Template;
  let outdir: string;
  beforeAll(() => {
    ({ template, outdir } = synth({
      nag: true,
      config: fixtureConfig({ alerts: RULES, deployment: { alarmEmail: 'alarms@example.com', webhook: WEBHOOK } }),
    }));
  }, 600_000);

  it('creates a bus and one rule delivering alert events to the topic and the webhook function', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('^AlertsBus') },
      EventPattern: { source: ['servicebench.alerts'], 'detail-type': ['Closed-loop alert'] },
      State: 'ENABLED',
      Targets: [
        Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^AlertsTopic') }, InputPath: '$.detail' }),
        Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsWebhookPosterFunction'), 'Arn'] } }),
      ],
    });
  });

  it('encrypts the topic with its own rotated key that EventBridge may use, and refuses plain HTTP', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'ServiceBench alerts',
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsTopicKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: 'ServiceBench closed-loop alert topic',
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'EventBridgePublishesAlerts',
            Principal: { Service: 'events.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('gives the normaliser the bus name and events:PutEvents on that bus only; no other role may put events there', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'ServiceBench: normalises landed exports into curated Parquet',
      Environment: { Variables: Match.objectLike({ ALERT_BUS_NAME: { Ref: Match.stringLikeRegexp('^AlertsBus') } }) },
    });
    const putEvents = statements(template).filter(({ statement }) =>
      /AlertsBus/.test(JSON.stringify(statement.Resource)),
    );
    expect(putEvents).toHaveLength(1);
    expect(putEvents[0]?.roles).toMatch(/IngestionNormaliserRole/);
    expect(putEvents[0]?.statement).toEqual({
      Action: 'events:PutEvents',
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^AlertsBus/), 'Arn'] },
    });
  });

  it('lets the webhook function read the webhook URL secret and park failed posts, and nothing of the lake', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'ServiceBench: posts each closed-loop alert to the slack webhook',
      Environment: {
        Variables: Match.objectLike({ WEBHOOK_FORMAT: 'slack', WEBHOOK_URL_SECRET: 'servicebench/slack-url' }),
      },
    });
    const granted = statements(template)
      .filter(({ roles }) => roles.includes('AlertsWebhookPosterRole'))
      .map(({ statement }) => {
        const resource = JSON.stringify(statement.Resource);
        return `${[statement.Action].flat().join(' ')} on ${/"(Alerts[A-Za-z]+?)[0-9A-F]{8}"/.exec(resource)?.[1] ?? (resource.includes(':secret:') ? 'secret' : resource)}`;
      })
      .sort();
    expect(granted).toEqual([
      'kms:Decrypt kms:Encrypt kms:ReEncrypt* kms:GenerateDataKey* on AlertsTopicKey',
      'logs:CreateLogStream logs:PutLogEvents on AlertsWebhookPosterLogs',
      'secretsmanager:GetSecretValue secretsmanager:DescribeSecret on secret',
      'sqs:SendMessage sqs:GetQueueAttributes sqs:GetQueueUrl on AlertsFailedPosts',
    ]);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: Match.stringLikeRegexp('^AlertsWebhookPosterFunction') },
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsFailedPosts'), 'Arn'] } },
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsTopicKey'), 'Arn'] },
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
  });

  it('is cdk-nag clean', () => {
    expect(nagFindings(outdir).filter((f) => f.path.includes('/Alerts/'))).toEqual([]);
  });

  it("alarms on the webhook function's errors and on every parked post, and outputs the topic and bus", () => {
    const alarms = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.filter((id) => /^OperationsAlertWebhook(Errors|Throttles)/.test(id))).toHaveLength(2);
    expect(alarms.filter((id) => id.startsWith('OperationsFailedAlertPostsDepth'))).toHaveLength(1);
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.AlertTopic?.Value).toEqual({ Ref: expect.stringMatching(/^AlertsTopic/) });
    expect(outputs.AlertBus?.Value).toEqual({ Ref: expect.stringMatching(/^AlertsBus/) });
  });

  it('delivers to the topic only when no webhook is configured', () => {
    const { template: plain } = synth({ config: fixtureConfig({ alerts: RULES }) });
    plain.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('^AlertsBus') },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^AlertsTopic') } })],
    });
    expect(JSON.stringify(plain.findResources('AWS::Lambda::Function'))).not.toContain('closed-loop alert');
  }, 600_000);
});
