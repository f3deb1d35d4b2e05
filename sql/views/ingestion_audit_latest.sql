-- ingestion_audit_latest: one row per ingestion_audit record, identified by (source, object_key): its latest
-- version by started_at.
-- An object ingested again keeps only the record of its latest run.
-- Versions that tie on started_at are ordered on every other column, so
-- Athena and DuckDB keep the same row. Every metric view reads this view, never the raw table.
SELECT
  source,
  object_key,
  object_sha256,
  landed_at,
  rows_read,
  rows_accepted,
  rows_rejected,
  file_error,
  started_at,
  duration_ms,
  normaliser_version,
  dt
FROM (
  SELECT
    versions.*,
    row_number() OVER (
      PARTITION BY source, object_key
      ORDER BY
        started_at DESC NULLS LAST,
        object_sha256 ASC NULLS LAST,
        landed_at ASC NULLS LAST,
        rows_read ASC NULLS LAST,
        rows_accepted ASC NULLS LAST,
        rows_rejected ASC NULLS LAST,
        file_error ASC NULLS LAST,
        duration_ms ASC NULLS LAST,
        normaliser_version ASC NULLS LAST,
        dt ASC NULLS LAST
    ) AS version_rank
  FROM ingestion_audit AS versions
) AS ranked
WHERE version_rank = 1
