import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AlertWebhookEnvironment } from '../lambdas/core/alerts/notice.ts';
import { ALERT_DETAIL_TYPE, ALERT_EVENT_SOURCE } from '../lambdas/core/alerts/publish.ts';
import type { ServiceBenchConfig } from '../lambdas/core/config/config.ts';
import type { NormaliserEnvironment } from '../lambdas/core/env/normaliser.ts';
import { ServiceFunction } from './function.ts';
import { acknowledge } from './nag.ts';
import { handlerEntry } from './paths.ts';

export const ALERTS_DEFAULTS = {
  /** The webhook function posts one message; the notify module gives a chat service 10 s an attempt. */
  webhookTimeout: Duration.seconds(30),
  webhookMemorySize: 256,
  /** Lambda's asynchronous retries of a failed post (a chat service down for minutes) before it is parked. */
  webhookRetryAttempts: 2,
  /** How long a parked alert waits in the failed-posts queue for someone to replay it. */
  failedPostRetention: Duration.days(14),
} as const;

/** The normaliser's variable naming the bus (its typed environment contract). */
const BUS_VARIABLE = 'ALERT_BUS_NAME' satisfies keyof NormaliserEnvironment;

export interface ClosedLoopAlertsProps {
  /** Its `deployment.webhook`, when set, adds the chat target. */
  readonly config: ServiceBenchConfig;
  /**
   * The function that evaluates the rules and publishes the alerts (the normaliser): it gets the
   * bus name in ALERT_BUS_NAME and `events:PutEvents` on this bus only.
   */
  readonly publisher: ServiceFunction;
  /** Of the topic's key and the webhook function's logs. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Closed-loop alerts, deployed: an event bus the normaliser publishes each alert to, and one rule
 * delivering every alert to an encrypted SNS topic (teams subscribe their e-mail, chat or ticketing
 * endpoints) and, when the config names a webhook, to a small function posting it to Slack or Teams.
 *
 * The webhook goes through a function reusing lambdas/core/notify rather than an EventBridge API
 * destination: an API destination's endpoint is its URL, and a Slack or Teams webhook URL is the
 * credential itself, so it would sit in the template and the destination's configuration in clear;
 * the function reads it from the secret the report delivery already uses, and lays the message out
 * the way the reports' messages are.
 */
export class ClosedLoopAlerts extends Construct {
  readonly bus: events.EventBus;
  readonly topic: sns.Topic;
  /** Encrypts the topic; EventBridge may use it to publish there, nobody else is granted it. */
  readonly topicKey: kms.Key;
  readonly rule: events.Rule;
  /** Set when the config names a webhook. */
  readonly webhook: ServiceFunction | undefined;
  /** Alerts the webhook function could not post after its retries; set with `webhook`. */
  readonly failedPosts: sqs.Queue | undefined;

  constructor(scope: Construct, id: string, props: ClosedLoopAlertsProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', { description: 'ServiceBench closed-loop alerts' });

    this.topicKey = new kms.Key(this, 'TopicKey', {
      description: 'ServiceBench closed-loop alert topic',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    this.topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EventBridgePublishesAlerts',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'ServiceBench alerts',
      masterKey: this.topicKey,
      enforceSSL: true,
    });

    this.rule = new events.Rule(this, 'Rule', {
      eventBus: this.bus,
      description: 'Every closed-loop alert to the alert topic (and the chat webhook)',
      eventPattern: { source: [ALERT_EVENT_SOURCE], detailType: [ALERT_DETAIL_TYPE] },
    });
    this.rule.addTarget(
      new targets.SnsTopic(this.topic, { message: events.RuleTargetInput.fromEventPath('$.detail') }),
    );

    const webhook = props.config.deployment.webhook;
    if (webhook) {
      const environment: AlertWebhookEnvironment = {
        WEBHOOK_FORMAT: webhook.format,
        WEBHOOK_URL_SECRET: webhook.urlSecretName,
      };
      this.webhook = new ServiceFunction(this, 'WebhookPoster', {
        entry: handlerEntry('alert-webhook'),
        description: `ServiceBench: posts each closed-loop alert to the ${webhook.format} webhook`,
        environment: environment as Record<string, string>,
        timeout: ALERTS_DEFAULTS.webhookTimeout,
        memorySize: ALERTS_DEFAULTS.webhookMemorySize,
        logRemovalPolicy: props.removalPolicy,
      });
      secretsmanager.Secret.fromSecretNameV2(this, 'WebhookUrl', webhook.urlSecretName).grantRead(
        this.webhook.function,
      );
      this.failedPosts = new sqs.Queue(this, 'FailedPosts', {
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: this.topicKey,
        enforceSSL: true,
        retentionPeriod: ALERTS_DEFAULTS.failedPostRetention,
      });
      acknowledge(
        this.failedPosts,
        'AwsSolutions-SQS3',
        'This queue is itself the dead-letter destination of the alert webhook function: an alert it could not post waits here.',
      );
      this.webhook.sendFailedRunsTo(this.failedPosts, {
        retryAttempts: ALERTS_DEFAULTS.webhookRetryAttempts,
        run: 'alert post',
      });
      this.rule.addTarget(new targets.LambdaFunction(this.webhook.function));
    } else {
      this.webhook = undefined;
      this.failedPosts = undefined;
    }

    props.publisher.function.addEnvironment(BUS_VARIABLE, this.bus.eventBusName);
    this.bus.grantPutEventsTo(props.publisher.function);
  }
}
