-- metrics_social: one row per (grain, period_start, dimension, dimension_value, metric) for
-- social_volume, net_sentiment, brand_response_rate and brand_response_median_s, in the long shape
-- shared by every metric view. Dimensions: overall ('all') and source (posts carry no channel,
-- team or agent).
--
-- Decisions:
-- * Only customer posts (is_brand_reply = false) are measured; the brand's own posts are the
--   replies. Posts are dated by posted_at, on its local date in the reporting zone (zone_days;
--   posts have no team), in the week, month, quarter, year and custom range of calendar_periods.
-- * social_volume counts customer posts (unit count, no interval).
-- * net_sentiment = %positive - %negative over customer posts that carry a sentiment label
--   (unlabelled posts count in the volume only), -100..100, with the multinomial margin of
--   error used for NPS. The separate shares are in social_sentiment_shares.
-- * A post got a brand reply when brand_replied_at is set or a brand post in the same source
--   answers it (in_reply_to); the first reply is the earliest of the two. brand_response_rate =
--   posts with a reply / customer posts * 100, with a 95% Wilson interval.
-- * brand_response_median_s is the exact median (middle value, or mean of the two middle values)
--   of seconds from post to first reply over replied posts; a reply dated before its post (clock
--   skew between exports) counts as a reply but not in the median. No interval.
WITH
brand_replies AS (
  SELECT
    source,
    in_reply_to AS mention_id,
    min(posted_at) AS first_reply_at
  FROM social_mentions_latest
  WHERE is_brand_reply AND in_reply_to IS NOT NULL
  GROUP BY source, in_reply_to
),

posts AS (
  SELECT
    m.source,
    m.posted_at,
    m.sentiment_label,
    CASE
      WHEN m.brand_replied_at IS NULL THEN r.first_reply_at
      WHEN r.first_reply_at IS NULL THEN m.brand_replied_at
      ELSE least(m.brand_replied_at, r.first_reply_at)
    END AS replied_at
  FROM social_mentions_latest AS m
  LEFT JOIN brand_replies AS r ON r.source = m.source AND r.mention_id = m.mention_id
  WHERE NOT m.is_brand_reply
),

observations AS (
  SELECT
    p.source,
    CAST(
      p.posted_at
        + (CASE WHEN p.posted_at >= z.switch_at THEN z.offset_after_s ELSE z.offset_s END) * INTERVAL '1' SECOND
      AS DATE
    ) AS local_date,
    p.sentiment_label,
    CASE WHEN p.replied_at IS NOT NULL THEN 1 ELSE 0 END AS replied,
    CASE WHEN p.replied_at >= p.posted_at THEN to_unixtime(p.replied_at) - to_unixtime(p.posted_at) END AS response_s
  FROM posts AS p
  INNER JOIN reporting_zones AS zone ON zone.team IS NULL
  LEFT JOIN zone_days AS z ON z.zone = zone.zone AND z.utc_date = CAST(p.posted_at AS DATE)
),

expanded AS (
  SELECT
    p.grain,
    p.period_start,
    d.dimension,
    CASE d.dimension WHEN 'overall' THEN 'all' ELSE o.source END AS dimension_value,
    o.sentiment_label,
    o.replied,
    o.response_s
  FROM observations AS o
  INNER JOIN calendar_periods AS p ON p.local_date = o.local_date
  CROSS JOIN (VALUES ('overall'), ('source')) AS d (dimension)
),

ranked AS (
  SELECT
    *,
    row_number() OVER (
      PARTITION BY grain, period_start, dimension, dimension_value ORDER BY response_s NULLS LAST
    ) AS response_rank,
    count(response_s) OVER (PARTITION BY grain, period_start, dimension, dimension_value) AS response_n
  FROM expanded
),

grouped AS (
  SELECT
    grain,
    period_start,
    dimension,
    dimension_value,
    count(*) AS posts_n,
    count(sentiment_label) AS labelled_n,
    count_if(sentiment_label = 'positive') AS positive_n,
    count_if(sentiment_label = 'negative') AS negative_n,
    sum(replied) AS replied_n,
    max(response_n) AS response_n,
    avg(
      CASE WHEN response_s IS NOT NULL AND response_rank BETWEEN response_n / 2e0 AND response_n / 2e0 + 1
        THEN response_s END
    ) AS median_response_s
  FROM ranked
  GROUP BY grain, period_start, dimension, dimension_value
),

-- estimator: 'count', 'proportion' (successes / n, Wilson interval), 'net' (positive - negative
-- over n, multinomial margin of error) or 'median' (no interval).
measures AS (
  SELECT grain, period_start, dimension, dimension_value, 'social_volume' AS metric, 'count' AS unit,
    'count' AS estimator, posts_n AS n, CAST(NULL AS BIGINT) AS successes,
    CAST(NULL AS BIGINT) AS positives, CAST(NULL AS BIGINT) AS negatives, CAST(NULL AS DOUBLE) AS median_value
  FROM grouped
  UNION ALL
  SELECT grain, period_start, dimension, dimension_value, 'net_sentiment', 'score', 'net', labelled_n, NULL,
    positive_n, negative_n, NULL
  FROM grouped WHERE labelled_n > 0
  UNION ALL
  SELECT grain, period_start, dimension, dimension_value, 'brand_response_rate', 'pct', 'proportion', posts_n,
    replied_n, NULL, NULL, NULL
  FROM grouped
  UNION ALL
  SELECT grain, period_start, dimension, dimension_value, 'brand_response_median_s', 'seconds', 'median',
    response_n, NULL, NULL, NULL, median_response_s
  FROM grouped WHERE response_n > 0
),

shares AS (
  SELECT
    *,
    CAST(successes AS DOUBLE) / n AS p,
    CAST(positives AS DOUBLE) / n AS p_positive,
    CAST(negatives AS DOUBLE) / n AS p_negative,
    1.959963984540054e0 AS z
  FROM measures
)

SELECT
  period_start,
  grain,
  dimension,
  dimension_value,
  metric,
  CASE estimator
    WHEN 'count' THEN CAST(n AS DOUBLE)
    WHEN 'proportion' THEN 100 * p
    WHEN 'net' THEN 100 * (p_positive - p_negative)
    ELSE median_value
  END AS value,
  unit,
  n,
  CASE estimator
    WHEN 'proportion' THEN greatest(0e0,
      100 * ((p + z * z / (2 * n)) - z * sqrt(p * (1 - p) / n + z * z / (4e0 * n * n))) / (1 + z * z / n))
    WHEN 'net' THEN greatest(-100e0, 100 * (p_positive - p_negative)
      - 100 * z * sqrt((p_positive + p_negative - power(p_positive - p_negative, 2)) / n))
  END AS ci_low,
  CASE estimator
    WHEN 'proportion' THEN least(100e0,
      100 * ((p + z * z / (2 * n)) + z * sqrt(p * (1 - p) / n + z * z / (4e0 * n * n))) / (1 + z * z / n))
    WHEN 'net' THEN least(100e0, 100 * (p_positive - p_negative)
      + 100 * z * sqrt((p_positive + p_negative - power(p_positive - p_negative, 2)) / n))
  END AS ci_high
FROM shares
