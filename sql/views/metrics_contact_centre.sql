-- metrics_contact_centre: one row per (period_start, grain, dimension, dimension_value, metric)
-- for abandonment_rate, service_level_pct, asa_s, aht_s, avg_hold_s and transfer_rate, in the long
-- shape shared by every metric view. The counts and components are in contact_centre_stats.
--
-- Decisions:
-- * n is the denominator of the metric (offered minus short abandons, answered plus abandoned
--   after the threshold, answered with a known wait, handled with a known talk time, held
--   contacts, handled contacts). A group whose denominator is 0 has no row for that metric.
-- * Proportions are percentages with a 95% Wilson interval. Means carry a normal-approximation
--   95% interval (1.96 x sample standard deviation / sqrt(n), from two observations up, never
--   below 0 seconds).
WITH
measures AS (
  SELECT period_start, grain, dimension, dimension_value, 'abandonment_rate' AS metric, 'pct' AS unit,
    'proportion' AS estimator, abandonment_base AS n, abandoned_counted AS successes,
    CAST(NULL AS DOUBLE) AS mean_value, CAST(NULL AS DOUBLE) AS sd_value
  FROM contact_centre_stats WHERE abandonment_base > 0
  UNION ALL
  SELECT period_start, grain, dimension, dimension_value, 'service_level_pct', 'pct', 'proportion',
    service_level_base, answered_within_threshold, NULL, NULL
  FROM contact_centre_stats WHERE service_level_base > 0
  UNION ALL
  SELECT period_start, grain, dimension, dimension_value, 'transfer_rate', 'pct', 'proportion',
    handled, transferred, NULL, NULL
  FROM contact_centre_stats WHERE handled > 0
  UNION ALL
  SELECT period_start, grain, dimension, dimension_value, 'asa_s', 'seconds', 'mean',
    answered_with_wait, NULL, asa_s, sd_wait_s
  FROM contact_centre_stats WHERE answered_with_wait > 0
  UNION ALL
  SELECT period_start, grain, dimension, dimension_value, 'aht_s', 'seconds', 'mean',
    handled_timed, NULL, aht_s, sd_handle_s
  FROM contact_centre_stats WHERE handled_timed > 0
  UNION ALL
  SELECT period_start, grain, dimension, dimension_value, 'avg_hold_s', 'seconds', 'mean',
    held, NULL, avg_hold_s, sd_hold_s
  FROM contact_centre_stats WHERE held > 0
),

shares AS (
  SELECT
    *,
    CAST(successes AS DOUBLE) / n AS p,
    1.959963984540054e0 AS z
  FROM measures
)

SELECT
  period_start,
  grain,
  dimension,
  dimension_value,
  metric,
  CASE estimator WHEN 'proportion' THEN 100 * p ELSE mean_value END AS value,
  unit,
  n,
  CASE estimator
    WHEN 'proportion'
      THEN 100 * (p + z * z / (2 * n) - z * sqrt(p * (1 - p) / n + z * z / (4e0 * n * n))) / (1 + z * z / n)
    WHEN 'mean' THEN CASE WHEN sd_value IS NOT NULL THEN greatest(0e0, mean_value - z * sd_value / sqrt(n)) END
  END AS ci_low,
  CASE estimator
    WHEN 'proportion'
      THEN 100 * (p + z * z / (2 * n) + z * sqrt(p * (1 - p) / n + z * z / (4e0 * n * n))) / (1 + z * z / n)
    WHEN 'mean' THEN mean_value + z * sd_value / sqrt(n)
  END AS ci_high
FROM shares
