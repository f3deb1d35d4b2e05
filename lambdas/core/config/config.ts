/**
 * The one config file, shared by the CLI and the stack. Validation collects every problem at once
 * and names the field, the value and the fix.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { OVERALL, parseScope } from '../metrics/scorecard.ts';
import { DEFAULTS } from './defaults.ts';
import { REPORT_FORMATS } from './reports.ts';

const METRIC_ID = /^[a-z][a-z0-9_]*$/;
const TIME_ZONE = z.string().refine(isTimeZone, { message: 'must be an IANA time zone such as "Europe/Paris"' });

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
  .default(OVERALL);

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const sourceConfigSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes, starting with a letter'),
  adapter: z.string().min(1, 'must name an adapter (run `servicebench adapters` to list them)'),
  /** Adapter options (validated by the adapter's own schema). */
  options: z.record(z.string(), z.unknown()).default({}),
  /** Time zone of timestamps that carry no offset. */
  timeZone: TIME_ZONE.optional(),
  /**
   * This source's agent identifiers → the agent names used across sources (help desks export
   * numeric ids, the phone system usernames). Applied to agent_id by the normaliser, so one person
   * is one agent in every metric; a change takes effect on re-ingest.
   */
  agentIds: z.record(z.string().min(1), z.string().min(1, 'must name the agent')).optional(),
  description: z.string().optional(),
});

export const metricOptionsSchema = z.object({
  minSample: z.number().int().min(1).optional(),
  shortAbandonS: z.number().min(0).optional(),
  serviceLevelS: z.number().positive().optional(),
  fcrWindowDays: z.number().int().positive().optional(),
});

export const targetSchema = z.object({
  metric: z.string().regex(METRIC_ID, 'must be a metric id such as "csat_pct"'),
  /** `overall`, or `team:<name>`, `channel:<name>`, `agent:<id>`, `queue:<name>`, `source:<name>`. */
  scope: SCOPE,
  goal: z.number(),
  /** Amber band as a fraction of the goal (0.05 = within 5% of the goal is amber). */
  amberBand: z.number().min(0).max(1).optional(),
});

export const reportSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes'),
  /** EventBridge Scheduler cron expression, e.g. "cron(0 7 1 * ? *)". */
  schedule: z.string().regex(/^(cron|rate)\(.+\)$/, 'must be cron(...) or rate(...)'),
  timeZone: TIME_ZONE.default('UTC'),
  /** Which period the report covers when it runs. */
  period: z.enum(['previous-month', 'previous-week']).default('previous-month'),
  scope: SCOPE,
  recipients: z.array(z.email('must be an e-mail address')).default([]),
  sections: z.array(z.string()).optional(),
  formats: z.array(z.enum(REPORT_FORMATS)).default([...REPORT_FORMATS]),
});

export const configSchema = z.object({
  $schema: z.string().optional(),
  /** Company name shown on the report. */
  organisation: z.string().default('Example Co'),
  sources: z.array(sourceConfigSchema).default([]),
  metrics: metricOptionsSchema.default({}),
  targets: z.array(targetSchema).default([]),
  benchmarks: z
    .object({ industry: z.string().default(DEFAULTS.benchmarkIndustry), region: z.string().optional() })
    .default({ industry: DEFAULTS.benchmarkIndustry }),
  /** Weights of the composite service index by metric id (only metrics with enough data count). */
  compositeWeights: z.record(z.string().regex(METRIC_ID), z.number().min(0)).optional(),
  reports: z.array(reportSchema).default([]),
  /** The curated lake, the same locally and deployed. */
  lake: z
    .object({
      /** First day a row may be dated (yyyy-MM-dd); DEFAULTS.partitionsFrom when absent. */
      partitionsFrom: z.iso.date('must be a yyyy-MM-dd date').default(DEFAULTS.partitionsFrom),
    })
    .default({ partitionsFrom: DEFAULTS.partitionsFrom }),
  /** Deployment settings read by the CDK app. */
  deployment: z
    .object({
      alarmEmail: z.email().optional(),
      sesSender: z.email().optional(),
      maxNormaliserConcurrency: z.number().int().min(1).max(100).optional(),
      athenaBytesScannedCutoff: z.number().int().min(10_000_000).optional(),
      /** EventBridge Scheduler expression (UTC) of the metric refresh; DEFAULTS.refreshSchedule when absent. */
      refreshSchedule: z
        .string()
        .regex(/^(cron|rate)\(.+\)$/, 'must be cron(...) or rate(...)')
        .optional(),
    })
    .default({}),
});

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

/** Validates a parsed config; every problem is reported together, each with its path and value. */
export function parseConfig(raw: unknown, file = 'config'): ServiceBenchConfig {
  const result = configSchema.safeParse(raw);
  const problems: string[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.join('.') || '(root)';
      const value = valueAt(raw, issue.path);
      const shown = value === undefined ? 'missing' : JSON.stringify(value);
      problems.push(`${path}: ${issue.message} (got ${shown})`);
    }
    throw new ConfigError(file, problems);
  }
  const names = new Set<string>();
  result.data.sources.forEach((s, i) => {
    if (names.has(s.name)) problems.push(`sources.${i}.name: duplicate source name "${s.name}"; names must be unique`);
    names.add(s.name);
  });
  if (problems.length > 0) throw new ConfigError(file, problems);
  return result.data;
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
  return parseConfig(inlineFileReferences(raw, dirname(file)), file);
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

/** Metric options with defaults applied (the values printed in reports). */
export function metricOptions(config: ServiceBenchConfig) {
  return {
    minSample: config.metrics.minSample ?? DEFAULTS.minSample,
    shortAbandonS: config.metrics.shortAbandonS ?? DEFAULTS.shortAbandonS,
    serviceLevelS: config.metrics.serviceLevelS ?? DEFAULTS.serviceLevelS,
    fcrWindowDays: config.metrics.fcrWindowDays ?? DEFAULTS.fcrWindowDays,
  };
}
export type MetricOptions = ReturnType<typeof metricOptions>;
