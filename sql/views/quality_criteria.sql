-- quality_criteria: one row per (grain, period_start, dimension, dimension_value, evaluation_kind,
-- scorecard, section, criterion): how often a scorecard criterion is passed, for coaching. Not a
-- metric view (its rows are criteria, not catalogue metrics), so metric_long does not include it.
-- Dimensions: overall ('all'), team, agent.
--
-- Decisions:
-- * A criterion is passed when it got its full max_points; pass_rate_pct = passed / scored * 100
--   with a 95% Wilson interval, and attainment_pct = mean of points / max_points * 100 (partial
--   credit shows there, not in the pass rate).
-- * N/A criteria (is_na, or points null) and criteria with no points available (max_points = 0)
--   are not scored; they are counted in na_n so a criterion that rarely applies is visible.
-- * critical_failures counts scored critical criteria below full points (each of them zeroed its
--   evaluation in metrics_quality). Rows are dated by evaluated_at, on the local date of the team's
--   reporting zone, as in metrics_quality.
WITH
criteria AS (
  SELECT
    agent_id,
    team,
    evaluation_kind,
    COALESCE(scorecard, '') AS scorecard,
    COALESCE(section, '') AS section,
    criterion,
    is_critical,
    evaluated_at,
    CASE WHEN is_na OR points IS NULL OR max_points <= 0 THEN 0 ELSE 1 END AS is_scored,
    CAST(points AS DOUBLE) / CASE WHEN max_points > 0 THEN max_points END AS attainment
  FROM qa_evaluations_latest
),

-- The local date of each answer, in its team's zone (zone_days; see interaction_slices).
located AS (
  SELECT
    c.*,
    CAST(
      c.evaluated_at
        + (CASE WHEN c.evaluated_at >= z.switch_at THEN z.offset_after_s ELSE z.offset_s END) * INTERVAL '1' SECOND
      AS DATE
    ) AS local_date
  FROM criteria AS c
  INNER JOIN reporting_zones AS default_zone ON default_zone.team IS NULL
  LEFT JOIN reporting_zones AS team_zone ON team_zone.team = c.team
  LEFT JOIN zone_days AS z
    ON z.zone = COALESCE(team_zone.zone, default_zone.zone) AND z.utc_date = CAST(c.evaluated_at AS DATE)
),

expanded AS (
  SELECT
    p.grain,
    p.period_start,
    d.dimension,
    CASE d.dimension
      WHEN 'overall' THEN 'all'
      WHEN 'team' THEN c.team
      ELSE c.agent_id
    END AS dimension_value,
    c.evaluation_kind,
    c.scorecard,
    c.section,
    c.criterion,
    c.is_critical,
    c.is_scored,
    c.attainment
  FROM located AS c
  INNER JOIN calendar_periods AS p ON p.local_date = c.local_date
  CROSS JOIN (VALUES ('overall'), ('team'), ('agent')) AS d (dimension)
),

grouped AS (
  SELECT
    grain,
    period_start,
    dimension,
    dimension_value,
    evaluation_kind,
    scorecard,
    section,
    criterion,
    bool_or(is_critical) AS is_critical,
    count_if(is_scored = 1) AS n,
    count_if(is_scored = 0) AS na_n,
    count_if(is_scored = 1 AND attainment >= 1) AS passed_n,
    count_if(is_scored = 1 AND is_critical AND attainment < 1) AS critical_failures,
    avg(CASE WHEN is_scored = 1 THEN attainment END) AS mean_attainment
  FROM expanded
  WHERE dimension_value IS NOT NULL
  GROUP BY grain, period_start, dimension, dimension_value, evaluation_kind, scorecard, section, criterion
),

shares AS (
  SELECT
    *,
    CAST(passed_n AS DOUBLE) / CASE WHEN n > 0 THEN n END AS p,
    1.959963984540054e0 AS z
  FROM grouped
)

SELECT
  period_start,
  grain,
  dimension,
  dimension_value,
  evaluation_kind,
  scorecard,
  section,
  criterion,
  is_critical,
  n,
  na_n,
  passed_n,
  critical_failures,
  100 * p AS pass_rate_pct,
  CASE WHEN n > 0 THEN greatest(0e0, 100 * ((p + z * z / (2 * n)) - z * sqrt(p * (1 - p) / n + z * z / (4e0 * n * n)))
    / (1 + z * z / n)) END AS pass_rate_ci_low,
  CASE WHEN n > 0 THEN least(100e0, 100 * ((p + z * z / (2 * n)) + z * sqrt(p * (1 - p) / n + z * z / (4e0 * n * n)))
    / (1 + z * z / n)) END AS pass_rate_ci_high,
  100 * mean_attainment AS attainment_pct
FROM shares
