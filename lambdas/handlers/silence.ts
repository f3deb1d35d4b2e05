/**
 * Silence check Lambda, started hourly by EventBridge Scheduler: for each source that sets
 * silenceHours, reads its delivery marker (one GET, see lambdas/core/telemetry/deliveries.ts) and
 * publishes the hours since its last delivery as an EMF metric; the source's alarm fires above its
 * silenceHours. A CloudWatch alarm alone cannot see a month of nothing (an alarm evaluates at most
 * 7 days of data, and silenceHours may be 744), so the check turns "nothing for N hours" into a
 * number an hourly alarm can compare.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { parseEnvironment } from '../core/env/environment.ts';
import { silenceCheckEnvSchema } from '../core/env/silence.ts';
import type { ObjectStore } from '../core/store/object-store.ts';
import { S3ObjectStore } from '../core/store/s3.ts';
import { measureSilence, type Silence } from '../core/telemetry/deliveries.ts';
import { type LineSink, publishMetrics, stdoutSink } from '../core/telemetry/emf.ts';
import { DIMENSION, METRICS_NAMESPACE, SILENCE_METRIC } from '../core/telemetry/metrics.ts';
import { log } from './log.ts';

export interface SilenceCheckDeps {
  /** The metrics' Stack dimension. */
  readonly stackName: string;
  /** Watched source name → its silenceHours. */
  readonly watched: Readonly<Record<string, number>>;
  /** The curated bucket, which holds the delivery markers. */
  readonly deliveries: ObjectStore;
  /** @default the system clock */
  readonly now?: () => Date;
  /** @default stdoutSink */
  readonly sink?: LineSink;
}

export interface SilenceReport extends Silence {
  readonly silenceHours: number;
  readonly silent: boolean;
}

export async function checkSilence(deps: SilenceCheckDeps): Promise<SilenceReport[]> {
  const now = (deps.now ?? (() => new Date()))();
  const reports: SilenceReport[] = [];
  for (const [source, silenceHours] of Object.entries(deps.watched)) {
    const silence = await measureSilence(deps.deliveries, source, now);
    const report = { ...silence, silenceHours, silent: silence.hours > silenceHours };
    publishMetrics(
      {
        namespace: METRICS_NAMESPACE,
        dimensions: { [DIMENSION.stack]: deps.stackName, [DIMENSION.source]: source },
        dimensionSets: [[DIMENSION.stack, DIMENSION.source]],
        metrics: [{ name: SILENCE_METRIC.hoursSinceDelivery, value: silence.hours, unit: 'None' }],
        timestamp: now,
      },
      deps.sink ?? stdoutSink,
    );
    const fields = {
      source,
      hours: silence.hours,
      silenceHours,
      basis: silence.basis,
      since: silence.since.toISOString(),
      lastObjectKey: silence.lastObjectKey,
    };
    if (report.silent) log.warn('source is silent', fields);
    else log.info('source checked', fields);
    reports.push(report);
  }
  return reports;
}

/** Reads the environment once per execution environment. */
export function coldStart(
  env: Readonly<Record<string, string | undefined>>,
  s3: S3Client = new S3Client({}),
): SilenceCheckDeps {
  const settings = parseEnvironment('silence check', silenceCheckEnvSchema, env);
  return {
    stackName: settings.STACK_NAME,
    watched: settings.WATCHED_SOURCES,
    deliveries: new S3ObjectStore({ client: s3, bucket: settings.DELIVERIES_BUCKET }),
  };
}

let ready: SilenceCheckDeps | undefined;

export async function handler(): Promise<{ readonly silent: string[] }> {
  ready ??= coldStart(process.env);
  const reports = await checkSilence(ready);
  return { silent: reports.filter((r) => r.silent).map((r) => r.source) };
}
