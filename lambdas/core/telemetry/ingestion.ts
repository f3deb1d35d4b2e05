/**
 * What the deployed normaliser reports for each landed object, after it has been normalised and
 * its partitions published: the source's delivery marker (for the silence check), then one EMF line
 * with the object's counts. The line comes last, so a message that fails and is retried counts its
 * object once, when it finally succeeds.
 */
import { parseEnvironment } from '../env/environment.ts';
import { telemetryEnvSchema } from '../env/telemetry.ts';
import type { NormaliseResult } from '../normalise/pipeline.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { recordDelivery } from './deliveries.ts';
import { type LineSink, type MetricRecord, publishMetrics, stdoutSink } from './emf.ts';
import { DIMENSION, INGESTION_METRIC, METRICS_NAMESPACE } from './metrics.ts';

/** The audit fields the metrics are computed from. */
export type ObjectAudit = Pick<
  NormaliseResult['audit'],
  'source' | 'object_key' | 'landed_at' | 'rows_read' | 'rows_accepted' | 'rows_rejected' | 'file_error'
>;

/** rows_rejected / rows_read; unknown (null) for an object with no record, never 0. */
export function rejectShare(audit: ObjectAudit): number | null {
  return audit.rows_read > 0 ? audit.rows_rejected / audit.rows_read : null;
}

/** The metric record of one object: per source, and summed over the stack for the stack-wide alarms. */
export function ingestionRecord(stackName: string, audit: ObjectAudit, timestamp: Date): MetricRecord {
  return {
    namespace: METRICS_NAMESPACE,
    dimensions: { [DIMENSION.stack]: stackName, [DIMENSION.source]: audit.source },
    dimensionSets: [[DIMENSION.stack, DIMENSION.source], [DIMENSION.stack]],
    metrics: [
      { name: INGESTION_METRIC.filesLanded, value: 1, unit: 'Count' },
      { name: INGESTION_METRIC.filesRejectedWhole, value: audit.file_error === null ? 0 : 1, unit: 'Count' },
      { name: INGESTION_METRIC.rowsRead, value: audit.rows_read, unit: 'Count' },
      { name: INGESTION_METRIC.rowsAccepted, value: audit.rows_accepted, unit: 'Count' },
      { name: INGESTION_METRIC.rowsRejected, value: audit.rows_rejected, unit: 'Count' },
      { name: INGESTION_METRIC.rejectShare, value: rejectShare(audit), unit: 'None' },
    ],
    properties: { object_key: audit.object_key, file_error: audit.file_error },
    timestamp,
  };
}

export interface IngestionTelemetry {
  /** Records the object's delivery and publishes its metrics. */
  objectNormalised(result: { readonly audit: ObjectAudit }): Promise<void>;
}

export interface IngestionTelemetryOptions {
  /** The metrics' Stack dimension. */
  readonly stackName: string;
  /** The curated bucket, which holds the delivery markers. */
  readonly deliveries: ObjectStore;
  /** @default stdoutSink */
  readonly sink?: LineSink;
  /** @default the system clock */
  readonly now?: () => Date;
}

export function ingestionTelemetry(options: IngestionTelemetryOptions): IngestionTelemetry {
  const now = options.now ?? (() => new Date());
  return {
    async objectNormalised({ audit }) {
      await recordDelivery(options.deliveries, {
        source: audit.source,
        objectKey: audit.object_key,
        landedAt: audit.landed_at,
      });
      publishMetrics(ingestionRecord(options.stackName, audit, now()), options.sink ?? stdoutSink);
    },
  };
}

/** The deployed normaliser's telemetry: the stack name from its environment, the markers in its curated store. */
export function normaliserTelemetry(
  env: Readonly<Record<string, string | undefined>>,
  deliveries: ObjectStore,
): IngestionTelemetry {
  return ingestionTelemetry({
    stackName: parseEnvironment('normaliser', telemetryEnvSchema, env).STACK_NAME,
    deliveries,
  });
}
