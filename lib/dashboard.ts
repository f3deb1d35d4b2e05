import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DIMENSION, INGESTION_METRIC, METRICS_NAMESPACE, SILENCE_METRIC } from '../lambdas/core/telemetry/metrics.ts';
import { resourceNames } from './names.ts';

export const DASHBOARD_DEFAULTS = {
  /** One point per hour: a day of deliveries reads at a glance over the default three days shown. */
  period: Duration.hours(1),
  /** Graphs open on the last three days, so a weekend's silence is on screen on Monday. */
  interval: Duration.days(3),
  /** The grid is 24 units wide: two graphs per row. */
  width: 12,
  height: 6,
} as const;

/**
 * A metric the functions publish (namespace ServiceBench) of this stack, stack-wide or of one
 * source: the alarms and the dashboard read the same series.
 */
export function serviceBenchMetric(
  stackName: string,
  metricName: string,
  options: { readonly statistic: string; readonly period: Duration; readonly source?: string; readonly label?: string },
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: {
      [DIMENSION.stack]: stackName,
      ...(options.source === undefined ? {} : { [DIMENSION.source]: options.source }),
    },
    statistic: options.statistic,
    period: options.period,
    ...(options.label === undefined ? {} : { label: options.label }),
  });
}

export interface OperationsDashboardProps {
  /** The sources charted per source (files, rows, rejects). */
  readonly sources: readonly string[];
  /** The sources the silence check watches, charted by hours since their last delivery. */
  readonly watchedSources: readonly string[];
  /** Queues whose oldest message's age shows a backlog (ingestion, compaction), by name. */
  readonly workQueues: Readonly<Record<string, sqs.IQueue>>;
  /** Queues whose every message is a failure (dead letters), by name; their depth is charted. */
  readonly failureQueues: Readonly<Record<string, sqs.IQueue>>;
  /** Athena workgroup whose bytes scanned are charted (it must publish CloudWatch metrics). */
  readonly athenaWorkGroup: string;
  /** The exporter: invocations, errors and duration. */
  readonly exporter: lambda.IFunction;
  /** The failed-export queue, charted with the exporter. */
  readonly failedExports: sqs.IQueue;
  /** Whose state the dashboard shows. */
  readonly alarms: readonly cloudwatch.IAlarm[];
  /** Reject share above which a file alarms, drawn on the reject-share graph. */
  readonly rejectShareAlarm: number;
}

/**
 * One CloudWatch dashboard per stack, named after it: ingestion per source, rejects, queue age and
 * dead letters, Athena bytes scanned, exports, and the state of every alarm.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    const { period, width, height } = DASHBOARD_DEFAULTS;
    const ours = (metricName: string, statistic: string, source?: string, label?: string) =>
      serviceBenchMetric(stackName, metricName, { statistic, period, source, label: label ?? source ?? metricName });
    const perSource = (metricName: string, statistic: string, suffix = '', sources = props.sources) =>
      sources.map((source) => ours(metricName, statistic, source, `${source}${suffix}`));
    const graph = (title: string, left: cloudwatch.IMetric[], extra: Partial<cloudwatch.GraphWidgetProps> = {}) =>
      new cloudwatch.GraphWidget({ title, left, width, height, ...extra });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: resourceNames(stackName).operationsDashboard,
      defaultInterval: DASHBOARD_DEFAULTS.interval,
    });
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24, height: 4 }),
    );
    this.dashboard.addWidgets(
      graph('Ingestion: files landed per source', perSource(INGESTION_METRIC.filesLanded, 'Sum')),
      graph('Ingestion: rows accepted and rejected per source', [
        ...perSource(INGESTION_METRIC.rowsAccepted, 'Sum', ' accepted'),
        ...perSource(INGESTION_METRIC.rowsRejected, 'Sum', ' rejected'),
      ]),
    );
    this.dashboard.addWidgets(
      graph('Rejects: files rejected whole', [
        ours(INGESTION_METRIC.filesRejectedWhole, 'Sum', undefined, 'all sources'),
        ...perSource(INGESTION_METRIC.filesRejectedWhole, 'Sum'),
      ]),
      graph('Rejects: highest reject share of a file', perSource(INGESTION_METRIC.rejectShare, 'Maximum'), {
        leftYAxis: { min: 0, max: 1, showUnits: false },
        leftAnnotations: [{ value: props.rejectShareAlarm, label: 'alarm above', color: cloudwatch.Color.RED }],
      }),
    );
    this.dashboard.addWidgets(
      graph(
        'Queues: age of the oldest message (seconds)',
        Object.entries(props.workQueues).map(([name, queue]) =>
          queue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum', label: name }),
        ),
      ),
      graph(
        'Queues: dead letters and failures waiting',
        Object.entries(props.failureQueues).map(([name, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum', label: name }),
        ),
      ),
    );
    this.dashboard.addWidgets(
      graph('Athena: bytes scanned', [
        // Athena publishes ProcessedBytes with the QueryState and QueryType dimensions besides WorkGroup:
        // the search sums every series of this workgroup, whatever its other dimensions.
        new cloudwatch.MathExpression({
          expression: `SUM(SEARCH('Namespace="AWS/Athena" MetricName="ProcessedBytes" WorkGroup="${props.athenaWorkGroup}"', 'Sum', ${period.toSeconds()}))`,
          label: 'bytes scanned',
          period,
        }),
      ]),
      ...(props.watchedSources.length === 0
        ? []
        : [
            graph(
              'Sources: hours since the last delivery',
              perSource(SILENCE_METRIC.hoursSinceDelivery, 'Maximum', '', props.watchedSources),
            ),
          ]),
    );
    this.dashboard.addWidgets(
      graph('Exports: runs, errors and failed runs waiting', [
        props.exporter.metricInvocations({ period, statistic: 'Sum', label: 'invocations' }),
        props.exporter.metricErrors({ period, statistic: 'Sum', label: 'errors' }),
        props.failedExports.metricApproximateNumberOfMessagesVisible({
          period,
          statistic: 'Maximum',
          label: 'failed exports waiting',
        }),
      ]),
      graph('Exports: duration (ms)', [
        props.exporter.metricDuration({ period, statistic: 'Maximum', label: 'longest' }),
        props.exporter.metricDuration({ period, statistic: 'Average', label: 'average' }),
      ]),
    );
  }
}
