import type { ServiceBenchConfig } from './config.ts';

/** Every documented default, in one place. Applied with `??`; pinned by test/unit/defaults.test.ts. */
export const DEFAULTS = {
  /** Minimum observations before a metric is trusted (smaller samples are flagged, not hidden). */
  minSample: 30,
  /** Abandons that waited less than this many seconds are excluded from the adjusted rate. */
  shortAbandonS: 5,
  /** Service-level threshold: answered within this many seconds. */
  serviceLevelS: 20,
  /** Derived FCR: no repeat contact from the same customer within this many days. */
  fcrWindowDays: 7,
  /**
   * Days after a period's end within which a cancellation counts as churn of the customers who had
   * contacts in it (service_retention): a quarter, long enough for a monthly or quarterly renewal.
   */
  retentionHorizonDays: 90,
  /** Time zone of source timestamps that carry no offset. */
  timeZone: 'UTC',
  /** Amber band around a target, as a fraction of the target. */
  amberBand: 0.05,
  /** Industry whose benchmark figures are compared against. */
  benchmarkIndustry: 'all',
  /** Rows buffered across partitions before the largest partition is flushed as a row group. */
  maxBufferedRows: 50_000,
  /**
   * Sentiment analyser of social text in local runs (`servicebench ingest`, the demo): the lexicon
   * bundled with the normaliser, so net sentiment needs no cloud service; `--no-sentiment` turns it off.
   */
  sentimentAnalyser: 'lexicon',
  /**
   * Share of records an ingest may reject, per file and over the run, before `servicebench ingest`
   * fails: a wrong date format or a renamed column rejects far more than a few malformed rows.
   */
  maxRejectShare: 0.05,
  /** Local lake folder, relative to the working directory. */
  lakeDir: 'lake',
  /** Config file looked for when --config is not given. */
  configFile: 'servicebench.config.json',
  /**
   * When the deployed stack rewrites the materialised metric tables (EventBridge Scheduler, UTC):
   * daily at 03:00, after a night's exports have landed; reports refresh them again before they run.
   */
  refreshSchedule: 'cron(0 3 * * ? *)',
  /**
   * Memory the local DuckDB engine may use before it spills to `<lake>/.servicebench/tmp`; with the
   * CLI's own Node.js process, a command then stays within 1 GiB on a demo lake of a million records.
   */
  duckdbMemoryLimit: '512MiB',
  /**
   * First day a curated row may be dated (its `dt` partition). Athena's partition projection reads
   * from this day to today; the normaliser rejects rows dated before it, or more than a day after
   * their file landed, so no row is curated where a query would never see it.
   */
  partitionsFrom: '2015-01-01',
  /**
   * Links in a delivered report stay valid this long (hours): a week, so a report sent on a Friday
   * night still opens on Monday. S3 caps a signed link at 7 days.
   */
  reportLinkHours: 168,
  /** A report PDF under this size travels as an e-mail attachment too (SES allows 10 MB messages). */
  attachPdfUnderBytes: 5_000_000,
} as const;

/**
 * Metric options with defaults applied (the values printed in reports). Here rather than beside the
 * config's schema, so the reference tables are built without loading the schema and every adapter's.
 */
export function metricOptions(config: ServiceBenchConfig) {
  return {
    minSample: config.metrics.minSample ?? DEFAULTS.minSample,
    shortAbandonS: config.metrics.shortAbandonS ?? DEFAULTS.shortAbandonS,
    serviceLevelS: config.metrics.serviceLevelS ?? DEFAULTS.serviceLevelS,
    fcrWindowDays: config.metrics.fcrWindowDays ?? DEFAULTS.fcrWindowDays,
  };
}
export type MetricOptions = ReturnType<typeof metricOptions>;

/** Days after a period's end within which a cancellation is churn, with the default applied. */
export function retentionHorizonDays(config: ServiceBenchConfig): number {
  return config.retention.horizonDays ?? DEFAULTS.retentionHorizonDays;
}
