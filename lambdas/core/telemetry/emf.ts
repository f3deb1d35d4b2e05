/**
 * CloudWatch Embedded Metric Format (EMF): one JSON log line that CloudWatch Logs turns into
 * metrics, so a function publishes metrics with the log permissions it already has: no
 * PutMetricData call on the data path and no extra IAM. The document layout follows the
 * specification (docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 */

/** The EMF units ServiceBench publishes; a share is a plain fraction (`None`), as the config states it. */
export type MetricUnit = 'Count' | 'None';

export interface MetricValue {
  readonly name: string;
  /** `null` is a value the run could not know: it is left out of the document, never sent as 0. */
  readonly value: number | null;
  readonly unit: MetricUnit;
}

export interface MetricRecord {
  readonly namespace: string;
  /** Dimension values by name, e.g. `{ Stack: 'ServiceBench', Source: 'zendesk' }`. */
  readonly dimensions: Readonly<Record<string, string>>;
  /**
   * The dimension sets each metric is aggregated by, each naming dimensions of `dimensions`: a
   * per-source set and a stack-wide set let one alarm watch every source, including ones added later.
   */
  readonly dimensionSets: readonly (readonly string[])[];
  readonly metrics: readonly MetricValue[];
  /** Extra fields for Logs Insights (e.g. the object key); not metrics. @default none */
  readonly properties?: Readonly<Record<string, unknown>>;
  readonly timestamp: Date;
}

/** EMF's limits: 100 metrics per directive, 30 dimensions per set. */
const MAX_METRICS = 100;
const MAX_DIMENSIONS_PER_SET = 30;

/** The EMF document of a record, checked against the specification's rules; throws on the first problem. */
export function metricDocument(record: MetricRecord): Record<string, unknown> {
  const problems: string[] = [];
  const known = record.metrics.filter((m): m is MetricValue & { value: number } => m.value !== null);
  for (const metric of known) {
    if (!Number.isFinite(metric.value)) problems.push(`metric ${metric.name} is ${metric.value}, not a finite number`);
  }
  if (known.length > MAX_METRICS) problems.push(`${known.length} metrics, over EMF's ${MAX_METRICS}`);
  for (const [name, value] of Object.entries(record.dimensions)) {
    if (value.length === 0) problems.push(`dimension ${name} is empty`);
  }
  for (const set of record.dimensionSets) {
    if (set.length > MAX_DIMENSIONS_PER_SET) problems.push(`a dimension set of ${set.length}, over EMF's 30`);
    for (const name of set) {
      if (!Object.hasOwn(record.dimensions, name)) problems.push(`dimension set names ${name}, which has no value`);
    }
  }
  const taken = new Set([...Object.keys(record.dimensions), ...record.metrics.map((m) => m.name)]);
  for (const name of Object.keys(record.properties ?? {})) {
    if (taken.has(name) || name === '_aws') problems.push(`property ${name} would overwrite a dimension or metric`);
  }
  if (problems.length > 0) throw new Error(`invalid metric record: ${problems.join('; ')}`);

  return {
    _aws: {
      Timestamp: record.timestamp.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: record.namespace,
          Dimensions: record.dimensionSets.map((set) => [...set]),
          Metrics: known.map((m) => ({ Name: m.name, Unit: m.unit })),
        },
      ],
    },
    ...record.properties,
    ...record.dimensions,
    ...Object.fromEntries(known.map((m) => [m.name, m.value])),
  };
}

/** Where metric lines go: a function of one line (without its newline). */
export type LineSink = (line: string) => void;

/**
 * Writes the line to standard output directly. The functions log in Lambda's JSON format, which
 * wraps whatever goes through `console` into the `message` field of its own JSON object, where
 * CloudWatch no longer finds the `_aws` member; a line written to stdout stays as it is (Powertools
 * Metrics does the same, through a Console of its own on process.stdout).
 */
export const stdoutSink: LineSink = (line) => {
  process.stdout.write(`${line}\n`);
};

/** Publishes the record as one EMF line. */
export function publishMetrics(record: MetricRecord, sink: LineSink = stdoutSink): void {
  sink(JSON.stringify(metricDocument(record)));
}
