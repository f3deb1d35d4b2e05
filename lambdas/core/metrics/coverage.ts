/**
 * Which canonical fields each metric needs, declared once, and what a source therefore feeds: the
 * metrics its rows can produce and the canonical fields it leaves empty (without `queued_at` there
 * is no speed of answer, abandonment or service level). `validate-config` reads a mapping's
 * declaration through mappingOutput and a named adapter's `outputs` (built with adapterOutput);
 * `ingest` reads what a file's rows actually hold.
 */
import type {
  ACTIVITY_KINDS,
  EVALUATION_KINDS,
  PULSE_QUESTION_KINDS,
  SURVEY_KINDS,
  TableName,
} from '../schema/canonical.ts';
import { columnsOf } from '../schema/derive.ts';
import type { ScheduleConfig } from '../time/config.ts';
import { METRIC_IDS, type MetricId } from './catalogue.ts';

/**
 * One way a metric can be computed: rows of `table` that set every field of `all` and at least
 * one of `any`, among rows whose `kind` field takes one of `values` (e.g. survey_kind = csat).
 */
export interface MetricInput {
  readonly table: TableName;
  readonly all?: readonly string[];
  readonly any?: readonly string[];
  readonly kind?: { readonly field: string; readonly values: readonly string[] };
  /** Business time: the contacts need a business-hours schedule (`schedules`) as well as the fields. */
  readonly scheduled?: true;
}

/** Handled contacts: answered, or with an agent where the source records no answer time. */
const HANDLED = ['answered_at', 'agent_id'];
const survey = (kind: (typeof SURVEY_KINDS)[number], all: readonly string[] = ['score']): MetricInput => ({
  table: 'survey_responses',
  all,
  kind: { field: 'survey_kind', values: [kind] },
});
const pulse = (kind: (typeof PULSE_QUESTION_KINDS)[number]): MetricInput => ({
  table: 'employee_pulse',
  all: ['score'],
  kind: { field: 'question_kind', values: [kind] },
});
const qa = (kinds: readonly (typeof EVALUATION_KINDS)[number][]): MetricInput => ({
  table: 'qa_evaluations',
  all: ['max_points'],
  any: ['points'],
  kind: { field: 'evaluation_kind', values: kinds },
});
const activity = (kinds: readonly (typeof ACTIVITY_KINDS)[number][]): MetricInput => ({
  table: 'customer_activity',
  all: ['customer_key'],
  kind: { field: 'kind', values: kinds },
});

/**
 * The inputs of every metric but the service index (computed from the others); a metric is fed
 * when a source meets any one of its inputs. The SQL views decide the arithmetic (docs/metrics.md);
 * this says which fields must be present for it to have anything to count.
 */
export const METRIC_INPUTS: Readonly<Record<Exclude<MetricId, 'service_index'>, readonly MetricInput[]>> = {
  csat_pct: [survey('csat')],
  csat_mean: [survey('csat')],
  nps: [survey('nps')],
  ces_mean: [survey('ces')],
  ces_easy_pct: [survey('ces')],
  survey_response_rate: [{ table: 'survey_responses', all: ['sent_at'] }],
  fcr_rate: [
    { table: 'interactions', any: ['resolved_first_contact', 'customer_key'] },
    { table: 'survey_responses', all: ['resolved'] },
  ],
  aht_s: [{ table: 'interactions', all: ['talk_s'], any: HANDLED }],
  avg_hold_s: [{ table: 'interactions', all: ['hold_s'], any: HANDLED }],
  asa_s: [{ table: 'interactions', all: ['queued_at'], any: ['queue_s', 'answered_at'] }],
  abandonment_rate: [{ table: 'interactions', all: ['queued_at', 'is_abandoned'] }],
  service_level_pct: [{ table: 'interactions', all: ['queued_at'], any: ['queue_s', 'answered_at'] }],
  transfer_rate: [{ table: 'interactions', all: ['is_transfer'], any: HANDLED }],
  escalation_rate: [{ table: 'interactions', all: ['is_escalated'], any: HANDLED }],
  reopen_rate: [{ table: 'interactions', all: ['reopen_count'], any: ['resolved_at', 'status'] }],
  first_response_median_s: [{ table: 'interactions', any: ['first_response_at', 'first_response_s'] }],
  first_response_p90_s: [{ table: 'interactions', any: ['first_response_at', 'first_response_s'] }],
  resolution_median_s: [{ table: 'interactions', any: ['resolved_at', 'resolution_s'] }],
  resolution_p90_s: [{ table: 'interactions', any: ['resolved_at', 'resolution_s'] }],
  // Business time also needs a schedule in the config, which is no field of a row.
  first_response_business_median_s: [
    { table: 'interactions', any: ['first_response_at', 'first_response_s'], scheduled: true },
  ],
  first_response_business_p90_s: [
    { table: 'interactions', any: ['first_response_at', 'first_response_s'], scheduled: true },
  ],
  resolution_business_median_s: [{ table: 'interactions', any: ['resolved_at', 'resolution_s'], scheduled: true }],
  resolution_business_p90_s: [{ table: 'interactions', any: ['resolved_at', 'resolution_s'], scheduled: true }],
  sla_first_response_pct: [{ table: 'interactions', any: ['sla_first_response_target_s', 'sla_first_response_met'] }],
  sla_resolution_pct: [{ table: 'interactions', any: ['sla_resolution_target_s', 'sla_resolution_met'] }],
  sla_compliance_pct: [
    {
      table: 'interactions',
      any: ['sla_first_response_target_s', 'sla_first_response_met', 'sla_resolution_target_s', 'sla_resolution_met'],
    },
  ],
  qa_score: [qa(['internal_qa', 'auto_qa'])],
  mystery_shop_score: [qa(['mystery_shop'])],
  social_volume: [{ table: 'social_mentions', all: ['posted_at'] }],
  net_sentiment: [{ table: 'social_mentions', all: ['sentiment_label'] }],
  brand_response_rate: [
    { table: 'social_mentions', all: ['is_brand_reply'], any: ['brand_replied_at', 'in_reply_to'] },
  ],
  brand_response_median_s: [{ table: 'social_mentions', all: ['brand_replied_at'] }],
  retention_rate: [activity(['signup', 'cancellation', 'renewal', 'order'])],
  churn_rate: [activity(['signup', 'cancellation', 'renewal', 'order'])],
  repeat_purchase_rate: [activity(['order'])],
  enps: [pulse('enps')],
  engagement_score: [pulse('engagement')],
};

/** What a source writes: its table, the fields its rows set, and the values of its kind field. */
export interface SourceOutput {
  readonly table: TableName;
  readonly fields: ReadonlySet<string>;
  /** Values the table's kind field (survey_kind, evaluation_kind, …) takes; undefined when any may occur. */
  readonly kinds?: ReadonlySet<string>;
  /**
   * Whether a business-hours schedule can claim the source's contacts (scheduleReaches); business
   * time needs one. Undefined when not known, e.g. outside a config.
   */
  readonly scheduled?: boolean;
}

export interface Coverage {
  readonly table: TableName;
  /** Metrics its rows can feed, in catalogue order (the service index when any other is fed). */
  readonly feeds: readonly MetricId[];
  /** Metrics of its table it cannot feed, each with the fields it lacks. */
  readonly starved: readonly { readonly metric: MetricId; readonly lacks: readonly string[] }[];
  /** Optional canonical fields of its table it leaves empty. */
  readonly emptyFields: readonly string[];
}

/** What one input still lacks in a source's output; an empty list when it is met. */
function lacks(input: MetricInput, output: SourceOutput): string[] | undefined {
  if (input.table !== output.table) return undefined;
  if (input.kind && output.kinds && !input.kind.values.some((v) => output.kinds?.has(v))) {
    return [`${input.kind.field} = ${input.kind.values.join(' or ')}`];
  }
  const missing = (input.all ?? []).filter((f) => !output.fields.has(f));
  if (input.any && !input.any.some((f) => output.fields.has(f))) missing.push(input.any.join(' or '));
  if (input.scheduled && output.scheduled === false) missing.push('a schedule in schedules');
  return missing;
}

export function coverageOf(output: SourceOutput): Coverage {
  const feeds: MetricId[] = [];
  const starved: { metric: MetricId; lacks: string[] }[] = [];
  for (const [metric, inputs] of Object.entries(METRIC_INPUTS) as [
    Exclude<MetricId, 'service_index'>,
    MetricInput[],
  ][]) {
    const gaps = inputs.flatMap((input) => {
      const missing = lacks(input, output);
      return missing === undefined ? [] : [missing];
    });
    if (gaps.length === 0) continue;
    if (gaps.some((g) => g.length === 0)) feeds.push(metric);
    else starved.push({ metric, lacks: gaps.reduce((a, b) => (b.length < a.length ? b : a)) });
  }
  if (feeds.length > 0) feeds.push('service_index');
  const emptyFields = columnsOf(output.table)
    .filter((c) => c.nullable && !output.fields.has(c.name))
    .map((c) => c.name);
  return {
    table: output.table,
    feeds: METRIC_IDS.filter((id) => feeds.includes(id)),
    starved,
    emptyFields,
  };
}

/** The kind field of each table whose rows split into metrics by kind. */
export const KIND_FIELDS: Partial<Record<TableName, string>> = {
  survey_responses: 'survey_kind',
  qa_evaluations: 'evaluation_kind',
  employee_pulse: 'question_kind',
  customer_activity: 'kind',
};

/**
 * What a declarative mapping (lambdas/adapters/mapping) writes, read from its declaration: the
 * fields it maps (plus those the pipeline sets on every row) and the constant or mapped values of
 * its kind field. A field mapped from a column may still be blank in a given file: `ingest` reports
 * what the rows held.
 */
export function mappingOutput(mapping: {
  readonly table: TableName;
  readonly fields: Readonly<Record<string, unknown>>;
}): SourceOutput {
  const kindField = KIND_FIELDS[mapping.table];
  const kinds = kindField === undefined ? undefined : specValues(mapping.fields[kindField]);
  return withPipelineFields({
    table: mapping.table,
    fields: new Set([...Object.keys(mapping.fields), 'source', 'ingested_at']),
    ...(kinds ? { kinds } : {}),
  });
}

/** Lineage the pipeline adds to every row of a table that has it, whichever adapter wrote the row. */
const PIPELINE_FIELDS = ['source_object', 'source_row'];

/** A source's output with the fields the pipeline sets on its rows. */
export function withPipelineFields(output: SourceOutput): SourceOutput {
  const lineage = PIPELINE_FIELDS.filter((f) => columnsOf(output.table).some((c) => c.name === f));
  return { ...output, fields: new Set([...output.fields, ...lineage]) };
}

/** A named adapter's declaration of one table it writes (see Adapter.outputs). */
export function adapterOutput(table: TableName, fields: readonly string[], kinds?: readonly string[]): SourceOutput {
  return { table, fields: new Set(fields), ...(kinds ? { kinds: new Set(kinds) } : {}) };
}

/** The values a field spec can produce when they are all written in it, else undefined (any). */
function specValues(spec: unknown): Set<string> | undefined {
  if (spec === null || typeof spec !== 'object') return undefined;
  const s = spec as Record<string, unknown>;
  if ('const' in s) return new Set([String(s.const)]);
  if (s.map && typeof s.map === 'object') {
    if ('otherwise' in s && s.otherwise === undefined) return undefined;
    const values = [...Object.values(s.map as object), ...('otherwise' in s ? [s.otherwise] : [])];
    return new Set(values.filter((v) => v !== null).map(String));
  }
  const parts = Array.isArray(s.cases)
    ? [...(s.cases as { use?: unknown }[]).map((c) => c.use), ...('else' in s ? [s.else] : [])]
    : Array.isArray(s.coalesce)
      ? (s.coalesce as unknown[])
      : undefined;
  if (!parts) return undefined;
  const sets = parts.map(specValues);
  return sets.every((v) => v !== undefined) ? new Set(sets.flatMap((v) => [...v])) : undefined;
}

/** The coverage as lines for a terminal: what a source feeds, what it cannot and what it leaves empty. */
export function describeCoverage(source: string, coverage: Coverage): string[] {
  const lines = [
    `${source} (${coverage.table}) feeds: ${coverage.feeds.length > 0 ? coverage.feeds.join(', ') : 'no metric'}`,
  ];
  // Metrics that lack the same fields share a clause: "no first_response_median_s, first_response_p90_s (needs …)".
  const byLack = new Map<string, MetricId[]>();
  for (const { metric, lacks } of coverage.starved) {
    const key = lacks.join(', ');
    byLack.set(key, [...(byLack.get(key) ?? []), metric]);
  }
  if (byLack.size > 0) {
    lines.push(`  no ${[...byLack].map(([lack, metrics]) => `${metrics.join(', ')} (needs ${lack})`).join('; ')}`);
  }
  if (coverage.emptyFields.length > 0) lines.push(`  leaves empty: ${coverage.emptyFields.join(', ')}`);
  return lines;
}

/**
 * Whether any configured schedule can measure a source's contacts in business time: one assigned
 * to the source, one assigned by team, queue or priority (which any source's contacts may carry),
 * or one with no assignment (it claims every contact no other schedule does).
 */
export function scheduleReaches(schedules: readonly Pick<ScheduleConfig, 'appliesTo'>[], source: string): boolean {
  return schedules.some(({ appliesTo: { sources, teams, queues, priorities } }) => {
    if (teams !== undefined || queues !== undefined || priorities !== undefined) return true;
    return sources === undefined || sources.includes(source);
  });
}
