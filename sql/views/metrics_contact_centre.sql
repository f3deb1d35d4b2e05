-- metrics_contact_centre: one row per (period_start, grain, dimension, dimension_value, metric)
-- for abandonment_rate, service_level_pct, asa_s, aht_s, avg_hold_s and transfer_rate, in the long
-- shape shared by every metric view. The counts and components are in contact_centre_stats.
--
-- Decisions:
-- * n is the denominator of the metric (offered minus short abandons, answered plus abandoned
--   after the threshold, answered with a known wait, handled with a known talk time, held
--   contacts, handled contacts whose transfer flag is known). A group whose denominator is 0 has no row for that metric.
-- * Proportions are percentages with a 95% Wilson interval. Means carry a normal-approximation
--   95% interval (1.96 x sample standard deviation / sqrt(n), from two observations up, never
--   below 0 seconds).
WITH
measures AS (
  SELECT
    s.period_start,
    s.grain,
    s.dimension,
    s.dimension_value,
    m.metric,
    m.unit,
    m.estimator,
    CASE m.metric
      WHEN 'abandonment_rate' THEN s.abandonment_base
      WHEN 'service_level_pct' THEN s.service_level_base
      WHEN 'transfer_rate' THEN s.transfer_known
      WHEN 'asa_s' THEN s.answered_with_wait
      WHEN 'aht_s' THEN s.handled_timed
      ELSE s.held
    END AS n,
    CASE m.metric
      WHEN 'abandonment_rate' THEN s.abandoned_counted
      WHEN 'service_level_pct' THEN s.answered_within_threshold
      WHEN 'transfer_rate' THEN s.transferred
    END AS successes,
    CASE m.metric WHEN 'asa_s' THEN s.asa_s WHEN 'aht_s' THEN s.aht_s WHEN 'avg_hold_s' THEN s.avg_hold_s END
      AS mean_value,
    CASE m.metric WHEN 'asa_s' THEN s.sd_wait_s WHEN 'aht_s' THEN s.sd_handle_s WHEN 'avg_hold_s' THEN s.sd_hold_s END
      AS sd_value
  FROM contact_centre_stats AS s
  CROSS JOIN (
    VALUES
      ('abandonment_rate', 'pct', 'proportion'),
      ('service_level_pct', 'pct', 'proportion'),
      ('transfer_rate', 'pct', 'proportion'),
      ('asa_s', 'seconds', 'mean'),
      ('aht_s', 'seconds', 'mean'),
      ('avg_hold_s', 'seconds', 'mean')
  ) AS m (metric, unit, estimator)
),

shares AS (
  SELECT
    *,
    CAST(successes AS DOUBLE) / n AS p,
    1.959963984540054e0 AS z
  FROM measures
  WHERE n > 0
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
