-- qa_evaluations_latest: one row per qa_evaluations record, identified by (source, evaluation_id, criterion): its latest
-- version by updated_at, then ingested_at.
-- An evaluation can be edited after review and re-exported; each criterion is kept once.
-- Versions that tie on updated_at and ingested_at are ordered on every other column, so
-- Athena and DuckDB keep the same row. Every metric view reads this view, never the raw table.
SELECT
  source,
  evaluation_id,
  evaluation_kind,
  interaction_id,
  agent_id,
  team,
  evaluator,
  scorecard,
  criterion,
  section,
  points,
  max_points,
  weight,
  is_critical,
  is_na,
  evaluated_at,
  updated_at,
  ingested_at,
  dt
FROM (
  SELECT
    versions.*,
    row_number() OVER (
      PARTITION BY source, evaluation_id, criterion
      ORDER BY
        updated_at DESC NULLS LAST,
        ingested_at DESC NULLS LAST,
        evaluation_kind ASC NULLS LAST,
        interaction_id ASC NULLS LAST,
        agent_id ASC NULLS LAST,
        team ASC NULLS LAST,
        evaluator ASC NULLS LAST,
        scorecard ASC NULLS LAST,
        section ASC NULLS LAST,
        points ASC NULLS LAST,
        max_points ASC NULLS LAST,
        weight ASC NULLS LAST,
        is_critical ASC NULLS LAST,
        is_na ASC NULLS LAST,
        evaluated_at ASC NULLS LAST,
        dt ASC NULLS LAST
    ) AS version_rank
  FROM qa_evaluations AS versions
) AS ranked
WHERE version_rank = 1
