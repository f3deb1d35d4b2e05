/**
 * Every view of the product, in dependency order. Athena (the views deployer) and DuckDB (the local
 * engine) create them in this order from the same files in sql/views. A view's dependsOn lists the
 * other views and the materialised tables (sql/materialised.ts) it reads; canonical and reference
 * tables exist before any view.
 *
 * A view that reads a materialised table depends on the table, not on the views the table is
 * computed from: Trino inlines every view it reads, so the scorecard reads metric_values, written
 * by a refresh, instead of planning the whole chain of metric views in each query.
 */
import { readFileSync } from 'node:fs';
import type { TableName } from '../lambdas/core/schema/canonical.ts';
import { latestViewName, latestViewSql } from './latest.ts';
import { MATERIALISED_TABLES, type MaterialisedTable, METRIC_VALUES } from './materialised.ts';

export interface ViewDefinition {
  readonly name: string;
  /**
   * Where the view's SELECT (Trino dialect, without CREATE VIEW) comes from: a file under sql/views,
   * or a generator (the `*_latest` views, derived from the canonical model by sql/latest.ts).
   */
  readonly source: { readonly file: string } | { readonly generate: () => string };
  /**
   * The same relation in DuckDB's dialect, a file under sql/compat, for the local engine: only where
   * DuckDB has an exact aggregate Trino lacks and the portable form costs many times more.
   */
  readonly duckdb?: { readonly file: string };
  readonly description: string;
  /** The views and materialised tables the view reads. */
  readonly dependsOn: readonly string[];
}

export const VIEWS_DIR = new URL('./views/', import.meta.url);

const latest = (table: TableName, description: string): ViewDefinition => ({
  name: latestViewName(table),
  source: { generate: () => latestViewSql(table) },
  description,
  dependsOn: [],
});

export const VIEWS: readonly ViewDefinition[] = [
  latest('interactions', 'Latest version of each contact.'),
  latest('survey_responses', 'Latest version of each survey answer.'),
  latest('qa_evaluations', 'Latest version of each evaluation criterion.'),
  latest('social_mentions', 'Latest version of each public post.'),
  latest('employee_pulse', 'Latest version of each employee answer.'),
  latest('customer_activity', 'Latest version of each customer event.'),
  latest('ingestion_audit', 'Latest run over each landing object.'),
  {
    name: 'ingestion_sources',
    source: { file: 'ingestion_sources.sql' },
    description: 'Files and rows read, kept and rejected per source, over the whole history of the lake.',
    dependsOn: ['ingestion_audit_latest'],
  },
  {
    name: 'interaction_facts',
    source: { file: 'interaction_facts.sql' },
    description:
      'Per-contact facts behind the contact-centre and ticket metrics (wait, handle time, SLA, FCR evidence).',
    dependsOn: ['interactions_latest', 'survey_responses_latest'],
  },
  {
    name: 'interaction_slices',
    source: { file: 'interaction_slices.sql' },
    description: 'Each contact once per grain and dimension, with its created and resolved periods.',
    dependsOn: ['interaction_facts'],
  },
  {
    name: 'contact_centre_stats',
    source: { file: 'contact_centre_stats.sql' },
    description: 'Counts and components of the contact-centre metrics, incl. the unadjusted abandonment rate.',
    dependsOn: ['interaction_slices'],
  },
  {
    name: 'metrics_contact_centre',
    source: { file: 'metrics_contact_centre.sql' },
    description: 'Abandonment, service level, ASA, AHT, hold time and transfer rate as long metric rows.',
    dependsOn: ['contact_centre_stats'],
  },
  {
    name: 'contact_centre_intervals',
    source: { file: 'contact_centre_intervals.sql' },
    description:
      'Offered, answered, abandoned, ASA, service level and AHT of queued contacts per local interval of the day, by dt so a period reads its partitions only.',
    dependsOn: [],
  },
  {
    name: 'ticket_timings',
    source: { file: 'ticket_timings.sql' },
    description: 'Each contact once per grain, dimension and timing (first response, resolution; calendar, business).',
    dependsOn: ['interaction_slices'],
  },
  {
    name: 'ticket_percentiles',
    source: { file: 'ticket_percentiles.sql' },
    duckdb: { file: 'ticket_percentiles.duckdb.sql' },
    description: 'Exact medians and 90th percentiles of first response and resolution, calendar and business.',
    dependsOn: ['ticket_timings'],
  },
  {
    name: 'ticket_stats',
    source: { file: 'ticket_stats.sql' },
    description: 'Counts, percentiles, per-kind SLA compliance and FCR method behind the ticket metrics.',
    dependsOn: ['interaction_slices', 'ticket_percentiles'],
  },
  {
    name: 'metrics_tickets',
    source: { file: 'metrics_tickets.sql' },
    description:
      'FCR, escalation, reopen, SLA compliance, first-response and resolution percentiles as long metric rows.',
    dependsOn: ['ticket_stats'],
  },
  {
    name: 'metrics_surveys',
    source: { file: 'metrics_surveys.sql' },
    description: 'CSAT, NPS, CES and survey response rate as long metric rows.',
    dependsOn: ['survey_responses_latest'],
  },
  {
    name: 'survey_comments',
    source: { file: 'survey_comments.sql' },
    description:
      'Scored, commented survey answers in each period metrics_surveys counts them in, for the voice of the customer.',
    dependsOn: ['survey_responses_latest'],
  },
  {
    name: 'survey_alert_answers',
    source: { file: 'survey_alert_answers.sql' },
    description:
      "The latest version of each survey answer naming a customer, in the UTC month of its answer, for the report's survey alerts.",
    dependsOn: ['survey_responses_latest'],
  },
  {
    name: 'metrics_quality',
    source: { file: 'metrics_quality.sql' },
    description: 'QA and mystery-shop scores (means of evaluation scores) as long metric rows.',
    dependsOn: ['qa_evaluations_latest'],
  },
  {
    name: 'quality_criteria',
    source: { file: 'quality_criteria.sql' },
    description: 'Pass rate and attainment of each scorecard criterion, for coaching.',
    dependsOn: ['qa_evaluations_latest'],
  },
  {
    name: 'qa_criterion_attainment',
    source: { file: 'qa_criterion_attainment.sql' },
    description:
      'Mean score and critical misses of each QA criterion per period, team, agent and source, on the local date of each answer.',
    dependsOn: [],
  },
  {
    name: 'metrics_social',
    source: { file: 'metrics_social.sql' },
    description: 'Social volume, net sentiment and brand response as long metric rows.',
    dependsOn: ['social_mentions_latest'],
  },
  {
    name: 'social_sentiment_shares',
    source: { file: 'social_sentiment_shares.sql' },
    description: 'Positive, neutral and negative shares of customer posts.',
    dependsOn: ['social_mentions_latest'],
  },
  {
    name: 'metrics_retention',
    source: { file: 'metrics_retention.sql' },
    description: 'Customer retention, churn and repeat purchase rates as long metric rows.',
    dependsOn: ['customer_activity_latest'],
  },
  {
    name: 'service_retention',
    source: { file: 'service_retention.sql' },
    description:
      'Churn within the follow-up window by experience segment (NPS group, CSAT box, abandonment, FCR, resolution time), with relative risk and revenue at risk.',
    dependsOn: ['interaction_facts', 'survey_responses_latest', 'customer_activity_latest'],
  },
  {
    name: 'metrics_employee',
    source: { file: 'metrics_employee.sql' },
    description: 'Employee NPS and engagement score as long metric rows.',
    dependsOn: ['employee_pulse_latest'],
  },
  {
    name: 'drivers',
    source: { file: 'drivers.sql' },
    description: 'Correlations of CSAT with engagement, response and resolution times and FCR.',
    dependsOn: ['survey_responses_latest', 'interactions_latest', 'employee_pulse_latest'],
  },
  {
    name: 'metric_long',
    source: { file: 'metric_long.sql' },
    description:
      'Every metric of every domain as long rows (period, grain, dimension, value, n, interval), as last refreshed.',
    dependsOn: [METRIC_VALUES.name],
  },
  {
    name: 'scorecard',
    source: { file: 'scorecard.sql' },
    description:
      'Metric rows with target and RAG, benchmark position, peer rank, previous period and the service index.',
    dependsOn: [METRIC_VALUES.name],
  },
];

const BY_NAME: ReadonlyMap<string, ViewDefinition> = new Map(VIEWS.map((v) => [v.name, v]));

/** The views that read any of the named views or tables, directly or through other views. */
export function viewsReading(names: readonly string[]): string[] {
  const reached = new Set(names);
  for (const view of VIEWS) {
    if (view.dependsOn.some((dependency) => reached.has(dependency))) reached.add(view.name);
  }
  return VIEWS.filter((view) => reached.has(view.name) && !names.includes(view.name)).map((view) => view.name);
}

/** One object an engine creates: a view, or a materialised table (created empty, then refreshed). */
export type BuildStep =
  | { readonly kind: 'view'; readonly view: ViewDefinition }
  | { readonly kind: 'materialised'; readonly table: MaterialisedTable };

/**
 * Views and materialised tables in the order an engine creates them: each materialised table right
 * before the first view that reads it, every object after everything it depends on.
 */
export const BUILD_ORDER: readonly BuildStep[] = buildOrder();

function buildOrder(): BuildStep[] {
  const steps: BuildStep[] = [];
  const created = new Set<string>();
  const materialise = (table: MaterialisedTable) => {
    if (created.has(table.name)) return;
    const missing = table.dependsOn.filter((name) => !created.has(name));
    if (missing.length > 0) throw new Error(`materialised table ${table.name} needs ${missing.join(', ')} first`);
    steps.push({ kind: 'materialised', table });
    created.add(table.name);
  };
  for (const view of VIEWS) {
    for (const table of MATERIALISED_TABLES) if (view.dependsOn.includes(table.name)) materialise(table);
    steps.push({ kind: 'view', view });
    created.add(view.name);
  }
  for (const table of MATERIALISED_TABLES) materialise(table);
  return steps;
}

/** The SELECT of a registered view, from its file or its generator (trailing semicolons and blank lines removed). */
export function viewSql(name: string): string {
  const view = BY_NAME.get(name);
  if (!view) throw new Error(`unknown view "${name}"; registered views: ${VIEWS.map((v) => v.name).join(', ')}`);
  const text =
    'file' in view.source ? readFileSync(new URL(view.source.file, VIEWS_DIR), 'utf8') : view.source.generate();
  return text.replace(/[\s;]+$/, '');
}

export const COMPAT_DIR = new URL('./compat/', import.meta.url);

/** The engines a view is created on: Trino (Athena, a Trino cluster) or the local DuckDB. */
export type ViewDialect = 'trino' | 'duckdb';

/**
 * The DDL that creates or replaces a registered view: the same statement on Athena, Trino and
 * DuckDB, except a view with a DuckDB form (ViewDefinition.duckdb), created from it on DuckDB.
 */
export function createViewSql(name: string, dialect: ViewDialect = 'trino'): string {
  const local = dialect === 'duckdb' ? BY_NAME.get(name)?.duckdb : undefined;
  const sql = local ? readFileSync(new URL(local.file, COMPAT_DIR), 'utf8').replace(/[\s;]+$/, '') : viewSql(name);
  return `CREATE OR REPLACE VIEW ${name} AS\n${sql}`;
}
