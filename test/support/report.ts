/**
 * A real DuckDB engine holding what the report reads: the scorecard as a table, and the canonical
 * survey, QA and audit tables as tables under the registry's own views (the dedup views and the
 * report's views over them), filled with small hand-made rows. June 2025 is the reported month.
 */

import { readFileSync } from 'node:fs';
import { COMPAT_SQL_FILE, createMaterialisedTableSql, DuckDbEngine } from '../../cli/duckdb.ts';
import { parseConfig } from '../../lambdas/core/config/config.ts';
import { METRIC_BY_ID, type MetricId } from '../../lambdas/core/metrics/catalogue.ts';
import { SCORECARD_COLUMNS, type ScorecardRow } from '../../lambdas/core/metrics/scorecard.ts';
import type { SqlValue } from '../../lambdas/core/query/engine.ts';
import { referenceTables } from '../../lambdas/core/reference/tables.ts';
import { duckdbColumns, partitionColumns } from '../../lambdas/core/schema/derive.ts';
import {
  PERIOD_TABLES,
  type PeriodTable,
  QA_CRITERIA_BY_PERIOD,
  SURVEY_COMMENTS_BY_PERIOD,
  sliceInsertSql,
} from '../../sql/materialised.ts';
import { createViewSql } from '../../sql/registry.ts';

const SCORECARD_TYPES: Readonly<Record<(typeof SCORECARD_COLUMNS)[number], string>> = {
  period_start: 'DATE',
  grain: 'VARCHAR',
  dimension: 'VARCHAR',
  dimension_value: 'VARCHAR',
  metric: 'VARCHAR',
  value: 'DOUBLE',
  unit: 'VARCHAR',
  n: 'BIGINT',
  ci_low: 'DOUBLE',
  ci_high: 'DOUBLE',
  low_sample: 'BOOLEAN',
  higher_is_better: 'BOOLEAN',
  target: 'DOUBLE',
  rag: 'VARCHAR',
  gap_to_target: 'DOUBLE',
  bench_p25: 'DOUBLE',
  bench_median: 'DOUBLE',
  bench_p75: 'DOUBLE',
  bench_p90: 'DOUBLE',
  bench_position: 'VARCHAR',
  bench_source: 'VARCHAR',
  peer_percentile: 'DOUBLE',
  prev_value: 'DOUBLE',
  delta: 'DOUBLE',
  change_significant: 'BOOLEAN',
  change_test: 'VARCHAR',
};

export type FixtureRow = Record<string, SqlValue>;

/** The canonical tables the report's views read. */
const REPORT_TABLES = ['survey_responses', 'qa_evaluations', 'ingestion_audit'] as const;
type ReportTable = (typeof REPORT_TABLES)[number];
/** The views over them that the report reads or that those read, in registry order. */
const REPORT_VIEWS = [
  'survey_responses_latest',
  'qa_evaluations_latest',
  'ingestion_audit_latest',
  'ingestion_sources',
  'survey_comments',
  'qa_criterion_attainment',
];

/** The reference tables the report's views date rows with. */
const LOCAL_TIME_TABLES: readonly string[] = ['zone_days', 'reporting_zones', 'calendar_periods', 'report_ranges'];

/** An engine with an empty scorecard and empty survey, QA and audit tables under their views. */
export async function emptyReportEngine(): Promise<DuckDbEngine> {
  const engine = await DuckDbEngine.create();
  await engine.exec(
    `CREATE TABLE scorecard (${SCORECARD_COLUMNS.map((c) => `${c} ${SCORECARD_TYPES[c]}`).join(', ')})`,
  );
  for (const table of REPORT_TABLES) {
    const columns = duckdbColumns(table).map((c) => `${c.name} ${c.type}`);
    await engine.exec(`CREATE TABLE ${table} (${[...columns, 'dt VARCHAR'].join(', ')})`);
  }
  // The local clock of the views: zone_days, reporting_zones and calendar_periods of a UTC config.
  await engine.loadReferenceTables(referenceTables(parseConfig({})).filter((t) => LOCAL_TIME_TABLES.includes(t.name)));
  await engine.exec(readFileSync(COMPAT_SQL_FILE, 'utf8'));
  for (const view of REPORT_VIEWS) await engine.exec(createViewSql(view));
  // The report reads the period tables the refresh writes; insertRows rewrites those of the views
  // above. service_retention_by_period stays empty: its view reads interactions and customer
  // activity, which the report's own fixtures do not need (test/sql/service-retention.test.ts).
  for (const table of PERIOD_TABLES) await engine.exec(createMaterialisedTableSql(table));
  // Likewise for contact_centre_intervals, which reads zone_days (test/sql/contact-centre-intervals.test.ts tests it).
  await engine.exec(`CREATE TABLE contact_centre_intervals (
    dt VARCHAR, local_date DATE, dimension VARCHAR, dimension_value VARCHAR, iso_weekday BIGINT, minute_of_day BIGINT,
    interval_minutes BIGINT, offered BIGINT, answered BIGINT, abandoned BIGINT, answered_with_wait BIGINT,
    wait_sum_s DOUBLE, answered_within_threshold BIGINT, service_level_base BIGINT, service_level_threshold_s BIGINT,
    handled_timed BIGINT, handle_sum_s DOUBLE)`);
  return engine;
}

/** The period tables written from the views over the report's tables, as a refresh writes them. */
const REFRESHED_TABLES: readonly PeriodTable[] = [QA_CRITERIA_BY_PERIOD, SURVEY_COMMENTS_BY_PERIOD];

/**
 * Inserts rows into a canonical table, each in the `dt` partition the normaliser would give it,
 * then rewrites the period tables from their views, as the refresh after an ingest does.
 */
export async function insertRows(engine: DuckDbEngine, table: ReportTable, rows: readonly FixtureRow[]): Promise<void> {
  await insertInto(
    engine,
    table,
    rows.map((row) => ({ ...row, dt: partitionDate(table, row) })),
  );
  for (const period of REFRESHED_TABLES) {
    await engine.exec(`DELETE FROM ${period.name}`);
    await engine.exec(sliceInsertSql({ kind: 'period-table', table: period, family: period.family }));
  }
}

async function insertInto(engine: DuckDbEngine, table: string, rows: readonly FixtureRow[]): Promise<void> {
  for (const row of rows) {
    const names = Object.keys(row);
    await engine.query(
      `INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map((n) => `:${n}`).join(', ')})`,
      row,
    );
  }
}

/** The UTC date of a fixture row's first set partition column (fixture timestamps are UTC text). */
function partitionDate(table: ReportTable, row: FixtureRow): string {
  const at = partitionColumns(table)
    .map((column) => row[column])
    .find((value) => value !== null && value !== undefined);
  if (typeof at !== 'string') throw new Error(`${table} fixture row has no partition time: ${JSON.stringify(row)}`);
  return at.slice(0, 10);
}

/** A scorecard row with consistent defaults: direction from the catalogue, RAG from the target. */
export function scorecardRow(partial: Partial<ScorecardRow> & Pick<ScorecardRow, 'metric' | 'value'>): ScorecardRow {
  const def = METRIC_BY_ID.get(partial.metric);
  if (!def) throw new Error(`unknown metric ${partial.metric}`);
  const higher = def.higherIsBetter;
  const target = partial.target ?? null;
  const value = partial.value;
  const gap = value !== null && target !== null ? value - target : null;
  const rag =
    gap === null
      ? null
      : (higher ? gap >= 0 : gap <= 0)
        ? 'green'
        : Math.abs(gap) <= Math.abs(target as number) * 0.05
          ? 'amber'
          : 'red';
  const prev = partial.prev_value ?? null;
  return {
    period_start: '2025-06-01',
    grain: 'month',
    dimension: 'overall',
    dimension_value: 'all',
    unit: def.unit,
    n: 400,
    ci_low: null,
    ci_high: null,
    low_sample: false,
    higher_is_better: higher,
    rag,
    gap_to_target: gap,
    bench_p25: null,
    bench_median: null,
    bench_p75: null,
    bench_p90: null,
    bench_position: null,
    bench_source: null,
    peer_percentile: null,
    delta: value !== null && prev !== null ? value - prev : null,
    change_significant: null,
    change_test: null,
    ...partial,
    target,
    prev_value: prev,
  };
}

export async function insertScorecard(engine: DuckDbEngine, rows: readonly ScorecardRow[]): Promise<void> {
  await insertInto(engine, 'scorecard', rows as unknown as FixtureRow[]);
}

interface MetricSeries {
  readonly metric: MetricId;
  /** Value in June 2025 and the monthly change that leads to it. */
  readonly june: number;
  readonly step: number;
  readonly target?: number;
  /** p25, median, p75, p90 in the good direction: p90 is the best (the lowest when lower is better). */
  readonly bench?: readonly [number, number, number, number];
  readonly position?: ScorecardRow['bench_position'];
  readonly significant?: boolean;
}

const SERIES: readonly MetricSeries[] = [
  { metric: 'service_index', june: 71.4, step: 0.6, target: 70, significant: true },
  {
    metric: 'csat_pct',
    june: 84.2,
    step: 0.4,
    target: 85,
    bench: [74, 79, 84, 88],
    position: 'p75_to_p90',
    significant: false,
  },
  {
    metric: 'nps',
    june: 32,
    step: 1,
    target: 30,
    bench: [12, 24, 38, 51],
    position: 'median_to_p75',
    significant: true,
  },
  { metric: 'fcr_rate', june: 71.5, step: 0.3, target: 75, bench: [62, 70, 76, 81], position: 'median_to_p75' },
  {
    metric: 'service_level_pct',
    june: 78.9,
    step: -0.8,
    target: 80,
    bench: [65, 75, 82, 88],
    position: 'median_to_p75',
    significant: true,
  },
  {
    metric: 'abandonment_rate',
    june: 6.8,
    step: 0.2,
    target: 5,
    bench: [9, 6, 4.5, 3],
    position: 'p25_to_median',
    significant: true,
  },
  { metric: 'asa_s', june: 38, step: 1.5, target: 30, bench: [60, 32, 24, 18], position: 'p25_to_median' },
  { metric: 'aht_s', june: 372, step: -3, target: 380, bench: [480, 360, 320, 290], position: 'p25_to_median' },
  {
    metric: 'first_response_median_s',
    june: 9000,
    step: -240,
    target: 14400,
    bench: [43200, 14400, 7200, 3600],
    position: 'median_to_p75',
  },
  {
    metric: 'resolution_median_s',
    june: 97_200,
    step: -1800,
    bench: [259200, 86400, 57600, 43200],
    position: 'p25_to_median',
  },
  { metric: 'sla_compliance_pct', june: 91.3, step: 0.2, target: 90 },
  { metric: 'qa_score', june: 82.5, step: 0.5, target: 85 },
];

const MONTHS = Array.from(
  { length: 12 },
  (_, i) => `${i < 6 ? 2024 : 2025}-${String(((i + 6) % 12) + 1).padStart(2, '0')}-01`,
);

/** Twelve months of overall rows per series, then channel, team and agent rows for June 2025. */
export function fullScorecard(): ScorecardRow[] {
  const rows: ScorecardRow[] = [];
  for (const s of SERIES) {
    MONTHS.forEach((month, i) => {
      const back = MONTHS.length - 1 - i;
      const value = round(s.june - s.step * back + (back % 3 === 2 ? s.step * 0.8 : 0));
      const prev = i === 0 ? null : round(s.june - s.step * (back + 1) + ((back + 1) % 3 === 2 ? s.step * 0.8 : 0));
      rows.push(
        scorecardRow({
          metric: s.metric,
          value,
          period_start: month,
          prev_value: prev,
          target: s.target ?? null,
          n: 380 + 5 * i,
          bench_p25: s.bench?.[0] ?? null,
          bench_median: s.bench?.[1] ?? null,
          bench_p75: s.bench?.[2] ?? null,
          bench_p90: s.bench?.[3] ?? null,
          bench_position: s.bench ? (s.position ?? null) : null,
          bench_source: s.bench ? 'Example benchmark survey 2024' : null,
          change_significant: prev === null ? null : (s.significant ?? false),
          ci_low: METRIC_BY_ID.get(s.metric)?.isProportion ? round(value - 2.1) : null,
          ci_high: METRIC_BY_ID.get(s.metric)?.isProportion ? round(value + 2.1) : null,
        }),
      );
    });
  }
  const breakdown = (
    dimension: 'channel' | 'team',
    value: string,
    metric: MetricId,
    v: number,
    target?: number,
    n = 150,
  ) =>
    scorecardRow({
      dimension,
      dimension_value: value,
      metric,
      value: v,
      target: target ?? null,
      n,
      low_sample: n < 30,
    });
  rows.push(
    breakdown('channel', 'voice', 'csat_pct', 81.5, 85),
    breakdown('channel', 'chat', 'csat_pct', 88.9, 85),
    breakdown('channel', 'email', 'csat_pct', 83.7, 85),
    breakdown('channel', 'voice', 'fcr_rate', 68.2, 75),
    breakdown('channel', 'chat', 'fcr_rate', 77.4, 75),
    breakdown('channel', 'email', 'fcr_rate', 70.1, 75, 24),
    breakdown('channel', 'voice', 'service_level_pct', 78.9, 80),
    breakdown('channel', 'voice', 'aht_s', 402, 380),
    breakdown('channel', 'chat', 'aht_s', 341, 380),
    breakdown('channel', 'email', 'first_response_median_s', 14_200, 14_400),
    breakdown('channel', 'chat', 'first_response_median_s', 95, 14_400),
    breakdown('team', 'Billing', 'csat_pct', 79.8, 85),
    breakdown('team', 'Technical', 'csat_pct', 86.1, 85),
    breakdown('team', 'Onboarding', 'csat_pct', 90.3, 85),
    breakdown('team', 'Billing', 'fcr_rate', 66.0, 75),
    breakdown('team', 'Technical', 'fcr_rate', 74.2, 75),
    breakdown('team', 'Onboarding', 'fcr_rate', 79.9, 75),
    breakdown('team', 'Billing', 'qa_score', 80.1, 85),
    breakdown('team', 'Technical', 'qa_score', 84.0, 85),
    breakdown('team', 'Onboarding', 'qa_score', 88.7, 85),
  );
  const agents: [string, number, number, number, number, number, number][] = [
    // agent, qa, qa pct, csat, csat pct, fcr, fcr pct
    ['agent-amelie', 93.5, 100, 92.1, 100, 81.0, 86],
    ['agent-bruno', 90.2, 86, 89.5, 71, 79.2, 71],
    ['agent-chloe', 88.0, 71, 90.4, 86, 77.5, 57],
    ['agent-david', 85.1, 57, 85.0, 57, 84.0, 100],
    ['agent-emma', 81.3, 43, 83.9, 43, 72.3, 43],
    ['agent-farid', 78.6, 29, 80.2, 29, 70.1, 29],
    ['agent-gaelle', 74.0, 14, 76.5, 14, 64.8, 14],
    ['agent-hugo', 69.5, 0, 72.0, 0, 60.2, 0],
  ];
  // 95% half-widths near those of the metrics' own intervals at these n: a mean of 40 QA scores,
  // Wilson at 55 CSAT answers and at 60 FCR contacts.
  const halfWidth = { qa_score: 4, csat_pct: 9, fcr_rate: 11 };
  const interval = (metric: keyof typeof halfWidth, value: number) => ({
    ci_low: round(value - halfWidth[metric]),
    ci_high: round(value + halfWidth[metric]),
  });
  for (const [agent, qa, qaPct, csat, csatPct, fcr, fcrPct] of agents) {
    rows.push(
      scorecardRow({
        dimension: 'agent',
        dimension_value: agent,
        metric: 'qa_score',
        value: qa,
        target: 85,
        peer_percentile: qaPct,
        n: 40,
        ...interval('qa_score', qa),
      }),
      scorecardRow({
        dimension: 'agent',
        dimension_value: agent,
        metric: 'csat_pct',
        value: csat,
        target: 85,
        peer_percentile: csatPct,
        n: 55,
        ...interval('csat_pct', csat),
      }),
      scorecardRow({
        dimension: 'agent',
        dimension_value: agent,
        metric: 'fcr_rate',
        value: fcr,
        target: 75,
        peer_percentile: fcrPct,
        n: 60,
        ...interval('fcr_rate', fcr),
      }),
    );
  }
  rows.push(
    scorecardRow({
      dimension: 'agent',
      dimension_value: 'agent-new',
      metric: 'qa_score',
      value: 20,
      target: 85,
      peer_percentile: 0,
      n: 3,
      low_sample: true,
    }),
    scorecardRow({ metric: 'survey_response_rate', value: 18.4, n: 2300 }),
  );
  return rows;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

let responseSeq = 0;
/** A commented survey answer in June 2025. */
export function surveyRow(
  survey_kind: string,
  score: number,
  comment: string | null,
  extra: FixtureRow = {},
): FixtureRow {
  responseSeq += 1;
  const scale = survey_kind === 'nps' ? [0, 10] : [1, 5];
  return {
    source: 'surveys',
    response_id: `r-${String(responseSeq).padStart(4, '0')}`,
    survey_kind,
    score,
    scale_min: scale[0] ?? 0,
    scale_max: scale[1] ?? 5,
    higher_is_better: true,
    comment,
    team: 'Billing',
    channel: 'chat',
    responded_at: '2025-06-12 10:00:00',
    updated_at: '2025-06-12 10:00:00',
    ingested_at: '2025-06-13 00:00:00',
    ...extra,
  };
}

export const FIXTURE_COMMENTS: readonly FixtureRow[] = [
  surveyRow('csat', 5, 'The agent was friendly and fixed my billing problem in one call, really helpful.'),
  surveyRow('csat', 5, 'Quick answer on chat, clear explanation of the refund and no waiting at all.'),
  surveyRow('csat', 4, 'Très aimable, problème résolu rapidement, merci pour votre patience.'),
  surveyRow('nps', 10, 'Delivery tracking was easy to follow and the courier arrived on time, great service.'),
  surveyRow('csat', 1, 'I waited 45 minutes on hold and was transferred three times, still not fixed.'),
  surveyRow('csat', 2, 'Nobody explained why I was charged twice, the invoice is still wrong after two calls.'),
  surveyRow('nps', 3, "Attente beaucoup trop longue et personne n'a compris mon problème de facturation."),
  surveyRow(
    'csat',
    1,
    'Call me back on +44 20 7946 0958 or write to jane.doe@example.com, my order 12345678 never arrived',
  ),
  surveyRow('csat', 1, 'Mr Smith was rude and dismissive, I will not come back to this shop again.'),
  surveyRow('csat', 3, 'It was okay I guess, the website login took a while but fine in the end.'),
  surveyRow('nps', 8, 'Fine.'),
  surveyRow('csat', 5, 'ok'),
  surveyRow('csat', 4, 'Nothing to say', { responded_at: '2025-05-30 10:00:00', updated_at: '2025-05-30 10:00:00' }),
  surveyRow('csat', 2, 'Technical team comment outside the billing scope, app crashes at login every day.', {
    team: 'Technical',
  }),
];

export const FIXTURE_QA: readonly FixtureRow[] = [
  ...['e1', 'e2', 'e3', 'e4'].flatMap((evaluation, i) => [
    qaRow(evaluation, 'Greeting and identification', 'Opening', 1, 1, false),
    qaRow(evaluation, 'Verified the customer identity', 'Compliance', i === 0 ? 0 : 1, 1, true),
    qaRow(evaluation, 'Explained next steps', 'Resolution', i < 3 ? 1 : 2, 4, false),
    qaRow(evaluation, 'Empathy', 'Soft skills', 3, 5, false),
    qaRow(evaluation, 'Offered a survey', 'Closing', null, 1, false, true),
  ]),
  qaRow('e-july', 'Explained next steps', 'Resolution', 4, 4, false, false, '2025-07-02 09:00:00'),
];

function qaRow(
  evaluation_id: string,
  criterion: string,
  section: string,
  points: number | null,
  max_points: number,
  is_critical: boolean,
  is_na = false,
  evaluated_at = '2025-06-10 09:00:00',
): FixtureRow {
  return {
    source: 'qa',
    evaluation_id,
    evaluation_kind: 'internal_qa',
    agent_id: 'agent-emma',
    team: 'Billing',
    criterion,
    section,
    points,
    max_points,
    weight: 1,
    is_critical,
    is_na,
    evaluated_at,
    updated_at: evaluated_at,
    ingested_at: '2025-06-11 00:00:00',
  };
}

export const FIXTURE_AUDIT: readonly FixtureRow[] = [
  auditRow('connect', 'connect/2025/06/ctr-01.jsonl.gz', 5200, 5188, 12, null, '2025-06-30 23:00:00'),
  auditRow('connect', 'connect/2025/05/ctr-01.jsonl.gz', 4900, 4900, 0, null, '2025-05-31 23:00:00'),
  auditRow('zendesk', 'zendesk/2025/06/tickets.json', 1800, 1795, 5, null, '2025-06-30 22:00:00'),
  auditRow(
    'surveys',
    'surveys/2025/06/qualtrics.csv',
    0,
    0,
    0,
    'missing required column "Q1_NPS"',
    '2025-06-29 08:00:00',
  ),
];

function auditRow(
  source: string,
  object_key: string,
  rows_read: number,
  rows_accepted: number,
  rows_rejected: number,
  file_error: string | null,
  started_at: string,
): FixtureRow {
  return {
    source,
    object_key,
    object_sha256: 'a'.repeat(64),
    landed_at: started_at,
    rows_read,
    rows_accepted,
    rows_rejected,
    file_error,
    started_at,
    duration_ms: 1200,
    normaliser_version: '0.1.0',
  };
}

/** The engine with the full fixture: a year of scorecard rows, comments, QA and audit rows. */
export async function fullReportEngine(): Promise<DuckDbEngine> {
  const engine = await emptyReportEngine();
  await insertScorecard(engine, fullScorecard());
  await insertRows(engine, 'survey_responses', FIXTURE_COMMENTS);
  await insertRows(engine, 'qa_evaluations', FIXTURE_QA);
  await insertRows(engine, 'ingestion_audit', FIXTURE_AUDIT);
  return engine;
}
