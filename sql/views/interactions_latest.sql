-- interactions_latest: one row per interactions record, identified by (source, interaction_id): its latest
-- version by updated_at, then ingested_at.
-- Incremental exports resend updated tickets and Amazon Connect delivers contact records at
-- least once, so the same contact can arrive in several files.
-- Versions that tie on updated_at and ingested_at are ordered on every other column, so
-- Athena and DuckDB keep the same row. Every metric view reads this view, never the raw table.
SELECT
  source,
  interaction_id,
  initial_interaction_id,
  channel,
  direction,
  customer_key,
  agent_id,
  team,
  queue,
  priority,
  status,
  created_at,
  queued_at,
  answered_at,
  first_response_at,
  resolved_at,
  closed_at,
  queue_s,
  talk_s,
  hold_s,
  hold_count,
  acw_s,
  first_response_s,
  resolution_s,
  is_abandoned,
  is_callback,
  is_transfer,
  is_escalated,
  reopen_count,
  agent_replies,
  resolved_first_contact,
  sla_first_response_target_s,
  sla_resolution_target_s,
  sla_first_response_met,
  sla_resolution_met,
  category,
  updated_at,
  ingested_at,
  dt
FROM (
  SELECT
    versions.*,
    row_number() OVER (
      PARTITION BY source, interaction_id
      ORDER BY
        updated_at DESC NULLS LAST,
        ingested_at DESC NULLS LAST,
        initial_interaction_id ASC NULLS LAST,
        channel ASC NULLS LAST,
        direction ASC NULLS LAST,
        customer_key ASC NULLS LAST,
        agent_id ASC NULLS LAST,
        team ASC NULLS LAST,
        queue ASC NULLS LAST,
        priority ASC NULLS LAST,
        status ASC NULLS LAST,
        created_at ASC NULLS LAST,
        queued_at ASC NULLS LAST,
        answered_at ASC NULLS LAST,
        first_response_at ASC NULLS LAST,
        resolved_at ASC NULLS LAST,
        closed_at ASC NULLS LAST,
        queue_s ASC NULLS LAST,
        talk_s ASC NULLS LAST,
        hold_s ASC NULLS LAST,
        hold_count ASC NULLS LAST,
        acw_s ASC NULLS LAST,
        first_response_s ASC NULLS LAST,
        resolution_s ASC NULLS LAST,
        is_abandoned ASC NULLS LAST,
        is_callback ASC NULLS LAST,
        is_transfer ASC NULLS LAST,
        is_escalated ASC NULLS LAST,
        reopen_count ASC NULLS LAST,
        agent_replies ASC NULLS LAST,
        resolved_first_contact ASC NULLS LAST,
        sla_first_response_target_s ASC NULLS LAST,
        sla_resolution_target_s ASC NULLS LAST,
        sla_first_response_met ASC NULLS LAST,
        sla_resolution_met ASC NULLS LAST,
        category ASC NULLS LAST,
        dt ASC NULLS LAST
    ) AS version_rank
  FROM interactions AS versions
) AS ranked
WHERE version_rank = 1
