/**
 * The report's reads beyond the scorecard, one relation each: QA criteria and survey comments from
 * their period tables (qa_criteria_by_period, survey_comments_by_period: the rows of the views
 * qa_criterion_attainment and survey_comments, written by the refresh and partitioned by grain and
 * period start, so a period reads its own files whatever the history), and ingestion from
 * ingestion_sources and ingestion_audit_latest. Each query selects with a WHERE, an ORDER BY and a
 * LIMIT; the logic is in the views' SQL. Every value reaches SQL as a bound parameter.
 */
import type { Scope, ScopeDimension } from '../core/metrics/scorecard.ts';
import type { QueryEngine, SqlValue } from '../core/query/engine.ts';
import type { ReportPeriod } from '../core/time/periods.ts';
import type { IngestedFile, QaCriterionNeed, SourceAudit } from './model.ts';
import type { CommentedResponse } from './themes.ts';

/** QA criteria listed as coaching needs (lowest scores first). */
export const QA_CRITERIA_LISTED = 5;
/** A QA criterion needs coaching when it scores below this share of its points or a critical one was missed. */
export const QA_COACHING_BELOW_PCT = 80;
/** Commented answers read for the voice of the customer (a deterministic sample beyond this). */
export const MAX_COMMENTS = 5000;
/** Ingested files named in the data-quality footer (most recent first). */
export const FILES_LISTED = 12;

/** The scopes qa_criteria_by_period has rows for; any other scope reads the overall criteria. */
const QA_DIMENSIONS: readonly ScopeDimension[] = ['team', 'agent', 'source'];

/** Columns of survey_comments_by_period a scope filters on (queues are not on surveys: all comments). */
const SURVEY_SCOPE_COLUMN: Readonly<Partial<Record<ScopeDimension, string>>> = {
  team: 'team',
  channel: 'channel',
  agent: 'agent_id',
  source: 'source',
};

/**
 * Criteria of the period scoring below QA_COACHING_BELOW_PCT or with a missed critical answer,
 * lowest first, from the period's partition of qa_criteria_by_period.
 */
export async function queryQaCriteria(
  engine: QueryEngine,
  period: ReportPeriod,
  scope: Scope | null,
): Promise<QaCriterionNeed[]> {
  const focus =
    scope !== null && QA_DIMENSIONS.includes(scope.dimension)
      ? { dimension: scope.dimension, dimension_value: scope.value }
      : { dimension: 'overall', dimension_value: 'all' };
  const raw = await engine.query(
    `SELECT criterion, section, evaluations, score_pct, critical_misses
     FROM qa_criteria_by_period
     WHERE grain = :grain AND period_start = CAST(:period_start AS DATE)
       AND dimension = :dimension AND dimension_value = :dimension_value
       AND (score_pct < :coaching_below OR critical_misses > 0)
     ORDER BY score_pct ASC, criterion
     LIMIT ${QA_CRITERIA_LISTED}`,
    { grain: period.grain, period_start: period.start, coaching_below: QA_COACHING_BELOW_PCT, ...focus },
  );
  return raw.map((r) => ({
    criterion: String(r.criterion),
    section: r.section === null ? null : String(r.section),
    evaluations: Number(r.evaluations),
    score_pct: Number(r.score_pct),
    critical_misses: Number(r.critical_misses),
  }));
}

/**
 * The commented answers counted in the period, each dated as metrics_surveys dates it (the local
 * date of its answer in its team's zone), in a stable order, from the period's partition of
 * survey_comments_by_period.
 */
export async function queryComments(
  engine: QueryEngine,
  period: ReportPeriod,
  scope: Scope | null,
): Promise<CommentedResponse[]> {
  const column = scope === null ? undefined : SURVEY_SCOPE_COLUMN[scope.dimension];
  const scoped = scope !== null && column !== undefined;
  const raw = await engine.query(
    `SELECT survey_kind, score, scale_min, scale_max, higher_is_better, comment
     FROM survey_comments_by_period
     WHERE grain = :grain AND period_start = CAST(:period_start AS DATE)${scoped ? ` AND ${column} = :scope_value` : ''}
     ORDER BY source, response_id
     LIMIT ${MAX_COMMENTS}`,
    {
      grain: period.grain,
      period_start: period.start,
      ...(scoped ? { scope_value: scope.value } : {}),
    },
  );
  return raw.map((r) => ({
    survey_kind: String(r.survey_kind),
    score: Number(r.score),
    scale_min: Number(r.scale_min),
    scale_max: Number(r.scale_max),
    higher_is_better: r.higher_is_better === true || r.higher_is_better === 'true',
    comment: String(r.comment),
  }));
}

/** Ingestion per source over the whole lake (see ingestion_sources). */
export async function querySources(engine: QueryEngine): Promise<SourceAudit[]> {
  const raw = await engine.query(
    `SELECT source, files, rows_read, rows_accepted, rows_rejected, files_rejected, last_ingested
     FROM ingestion_sources
     ORDER BY source`,
  );
  return raw.map((r) => ({
    source: String(r.source),
    files: Number(r.files),
    rows_read: Number(r.rows_read),
    rows_accepted: Number(r.rows_accepted),
    rows_rejected: Number(r.rows_rejected),
    files_rejected: Number(r.files_rejected),
    last_ingested: text(r.last_ingested),
  }));
}

/**
 * The latest runs over the lake, most recent first: what was last ingested, whatever the period
 * reported. Not narrowed by partition: a landing object written again lands in the partition of
 * its new landing time, so keeping the latest run of each object needs every partition.
 */
export async function queryFiles(engine: QueryEngine): Promise<IngestedFile[]> {
  const raw = await engine.query(
    `SELECT source, object_key, rows_accepted, rows_rejected, file_error
     FROM ingestion_audit_latest
     ORDER BY started_at DESC, object_key
     LIMIT ${FILES_LISTED}`,
  );
  return raw.map((r) => ({
    source: String(r.source),
    object_key: String(r.object_key),
    rows_accepted: Number(r.rows_accepted),
    rows_rejected: Number(r.rows_rejected),
    file_error: text(r.file_error),
  }));
}

function text(value: SqlValue | undefined): string | null {
  return value === null || value === undefined ? null : String(value);
}
