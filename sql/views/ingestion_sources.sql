-- ingestion_sources: one row per source with at least one ingested landing object: how many
-- files and rows its latest runs read, kept and rejected, for the report's data-quality footer.
--
-- Decisions:
-- * Over the whole history of the lake by design, whatever the period reported: the footer says
--   what the lake holds, and a file landed in one month carries data of others. So it reads every
--   partition of ingestion_audit_latest (one small row per file).
-- * Each object counts once, by its latest run; files_rejected counts the objects whose latest run
--   rejected the whole file (file_error set).
-- * last_ingested is the start of the most recent run over any of the source's objects.
SELECT
  source,
  count(*) AS files,
  sum(rows_read) AS rows_read,
  sum(rows_accepted) AS rows_accepted,
  sum(rows_rejected) AS rows_rejected,
  count_if(file_error IS NOT NULL) AS files_rejected,
  max(started_at) AS last_ingested
FROM ingestion_audit_latest
GROUP BY source
