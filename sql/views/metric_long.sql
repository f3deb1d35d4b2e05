-- metric_long: one row per (period_start, grain, dimension, dimension_value, metric) across every
-- metric domain (contact centre, tickets, surveys, quality, social, retention, employee), in the
-- shared long shape. Each domain view already computes its metrics from counts within the group,
-- so nothing here averages averages; this view only stacks them. The service index is computed
-- in scorecard, from these rows.
SELECT period_start, grain, dimension, dimension_value, metric, value, unit, CAST(n AS BIGINT) AS n, ci_low, ci_high
FROM metrics_contact_centre
UNION ALL
SELECT period_start, grain, dimension, dimension_value, metric, value, unit, CAST(n AS BIGINT) AS n, ci_low, ci_high
FROM metrics_tickets
UNION ALL
SELECT period_start, grain, dimension, dimension_value, metric, value, unit, CAST(n AS BIGINT) AS n, ci_low, ci_high
FROM metrics_surveys
UNION ALL
SELECT period_start, grain, dimension, dimension_value, metric, value, unit, CAST(n AS BIGINT) AS n, ci_low, ci_high
FROM metrics_quality
UNION ALL
SELECT period_start, grain, dimension, dimension_value, metric, value, unit, CAST(n AS BIGINT) AS n, ci_low, ci_high
FROM metrics_social
UNION ALL
SELECT period_start, grain, dimension, dimension_value, metric, value, unit, CAST(n AS BIGINT) AS n, ci_low, ci_high
FROM metrics_retention
UNION ALL
SELECT period_start, grain, dimension, dimension_value, metric, value, unit, CAST(n AS BIGINT) AS n, ci_low, ci_high
FROM metrics_employee
