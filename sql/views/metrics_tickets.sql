-- metrics_tickets: one row per (period_start, grain, dimension, dimension_value, metric) for
-- fcr_rate, escalation_rate, reopen_rate, the SLA compliance of each kind (sla_first_response_pct,
-- sla_resolution_pct) and of both pooled (sla_compliance_pct), and the first-response and
-- resolution medians and 90th percentiles in calendar and in business time, in the long shape
-- shared by every metric view. Counts and the FCR method are in ticket_stats.
--
-- Decisions:
-- * n is the denominator of a rate, or the number of timed items behind a percentile. A group
--   whose denominator is 0 has no row for that metric.
-- * Proportions are percentages with a 95% Wilson interval. Percentiles carry no interval (no
--   distribution-free interval is cheap to compute in SQL), so ci_low and ci_high are NULL.
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
      WHEN 'fcr_rate' THEN s.fcr_evidenced
      WHEN 'escalation_rate' THEN s.escalation_known
      WHEN 'reopen_rate' THEN s.reopen_known
      WHEN 'sla_compliance_pct' THEN s.sla_decided
      WHEN 'sla_first_response_pct' THEN s.sla_first_response_decided
      WHEN 'sla_resolution_pct' THEN s.sla_resolution_decided
      WHEN 'first_response_median_s' THEN s.first_responses
      WHEN 'first_response_p90_s' THEN s.first_responses
      WHEN 'first_response_business_median_s' THEN s.first_responses_business
      WHEN 'first_response_business_p90_s' THEN s.first_responses_business
      WHEN 'resolution_business_median_s' THEN s.resolutions_business_timed
      WHEN 'resolution_business_p90_s' THEN s.resolutions_business_timed
      ELSE s.resolutions_timed
    END AS n,
    CASE m.metric
      WHEN 'fcr_rate' THEN s.fcr_resolved
      WHEN 'escalation_rate' THEN s.escalated
      WHEN 'reopen_rate' THEN s.reopened
      WHEN 'sla_compliance_pct' THEN s.sla_kept
      WHEN 'sla_first_response_pct' THEN s.sla_first_response_kept
      WHEN 'sla_resolution_pct' THEN s.sla_resolution_kept
    END AS successes,
    CASE m.metric
      WHEN 'first_response_median_s' THEN s.first_response_median_s
      WHEN 'first_response_p90_s' THEN s.first_response_p90_s
      WHEN 'resolution_median_s' THEN s.resolution_median_s
      WHEN 'resolution_p90_s' THEN s.resolution_p90_s
      WHEN 'first_response_business_median_s' THEN s.first_response_business_median_s
      WHEN 'first_response_business_p90_s' THEN s.first_response_business_p90_s
      WHEN 'resolution_business_median_s' THEN s.resolution_business_median_s
      WHEN 'resolution_business_p90_s' THEN s.resolution_business_p90_s
    END AS point_value
  FROM ticket_stats AS s
  CROSS JOIN (
    VALUES
      ('fcr_rate', 'pct', 'proportion'),
      ('escalation_rate', 'pct', 'proportion'),
      ('reopen_rate', 'pct', 'proportion'),
      ('sla_compliance_pct', 'pct', 'proportion'),
      ('sla_first_response_pct', 'pct', 'proportion'),
      ('sla_resolution_pct', 'pct', 'proportion'),
      ('first_response_median_s', 'seconds', 'percentile'),
      ('first_response_p90_s', 'seconds', 'percentile'),
      ('resolution_median_s', 'seconds', 'percentile'),
      ('resolution_p90_s', 'seconds', 'percentile'),
      ('first_response_business_median_s', 'seconds', 'percentile'),
      ('first_response_business_p90_s', 'seconds', 'percentile'),
      ('resolution_business_median_s', 'seconds', 'percentile'),
      ('resolution_business_p90_s', 'seconds', 'percentile')
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
  CASE estimator WHEN 'proportion' THEN 100 * p ELSE point_value END AS value,
  unit,
  n,
  CASE
    WHEN estimator = 'proportion'
      THEN 100 * (p + z * z / (2 * n) - z * sqrt(p * (1 - p) / n + z * z / (4e0 * n * n))) / (1 + z * z / n)
  END AS ci_low,
  CASE
    WHEN estimator = 'proportion'
      THEN 100 * (p + z * z / (2 * n) + z * sqrt(p * (1 - p) / n + z * z / (4e0 * n * n))) / (1 + z * z / n)
  END AS ci_high
FROM shares
