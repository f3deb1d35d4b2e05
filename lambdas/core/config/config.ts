/**
 * The one config file, shared by the CLI and the stack. Validation collects every problem at once
 * and names the field, the value and the fix.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { listAdapters } from '../../adapters/registry.ts';
import { alertsConfigSchema } from '../alerts/config.ts';
import { METRIC_BY_ID, METRIC_IDS, type MetricId } from '../metrics/catalogue.ts';
import { OVERALL, parseScope } from '../metrics/scorecard.ts';
import { CHANNELS } from '../schema/canonical.ts';
import { reportingSchema, scheduleSchema, TIME_ZONE } from '../time/config.ts';
import { scheduleProblems } from '../time/schedules.ts';
import { DEFAULTS } from './defaults.ts';
import { REPORT_FORMATS, REPORT_SECTIONS, SCHEDULED_PERIODS } from './reports.ts';

const NAME = /^[a-z][a-z0-9-]*$/;
const SCHEDULE = /^(cron|rate)\(.+\)$/;
/** AWS tag key and value character sets; keys starting `aws:` are reserved. */
const TAG_KEY = /^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/;

/** Metric ids a target can aim at, in catalogue order. */
const METRIC = z.enum(METRIC_IDS as [MetricId, ...MetricId[]]);
/** The service index is computed from the weights: it cannot weigh itself. */
const WEIGHTED_METRIC_IDS: readonly MetricId[] = METRIC_IDS.filter((id) => id !== 'service_index');

/** `overall` or `<dimension>:<value>`, read by the same parser the CLI's `--scope` uses. */
const SCOPE = z
  .string()
  .superRefine((text, ctx) => {
    try {
      parseScope(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  })
  .default(OVERALL)
  .describe(
    '`overall`, or `team:<name>`, `agent:<id>`, `channel:<channel>`, `queue:<name>` or `source:<source name>`.',
  );

export const sourceConfigSchema = z
  .strictObject({
    name: z
      .string()
      .regex(NAME, 'must be lower-case letters, digits and dashes, starting with a letter')
      .describe("Source name: the landing prefix (`landing/<name>/`) and every row's `source`."),
    adapter: z
      .string()
      .min(1, 'must name an adapter (run `servicebench adapters` to list them)')
      .describe('Export format (`servicebench adapters` lists them).'),
    options: z
      .record(z.string(), z.unknown())
      .default({})
      .describe(
        "The adapter's options, validated by the adapter's own schema (docs/sources.md). `mappingFile` (mapping adapter) names a mapping file relative to the config, read and inlined as `mapping`.",
      ),
    timeZone: TIME_ZONE.optional().describe(
      `IANA time zone of source timestamps that carry no offset (default ${DEFAULTS.timeZone}).`,
    ),
    agentIds: z
      .record(z.string().min(1), z.string().min(1, 'must name the agent'))
      .optional()
      .describe(
        "This source's agent identifiers → the agent names used across sources (help desks export numeric ids, phone systems usernames), so one person is one agent in every metric; applied on (re-)ingest.",
      ),
    silenceHours: z
      .number()
      .int()
      .min(1)
      .max(744)
      .optional()
      .describe(
        'Deployed stack: alarm when this source has delivered no file for this many hours (default: no silence alarm).',
      ),
    description: z.string().optional().describe('Free text for people reading the config.'),
  })
  .describe('One export feed.');

export const metricOptionsSchema = z
  .strictObject({
    minSample: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(`Fewer observations are flagged as low sample, never hidden (default ${DEFAULTS.minSample}).`),
    shortAbandonS: z
      .number()
      .min(0)
      .optional()
      .describe(
        `Abandons that waited less than this many seconds are left out of the adjusted abandonment rate (default ${DEFAULTS.shortAbandonS}).`,
      ),
    serviceLevelS: z
      .number()
      .positive()
      .optional()
      .describe(
        `Service level: queued contacts answered within this many seconds (default ${DEFAULTS.serviceLevelS}).`,
      ),
    fcrWindowDays: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        `Derived FCR: no repeat contact from the same customer within this many days (default ${DEFAULTS.fcrWindowDays}).`,
      ),
  })
  .describe('Metric options; every report prints the values in force.');

export const targetSchema = z
  .strictObject({
    metric: METRIC.describe('Metric id (docs/metrics.md).'),
    scope: SCOPE,
    goal: z.number().describe("The goal, in the metric's unit (RAG is direction-aware)."),
    amberBand: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe(
        `Within this fraction of the goal, on the wrong side, is amber; beyond it red (default ${DEFAULTS.amberBand}).`,
      ),
  })
  .describe('A goal for one metric at one scope; drives RAG status.');

export const reportSchema = z
  .strictObject({
    name: z
      .string()
      .regex(NAME, 'must be lower-case letters, digits and dashes')
      .describe('Report name, used in file names.'),
    schedule: z
      .string()
      .regex(SCHEDULE, 'must be cron(...) or rate(...)')
      .describe('EventBridge Scheduler expression, e.g. "cron(0 7 1 * ? *)".'),
    timeZone: TIME_ZONE.default('UTC').describe('IANA time zone the schedule runs in.'),
    period: z
      .enum(SCHEDULED_PERIODS)
      .default('previous-month')
      .describe(
        'Which period the report covers when it runs: the week, month, quarter or year before, in reporting.timeZone.',
      ),
    scope: SCOPE,
    recipients: z.array(z.email('must be an e-mail address')).default([]).describe('Who receives the e-mail.'),
    sections: z
      .array(z.enum(REPORT_SECTIONS))
      .optional()
      .describe('Sections of the HTML and PDF, in their fixed order (default: all).'),
    formats: z
      .array(z.enum(REPORT_FORMATS))
      .default([...REPORT_FORMATS])
      .describe('Files written.'),
  })
  .describe('A scheduled executive report.');

export const configSchema = z
  .strictObject({
    $schema: z.string().optional().describe("This file's JSON Schema, for editors."),
    organisation: z.string().default('Example Co').describe('Company name shown on the report.'),
    sources: z.array(sourceConfigSchema).default([]).describe('One entry per export feed.'),
    metrics: metricOptionsSchema.default({}),
    retention: z
      .strictObject({
        horizonDays: z
          .number()
          .int()
          .positive()
          .optional()
          .describe(
            `Churn after service: a cancellation within this many days after a period's end counts as churn of the customers who had contacts in it (default ${DEFAULTS.retentionHorizonDays}).`,
          ),
      })
      .default({})
      .describe('What service is worth: churn by experience (docs/metrics.md).'),
    targets: z.array(targetSchema).default([]).describe('Goals; one per metric and scope.'),
    benchmarks: z
      .strictObject({
        industry: z
          .string()
          .default(DEFAULTS.benchmarkIndustry)
          .describe('Industry whose published figures (benchmarks/industry.csv) are compared against.'),
        region: z.string().optional().describe('Region of the benchmark figures, when they have one.'),
      })
      .default({ industry: DEFAULTS.benchmarkIndustry })
      .describe('Which published industry figures the metrics are compared with.'),
    compositeWeights: z
      .record(z.string(), z.number().min(0))
      // Keys are checked in validateConfig with a did-you-mean; the schema lists them for editors.
      .meta({ propertyNames: { enum: WEIGHTED_METRIC_IDS } })
      .optional()
      .describe('Weights of the composite service index by metric id (only metrics with enough data count).'),
    reporting: reportingSchema,
    schedules: z
      .array(scheduleSchema)
      .default([])
      .describe('Business hours (docs/metrics.md#business-time); entries of one name are versions by effectiveFrom.'),
    reports: z.array(reportSchema).default([]).describe('Scheduled executive reports (deployed stack).'),
    alerts: alertsConfigSchema,
    ingest: z
      .strictObject({
        maxRejectShare: z
          .number()
          .min(0)
          .max(1)
          .optional()
          .describe(
            `\`servicebench ingest\` fails when more than this fraction of a file's records, or of the run's, is rejected (default ${DEFAULTS.maxRejectShare}).`,
          ),
      })
      .default({})
      .describe('Checks on what an ingest accepted.'),
    lake: z
      .strictObject({
        partitionsFrom: z.iso
          .date('must be a yyyy-MM-dd date')
          .default(DEFAULTS.partitionsFrom)
          .describe(
            'First day a row may be dated: Athena projects partitions from it, and rows dated earlier are rejected with that reason.',
          ),
      })
      .default({ partitionsFrom: DEFAULTS.partitionsFrom })
      .describe('The curated lake, the same locally and deployed.'),
    deployment: z
      .strictObject({
        alarmEmail: z.email().optional().describe("Receives the stack's alarms."),
        sesSender: z.email().optional().describe('Verified SES identity reports are sent from (else an SNS topic).'),
        maxNormaliserConcurrency: z
          .number()
          .int()
          .min(1)
          .max(100)
          .optional()
          .describe('Reserved normaliser concurrency.'),
        athenaBytesScannedCutoff: z
          .number()
          .int()
          .min(10_000_000)
          .optional()
          .describe('Per-query scan limit of the Athena workgroup, in bytes.'),
        refreshSchedule: z
          .string()
          .regex(SCHEDULE, 'must be cron(...) or rate(...)')
          .optional()
          .describe(
            `EventBridge Scheduler expression (UTC) of the metric refresh (default ${DEFAULTS.refreshSchedule}).`,
          ),
        tags: z
          .record(
            z.string().regex(TAG_KEY, 'must be 1 to 128 letters, digits, spaces or _ . : / = + - @, not starting aws:'),
            z.string().regex(TAG_VALUE, 'must be at most 256 letters, digits, spaces or _ . : / = + - @'),
          )
          .default({})
          .describe('Tags put on every resource of the stack, e.g. for cost allocation.'),
        landing: z
          .strictObject({
            bucketName: z
              .string()
              .regex(BUCKET_NAME, 'must be an S3 bucket name (3 to 63 lower-case letters, digits, dots and dashes)')
              .describe('Name of the existing bucket, in the same account and region as the stack.'),
            keyArn: z
              .string()
              .regex(KMS_KEY_ARN, 'must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)')
              .optional()
              .describe('The KMS key the bucket encrypts with (SSE-KMS); leave out for SSE-S3.'),
          })
          .optional()
          .describe(
            'Bring your own landing bucket (e.g. an Amazon Connect or Firehose delivery bucket) instead of the one the stack creates (docs/deploy.md).',
          ),
        uploaderAccounts: z
          .array(z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'))
          .default([])
          .describe(
            "Other AWS accounts allowed to upload into the stack's landing bucket: its bucket and key policies grant them PutObject under the sources' prefixes.",
          ),
        quarantineReaders: z
          .array(
            z
              .string()
              .regex(
                /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/,
                'must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)',
              ),
          )
          .default([])
          .describe(
            'IAM roles allowed to read the quarantine bucket besides the normaliser: rejected rows hold raw, unpseudonymised identifiers, so its policy denies reads to everyone else (docs/deploy.md).',
          ),
        rejectShareAlarm: z
          .number()
          .min(0)
          .max(1)
          .optional()
          .describe(
            `Alarm when a file's share of rejected records is above this fraction (default ${DEFAULTS.maxRejectShare}); a file rejected whole always alarms.`,
          ),
        reportLinkHours: z
          .number()
          .int()
          .min(1)
          .max(168)
          .optional()
          .describe(
            `How long the links in a report e-mail or message stay valid, in hours (default ${DEFAULTS.reportLinkHours}, at most 7 days).`,
          ),
        attachPdfUnderBytes: z
          .number()
          .int()
          .min(0)
          .max(7_000_000)
          .optional()
          .describe(
            `A report PDF smaller than this is attached to the e-mail besides the links (default ${DEFAULTS.attachPdfUnderBytes}; 0 never attaches).`,
          ),
        webhook: z
          .strictObject({
            format: z.enum(['slack', 'teams']).describe('Message layout: Slack incoming webhook or Teams workflow.'),
            urlSecretName: z
              .string()
              .min(1)
              .describe('Name of the Secrets Manager secret whose value is the webhook URL (the URL is a credential).'),
          })
          .optional()
          .describe('Post report deliveries to a Slack or Microsoft Teams channel besides SES and SNS.'),
      })
      .prefault({})
      .describe('Deployment settings read by the CDK app.'),
  })
  .describe('ServiceBench configuration: one file for the CLI and the AWS stack.');

export type ServiceBenchConfig = z.infer<typeof configSchema>;
export type SourceConfig = z.infer<typeof sourceConfigSchema>;

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file}: ${problems.length} problem(s)\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates a parsed config, every problem at once, each naming its path, the bad value and the
 * fix: the schema (unknown keys at every level, with a did-you-mean), each source's adapter and its
 * options, and what the schema alone cannot see (duplicate names and targets, scopes naming no
 * configured source or canonical channel). The CLI, `cdk synth` and every Lambda's cold start call
 * it. A function's config slice leaves `sources` out: its scopes were checked against the whole
 * file at synth.
 */
export function validateConfig(raw: unknown, file = 'config'): ServiceBenchConfig {
  return checkConfig(raw, file, true);
}

/**
 * The config's own rules, without the adapters': for configs a test builds around an adapter of
 * its own. Everything that reads a config file calls validateConfig.
 */
export function parseConfig(raw: unknown, file = 'config'): ServiceBenchConfig {
  return checkConfig(raw, file, false);
}

function checkConfig(raw: unknown, file: string, withAdapters: boolean): ServiceBenchConfig {
  const problems = unknownKeyProblems(configSchema, raw, []);
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      if (issue.code !== 'unrecognized_keys') problems.push(describeIssue(issue, raw, []));
    }
  }
  // Cross-checks run on every entry that parses on its own (unknown keys aside: they are reported
  // above), so one bad entry hides no other problem.
  const sources = entries(raw, 'sources', sourceConfigSchema.strip());
  const targets = entries(raw, 'targets', targetSchema.strip());
  const reports = entries(raw, 'reports', reportSchema.strip());
  if (withAdapters) problems.push(...sources.flatMap(({ index, entry }) => adapterProblems(entry, index)));
  const names = new Set<string>();
  for (const { index, entry } of sources) {
    if (names.has(entry.name)) {
      problems.push(`sources.${index}.name: duplicate source name "${entry.name}"; names must be unique`);
    }
    names.add(entry.name);
  }
  const sourcesGiven = raw !== null && typeof raw === 'object' && 'sources' in raw;
  const scopeProblems = (path: string, text: string): string[] => {
    const scope = parseScope(text);
    if (scope?.dimension === 'source' && sourcesGiven && !names.has(scope.value)) {
      const known = [...names].map((n) => `source:${n}`).join(', ') || '(no sources are configured)';
      return [
        `${path}: scope names no configured source (got "${text}"); use one of ${known}${suggestion(scope.value, [...names])}`,
      ];
    }
    if (scope?.dimension === 'channel' && !(CHANNELS as readonly string[]).includes(scope.value)) {
      return [
        `${path}: scope names no channel (got "${text}"); channels are ${CHANNELS.join(', ')}${suggestion(scope.value, CHANNELS)}`,
      ];
    }
    return [];
  };
  const firstTarget = new Map<string, number>();
  for (const { index, entry } of targets) {
    problems.push(...scopeProblems(`targets.${index}.scope`, entry.scope));
    const dimension = parseScope(entry.scope)?.dimension;
    const attributable = METRIC_BY_ID.get(entry.metric)?.dimensions ?? [];
    if (dimension !== undefined && !attributable.includes(dimension)) {
      problems.push(
        `targets.${index}.scope: ${entry.metric} is never produced per ${dimension} (got "${entry.scope}"); set its target at overall or per ${attributable.filter((d) => d !== OVERALL).join(', ')}`,
      );
    }
    const key = `${entry.metric} ${entry.scope}`;
    const first = firstTarget.get(key);
    if (first === undefined) firstTarget.set(key, index);
    else {
      problems.push(
        `targets.${index}: duplicate target for ${entry.metric} at scope ${entry.scope} (also targets.${first}); keep one of them`,
      );
    }
  }
  const weights = valueAt(raw, ['compositeWeights']);
  for (const metric of weights !== null && typeof weights === 'object' ? Object.keys(weights) : []) {
    if (!(WEIGHTED_METRIC_IDS as readonly string[]).includes(metric)) {
      problems.push(
        `compositeWeights.${metric}: unknown metric id (got "${metric}"); weigh one of ${WEIGHTED_METRIC_IDS.join(', ')}${suggestion(metric, WEIGHTED_METRIC_IDS)}`,
      );
    }
  }
  const reportNames = new Set<string>();
  for (const { index, entry } of reports) {
    problems.push(...scopeProblems(`reports.${index}.scope`, entry.scope));
    if (reportNames.has(entry.name)) {
      problems.push(`reports.${index}.name: duplicate report name "${entry.name}"; names must be unique`);
    }
    reportNames.add(entry.name);
  }
  problems.push(...scheduleProblems(entries(raw, 'schedules', scheduleSchema.strip())));
  if (problems.length > 0 || !result.success) throw new ConfigError(file, problems);
  return result.data;
}

/** The entries of a top-level list that are valid on their own, with their positions. */
function entries<T>(raw: unknown, key: string, schema: z.ZodType<T>): { index: number; entry: T }[] {
  const list = valueAt(raw, [key]);
  if (!Array.isArray(list)) return [];
  return list.flatMap((item, index) => {
    const parsed = schema.safeParse(item);
    return parsed.success ? [{ index, entry: parsed.data }] : [];
  });
}

/** A source's adapter exists and its options pass the adapter's schema, unknown keys included. */
function adapterProblems(source: SourceConfig, index: number): string[] {
  const adapter = listAdapters().find((a) => a.name === source.adapter);
  if (!adapter) {
    const known = listAdapters().map((a) => a.name);
    return [
      `sources.${index}.adapter: unknown adapter (got "${source.adapter}"); use one of ${known.join(', ')}${suggestion(source.adapter, known)}`,
    ];
  }
  const path = ['sources', index, 'options'];
  const parsed = adapter.optionsSchema.safeParse(source.options);
  const issues = parsed.success ? [] : parsed.error.issues.filter((issue) => issue.code !== 'unrecognized_keys');
  return [
    ...unknownKeyProblems(adapter.optionsSchema, source.options, path),
    ...issues.map((issue) => describeIssue(issue, source.options, path)),
  ];
}

/** One zod issue as `path: message (got value)`, with a did-you-mean for a value off a list. */
function describeIssue(issue: z.core.$ZodIssue, raw: unknown, prefix: readonly PropertyKey[]): string {
  const path = [...prefix, ...issue.path].join('.') || '(root)';
  const value = valueAt(raw, issue.path);
  const shown = value === undefined ? 'missing' : JSON.stringify(value);
  if (issue.code === 'invalid_value' && typeof value === 'string') {
    const allowed = issue.values.map(String);
    return `${path}: unknown value (got ${shown}); use one of ${allowed.join(', ')}${suggestion(value, allowed)}`;
  }
  return `${path}: ${issue.message} (got ${shown})`;
}

type SchemaDef = {
  type: string;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  getter?: () => z.ZodType;
  entries?: Record<string, unknown>;
};
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

/**
 * Keys of `value` that `schema` does not declare, at every level the schema can be followed (a
 * union only where exactly one branch accepts the value). Adapters' option objects are not all
 * strict, so this is how an option typo is caught rather than silently ignored.
 */
function unknownKeyProblems(schema: z.ZodType, value: unknown, path: readonly PropertyKey[]): string[] {
  const def = defOf(schema);
  if (WRAPPERS.has(def.type) && def.innerType) return unknownKeyProblems(def.innerType, value, path);
  if (def.type === 'pipe' && def.in) return unknownKeyProblems(def.in, value, path);
  if (def.type === 'lazy' && def.getter) return unknownKeyProblems(def.getter(), value, path);
  if (def.type === 'array' && def.element && Array.isArray(value)) {
    const element = def.element;
    return value.flatMap((item, i) => unknownKeyProblems(element, item, [...path, i]));
  }
  if (def.type === 'union' && def.options) {
    const accepting = def.options.filter((option) => option.safeParse(value).success);
    return accepting.length === 1 && accepting[0] ? unknownKeyProblems(accepting[0], value, path) : [];
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  if (def.type === 'record' && def.valueType) {
    const keyDef = def.keyType ? defOf(def.keyType) : undefined;
    const allowed = keyDef?.type === 'enum' && keyDef.entries ? Object.keys(keyDef.entries) : undefined;
    const valueType = def.valueType;
    return Object.entries(value).flatMap(([key, item]) =>
      allowed && !allowed.includes(key)
        ? [unknownKey(path, key, allowed)]
        : unknownKeyProblems(valueType, item, [...path, key]),
    );
  }
  if (def.type !== 'object' || !def.shape) return [];
  const shape = def.shape;
  const open = def.catchall !== undefined && defOf(def.catchall).type !== 'never';
  return Object.entries(value).flatMap(([key, item]) => {
    const field = shape[key];
    if (field) return unknownKeyProblems(field, item, [...path, key]);
    return open ? [] : [unknownKey(path, key, Object.keys(shape))];
  });
}

function unknownKey(path: readonly PropertyKey[], key: string, known: readonly string[]): string {
  const where = [...path, key].join('.');
  const elsewhere = suggestion(key, known) || placesOf(key);
  return `${where}: unknown key (got "${key}"); remove it or use one of ${known.join(', ')}${elsewhere}`;
}

/** `a`, `a and b`, `a, b and c`. */
function listed(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** Where else in the config a mistyped key is valid, for a key set at the wrong level. */
function placesOf(key: string): string {
  const places = keyPlaces().filter((p) => sameWord(p.key, key));
  return places.length > 0
    ? `; "${places[0]?.key}" is a key of ${listed(places.map((p) => p.parent || '(root)'))}`
    : '';
}

let keyPlacesCache: { key: string; parent: string }[] | undefined;
/** Every key of the config schema with the path of the object that holds it (`sources[]` for a source's). */
function keyPlaces(): { key: string; parent: string }[] {
  if (keyPlacesCache) return keyPlacesCache;
  const places: { key: string; parent: string }[] = [];
  const visit = (schema: z.ZodType, parent: string) => {
    const def = defOf(schema);
    if (WRAPPERS.has(def.type) && def.innerType) visit(def.innerType, parent);
    else if (def.type === 'array' && def.element) visit(def.element, `${parent}[]`);
    else if (def.type === 'object' && def.shape) {
      for (const [key, field] of Object.entries(def.shape)) {
        places.push({ key, parent });
        visit(field, parent ? `${parent}.${key}` : key);
      }
    }
  };
  visit(configSchema, '');
  keyPlacesCache = places;
  return places;
}

/** Same word up to case, dashes and underscores, or one edit away. */
function sameWord(a: string, b: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  return norm(a) === norm(b) || editDistance(norm(a), norm(b)) <= 1;
}

/**
 * `; did you mean "x"?` for the candidate a typo most likely came from: one edit away, else the
 * one the value begins (`csat` → `csat_pct`), else within a third of its length; else nothing.
 */
export function suggestion(value: string, candidates: readonly string[]): string {
  const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  const ranked = candidates
    .map((candidate) => ({ candidate, distance: editDistance(norm(value), norm(candidate)) }))
    .sort((x, y) => x.distance - y.distance);
  const best = ranked[0];
  const prefixed = norm(value).length >= 3 ? candidates.find((c) => norm(c).startsWith(norm(value))) : undefined;
  const chosen =
    best && best.distance <= 1 && value.length >= 3
      ? best.candidate
      : (prefixed ?? (best && best.distance <= Math.floor(value.length / 3) ? best.candidate : undefined));
  return chosen === undefined ? '' : `; did you mean "${chosen}"?`;
}

/** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = value;
    }
  }
  return at(a.length, b.length);
}

export function loadConfig(file: string): ServiceBenchConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`cannot read the file: ${(error as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(stripJsonComments(text));
  } catch (error) {
    throw new ConfigError(file, [`not valid JSON: ${(error as Error).message}`]);
  }
  return validateConfig(inlineFileReferences(raw, dirname(file)), file);
}

/**
 * Sources may keep a long option in its own file (`"mappingFile": "mappings/x.json"`, relative to the
 * config file). It is read here and inlined as `mapping`, so the adapters and the deployed Lambda
 * only ever see self-contained options.
 */
function inlineFileReferences(raw: unknown, baseDir: string): unknown {
  if (raw === null || typeof raw !== 'object') return raw;
  const sources = (raw as { sources?: unknown }).sources;
  if (!Array.isArray(sources)) return raw;
  return {
    ...raw,
    sources: sources.map((source: unknown) => {
      const options = (source as { options?: Record<string, unknown> })?.options;
      if (!options || typeof options.mappingFile !== 'string') return source;
      const { mappingFile, ...rest } = options;
      const path = resolve(baseDir, mappingFile);
      let mapping: unknown;
      try {
        mapping = JSON.parse(stripJsonComments(readFileSync(path, 'utf8')));
      } catch (error) {
        throw new ConfigError(path, [
          `mappingFile of source ${JSON.stringify((source as { name?: unknown }).name)}: ${(error as Error).message}`,
        ]);
      }
      return { ...(source as object), options: { ...rest, mapping } };
    }),
  };
}

/** Allows `//` line comments in config files, outside strings. */
export function stripJsonComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      out += ch;
      if (ch === '\\') out += text[++i] ?? '';
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
      out += ch;
    } else if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else out += ch;
  }
  return out;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = raw;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

export { type MetricOptions, metricOptions, retentionHorizonDays } from './defaults.ts';
