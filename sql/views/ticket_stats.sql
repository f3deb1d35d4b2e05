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
-- * SLA compliance per kind = met / decided (active SLAs excluded): sla_first_response_pct and
--   sla_resolution_pct are the metrics; sla_compliance_pct pools both kinds (a ticket with both
--   SLAs counts twice), so it is the share of SLA commitments kept, labelled as pooled.
-- * reopen_rate = resolved items reopened at least once / resolved items whose reopen count is
--   known. escalation_rate = escalated / handled items whose source records escalation
--   (is_escalated not null): a source that never records it has no rate, not 0%.
-- * fcr_rate = resolved on first contact / handled contacts with evidence; fcr_method is the single
--   method behind every evidenced contact of the group, or 'mixed' (the per-method counts follow).
-- * Each contact enters the grouping twice, once on its created period and once on its resolved
--   period (basis), so every figure is computed in a single pass over interaction_slices.
-- * Ratios are DOUBLE percentages and NULL when their denominator is 0.
-- * Business-time percentiles (first_response_business_*, resolution_business_*) are taken the same
--   way over the contacts whose schedule gives them a business time; the same contacts and dates as
--   their calendar twins, so the two can stand side by side.
WITH
events AS (
  SELECT
    'created' AS basis,
    created_period AS period_start,
    grain,
    dimension,
    dimension_value,
    first_response_s AS duration_s,
    first_response_business_s AS business_s,
    is_handled,
    is_escalated,
    is_reopened,
    sla_first_response_met,
    sla_resolution_met,
    fcr_method,
    fcr_resolved
  FROM interaction_slices
  -- A range row of a contact resolved in the range but created outside it has no created period.
  WHERE created_period IS NOT NULL
  UNION ALL
  SELECT
    'resolved',
    resolved_period,
    grain,
    dimension,
    dimension_value,
    resolution_s,
    resolution_business_s,
    is_handled,
    is_escalated,
    is_reopened,
    sla_first_response_met,
    sla_resolution_met,
    fcr_method,
    fcr_resolved
  FROM interaction_slices
  WHERE resolved_period IS NOT NULL
),

ranked AS (
  SELECT
    *,
    row_number() OVER (
      PARTITION BY basis, period_start, grain, dimension, dimension_value ORDER BY duration_s ASC NULLS LAST
    ) - 1 AS idx,
    count(duration_s) OVER (PARTITION BY basis, period_start, grain, dimension, dimension_value) AS timed,
    row_number() OVER (
      PARTITION BY basis, period_start, grain, dimension, dimension_value ORDER BY business_s ASC NULLS LAST
    ) - 1 AS business_idx,
    count(business_s) OVER (PARTITION BY basis, period_start, grain, dimension, dimension_value) AS business_timed
  FROM events
),

positioned AS (
  SELECT
    *,
    CASE WHEN duration_s IS NOT NULL THEN 0.5e0 * (timed - 1) END AS pos50,
    CASE WHEN duration_s IS NOT NULL THEN 0.9e0 * (timed - 1) END AS pos90,
    CASE WHEN business_s IS NOT NULL THEN 0.5e0 * (business_timed - 1) END AS business_pos50,
    CASE WHEN business_s IS NOT NULL THEN 0.9e0 * (business_timed - 1) END AS business_pos90
  FROM ranked
),

grouped AS (
  SELECT
    period_start,
    grain,
    dimension,
    dimension_value,
    count_if(basis = 'created' AND is_handled) AS handled,
    count_if(basis = 'created' AND is_handled AND is_escalated IS NOT NULL) AS escalation_known,
    count_if(basis = 'created' AND is_handled AND is_escalated) AS escalated,
    count_if(basis = 'created' AND sla_first_response_met IS NOT NULL) AS sla_first_response_decided,
    count_if(basis = 'created' AND sla_first_response_met) AS sla_first_response_kept,
    count_if(basis = 'created' AND sla_resolution_met IS NOT NULL) AS sla_resolution_decided,
    count_if(basis = 'created' AND sla_resolution_met) AS sla_resolution_kept,
    count_if(basis = 'created' AND fcr_method IS NOT NULL) AS fcr_evidenced,
    count_if(basis = 'created' AND fcr_resolved) AS fcr_resolved,
    count_if(basis = 'created' AND fcr_method = 'survey') AS fcr_by_survey,
    count_if(basis = 'created' AND fcr_method = 'source_flag') AS fcr_by_source_flag,
    count_if(basis = 'created' AND fcr_method = 'derived') AS fcr_by_derived,
    count_if(basis = 'resolved') AS resolved,
    count_if(basis = 'resolved' AND is_reopened IS NOT NULL) AS reopen_known,
    count_if(basis = 'resolved' AND is_reopened) AS reopened,
    count_if(basis = 'created' AND duration_s IS NOT NULL) AS first_responses,
    max(CASE WHEN basis = 'created' AND idx = floor(pos50) THEN duration_s END) AS fr_lo50,
    max(CASE WHEN basis = 'created' AND idx = ceil(pos50) THEN duration_s END) AS fr_hi50,
    max(CASE WHEN basis = 'created' THEN pos50 - floor(pos50) END) AS fr_frac50,
    max(CASE WHEN basis = 'created' AND idx = floor(pos90) THEN duration_s END) AS fr_lo90,
    max(CASE WHEN basis = 'created' AND idx = ceil(pos90) THEN duration_s END) AS fr_hi90,
    max(CASE WHEN basis = 'created' THEN pos90 - floor(pos90) END) AS fr_frac90,
    count_if(basis = 'resolved' AND duration_s IS NOT NULL) AS resolutions_timed,
    max(CASE WHEN basis = 'resolved' AND idx = floor(pos50) THEN duration_s END) AS rs_lo50,
    max(CASE WHEN basis = 'resolved' AND idx = ceil(pos50) THEN duration_s END) AS rs_hi50,
    max(CASE WHEN basis = 'resolved' THEN pos50 - floor(pos50) END) AS rs_frac50,
    max(CASE WHEN basis = 'resolved' AND idx = floor(pos90) THEN duration_s END) AS rs_lo90,
    max(CASE WHEN basis = 'resolved' AND idx = ceil(pos90) THEN duration_s END) AS rs_hi90,
    max(CASE WHEN basis = 'resolved' THEN pos90 - floor(pos90) END) AS rs_frac90,
    count_if(basis = 'created' AND business_s IS NOT NULL) AS first_responses_business,
    max(CASE WHEN basis = 'created' AND business_idx = floor(business_pos50) THEN business_s END) AS fb_lo50,
    max(CASE WHEN basis = 'created' AND business_idx = ceil(business_pos50) THEN business_s END) AS fb_hi50,
    max(CASE WHEN basis = 'created' THEN business_pos50 - floor(business_pos50) END) AS fb_frac50,
    max(CASE WHEN basis = 'created' AND business_idx = floor(business_pos90) THEN business_s END) AS fb_lo90,
    max(CASE WHEN basis = 'created' AND business_idx = ceil(business_pos90) THEN business_s END) AS fb_hi90,
    max(CASE WHEN basis = 'created' THEN business_pos90 - floor(business_pos90) END) AS fb_frac90,
    count_if(basis = 'resolved' AND business_s IS NOT NULL) AS resolutions_business_timed,
    max(CASE WHEN basis = 'resolved' AND business_idx = floor(business_pos50) THEN business_s END) AS rb_lo50,
    max(CASE WHEN basis = 'resolved' AND business_idx = ceil(business_pos50) THEN business_s END) AS rb_hi50,
    max(CASE WHEN basis = 'resolved' THEN business_pos50 - floor(business_pos50) END) AS rb_frac50,
    max(CASE WHEN basis = 'resolved' AND business_idx = floor(business_pos90) THEN business_s END) AS rb_lo90,
    max(CASE WHEN basis = 'resolved' AND business_idx = ceil(business_pos90) THEN business_s END) AS rb_hi90,
    max(CASE WHEN basis = 'resolved' THEN business_pos90 - floor(business_pos90) END) AS rb_frac90
  FROM positioned
  GROUP BY period_start, grain, dimension, dimension_value
)

SELECT
  period_start,
  grain,
  dimension,
  dimension_value,
  handled,
  escalation_known,
  escalated,
  CASE WHEN escalation_known > 0 THEN 100e0 * escalated / escalation_known END AS escalation_rate,
  first_responses,
  fr_lo50 + (fr_hi50 - fr_lo50) * fr_frac50 AS first_response_median_s,
  fr_lo90 + (fr_hi90 - fr_lo90) * fr_frac90 AS first_response_p90_s,
  resolved,
  resolutions_timed,
  rs_lo50 + (rs_hi50 - rs_lo50) * rs_frac50 AS resolution_median_s,
  rs_lo90 + (rs_hi90 - rs_lo90) * rs_frac90 AS resolution_p90_s,
  first_responses_business,
  fb_lo50 + (fb_hi50 - fb_lo50) * fb_frac50 AS first_response_business_median_s,
  fb_lo90 + (fb_hi90 - fb_lo90) * fb_frac90 AS first_response_business_p90_s,
  resolutions_business_timed,
  rb_lo50 + (rb_hi50 - rb_lo50) * rb_frac50 AS resolution_business_median_s,
  rb_lo90 + (rb_hi90 - rb_lo90) * rb_frac90 AS resolution_business_p90_s,
  reopen_known,
  reopened,
  CASE WHEN reopen_known > 0 THEN 100e0 * reopened / reopen_known END AS reopen_rate,
  sla_first_response_decided,
  sla_first_response_kept,
  CASE
    WHEN sla_first_response_decided > 0 THEN 100e0 * sla_first_response_kept / sla_first_response_decided
  END AS sla_first_response_pct,
  sla_resolution_decided,
  sla_resolution_kept,
  CASE WHEN sla_resolution_decided > 0 THEN 100e0 * sla_resolution_kept / sla_resolution_decided END
    AS sla_resolution_pct,
  sla_first_response_decided + sla_resolution_decided AS sla_decided,
  sla_first_response_kept + sla_resolution_kept AS sla_kept,
  CASE
    WHEN sla_first_response_decided + sla_resolution_decided > 0
      THEN 100e0 * (sla_first_response_kept + sla_resolution_kept)
        / (sla_first_response_decided + sla_resolution_decided)
  END AS sla_compliance_pct,
  fcr_evidenced,
  fcr_resolved,
  CASE WHEN fcr_evidenced > 0 THEN 100e0 * fcr_resolved / fcr_evidenced END AS fcr_rate,
  CASE
    WHEN fcr_evidenced = 0 THEN NULL
    WHEN fcr_by_survey = fcr_evidenced THEN 'survey'
    WHEN fcr_by_source_flag = fcr_evidenced THEN 'source_flag'
    WHEN fcr_by_derived = fcr_evidenced THEN 'derived'
    ELSE 'mixed'
  END AS fcr_method,
  fcr_by_survey,
  fcr_by_source_flag,
  fcr_by_derived
FROM grouped
