import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RemovalPolicy } from 'aws-cdk-lib';
import { Duration, SecretValue, Stack, TimeZone } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ServiceBenchConfig } from '../lambdas/core/config/config.ts';
import { DEFAULTS } from '../lambdas/core/config/defaults.ts';
import { EXPORTS_PREFIX } from '../lambdas/core/config/reports.ts';
import { CONFIG_FILE_NAME } from '../lambdas/core/env/environment.ts';
import { EXPORTER_DEFAULTS, type ExporterEnvironment, exporterConfigJson } from '../lambdas/core/env/exporter.ts';
import type { RefreshRequest } from '../lambdas/core/env/refresh.ts';
import { LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME, LAYERED_MODULES, ServiceFunction } from './function.ts';
import {
  type AthenaAccess,
  databaseName,
  grantAthenaQueries,
  grantKeyUse,
  grantObjects,
  workgroupName,
} from './grants.ts';
import { pascal } from './ids.ts';
import { acknowledge, wildcardResourceFinding } from './nag.ts';
import { handlerEntry, SYNTH_CACHE_DIR } from './paths.ts';

export const EXPORTS_DEFAULTS = {
  /** Scheduler may start a report up to this much after its time, spreading load. */
  flexibleWindow: Duration.minutes(15),
  /** Scheduler retries of an invocation it could not deliver before dead-lettering it. */
  schedulerRetryAttempts: 3,
  schedulerMaxEventAge: Duration.hours(6),
  /** Lambda retries of a report run that failed (queries are idempotent; files are overwritten). */
  asyncRetryAttempts: 1,
  timeout: Duration.minutes(15),
  /** Charts and the PDF renderer need memory; a report run is short, so it costs little. */
  memorySize: 2048,
  /** Where the Chromium of a layer is installed when the layer does not say otherwise. */
  chromiumPath: '/opt/chromium',
  deadLetterRetention: Duration.days(14),
  /** Change it to replace the report-link signer's access key (and the secret holding it) on deploy. */
  linkSignerKeySerial: 1,
} as const;

/**
 * The files of playwright-core that launching Chromium and printing a PDF read (traced with
 * `strace -e openat` over a PDF render; the layer test prints a PDF with only these), plus its
 * licences. Left out: types, the CLI, the trace viewer and recorder apps (lib/vite), the MCP and
 * dashboard tools, the browser install scripts and the WebP codec (screencasts).
 */
export const PLAYWRIGHT_LAYER_FILES = [
  'package.json',
  'index.js',
  'index.mjs',
  'browsers.json',
  'lib/bootstrap.js',
  'lib/coreBundle.js',
  'lib/utilsBundle.js',
  'LICENSE',
  'NOTICE',
  'ThirdPartyNotices.txt',
] as const;

export interface ScheduledExportsProps {
  readonly config: ServiceBenchConfig;
  readonly exportsBucket: s3.IBucket;
  /** Where the reports' queries run. */
  readonly athena: AthenaAccess;
  /** Encrypts the queues and the report topic. */
  readonly key: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  /**
   * A Lambda layer providing Chromium, used to print the PDF.
   * @default none: reports are written as HTML and CSV and say that the PDF was not produced
   */
  readonly chromiumLayerArn?: string;
  /** Chromium executable inside the layer. @default EXPORTS_DEFAULTS.chromiumPath */
  readonly chromiumPath?: string;
  /**
   * The metric refresh a report run starts with (MetricRefresh): the schedules start it with the
   * report's request, and a rule hands its success on to the exporter, so a report reads the
   * materialised tables as of its own run. Its successes must go to the default event bus.
   * @default the schedules start the exporter directly
   */
  readonly refreshFirst?: lambda.IFunction;
}

/**
 * One EventBridge Scheduler schedule per configured report (cron and time zone from the config)
 * → metric refresh (when `refreshFirst` is given) → exporter Lambda → HTML/CSV (and PDF) in the
 * exports bucket, announced by SES e-mail with a time-limited link when a sender is configured,
 * else on an SNS topic recipients subscribe to.
 */
export class ScheduledExports extends Construct {
  readonly exporter: ServiceFunction;
  readonly reportTopic: sns.Topic;
  readonly schedulerDeadLetterQueue: sqs.Queue;
  /** Report runs that failed after Lambda's retries. */
  readonly failedExports: sqs.Queue;
  readonly schedules: scheduler.Schedule[] = [];
  /**
   * The IAM user whose access key signs the report links: it may only read the exports prefix (and
   * decrypt it through S3). A link signed with the exporter's role would die with the role's
   * temporary credentials, hours before its 7 days.
   */
  readonly linkSigner: iam.User;
  /** `{ accessKeyId, secretAccessKey }` of linkSigner, encrypted with the lake key, read by the exporter only. */
  readonly linkSignerSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: ScheduledExportsProps) {
    super(scope, id);
    const { config } = props;
    const sesSender = config.deployment.sesSender;
    const queue = (queueId: string) =>
      new sqs.Queue(this, queueId, {
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: props.key,
        enforceSSL: true,
        retentionPeriod: EXPORTS_DEFAULTS.deadLetterRetention,
      });
    this.schedulerDeadLetterQueue = queue('SchedulerDeadLetterQueue');
    this.failedExports = queue('FailedExports');
    for (const deadLetters of [this.schedulerDeadLetterQueue, this.failedExports]) {
      acknowledge(
        deadLetters,
        'AwsSolutions-SQS3',
        'This queue is itself a dead-letter destination (of the schedules, or of failed report runs) with an alarm on its depth.',
      );
    }

    this.reportTopic = new sns.Topic(this, 'ReportTopic', {
      displayName: 'ServiceBench reports',
      masterKey: props.key,
      enforceSSL: true,
    });
    if (!sesSender) {
      // Each recipient receives only the reports that list them.
      const reportsByRecipient = new Map<string, string[]>();
      for (const report of config.reports) {
        for (const recipient of report.recipients) {
          reportsByRecipient.set(recipient, [...(reportsByRecipient.get(recipient) ?? []), report.name]);
        }
      }
      for (const [recipient, reports] of reportsByRecipient) {
        this.reportTopic.addSubscription(
          new subscriptions.EmailSubscription(recipient, {
            filterPolicy: { report: sns.SubscriptionFilter.stringFilter({ allowlist: reports }) },
          }),
        );
      }
    }

    const chromium = props.chromiumLayerArn
      ? lambda.LayerVersion.fromLayerVersionArn(this, 'ChromiumLayer', props.chromiumLayerArn)
      : undefined;
    // playwright-core drives the Chromium of that layer; it is useless (and not loaded) without one.
    const playwright = chromium
      ? new lambda.LayerVersion(this, 'PlaywrightLayer', {
          code: lambda.Code.fromAsset(stagePlaywrightLayer()),
          compatibleRuntimes: [LAMBDA_RUNTIME],
          compatibleArchitectures: [LAMBDA_ARCHITECTURE],
          description: `playwright-core ${playwrightVersion()} (run-time files only) for the ServiceBench PDF report`,
        })
      : undefined;
    this.linkSigner = new iam.User(this, 'ReportLinkSigner');
    this.linkSigner.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [props.exportsBucket.arnForObjects(`${EXPORTS_PREFIX}*`)],
      }),
    );
    this.linkSigner.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [props.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
    acknowledge(
      this.linkSigner,
      wildcardResourceFinding(props.exportsBucket, `/${EXPORTS_PREFIX}*`),
      'The report-link signer can only download objects under the exports prefix, whose keys are generated per report run; the links it signs are its only use.',
    );
    const signerKey = new iam.AccessKey(this, 'ReportLinkSignerKey', {
      user: this.linkSigner,
      serial: EXPORTS_DEFAULTS.linkSignerKeySerial,
    });
    this.linkSignerSecret = new secretsmanager.Secret(this, 'ReportLinkSignerSecret', {
      description: 'ServiceBench: access key that signs report download links (GetObject on the exports prefix only)',
      encryptionKey: props.key,
      removalPolicy: props.removalPolicy,
      secretObjectValue: {
        accessKeyId: SecretValue.unsafePlainText(signerKey.accessKeyId),
        secretAccessKey: signerKey.secretAccessKey,
      },
    });
    acknowledge(
      this.linkSignerSecret,
      'AwsSolutions-SMG4',
      'An IAM access key cannot be rotated by a Secrets Manager schedule without a rotation function; it is replaced by changing EXPORTS_DEFAULTS.linkSignerKeySerial, and it can only read the exports prefix.',
    );
    const webhook = config.deployment.webhook;
    const environment: ExporterEnvironment = {
      SERVICEBENCH_CONFIG_FILE: CONFIG_FILE_NAME,
      ATHENA_WORKGROUP: workgroupName(props.athena),
      GLUE_DATABASE: databaseName(props.athena),
      EXPORTS_BUCKET: props.exportsBucket.bucketName,
      LINK_TTL_SECONDS: String((config.deployment.reportLinkHours ?? DEFAULTS.reportLinkHours) * 3600),
      LINK_SIGNER_SECRET_ARN: this.linkSignerSecret.secretArn,
      ATTACH_PDF_UNDER_BYTES: String(config.deployment.attachPdfUnderBytes ?? EXPORTER_DEFAULTS.attachPdfUnderBytes),
      ...(webhook ? { WEBHOOK_FORMAT: webhook.format, WEBHOOK_URL_SECRET: webhook.urlSecretName } : {}),
      ...(sesSender ? { SES_SENDER: sesSender } : { REPORT_TOPIC_ARN: this.reportTopic.topicArn }),
      ...(chromium ? { CHROMIUM_PATH: props.chromiumPath ?? EXPORTS_DEFAULTS.chromiumPath } : {}),
    };
    this.exporter = new ServiceFunction(this, 'Exporter', {
      entry: handlerEntry('export'),
      description: 'ServiceBench: runs a scheduled report on Athena and delivers it',
      environment: environment as Record<string, string>,
      timeout: EXPORTS_DEFAULTS.timeout,
      memorySize: EXPORTS_DEFAULTS.memorySize,
      logRemovalPolicy: props.removalPolicy,
      bundledFiles: { [CONFIG_FILE_NAME]: exporterConfigJson(config) },
      ...(chromium && playwright ? { layers: [chromium, playwright] } : {}),
    });
    const fn = this.exporter.function;
    this.exporter.sendFailedRunsTo(this.failedExports, {
      retryAttempts: EXPORTS_DEFAULTS.asyncRetryAttempts,
      run: 'report run',
    });
    grantAthenaQueries(fn, props.athena);
    // GetObject reads a written PDF back to attach it to the e-mail.
    grantObjects(
      fn,
      props.exportsBucket,
      ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
      [EXPORTS_PREFIX],
    );
    grantKeyUse(fn, props.key);
    this.linkSignerSecret.grantRead(fn);
    if (webhook) {
      secretsmanager.Secret.fromSecretNameV2(this, 'WebhookUrl', webhook.urlSecretName).grantRead(fn);
    }
    if (sesSender) {
      const stack = Stack.of(this);
      const domain = sesSender.split('@')[1] as string;
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['ses:SendEmail'],
          resources: [
            stack.formatArn({ service: 'ses', resource: 'identity', resourceName: sesSender }),
            stack.formatArn({ service: 'ses', resource: 'identity', resourceName: domain }),
          ],
        }),
      );
    } else {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [this.reportTopic.topicArn] }));
    }

    if (config.reports.length === 0) return;
    const firstRun = props.refreshFirst ?? fn;
    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'Lets EventBridge Scheduler start ServiceBench report runs',
    });
    grantKeyUse(schedulerRole, props.key);
    acknowledge(
      schedulerRole,
      wildcardResourceFinding(firstRun, ':*'),
      `The Scheduler target grants lambda:InvokeFunction on the ${props.refreshFirst ? 'metric refresh' : 'exporter'} and its versions; the role can invoke nothing else.`,
    );
    for (const report of config.reports) {
      const request = { report: report.name };
      const refreshThenExport: RefreshRequest = { export: request };
      this.schedules.push(
        new scheduler.Schedule(this, `Schedule${pascal(report.name)}`, {
          description: `ServiceBench report ${report.name}`,
          schedule: scheduler.ScheduleExpression.expression(report.schedule, TimeZone.of(report.timeZone)),
          timeWindow: scheduler.TimeWindow.flexible(EXPORTS_DEFAULTS.flexibleWindow),
          target: new targets.LambdaInvoke(firstRun, {
            role: schedulerRole,
            input: scheduler.ScheduleTargetInput.fromObject(props.refreshFirst ? refreshThenExport : request),
            deadLetterQueue: this.schedulerDeadLetterQueue,
            retryAttempts: EXPORTS_DEFAULTS.schedulerRetryAttempts,
            maxEventAge: EXPORTS_DEFAULTS.schedulerMaxEventAge,
          }),
        }),
      );
    }
    if (props.refreshFirst) this.exportAfterRefresh(props.refreshFirst, props.key);
  }

  /**
   * A rule on the refresh's success records (Lambda destinations on the default bus) that starts
   * the exporter with the report request the refresh returned, with the schedules' retries and
   * dead-letter queue.
   */
  private exportAfterRefresh(refresh: lambda.IFunction, key: kms.IKey): void {
    new events.Rule(this, 'ExportAfterRefresh', {
      description: 'Starts a report run once the metric refresh it started with has succeeded',
      eventPattern: {
        source: ['lambda'],
        detailType: ['Lambda Function Invocation Result - Success'],
        detail: {
          requestContext: { functionArn: events.Match.prefix(`${refresh.functionArn}:`) },
          responsePayload: { export: { report: events.Match.exists() } },
        },
      },
      targets: [
        new eventsTargets.LambdaFunction(this.exporter.function, {
          event: events.RuleTargetInput.fromEventPath('$.detail.responsePayload.export'),
          deadLetterQueue: this.schedulerDeadLetterQueue,
          retryAttempts: EXPORTS_DEFAULTS.schedulerRetryAttempts,
          maxEventAge: EXPORTS_DEFAULTS.schedulerMaxEventAge,
        }),
      ],
    });
    // EventBridge writes to the encrypted dead-letter queue with the queue's key. The condition
    // names the account, not the rule: the rule depends on the queue, which depends on the key.
    if (key instanceof kms.Key) {
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowEventBridgeToDeadLetterReportRuns',
          principals: [new iam.ServicePrincipal('events.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
        }),
      );
    }
  }
}

const playwrightPackageDir = (): string =>
  dirname(fileURLToPath(import.meta.resolve(`${LAYERED_MODULES[0]}/package.json`)));

function playwrightVersion(): string {
  return (JSON.parse(readFileSync(join(playwrightPackageDir(), 'package.json'), 'utf8')) as { version: string })
    .version;
}

/**
 * Stages the PlaywrightLayer's content, `nodejs/node_modules/playwright-core/` with
 * PLAYWRIGHT_LAYER_FILES, once per installed version under SYNTH_CACHE_DIR, and returns its
 * folder. Lambda puts /opt/nodejs/node_modules on NODE_PATH, where the exporter's require finds it.
 */
export function stagePlaywrightLayer(): string {
  // No dot in the folder name: CDK would take `.1` of `1.65.1` for a file extension of the asset.
  const staged = join(SYNTH_CACHE_DIR, 'layers', `playwright-core-${playwrightVersion().replaceAll('.', '-')}`);
  if (existsSync(staged)) return staged;
  const building = `${staged}-building-${process.pid}`;
  const target = join(building, 'nodejs', 'node_modules', LAYERED_MODULES[0]);
  for (const file of PLAYWRIGHT_LAYER_FILES) {
    mkdirSync(dirname(join(target, file)), { recursive: true });
    copyFileSync(join(playwrightPackageDir(), file), join(target, file));
  }
  if (existsSync(staged)) rmSync(building, { recursive: true, force: true });
  else renameSync(building, staged);
  return staged;
}
