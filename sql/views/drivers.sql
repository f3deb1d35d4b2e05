-- drivers: one row per (period_start month, dimension, dimension_value, driver) with the Pearson
-- correlation between a service driver and customer satisfaction, and the number of paired
-- observations n. Dimensions: overall ('all') and team. Not a metric view (a correlation is not a
-- catalogue metric), so metric_long does not include it.
--
-- Drivers and their observations:
-- * first_response_vs_csat, resolution_vs_csat, fcr_vs_csat: one observation per answered CSAT
--   survey linked to its contact (survey.interaction_id = interactions.interaction_id, preferring a
--   contact of the same source). CSAT is the answer on 0-100 in the good direction; first response
--   and resolution are calendar seconds (the source's own figure, else the timestamps; negative
--   durations are dropped); FCR is 1/0 from the survey's "was it resolved?" answer, else the
--   contact's resolved_first_contact flag (point-biserial correlation). The team is the survey's,
--   else the contact's. Expect negative correlations for the times, positive for FCR.
-- * engagement_vs_csat: employee answers are anonymous, so the observation is a team-month:
--   mean engagement (0-100) against mean CSAT (0-100) of the same team and month. For a team, the
--   correlation runs over its team-months in the 12 months ending with the period (n = months);
--   overall, across the teams of the period (n = teams).
-- Decisions: grain is month only (weekly samples are too small to correlate), the local month of the
-- answer in its team's reporting zone; an employee pulse keeps its own period (a calendar date, not
-- an instant). The correlation is
-- null when n < 3 or when either side does not vary, so a reader never sees a spurious +-1.
-- Whether a side varies, and the correlation itself, are taken at 9 decimals: durations equal to
-- the millisecond can differ in their last bit (timestamps subtracted as epoch seconds), which
-- would correlate rounding noise, and a correlation of exactly 0 comes out as +-1e-16 from the
-- order of the sums (differently on each engine).
WITH
csat_answers AS (
  SELECT
    source,
    response_id,
    interaction_id,
    team,
    resolved,
    COALESCE(responded_at, sent_at, updated_at) AS answered_at,
    CAST(100 * (
      CASE WHEN higher_is_better THEN score ELSE scale_min + scale_max - score END - scale_min
    ) / (scale_max - scale_min) AS DOUBLE) AS csat_100
  FROM survey_responses_latest
  WHERE survey_kind = 'csat' AND score IS NOT NULL AND scale_max > scale_min AND score BETWEEN scale_min AND scale_max
),

contacts AS (
  SELECT
    source,
    interaction_id,
    team,
    resolved_first_contact,
    COALESCE(first_response_s, to_unixtime(first_response_at) - to_unixtime(created_at)) AS first_response_s,
    COALESCE(resolution_s, to_unixtime(resolved_at) - to_unixtime(created_at)) AS resolution_s
  FROM interactions_latest
),

linked AS (
  SELECT
    a.answered_at,
    COALESCE(a.team, c.team) AS team,
    a.csat_100,
    CASE WHEN c.first_response_s >= 0 THEN c.first_response_s END AS first_response_s,
    CASE WHEN c.resolution_s >= 0 THEN c.resolution_s END AS resolution_s,
    CASE COALESCE(a.resolved, c.resolved_first_contact) WHEN true THEN 1e0 WHEN false THEN 0e0 END AS fcr,
    row_number() OVER (
      PARTITION BY a.source, a.response_id ORDER BY CASE WHEN c.source = a.source THEN 0 ELSE 1 END, c.source
    ) AS match_rank
  FROM csat_answers AS a
  LEFT JOIN contacts AS c ON c.interaction_id = a.interaction_id
),

-- The month of each answer's local date, in its team's reporting zone (zone_days, as in interaction_slices).
dated AS (
  SELECT
    l.*,
    CAST(date_trunc('month',
      l.answered_at
        + (CASE WHEN l.answered_at >= z.switch_at THEN z.offset_after_s ELSE z.offset_s END) * INTERVAL '1' SECOND
    ) AS DATE) AS period_start
  FROM linked AS l
  INNER JOIN reporting_zones AS default_zone ON default_zone.team IS NULL
  LEFT JOIN reporting_zones AS team_zone ON team_zone.team = l.team
  LEFT JOIN zone_days AS z
    ON z.zone = COALESCE(team_zone.zone, default_zone.zone) AND z.utc_date = CAST(l.answered_at AS DATE)
  WHERE l.match_rank = 1
),

survey_pairs AS (
  SELECT
    l.period_start,
    d.dimension,
    CASE d.dimension WHEN 'overall' THEN 'all' ELSE l.team END AS dimension_value,
    x.driver,
    CASE x.driver
      WHEN 'first_response_vs_csat' THEN l.first_response_s
      WHEN 'resolution_vs_csat' THEN l.resolution_s
      ELSE l.fcr
    END AS x_value,
    l.csat_100 AS y_value
  FROM dated AS l
  CROSS JOIN (VALUES ('overall'), ('team')) AS d (dimension)
  CROSS JOIN (VALUES ('first_response_vs_csat'), ('resolution_vs_csat'), ('fcr_vs_csat')) AS x (driver)
  WHERE l.period_start IS NOT NULL
),

team_csat AS (
  SELECT
    period_start,
    team,
    avg(csat_100) AS csat_mean
  FROM dated
  WHERE team IS NOT NULL AND period_start IS NOT NULL
  GROUP BY 1, 2
),

team_engagement AS (
  SELECT
    CAST(date_trunc('month', period) AS DATE) AS period_start,
    team,
    avg(CAST(100 * (score - scale_min) / (scale_max - scale_min) AS DOUBLE)) AS engagement_mean
  FROM employee_pulse_latest
  WHERE question_kind = 'engagement' AND team IS NOT NULL AND scale_max > scale_min
    AND score BETWEEN scale_min AND scale_max
  GROUP BY 1, 2
),

team_months AS (
  SELECT e.period_start, e.team, e.engagement_mean, c.csat_mean
  FROM team_engagement AS e
  INNER JOIN team_csat AS c ON c.period_start = e.period_start AND c.team = e.team
),

engagement_pairs AS (
  SELECT period_start, 'overall' AS dimension, 'all' AS dimension_value, 'engagement_vs_csat' AS driver,
    engagement_mean AS x_value, csat_mean AS y_value
  FROM team_months
  UNION ALL
  SELECT cur.period_start, 'team', cur.team, 'engagement_vs_csat', past.engagement_mean, past.csat_mean
  FROM team_months AS cur
  INNER JOIN team_months AS past
    ON past.team = cur.team
    AND past.period_start <= cur.period_start
    AND past.period_start > cur.period_start - INTERVAL '12' MONTH
),

pairs AS (
  SELECT * FROM survey_pairs WHERE dimension_value IS NOT NULL AND x_value IS NOT NULL AND y_value IS NOT NULL
  UNION ALL
  SELECT * FROM engagement_pairs
),

grouped AS (
  SELECT
    period_start,
    dimension,
    dimension_value,
    driver,
    count(*) AS n,
    corr(y_value, x_value) AS correlation,
    var_pop(x_value) AS x_variance,
    var_pop(y_value) AS y_variance
  FROM pairs
  GROUP BY period_start, dimension, dimension_value, driver
)

SELECT
  period_start,
  'month' AS grain,
  dimension,
  dimension_value,
  driver,
  CASE WHEN n >= 3 AND round(x_variance, 9) > 0 AND round(y_variance, 9) > 0 THEN round(correlation, 9) END AS correlation,
  n
FROM grouped
