-- ticket_percentiles in DuckDB's dialect (see sql/views/ticket_percentiles.sql, the file Trino and
-- Athena run): DuckDB's quantile_cont is the same exact, linearly interpolated percentile, computed
-- per group without ranking every row. Results agree with the ranking form to the last bit or one
-- unit in the last place (DuckDB interpolates in its own order of operations).
WITH
quantiles AS (
  SELECT
    timing,
    period_start,
    grain,
    dimension,
    dimension_value,
    quantile_cont(seconds, [0.5, 0.9]) AS q
  FROM ticket_timings
  WHERE period_start IS NOT NULL AND seconds IS NOT NULL
  GROUP BY timing, period_start, grain, dimension, dimension_value
)

SELECT
  period_start,
  grain,
  dimension,
  dimension_value,
  max(CASE WHEN timing = 1 THEN q[1] END) AS first_response_median_s,
  max(CASE WHEN timing = 1 THEN q[2] END) AS first_response_p90_s,
  max(CASE WHEN timing = 2 THEN q[1] END) AS resolution_median_s,
  max(CASE WHEN timing = 2 THEN q[2] END) AS resolution_p90_s,
  max(CASE WHEN timing = 3 THEN q[1] END) AS first_response_business_median_s,
  max(CASE WHEN timing = 3 THEN q[2] END) AS first_response_business_p90_s,
  max(CASE WHEN timing = 4 THEN q[1] END) AS resolution_business_median_s,
  max(CASE WHEN timing = 4 THEN q[2] END) AS resolution_business_p90_s
FROM quantiles
GROUP BY period_start, grain, dimension, dimension_value
