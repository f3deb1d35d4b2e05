-- survey_responses_latest: one row per survey_responses record, identified by (source, response_id): its latest
-- version by updated_at, then ingested_at.
-- Survey exports are pulled repeatedly over overlapping windows and ratings can be changed,
-- so the same answer can arrive in several files.
-- Versions that tie on updated_at and ingested_at are ordered on every other column, so
-- Athena and DuckDB keep the same row. Every metric view reads this view, never the raw table.
SELECT
  source,
  response_id,
  survey_kind,
  question,
  score,
  scale_min,
  scale_max,
  higher_is_better,
  interaction_id,
  customer_key,
  agent_id,
  team,
  channel,
  touchpoint,
  sent_at,
  responded_at,
  comment,
  resolved,
  updated_at,
  ingested_at,
  dt
FROM (
  SELECT
    versions.*,
    row_number() OVER (
      PARTITION BY source, response_id
      ORDER BY
        updated_at DESC NULLS LAST,
        ingested_at DESC NULLS LAST,
        survey_kind ASC NULLS LAST,
        question ASC NULLS LAST,
        score ASC NULLS LAST,
        scale_min ASC NULLS LAST,
        scale_max ASC NULLS LAST,
        higher_is_better ASC NULLS LAST,
        interaction_id ASC NULLS LAST,
        customer_key ASC NULLS LAST,
        agent_id ASC NULLS LAST,
        team ASC NULLS LAST,
        channel ASC NULLS LAST,
        touchpoint ASC NULLS LAST,
        sent_at ASC NULLS LAST,
        responded_at ASC NULLS LAST,
        comment ASC NULLS LAST,
        resolved ASC NULLS LAST,
        dt ASC NULLS LAST
    ) AS version_rank
  FROM survey_responses AS versions
) AS ranked
WHERE version_rank = 1
