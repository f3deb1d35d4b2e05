/**
 * The report's reads beyond the scorecard, one view each: QA criteria (qa_criterion_attainment),
 * survey comments (survey_comments) and ingestion (ingestion_sources, ingestion_audit_latest).
 * Each query selects from its view with a WHERE, an ORDER BY and a LIMIT; the logic is in the
 * view's SQL. Every value reaches SQL as a bound parameter.
 */
import type { Scope, ScopeDimension } from '../core/metrics/scorecard.ts';
import type { QueryEngine, SqlValue } from '../core/query/engine.ts';
import { periodInstants, type ReportPeriod } from '../core/time/periods.ts';
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

/** The scopes qa_criterion_attainment has rows for; any other scope reads the overall criteria. */
const QA_DIMENSIONS: readonly ScopeDimension[] = ['team', 'agent', 'source'];

/** Columns of survey_comments a scope filters on (queues are not on surveys: all comments). */
const SURVEY_SCOPE_COLUMN: Readonly<Partial<Record<ScopeDimension, string>>> = {
  team: 'team',
  channel: 'channel',
  agent: 'agent_id',
  source: 'source',
};

/**
 * Criteria of the period scoring below QA_COACHING_BELOW_PCT or with a missed critical answer,
 * lowest first. The view dates answers by their local date (qa_criterion_attainment), which no
 * filter on the period can turn into a dt range: on Trino and Athena this read scans every
 * partition of qa_evaluations.
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
     FROM qa_criterion_attainment
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
 * The commented answers of the period's local days in `timeZone` (of the scope, where surveys carry
 * it), in a stable order. The bounds are the UTC instants of the period's first and last local
 * midnights, computed here from the platform's zone database, so both engines compare the same
 * instants.
 */
export async function queryComments(
  engine: QueryEngine,
  period: ReportPeriod,
  scope: Scope | null,
  timeZone: string,
): Promise<CommentedResponse[]> {
  const column = scope === null ? undefined : SURVEY_SCOPE_COLUMN[scope.dimension];
  const scoped = scope !== null && column !== undefined;
  const { from, to } = periodInstants(period, timeZone);
  const raw = await engine.query(
    `SELECT survey_kind, score, scale_min, scale_max, higher_is_better, comment
     FROM survey_comments
     WHERE answered_at >= CAST(:period_start AS TIMESTAMP) AND answered_at < CAST(:period_end AS TIMESTAMP)${
       scoped ? ` AND ${column} = :scope_value` : ''
     }
     ORDER BY source, response_id
     LIMIT ${MAX_COMMENTS}`,
    {
      period_start: sqlTimestamp(from),
      period_end: sqlTimestamp(to),
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

/** `YYYY-MM-DD HH:MM:SS.sss`, the timestamp literal both engines cast. */
function sqlTimestamp(instant: Date): string {
  return instant.toISOString().slice(0, 23).replace('T', ' ');
}

function text(value: SqlValue | undefined): string | null {
  return value === null || value === undefined ? null : String(value);
}
