-- ticket_stats: one row per (period_start, grain, dimension, dimension_value) with the counts,
-- percentiles and per-kind SLA results behind the ticket and digital metrics, for analysts and for
-- metrics_tickets. Per-contact definitions (first response, resolution, SLA outcome, FCR evidence)
-- are in interaction_facts.
--
-- Decisions:
-- * Dating: first response, SLA, escalation and FCR by created_at; resolution time and reopens by
--   the resolution time (see interaction_slices). A period can therefore have resolutions and no
--   new contacts, or the reverse.
-- * Percentiles are exact and linearly interpolated between the two nearest ranks (the definition
--   of DuckDB quantile_cont, R type 7 and Excel PERCENTILE.INC), computed with row_number so Athena
--   and DuckDB return the same figure; approx_percentile would differ between the engines.
-- * SLA compliance per kind = met / decided (active SLAs excluded); sla_compliance_pct pools both
--   kinds (a ticket with both SLAs counts twice), so it is the share of SLA commitments kept.
-- * reopen_rate = resolved items reopened at least once / resolved items whose reopen count is
--   known. escalation_rate = escalated / handled.
-- * fcr_rate = resolved on first contact / handled contacts with evidence; fcr_method is the single
--   method behind every evidenced contact of the group, or 'mixed' (the per-method counts follow).
-- * Ratios are DOUBLE percentages and NULL when their denominator is 0.
WITH
created AS (
  SELECT
    created_period AS period_start,
    grain,
    dimension,
    dimension_value,
    count_if(is_handled) AS handled,
    count_if(is_handled AND is_escalated) AS escalated,
    count_if(sla_first_response_met IS NOT NULL) AS sla_first_response_decided,
    count_if(sla_first_response_met) AS sla_first_response_kept,
    count_if(sla_resolution_met IS NOT NULL) AS sla_resolution_decided,
    count_if(sla_resolution_met) AS sla_resolution_kept,
    count(fcr_method) AS fcr_evidenced,
    count_if(fcr_resolved) AS fcr_resolved,
    count_if(fcr_method = 'survey') AS fcr_by_survey,
    count_if(fcr_method = 'source_flag') AS fcr_by_source_flag,
    count_if(fcr_method = 'derived') AS fcr_by_derived
  FROM interaction_slices
  GROUP BY created_period, grain, dimension, dimension_value
),

resolved AS (
  SELECT
    resolved_period AS period_start,
    grain,
    dimension,
    dimension_value,
    count(*) AS resolved,
    count(is_reopened) AS reopen_known,
    count_if(is_reopened) AS reopened
  FROM interaction_slices
  WHERE resolved_period IS NOT NULL
  GROUP BY resolved_period, grain, dimension, dimension_value
),

durations AS (
  SELECT 'first_response' AS measure, created_period AS period_start, grain, dimension, dimension_value,
    first_response_s AS x
  FROM interaction_slices
  WHERE first_response_s IS NOT NULL
  UNION ALL
  SELECT 'resolution', resolved_period, grain, dimension, dimension_value, resolution_s
  FROM interaction_slices
  WHERE resolution_s IS NOT NULL AND resolved_period IS NOT NULL
),

ranked AS (
  SELECT
    measure,
    period_start,
    grain,
    dimension,
    dimension_value,
    x,
    row_number() OVER (
      PARTITION BY measure, period_start, grain, dimension, dimension_value ORDER BY x
    ) - 1 AS idx,
    0.5e0 * (count(*) OVER (PARTITION BY measure, period_start, grain, dimension, dimension_value) - 1) AS pos50,
    0.9e0 * (count(*) OVER (PARTITION BY measure, period_start, grain, dimension, dimension_value) - 1) AS pos90
  FROM durations
),

bounds AS (
  SELECT
    measure,
    period_start,
    grain,
    dimension,
    dimension_value,
    count(*) AS n,
    max(CASE WHEN idx = floor(pos50) THEN x END) AS lo50,
    max(CASE WHEN idx = ceil(pos50) THEN x END) AS hi50,
    max(pos50 - floor(pos50)) AS frac50,
    max(CASE WHEN idx = floor(pos90) THEN x END) AS lo90,
    max(CASE WHEN idx = ceil(pos90) THEN x END) AS hi90,
    max(pos90 - floor(pos90)) AS frac90
  FROM ranked
  GROUP BY measure, period_start, grain, dimension, dimension_value
),

percentiles AS (
  SELECT
    measure,
    period_start,
    grain,
    dimension,
    dimension_value,
    n,
    lo50 + (hi50 - lo50) * frac50 AS p50,
    lo90 + (hi90 - lo90) * frac90 AS p90
  FROM bounds
),

keys AS (
  SELECT period_start, grain, dimension, dimension_value FROM created
  UNION
  SELECT period_start, grain, dimension, dimension_value FROM resolved
)

SELECT
  k.period_start,
  k.grain,
  k.dimension,
  k.dimension_value,
  COALESCE(c.handled, 0) AS handled,
  COALESCE(c.escalated, 0) AS escalated,
  CASE WHEN c.handled > 0 THEN 100e0 * c.escalated / c.handled END AS escalation_rate,
  COALESCE(fr.n, 0) AS first_responses,
  fr.p50 AS first_response_median_s,
  fr.p90 AS first_response_p90_s,
  COALESCE(r.resolved, 0) AS resolved,
  COALESCE(rs.n, 0) AS resolutions_timed,
  rs.p50 AS resolution_median_s,
  rs.p90 AS resolution_p90_s,
  COALESCE(r.reopen_known, 0) AS reopen_known,
  COALESCE(r.reopened, 0) AS reopened,
  CASE WHEN r.reopen_known > 0 THEN 100e0 * r.reopened / r.reopen_known END AS reopen_rate,
  COALESCE(c.sla_first_response_decided, 0) AS sla_first_response_decided,
  COALESCE(c.sla_first_response_kept, 0) AS sla_first_response_kept,
  CASE
    WHEN c.sla_first_response_decided > 0 THEN 100e0 * c.sla_first_response_kept / c.sla_first_response_decided
  END AS sla_first_response_pct,
  COALESCE(c.sla_resolution_decided, 0) AS sla_resolution_decided,
  COALESCE(c.sla_resolution_kept, 0) AS sla_resolution_kept,
  CASE
    WHEN c.sla_resolution_decided > 0 THEN 100e0 * c.sla_resolution_kept / c.sla_resolution_decided
  END AS sla_resolution_pct,
  COALESCE(c.sla_first_response_decided + c.sla_resolution_decided, 0) AS sla_decided,
  COALESCE(c.sla_first_response_kept + c.sla_resolution_kept, 0) AS sla_kept,
  CASE
    WHEN c.sla_first_response_decided + c.sla_resolution_decided > 0
      THEN 100e0 * (c.sla_first_response_kept + c.sla_resolution_kept)
        / (c.sla_first_response_decided + c.sla_resolution_decided)
  END AS sla_compliance_pct,
  COALESCE(c.fcr_evidenced, 0) AS fcr_evidenced,
  COALESCE(c.fcr_resolved, 0) AS fcr_resolved,
  CASE WHEN c.fcr_evidenced > 0 THEN 100e0 * c.fcr_resolved / c.fcr_evidenced END AS fcr_rate,
  CASE
    WHEN c.fcr_evidenced IS NULL OR c.fcr_evidenced = 0 THEN NULL
    WHEN c.fcr_by_survey = c.fcr_evidenced THEN 'survey'
    WHEN c.fcr_by_source_flag = c.fcr_evidenced THEN 'source_flag'
    WHEN c.fcr_by_derived = c.fcr_evidenced THEN 'derived'
    ELSE 'mixed'
  END AS fcr_method,
  COALESCE(c.fcr_by_survey, 0) AS fcr_by_survey,
  COALESCE(c.fcr_by_source_flag, 0) AS fcr_by_source_flag,
  COALESCE(c.fcr_by_derived, 0) AS fcr_by_derived
FROM keys AS k
LEFT JOIN created AS c
  ON c.period_start = k.period_start AND c.grain = k.grain AND c.dimension = k.dimension
  AND c.dimension_value = k.dimension_value
LEFT JOIN resolved AS r
  ON r.period_start = k.period_start AND r.grain = k.grain AND r.dimension = k.dimension
  AND r.dimension_value = k.dimension_value
LEFT JOIN percentiles AS fr
  ON fr.measure = 'first_response' AND fr.period_start = k.period_start AND fr.grain = k.grain
  AND fr.dimension = k.dimension AND fr.dimension_value = k.dimension_value
LEFT JOIN percentiles AS rs
  ON rs.measure = 'resolution' AND rs.period_start = k.period_start AND rs.grain = k.grain
  AND rs.dimension = k.dimension AND rs.dimension_value = k.dimension_value
