-- ticket_percentiles: one row per (period_start, grain, dimension, dimension_value) with a timed
-- contact, holding the median and 90th percentile of first response and resolution, in calendar
-- and business seconds, for ticket_stats.
--
-- Percentiles are exact and linearly interpolated between the two nearest ranks (the definition of
-- DuckDB quantile_cont, R type 7 and Excel PERCENTILE.INC). Trino has no exact percentile
-- aggregate (approx_percentile would differ between the engines), so this file ranks each group's
-- rows with row_number, picks the four ranks the two percentiles need and interpolates. The local
-- engine creates the view from sql/compat/ticket_percentiles.duckdb.sql instead, which computes the
-- same definition with quantile_cont: ranking the 22 million timing rows of the scale-10 demo by
-- their text groups took 14-17 s of CPU, quantile_cont about 3 s. test/trino parity compares the two.
WITH
ranked AS (
  SELECT
    *,
    row_number() OVER (
      PARTITION BY timing, period_start, grain, dimension, dimension_value ORDER BY seconds
    ) - 1 AS idx,
    count(*) OVER (PARTITION BY timing, period_start, grain, dimension, dimension_value) AS timed
  FROM ticket_timings
  WHERE period_start IS NOT NULL AND seconds IS NOT NULL
),

positioned AS (
  SELECT
    *,
    0.5e0 * (timed - 1) AS pos50,
    0.9e0 * (timed - 1) AS pos90
  FROM ranked
),

-- The two nearest ranks of each percentile and the fraction between them, per group and timing.
picked AS (
  SELECT
    timing,
    period_start,
    grain,
    dimension,
    dimension_value,
    max(CASE WHEN idx = floor(pos50) THEN seconds END) AS lo50,
    max(CASE WHEN idx = ceil(pos50) THEN seconds END) AS hi50,
    max(pos50 - floor(pos50)) AS frac50,
    max(CASE WHEN idx = floor(pos90) THEN seconds END) AS lo90,
    max(CASE WHEN idx = ceil(pos90) THEN seconds END) AS hi90,
    max(pos90 - floor(pos90)) AS frac90
  FROM positioned
  WHERE idx = floor(pos50) OR idx = ceil(pos50) OR idx = floor(pos90) OR idx = ceil(pos90)
  GROUP BY timing, period_start, grain, dimension, dimension_value
)

SELECT
  period_start,
  grain,
  dimension,
  dimension_value,
  max(CASE WHEN timing = 1 THEN lo50 + (hi50 - lo50) * frac50 END) AS first_response_median_s,
  max(CASE WHEN timing = 1 THEN lo90 + (hi90 - lo90) * frac90 END) AS first_response_p90_s,
  max(CASE WHEN timing = 2 THEN lo50 + (hi50 - lo50) * frac50 END) AS resolution_median_s,
  max(CASE WHEN timing = 2 THEN lo90 + (hi90 - lo90) * frac90 END) AS resolution_p90_s,
  max(CASE WHEN timing = 3 THEN lo50 + (hi50 - lo50) * frac50 END) AS first_response_business_median_s,
  max(CASE WHEN timing = 3 THEN lo90 + (hi90 - lo90) * frac90 END) AS first_response_business_p90_s,
  max(CASE WHEN timing = 4 THEN lo50 + (hi50 - lo50) * frac50 END) AS resolution_business_median_s,
  max(CASE WHEN timing = 4 THEN lo90 + (hi90 - lo90) * frac90 END) AS resolution_business_p90_s
FROM picked
GROUP BY period_start, grain, dimension, dimension_value
