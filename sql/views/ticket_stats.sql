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
--   of DuckDB quantile_cont, R type 7 and Excel PERCENTILE.INC): see ticket_percentiles.
-- * SLA compliance per kind = met / decided (active SLAs excluded): sla_first_response_pct and
--   sla_resolution_pct are the metrics; sla_compliance_pct pools both kinds (a ticket with both
--   SLAs counts twice), so it is the share of SLA commitments kept, labelled as pooled.
-- * reopen_rate = resolved items reopened at least once / resolved items whose reopen count is
--   known. escalation_rate = escalated / handled items whose source records escalation
--   (is_escalated not null): a source that never records it has no rate, not 0%.
-- * fcr_rate = resolved on first contact / handled contacts with evidence; fcr_method is the single
--   method behind every evidenced contact of the group, or 'mixed' (the per-method counts follow).
-- * Each contact enters the counts twice, once on its created period and once on its resolved
--   period (basis): one pass over interaction_slices for every count.
-- * The percentiles take a second pass of their own (ticket_percentiles over ticket_timings), joined
--   to the counts. Two passes are the most allowed (test/sql/view-graph.test.ts).
-- * Ratios are DOUBLE percentages and NULL when their denominator is 0.
-- * Business-time percentiles (first_response_business_*, resolution_business_*) are taken the same
--   way over the contacts whose schedule gives them a business time; the same contacts and dates as
--   their calendar twins, so the two can stand side by side.
WITH
events AS (
  SELECT
    b.basis,
    CASE b.basis WHEN 'created' THEN s.created_period ELSE s.resolved_period END AS period_start,
    s.grain,
    s.dimension,
    s.dimension_value,
    CASE b.basis WHEN 'created' THEN s.first_response_s ELSE s.resolution_s END AS duration_s,
    CASE b.basis WHEN 'created' THEN s.first_response_business_s ELSE s.resolution_business_s END AS business_s,
    s.is_handled,
    s.is_escalated,
    s.is_reopened,
    s.sla_first_response_met,
    s.sla_resolution_met,
    s.fcr_method,
    s.fcr_resolved
  FROM interaction_slices AS s
  CROSS JOIN (VALUES ('created'), ('resolved')) AS b (basis)
  -- A range row of a contact resolved in the range but created outside it has no created period.
  WHERE CASE b.basis WHEN 'created' THEN s.created_period ELSE s.resolved_period END IS NOT NULL
),

counted AS (
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
    count_if(basis = 'resolved' AND duration_s IS NOT NULL) AS resolutions_timed,
    count_if(basis = 'created' AND business_s IS NOT NULL) AS first_responses_business,
    count_if(basis = 'resolved' AND business_s IS NOT NULL) AS resolutions_business_timed
  FROM events
  GROUP BY period_start, grain, dimension, dimension_value
)

SELECT
  c.period_start,
  c.grain,
  c.dimension,
  c.dimension_value,
  c.handled,
  c.escalation_known,
  c.escalated,
  CASE WHEN c.escalation_known > 0 THEN 100e0 * c.escalated / c.escalation_known END AS escalation_rate,
  c.first_responses,
  p.first_response_median_s,
  p.first_response_p90_s,
  c.resolved,
  c.resolutions_timed,
  p.resolution_median_s,
  p.resolution_p90_s,
  c.first_responses_business,
  p.first_response_business_median_s,
  p.first_response_business_p90_s,
  c.resolutions_business_timed,
  p.resolution_business_median_s,
  p.resolution_business_p90_s,
  c.reopen_known,
  c.reopened,
  CASE WHEN c.reopen_known > 0 THEN 100e0 * c.reopened / c.reopen_known END AS reopen_rate,
  c.sla_first_response_decided,
  c.sla_first_response_kept,
  CASE
    WHEN c.sla_first_response_decided > 0 THEN 100e0 * c.sla_first_response_kept / c.sla_first_response_decided
  END AS sla_first_response_pct,
  c.sla_resolution_decided,
  c.sla_resolution_kept,
  CASE WHEN c.sla_resolution_decided > 0 THEN 100e0 * c.sla_resolution_kept / c.sla_resolution_decided END
    AS sla_resolution_pct,
  c.sla_first_response_decided + c.sla_resolution_decided AS sla_decided,
  c.sla_first_response_kept + c.sla_resolution_kept AS sla_kept,
  CASE
    WHEN c.sla_first_response_decided + c.sla_resolution_decided > 0
      THEN 100e0 * (c.sla_first_response_kept + c.sla_resolution_kept)
        / (c.sla_first_response_decided + c.sla_resolution_decided)
  END AS sla_compliance_pct,
  c.fcr_evidenced,
  c.fcr_resolved,
  CASE WHEN c.fcr_evidenced > 0 THEN 100e0 * c.fcr_resolved / c.fcr_evidenced END AS fcr_rate,
  CASE
    WHEN c.fcr_evidenced = 0 THEN NULL
    WHEN c.fcr_by_survey = c.fcr_evidenced THEN 'survey'
    WHEN c.fcr_by_source_flag = c.fcr_evidenced THEN 'source_flag'
    WHEN c.fcr_by_derived = c.fcr_evidenced THEN 'derived'
    ELSE 'mixed'
  END AS fcr_method,
  c.fcr_by_survey,
  c.fcr_by_source_flag,
  c.fcr_by_derived
FROM counted AS c
LEFT JOIN ticket_percentiles AS p
  ON p.period_start = c.period_start AND p.grain = c.grain AND p.dimension = c.dimension
  AND p.dimension_value = c.dimension_value
