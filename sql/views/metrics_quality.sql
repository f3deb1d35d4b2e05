-- metrics_quality: one row per (grain, period_start, dimension, dimension_value, metric) for
-- qa_score and mystery_shop_score, in the long shape shared by every metric view. Dimensions:
-- overall ('all'), team, agent, source (evaluations carry no channel).
--
-- Decisions:
-- * An evaluation is (source, evaluation_id); its criteria are the rows of qa_evaluations_latest.
--   It is dated by its latest evaluated_at, on the local date of its team's reporting zone (the
--   week, month, quarter, year and custom range holding that date, from calendar_periods), and
--   attributed to its agent, team and kind as recorded on its criteria (the latest criterion wins
--   if they disagree).
-- * Evaluation score = sum(weight * points / max_points) / sum(weight) * 100 over the scored
--   criteria. A criterion is not scored when it is N/A (is_na, or points null) or has no points
--   available (max_points = 0). An evaluation with no scored weight has no score.
-- * A critical criterion that is scored and got less than its max_points sets the evaluation
--   score to 0 (an N/A critical criterion never fails).
-- * qa_score is the mean of evaluation scores of kinds internal_qa and auto_qa (every evaluation
--   weighs the same, whatever its number of criteria: never an average of agent averages);
--   mystery_shop_score is the same over evaluation_kind = mystery_shop.
-- * Means carry a normal-approximation 95% interval (1.96 * sample standard deviation / sqrt(n),
--   from two evaluations up, kept within 0-100); n is the number of evaluations.
WITH
criteria AS (
  SELECT
    source,
    evaluation_id,
    evaluation_kind,
    agent_id,
    team,
    evaluated_at,
    is_critical,
    weight,
    CASE WHEN is_na OR points IS NULL OR max_points <= 0 THEN 0 ELSE 1 END AS is_scored,
    CAST(points AS DOUBLE) / CASE WHEN max_points > 0 THEN max_points END AS attainment
  FROM qa_evaluations_latest
),

evaluations AS (
  SELECT
    source,
    evaluation_id,
    max_by(evaluation_kind, evaluated_at) AS evaluation_kind,
    max_by(agent_id, evaluated_at) AS agent_id,
    max_by(team, evaluated_at) AS team,
    max(evaluated_at) AS evaluated_at,
    sum(CASE WHEN is_scored = 1 THEN weight END) AS scored_weight,
    sum(CASE WHEN is_scored = 1 THEN weight * attainment END) AS weighted_attainment,
    count_if(is_scored = 1 AND is_critical AND attainment < 1) AS critical_failures
  FROM criteria
  GROUP BY source, evaluation_id
),

scores AS (
  SELECT
    source,
    agent_id,
    team,
    evaluated_at,
    CASE WHEN evaluation_kind = 'mystery_shop' THEN 'mystery_shop_score' ELSE 'qa_score' END AS metric,
    CASE WHEN critical_failures > 0 THEN 0e0 ELSE 100 * weighted_attainment / scored_weight END AS score
  FROM evaluations
  WHERE scored_weight > 0
),

-- The local date of each evaluation, in its team's zone (zone_days; see interaction_slices).
located AS (
  SELECT
    s.*,
    CAST(
      s.evaluated_at
        + (CASE WHEN s.evaluated_at >= z.switch_at THEN z.offset_after_s ELSE z.offset_s END) * INTERVAL '1' SECOND
      AS DATE
    ) AS local_date
  FROM scores AS s
  INNER JOIN reporting_zones AS default_zone ON default_zone.team IS NULL
  LEFT JOIN reporting_zones AS team_zone ON team_zone.team = s.team
  LEFT JOIN zone_days AS z
    ON z.zone = COALESCE(team_zone.zone, default_zone.zone) AND z.utc_date = CAST(s.evaluated_at AS DATE)
),

expanded AS (
  SELECT
    p.grain,
    p.period_start,
    d.dimension,
    CASE d.dimension
      WHEN 'overall' THEN 'all'
      WHEN 'team' THEN s.team
      WHEN 'agent' THEN s.agent_id
      ELSE s.source
    END AS dimension_value,
    s.metric,
    s.score
  FROM located AS s
  INNER JOIN calendar_periods AS p ON p.local_date = s.local_date
  CROSS JOIN (VALUES ('overall'), ('team'), ('agent'), ('source')) AS d (dimension)
),

grouped AS (
  SELECT
    grain,
    period_start,
    dimension,
    dimension_value,
    metric,
    count(*) AS n,
    avg(score) AS mean_value,
    stddev_samp(score) AS sd_value
  FROM expanded
  WHERE dimension_value IS NOT NULL
  GROUP BY grain, period_start, dimension, dimension_value, metric
)

SELECT
  period_start,
  grain,
  dimension,
  dimension_value,
  metric,
  mean_value AS value,
  'score' AS unit,
  n,
  CASE WHEN n >= 2 THEN greatest(0e0, mean_value - 1.959963984540054e0 * sd_value / sqrt(n)) END AS ci_low,
  CASE WHEN n >= 2 THEN least(100e0, mean_value + 1.959963984540054e0 * sd_value / sqrt(n)) END AS ci_high
FROM grouped
