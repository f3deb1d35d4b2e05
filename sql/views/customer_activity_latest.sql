-- customer_activity_latest: one row per customer_activity record, identified by (source, event_id): its latest
-- version by ingested_at.
-- Activity exports overlap when pulled by date range.
-- Versions that tie on ingested_at are ordered on every other column, so
-- Athena and DuckDB keep the same row. Every metric view reads this view, never the raw table.
SELECT
  source,
  event_id,
  customer_key,
  event_at,
  kind,
  amount,
  ingested_at,
  dt
FROM (
  SELECT
    versions.*,
    row_number() OVER (
      PARTITION BY source, event_id
      ORDER BY
        ingested_at DESC NULLS LAST,
        customer_key ASC NULLS LAST,
        event_at ASC NULLS LAST,
        kind ASC NULLS LAST,
        amount ASC NULLS LAST,
        dt ASC NULLS LAST
    ) AS version_rank
  FROM customer_activity AS versions
) AS ranked
WHERE version_rank = 1
