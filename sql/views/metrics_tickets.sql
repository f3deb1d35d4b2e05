-- metrics_tickets: one row per (period_start, grain, dimension, dimension_value, metric) for
-- fcr_rate, escalation_rate, reopen_rate, sla_compliance_pct and the first-response and resolution
-- medians and 90th percentiles, in the long shape shared by every metric view. Counts, per-kind
-- SLA compliance and the FCR method are in ticket_stats.
--
-- Decisions:
-- * n is the denominator of a rate, or the number of timed items behind a percentile. A group
--   whose denominator is 0 has no row for that metric.
-- * Proportions are percentages with a 95% Wilson interval. Percentiles carry no interval (no
--   distribution-free interval is cheap to compute in SQL), so ci_low and ci_high are NULL.
WITH
measures AS (
  SELECT period_start, grain, dimension, dimension_value, 'fcr_rate' AS metric, 'pct' AS unit,
    'proportion' AS estimator, fcr_evidenced AS n, fcr_resolved AS successes, CAST(NULL AS DOUBLE) AS point_value
  FROM ticket_stats WHERE fcr_evidenced > 0
  UNION ALL
  SELECT period_start, grain, dimension, dimension_value, 'escalation_rate', 'pct', 'proportion',
    handled, escalated, NULL
  FROM ticket_stats WHERE handled > 0
  UNION ALL
  SELECT period_start, grain, dimension, dimension_value, 'reopen_rate', 'pct', 'proportion',
    reopen_known, reopened, NULL
  FROM ticket_stats WHERE reopen_known > 0
  UNION ALL
  SELECT period_start, grain, dimension, dimension_value, 'sla_compliance_pct', 'pct', 'proportion',
    sla_decided, sla_kept, NULL
  FROM ticket_stats WHERE sla_decided > 0
  UNION ALL
  SELECT period_start, grain, dimension, dimension_value, 'first_response_median_s', 'seconds', 'percentile',
    first_responses, NULL, first_response_median_s
  FROM ticket_stats WHERE first_responses > 0
  UNION ALL
  SELECT period_start, grain, dimension, dimension_value, 'first_response_p90_s', 'seconds', 'percentile',
    first_responses, NULL, first_response_p90_s
  FROM ticket_stats WHERE first_responses > 0
  UNION ALL
  SELECT period_start, grain, dimension, dimension_value, 'resolution_median_s', 'seconds', 'percentile',
    resolutions_timed, NULL, resolution_median_s
  FROM ticket_stats WHERE resolutions_timed > 0
  UNION ALL
  SELECT period_start, grain, dimension, dimension_value, 'resolution_p90_s', 'seconds', 'percentile',
    resolutions_timed, NULL, resolution_p90_s
  FROM ticket_stats WHERE resolutions_timed > 0
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
