import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export const OPERATIONS_DEFAULTS = {
  /** Alarm evaluation period: long enough to sum a burst, short enough to page promptly. */
  period: Duration.minutes(5),
} as const;

export interface OperationsProps {
  /** Encrypts the alarm topic; CloudWatch is allowed to use it to publish. */
  readonly key: kms.IKey;
  /** Functions watched for errors and throttles, by a PascalCase name used in the alarm ids. */
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  /**
   * Functions that run one at a time (reserved concurrency 1), watched for errors only: a throttle
   * there is an overlapping run waiting in Lambda's asynchronous queue, not a fault, and one that
   * waits too long ends in the function's failure queue, which has its own alarm.
   * @default none
   */
  readonly oneAtATimeFunctions?: Readonly<Record<string, lambda.IFunction>>;
  /** Queues whose every message is a failure (dead letters, failed report runs), by PascalCase name. */
  readonly failureQueues: Readonly<Record<string, sqs.IQueue>>;
  /** Subscribed to the alarm topic (an e-mail confirmation is sent). @default no subscription */
  readonly alarmEmail?: string;
}

/** The alarm topic and the alarms a platform team needs: dead letters, function errors, throttles. */
export class Operations extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'ServiceBench alarms',
      masterKey: props.key,
      enforceSSL: true,
    });
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishToEncryptedTopics',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
      }),
    );
    if (props.alarmEmail) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    const action = new actions.SnsAction(this.alarmTopic);

    const alarm = (alarmId: string, metric: cloudwatch.IMetric, description: string) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(action);
      this.alarms.push(created);
    };

    for (const [name, queue] of Object.entries(props.failureQueues)) {
      alarm(
        `${name}Depth`,
        queue.metricApproximateNumberOfMessagesVisible({ period: OPERATIONS_DEFAULTS.period, statistic: 'Maximum' }),
        `Messages waiting in ${name}: each one is a failure to investigate (see docs/deploy.md).`,
      );
    }
    const errors = (name: string, fn: lambda.IFunction) =>
      alarm(
        `${name}Errors`,
        fn.metricErrors({ period: OPERATIONS_DEFAULTS.period, statistic: 'Sum' }),
        `${name} invocations failed; its log group has the error.`,
      );
    for (const [name, fn] of Object.entries(props.functions)) {
      errors(name, fn);
      alarm(
        `${name}Throttles`,
        fn.metricThrottles({ period: OPERATIONS_DEFAULTS.period, statistic: 'Sum' }),
        `${name} was throttled: its concurrency limit was reached.`,
      );
    }
    for (const [name, fn] of Object.entries(props.oneAtATimeFunctions ?? {})) errors(name, fn);
  }
}
