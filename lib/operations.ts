import { Duration, RemovalPolicy, Stack, TimeZone } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { SourceConfig } from '../lambdas/core/config/config.ts';
import { DEFAULTS } from '../lambdas/core/config/defaults.ts';
import { type SilenceCheckEnvironment, watchedSources } from '../lambdas/core/env/silence.ts';
import { DELIVERIES_PREFIX, WATCH_START_FILE } from '../lambdas/core/telemetry/deliveries.ts';
import { INGESTION_METRIC, SILENCE_METRIC } from '../lambdas/core/telemetry/metrics.ts';
import { OperationsDashboard, type OperationsDashboardProps, serviceBenchMetric } from './dashboard.ts';
import { ServiceFunction } from './function.ts';
import { grantKeyUse, grantObjects } from './grants.ts';
import { pascal } from './ids.ts';
import { acknowledge, wildcardResourceFinding } from './nag.ts';
import { handlerEntry } from './paths.ts';

export const OPERATIONS_DEFAULTS = {
  /** Alarm evaluation period: long enough to sum a burst, short enough to page promptly. */
  period: Duration.minutes(5),
  /** How often the silence check runs; silenceHours are whole hours. */
  silenceCheckSchedule: 'rate(1 hour)',
  /** One check per period: a silence alarm compares the latest check with the source's silenceHours. */
  silencePeriod: Duration.hours(1),
  /** Retries of a check (by Scheduler, and by Lambda of a failed run), within the hour before the next one. */
  silenceCheckRetryAttempts: 2,
  silenceCheckMaxEventAge: Duration.hours(1),
  /** SQS's maximum, so a failed check waits two weeks for investigation. */
  deadLetterRetention: Duration.days(14),
} as const;

/** Where each alarm's description sends the reader: a section of the runbook in docs/deploy.md. */
export const RUNBOOK = {
  failureQueue: 'docs/deploy.md#dead-letters-and-failed-runs',
  errors: 'docs/deploy.md#function-errors',
  throttles: 'docs/deploy.md#function-throttles',
  fileRejectedWhole: 'docs/deploy.md#a-file-rejected-whole',
  rejectShare: 'docs/deploy.md#a-files-reject-share',
  silence: 'docs/deploy.md#a-silent-source',
} as const;

export interface OperationsProps {
  /** Encrypts the alarm topic and the silence check's dead-letter queue; CloudWatch may use it to publish. */
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
  /**
   * The configured sources: charted per source, and each that sets silenceHours gets a silence
   * alarm fed by the hourly silence check.
   */
  readonly sources: readonly SourceConfig[];
  /** Alarm when one file's share of rejected records is above this fraction. @default DEFAULTS.maxRejectShare */
  readonly rejectShareAlarm?: number;
  /** The curated bucket, whose delivery markers (under DELIVERIES_PREFIX) the silence check reads. */
  readonly deliveries: s3.IBucket;
  /** Removal of the silence check's log group. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** What the dashboard charts besides the sources, the failure queues and the alarms. */
  readonly dashboard: Pick<OperationsDashboardProps, 'workQueues' | 'athenaWorkGroup' | 'exporter' | 'failedExports'>;
}

/**
 * The alarm topic and the alarms a platform team needs: dead letters, function errors and
 * throttles, and what fails silently (a file rejected whole, a file's reject share, a source that
 * stopped delivering), each pointing to its runbook section; and the stack's dashboard.
 */
export class Operations extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  /** Present when a source sets silenceHours. */
  readonly silenceCheck?: SilenceCheck;
  readonly dashboard: OperationsDashboard;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const rejectShareAlarm = props.rejectShareAlarm ?? DEFAULTS.maxRejectShare;
    if (!(rejectShareAlarm >= 0 && rejectShareAlarm <= 1)) {
      throw new Error(`Operations: rejectShareAlarm ${rejectShareAlarm} must be a fraction from 0 to 1`);
    }
    const stackName = Stack.of(this).stackName;
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

    const alarm = (
      alarmId: string,
      metric: cloudwatch.IMetric,
      description: string,
      threshold = 1,
      comparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    ) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(action);
      this.alarms.push(created);
    };
    const ours = (metricName: string, statistic: string, period: Duration, source?: string) =>
      serviceBenchMetric(stackName, metricName, { statistic, period, ...(source === undefined ? {} : { source }) });

    const watched = watchedSources(props.sources);
    const failureQueues: Record<string, sqs.IQueue> = { ...props.failureQueues };
    const functions: Record<string, lambda.IFunction> = { ...props.functions };
    if (Object.keys(watched).length > 0) {
      this.silenceCheck = new SilenceCheck(this, 'SilenceCheck', {
        watched,
        deliveries: props.deliveries,
        key: props.key,
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      });
      failureQueues.SilenceCheckDeadLetters = this.silenceCheck.deadLetterQueue;
      functions.SilenceCheck = this.silenceCheck.checker.function;
    }

    for (const [name, queue] of Object.entries(failureQueues)) {
      alarm(
        `${name}Depth`,
        queue.metricApproximateNumberOfMessagesVisible({ period: OPERATIONS_DEFAULTS.period, statistic: 'Maximum' }),
        `Messages waiting in ${name}: each one is a failure to investigate. Runbook: ${RUNBOOK.failureQueue}`,
      );
    }
    const errors = (name: string, fn: lambda.IFunction) =>
      alarm(
        `${name}Errors`,
        fn.metricErrors({ period: OPERATIONS_DEFAULTS.period, statistic: 'Sum' }),
        `${name} invocations failed; its log group has the error. Runbook: ${RUNBOOK.errors}`,
      );
    for (const [name, fn] of Object.entries(functions)) {
      errors(name, fn);
      alarm(
        `${name}Throttles`,
        fn.metricThrottles({ period: OPERATIONS_DEFAULTS.period, statistic: 'Sum' }),
        `${name} was throttled: its concurrency limit was reached. Runbook: ${RUNBOOK.throttles}`,
      );
    }
    for (const [name, fn] of Object.entries(props.oneAtATimeFunctions ?? {})) errors(name, fn);

    alarm(
      'FilesRejectedWhole',
      ours(INGESTION_METRIC.filesRejectedWhole, 'Sum', OPERATIONS_DEFAULTS.period),
      `A landed file could not be read at all (wrong format, corrupt, missing columns): nothing of it was curated. Runbook: ${RUNBOOK.fileRejectedWhole}`,
    );
    alarm(
      'RejectShare',
      ours(INGESTION_METRIC.rejectShare, 'Maximum', OPERATIONS_DEFAULTS.period),
      `A landed file had more than ${Number((rejectShareAlarm * 100).toFixed(2))} % of its records rejected (deployment.rejectShareAlarm). Runbook: ${RUNBOOK.rejectShare}`,
      rejectShareAlarm,
      cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    );
    for (const [source, hours] of Object.entries(watched)) {
      alarm(
        `Silence${pascal(source)}`,
        ours(SILENCE_METRIC.hoursSinceDelivery, 'Maximum', OPERATIONS_DEFAULTS.silencePeriod, source),
        `Source ${source} has delivered no file for more than ${hours} hours (sources[].silenceHours). Runbook: ${RUNBOOK.silence}`,
        hours,
        cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      );
    }

    this.dashboard = new OperationsDashboard(this, 'Dashboard', {
      ...props.dashboard,
      sources: props.sources.map((source) => source.name),
      watchedSources: Object.keys(watched),
      failureQueues,
      alarms: this.alarms,
      rejectShareAlarm,
    });
  }
}

export interface SilenceCheckProps {
  /** Watched source name → its silenceHours. */
  readonly watched: Readonly<Record<string, number>>;
  /** The curated bucket, holding the delivery markers. */
  readonly deliveries: s3.IBucket;
  /** The bucket's key (to read the markers and write a watch start) and the dead-letter queue's. */
  readonly key: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The hourly silence check (lambdas/handlers/silence.ts). An alarm evaluates at most seven days of
 * data (period × evaluation periods ≤ 604,800 s) and silenceHours may be 744, so no alarm over
 * "files landed" can see a month of nothing; the check publishes the hours since each watched
 * source's last delivery, which an hourly alarm compares with the source's silenceHours. It reads
 * the delivery markers and may write only a source's watch-start marker.
 */
export class SilenceCheck extends Construct {
  readonly checker: ServiceFunction;
  readonly schedule: scheduler.Schedule;
  /** Checks the scheduler could not start, and checks that failed after Lambda's retries. */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: SilenceCheckProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: OPERATIONS_DEFAULTS.deadLetterRetention,
    });
    acknowledge(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      'This queue is itself the dead-letter destination of the silence check schedule, with an alarm on its depth.',
    );

    const environment: SilenceCheckEnvironment = {
      STACK_NAME: Stack.of(this).stackName,
      DELIVERIES_BUCKET: props.deliveries.bucketName,
      WATCHED_SOURCES: JSON.stringify(props.watched),
    };
    this.checker = new ServiceFunction(this, 'Checker', {
      entry: handlerEntry('silence'),
      description: 'ServiceBench: publishes the hours since each watched source last delivered a file',
      environment,
      memorySize: 256,
      logRemovalPolicy: props.removalPolicy,
    });
    const fn = this.checker.function;
    this.checker.sendFailedRunsTo(this.deadLetterQueue, {
      retryAttempts: OPERATIONS_DEFAULTS.silenceCheckRetryAttempts,
      run: 'silence check',
    });
    grantObjects(fn, props.deliveries, ['s3:GetObject'], [DELIVERIES_PREFIX]);
    const watchStart = `${DELIVERIES_PREFIX}*/${WATCH_START_FILE}`;
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [props.deliveries.arnForObjects(watchStart)] }),
    );
    acknowledge(
      this.checker.role,
      wildcardResourceFinding(props.deliveries, `/${watchStart}`),
      "The check writes only a source's watch-start marker, the first time it finds no delivery; the source names are in the config.",
    );
    grantKeyUse(fn, props.key);

    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'Lets EventBridge Scheduler start the ServiceBench silence check',
    });
    grantKeyUse(schedulerRole, props.key);
    acknowledge(
      schedulerRole,
      wildcardResourceFinding(fn, ':*'),
      'The Scheduler target grants lambda:InvokeFunction on the silence check and its versions; the role can invoke nothing else.',
    );
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'ServiceBench silence check',
      schedule: scheduler.ScheduleExpression.expression(OPERATIONS_DEFAULTS.silenceCheckSchedule, TimeZone.ETC_UTC),
      timeWindow: scheduler.TimeWindow.off(),
      target: new targets.LambdaInvoke(fn, {
        role: schedulerRole,
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: OPERATIONS_DEFAULTS.silenceCheckRetryAttempts,
        maxEventAge: OPERATIONS_DEFAULTS.silenceCheckMaxEventAge,
      }),
    });
  }
}
