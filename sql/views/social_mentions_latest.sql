-- social_mentions_latest: one row per social_mentions record, identified by (source, mention_id): its latest
-- version by updated_at, then ingested_at.
-- Listening exports overlap in time and re-score sentiment, so a post can arrive more than once.
-- Versions that tie on updated_at and ingested_at are ordered on every other column, so
-- Athena and DuckDB keep the same row. Every metric view reads this view, never the raw table.
SELECT
  source,
  mention_id,
  platform,
  posted_at,
  author_key,
  text,
  sentiment_label,
  sentiment_score,
  in_reply_to,
  is_brand_reply,
  brand_replied_at,
  updated_at,
  ingested_at,
  dt
FROM (
  SELECT
    versions.*,
    row_number() OVER (
      PARTITION BY source, mention_id
      ORDER BY
        updated_at DESC NULLS LAST,
        ingested_at DESC NULLS LAST,
        platform ASC NULLS LAST,
        posted_at ASC NULLS LAST,
        author_key ASC NULLS LAST,
        text ASC NULLS LAST,
        sentiment_label ASC NULLS LAST,
        sentiment_score ASC NULLS LAST,
        in_reply_to ASC NULLS LAST,
        is_brand_reply ASC NULLS LAST,
        brand_replied_at ASC NULLS LAST,
        dt ASC NULLS LAST
    ) AS version_rank
  FROM social_mentions AS versions
) AS ranked
WHERE version_rank = 1
