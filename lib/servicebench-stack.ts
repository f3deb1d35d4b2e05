import { CfnOutput, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ALERT_MARKER_PREFIX, alertMarkerDays } from '../lambdas/core/alerts/config.ts';
import { viewStatements } from '../lambdas/core/catalog/trino-ddl.ts';
import type { ServiceBenchConfig } from '../lambdas/core/config/config.ts';
import { referenceTables } from '../lambdas/core/reference/tables.ts';
import { ClosedLoopAlerts } from './alerts.ts';
import { Catalog } from './catalog.ts';
import { Erasure } from './erasure.ts';
import { ScheduledExports } from './exports.ts';
import type { AthenaAccess } from './grants.ts';
import { pascal } from './ids.ts';
import { Ingestion } from './ingestion.ts';
import { acknowledge } from './nag.ts';
import { Operations } from './operations.ts';
import { importedObjectsFinding, Storage } from './storage.ts';
import { MetricRefresh, MetricViews } from './views.ts';
import { QueryWorkgroup } from './workgroup.ts';

export interface ServiceBenchStackProps extends StackProps {
  /** The validated config file shared with the CLI. */
  readonly config: ServiceBenchConfig;
  /**
   * Delete buckets (with their objects), the key, the secret and log groups with the stack.
   * @default false: data resources are retained
   */
  readonly allowDestroy?: boolean;
  /** Chromium layer for PDF reports. @default none (HTML and CSV only) */
  readonly chromiumLayerArn?: string;
}

/**
 * The whole deployed product: landing → normalise → curated → views (and the metric tables the
 * refresh materialises for them) → exports, plus alarms.
 */
export class ServiceBenchStack extends Stack {
  readonly storage: Storage;
  readonly ingestion: Ingestion;
  readonly alerts: ClosedLoopAlerts;
  readonly catalog: Catalog;
  readonly workgroup: QueryWorkgroup;
  readonly refresh: MetricRefresh;
  readonly views: MetricViews;
  readonly exports: ScheduledExports;
  readonly erasure: Erasure;
  readonly operations: Operations;

  constructor(scope: Construct, id: string, props: ServiceBenchStackProps) {
    super(scope, id, props);
    const { config } = props;
    const allowDestroy = props.allowDestroy ?? false;
    const reference = referenceTables(config);

    // Resources CloudFormation cannot tag (a Glue database, say) are skipped by the tag aspect.
    for (const [name, value] of Object.entries(config.deployment.tags)) Tags.of(this).add(name, value);

    const { landing: existingLanding, uploaderAccounts } = config.deployment;
    this.storage = new Storage(this, 'Storage', {
      allowDestroy,
      ...(existingLanding ? { existingLanding } : {}),
      uploaderAccounts,
      uploadPrefixes: config.sources.map((source) => `${source.name}/`),
      expiringCuratedPrefixes: [{ prefix: ALERT_MARKER_PREFIX, days: alertMarkerDays(config.alerts) }],
    });
    const { key, landing, curated, quarantine, athenaResults } = this.storage;
    const removalPolicy = this.storage.removalPolicy;

    this.ingestion = new Ingestion(this, 'Ingestion', {
      config,
      landing,
      curated,
      quarantine,
      key,
      removalPolicy,
      ownsLanding: this.storage.ownsLanding,
      ...(this.storage.landingKey ? { landingKey: this.storage.landingKey } : {}),
    });
    this.storage.allowQuarantineReads(this.ingestion.normaliser.role.roleArn, ...config.deployment.quarantineReaders);

    this.alerts = new ClosedLoopAlerts(this, 'Alerts', {
      config,
      publisher: this.ingestion.normaliser,
      removalPolicy,
    });

    this.catalog = new Catalog(this, 'Catalog', {
      curated,
      referenceTables: reference,
      projectionStart: config.lake.partitionsFrom,
    });

    this.workgroup = new QueryWorkgroup(this, 'Workgroup', {
      results: athenaResults,
      key,
      allowDestroy,
      ...(config.deployment.athenaBytesScannedCutoff
        ? { bytesScannedCutoffPerQuery: config.deployment.athenaBytesScannedCutoff }
        : {}),
    });

    const athena: AthenaAccess = {
      workgroup: this.workgroup.workgroup,
      database: this.catalog.database,
      curated,
      results: athenaResults,
      key,
    };
    this.refresh = new MetricRefresh(this, 'Refresh', {
      athena,
      materialisedPrefix: this.catalog.materialisedPrefix,
      key,
      removalPolicy,
      ...(config.deployment.refreshSchedule ? { schedule: config.deployment.refreshSchedule } : {}),
    });

    this.views = new MetricViews(this, 'Views', {
      views: viewStatements().map((statement) => ({ name: statement.name, ddl: statement.sql })),
      referenceTables: reference,
      athena,
      referencePrefix: this.catalog.referencePrefix,
      removalPolicy,
      refresh: this.refresh.refresher.function,
    });
    this.views.resource.node.addDependency(this.workgroup.workgroup, ...this.catalog.tables);

    this.exports = new ScheduledExports(this, 'Exports', {
      config,
      exportsBucket: this.storage.exports,
      athena,
      key,
      removalPolicy,
      refreshFirst: this.refresh.refresher.function,
      ...(props.chromiumLayerArn ? { chromiumLayerArn: props.chromiumLayerArn } : {}),
    });

    this.erasure = new Erasure(this, 'Erasure', {
      landing,
      sourcePrefixes: config.sources.map((source) => `${source.name}/`),
      curated,
      quarantine,
      key,
      pseudonymKey: this.ingestion.pseudonymKey,
      refresh: this.refresh.refresher.function,
      removalPolicy,
    });
    this.storage.allowQuarantineReads(this.erasure.eraser.role.roleArn);
    if (!this.storage.ownsLanding) {
      for (const source of config.sources) {
        acknowledge(
          this.erasure.eraser.role,
          importedObjectsFinding(landing.bucketName, `${source.name}/`),
          `HeadObject needs s3:GetObject on object ARNs; limited to the ${source.name}/ prefix of the existing landing bucket.`,
        );
      }
    }
    new CfnOutput(this, 'ErasureFunction', {
      value: this.erasure.eraser.function.functionName,
      description: 'Erases customers: invoke with {"customers":["<id>"],"dryRun":true} (docs/deploy.md)',
    });

    this.operations = new Operations(this, 'Operations', {
      key,
      functions: {
        Normaliser: this.ingestion.normaliser.function,
        Compactor: this.ingestion.compactor.function,
        Exporter: this.exports.exporter.function,
        ViewsDeployer: this.views.deployer.function,
        ...(this.alerts.webhook ? { AlertWebhook: this.alerts.webhook.function } : {}),
      },
      oneAtATimeFunctions: { MetricRefresh: this.refresh.refresher.function, Eraser: this.erasure.eraser.function },
      failureQueues: {
        NormaliserDeadLetters: this.ingestion.deadLetterQueue,
        CompactionDeadLetters: this.ingestion.compactionDeadLetterQueue,
        SchedulerDeadLetters: this.exports.schedulerDeadLetterQueue,
        FailedExports: this.exports.failedExports,
        FailedRefreshes: this.refresh.failedRefreshes,
        ...(this.alerts.failedPosts ? { FailedAlertPosts: this.alerts.failedPosts } : {}),
      },
      ...(config.deployment.alarmEmail ? { alarmEmail: config.deployment.alarmEmail } : {}),
      sources: config.sources,
      ...(config.deployment.rejectShareAlarm === undefined
        ? {}
        : { rejectShareAlarm: config.deployment.rejectShareAlarm }),
      deliveries: curated,
      removalPolicy,
      dashboard: {
        workQueues: { Ingestion: this.ingestion.queue, Compaction: this.ingestion.compactionQueue },
        athenaWorkGroup: this.workgroup.name,
        exporter: this.exports.exporter.function,
        failedExports: this.exports.failedExports,
      },
    });

    new CfnOutput(this, 'LandingBucket', {
      value: landing.bucketName,
      description: 'Upload raw exports here, under <source name>/ (one prefix per configured source)',
    });
    const ownerStatements = this.ingestion.landingOwnerStatements;
    if (ownerStatements) {
      new CfnOutput(this, 'LandingBucketPolicyStatements', {
        value: this.toJsonString(ownerStatements.bucket.map((statement) => statement.toStatementJson())),
        description:
          'Add to the policy of the existing landing bucket, and turn on its Amazon EventBridge notifications (docs/deploy.md)',
      });
    }
    if (ownerStatements?.key) {
      new CfnOutput(this, 'LandingKeyPolicyStatement', {
        value: this.toJsonString(ownerStatements.key.toStatementJson()),
        description: "Add to the policy of the existing landing bucket's KMS key (docs/deploy.md)",
      });
    }
    if (uploaderAccounts.length > 0) {
      new CfnOutput(this, 'UploadKey', {
        value: key.keyArn,
        description: `The key uploads from ${uploaderAccounts.join(', ')} are encrypted with: their principals need kms:GenerateDataKey, kms:Encrypt and kms:Decrypt on it (docs/deploy.md)`,
      });
    }
    for (const source of config.sources) {
      new CfnOutput(this, `Landing${pascal(source.name)}`, {
        value: `s3://${landing.bucketName}/${source.name}/`,
        description: `Landing prefix of source ${source.name} (adapter ${source.adapter})`,
      });
    }
    new CfnOutput(this, 'AthenaWorkGroup', {
      value: this.workgroup.name,
      description: 'Query the views in this Athena workgroup',
    });
    new CfnOutput(this, 'GlueDatabase', {
      value: this.catalog.databaseName,
      description: 'Database of the curated tables, reference tables and views',
    });
    new CfnOutput(this, 'ExportsBucket', {
      value: this.storage.exports.bucketName,
      description: 'Scheduled reports are written here',
    });
    new CfnOutput(this, 'QuarantineBucket', {
      value: quarantine.bucketName,
      description:
        'Rejected rows as they arrived, raw identifiers included, with file, row number, field and reason; readable only by the normaliser and deployment.quarantineReaders',
    });
    new CfnOutput(this, 'AlertTopic', {
      value: this.alerts.topic.topicArn,
      description: 'Closed-loop alerts: subscribe the teams that follow up (e-mail, chat, ticketing)',
    });
    new CfnOutput(this, 'AlertBus', {
      value: this.alerts.bus.eventBusName,
      description: 'Event bus the normaliser publishes closed-loop alerts to (add rules for other targets)',
    });
    new CfnOutput(this, 'AlarmTopic', {
      value: this.operations.alarmTopic.topicArn,
      description: 'Subscribe to receive alarms',
    });
  }
}
