-- employee_pulse_latest: one row per employee_pulse record, identified by (source, response_id): its latest
-- version by ingested_at.
-- Pulse exports are cumulative: re-exporting a period resends its answers.
-- Versions that tie on ingested_at are ordered on every other column, so
-- Athena and DuckDB keep the same row. Every metric view reads this view, never the raw table.
SELECT
  source,
  response_id,
  team,
  period,
  question_kind,
  score,
  scale_min,
  scale_max,
  ingested_at,
  dt
FROM (
  SELECT
    versions.*,
    row_number() OVER (
      PARTITION BY source, response_id
      ORDER BY
        ingested_at DESC NULLS LAST,
        team ASC NULLS LAST,
        period ASC NULLS LAST,
        question_kind ASC NULLS LAST,
        score ASC NULLS LAST,
        scale_min ASC NULLS LAST,
        scale_max ASC NULLS LAST,
        dt ASC NULLS LAST
    ) AS version_rank
  FROM employee_pulse AS versions
) AS ranked
WHERE version_rank = 1
