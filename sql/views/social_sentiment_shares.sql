-- social_sentiment_shares: one row per (grain, period_start, dimension, dimension_value, metric)
-- with the share of customer posts of each sentiment, in the long metric shape, under the ids
-- social_positive_pct, social_neutral_pct and social_negative_pct. These ids are outside the
-- metric catalogue (the catalogue carries net_sentiment), so metric_long does not include them;
-- the report reads them for the sentiment breakdown. Dimensions: overall ('all') and source.
--
-- Decisions (as in metrics_social): only customer posts (is_brand_reply = false), dated by the
-- local date of posted_at in the reporting zone; the denominator is the posts that carry a sentiment label; each share has a 95%
-- Wilson interval; a period with no labelled post has no row.
WITH
located AS (
  SELECT
    m.source,
    m.sentiment_label,
    CAST(
      m.posted_at
        + (CASE WHEN m.posted_at >= z.switch_at THEN z.offset_after_s ELSE z.offset_s END) * INTERVAL '1' SECOND
      AS DATE
    ) AS local_date
  FROM social_mentions_latest AS m
  INNER JOIN reporting_zones AS zone ON zone.team IS NULL
  LEFT JOIN zone_days AS z ON z.zone = zone.zone AND z.utc_date = CAST(m.posted_at AS DATE)
  WHERE NOT m.is_brand_reply AND m.sentiment_label IS NOT NULL
),

expanded AS (
  SELECT
    p.grain,
    p.period_start,
    d.dimension,
    CASE d.dimension WHEN 'overall' THEN 'all' ELSE m.source END AS dimension_value,
    m.sentiment_label
  FROM located AS m
  INNER JOIN calendar_periods AS p ON p.local_date = m.local_date
  CROSS JOIN (VALUES ('overall'), ('source')) AS d (dimension)
),

grouped AS (
  SELECT
    grain,
    period_start,
    dimension,
    dimension_value,
    count(*) AS n,
    count_if(sentiment_label = 'positive') AS positive_n,
    count_if(sentiment_label = 'neutral') AS neutral_n,
    count_if(sentiment_label = 'negative') AS negative_n
  FROM expanded
  GROUP BY grain, period_start, dimension, dimension_value
),

measures AS (
  SELECT g.grain, g.period_start, g.dimension, g.dimension_value, l.metric, g.n,
    CASE l.label WHEN 'positive' THEN g.positive_n WHEN 'neutral' THEN g.neutral_n ELSE g.negative_n END AS successes
  FROM grouped AS g
  CROSS JOIN (
    VALUES ('positive', 'social_positive_pct'), ('neutral', 'social_neutral_pct'), ('negative', 'social_negative_pct')
  ) AS l (label, metric)
),

shares AS (
  SELECT *, CAST(successes AS DOUBLE) / n AS p, 1.959963984540054e0 AS z
  FROM measures
)

SELECT
  period_start,
  grain,
  dimension,
  dimension_value,
  metric,
  100 * p AS value,
  'pct' AS unit,
  n,
  greatest(0e0, 100 * ((p + z * z / (2 * n)) - z * sqrt(p * (1 - p) / n + z * z / (4e0 * n * n)))
    / (1 + z * z / n)) AS ci_low,
  least(100e0, 100 * ((p + z * z / (2 * n)) + z * sqrt(p * (1 - p) / n + z * z / (4e0 * n * n)))
    / (1 + z * z / n)) AS ci_high
FROM shares
