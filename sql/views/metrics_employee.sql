-- metrics_employee: one row per (grain, period_start, dimension, dimension_value, metric) for enps
-- and engagement_score, in the long shape shared by every metric view. Dimensions: overall ('all')
-- and team (an answer without a team counts in overall only).
--
-- Decisions:
-- * Answers are dated by the survey period they belong to (period), not by when they were given,
--   so a pulse that stays open across a month end still reports in its own period. The period is
--   a calendar date (stored as its UTC midnight), not an instant: it is the local date as it
--   stands, never shifted by a time zone. Its week, month, quarter and year (and a custom range
--   holding it) come from calendar_periods.
-- * enps uses the NPS arithmetic on question_kind = 'enps' answers on a 0-10 scale: promoters 9-10,
--   detractors 0-6, eNPS = %promoters - %detractors (-100..100), recomputed from counts in every
--   group (a company eNPS is never an average of team scores), with the multinomial margin of
--   error (P + D - (P - D)^2) / n. Answers on another scale are not eNPS answers and are ignored.
-- * engagement_score = mean of question_kind = 'engagement' answers normalised to 0-100
--   ((score - scale_min) / (scale_max - scale_min) * 100), every answer weighing the same, with a
--   normal-approximation 95% interval (from two answers up, kept within 0-100).
-- * Answers outside their declared scale, or on a scale with no width, are ignored.
-- * Teams are reported whatever their size; n is shown so small teams can be suppressed by the
--   reader for anonymity (the scorecard flags n below min_sample).
WITH
answers AS (
  SELECT
    source,
    team,
    period,
    question_kind,
    score,
    CAST(100 * (score - scale_min) / (scale_max - scale_min) AS DOUBLE) AS score_100,
    CASE WHEN question_kind = 'enps' AND scale_min = 0 AND scale_max = 10 THEN score END AS enps_score
  FROM employee_pulse_latest
  WHERE scale_max > scale_min AND score BETWEEN scale_min AND scale_max
),

expanded AS (
  SELECT
    p.grain,
    p.period_start,
    d.dimension,
    CASE d.dimension WHEN 'overall' THEN 'all' ELSE a.team END AS dimension_value,
    a.question_kind,
    a.score_100,
    a.enps_score
  FROM answers AS a
  INNER JOIN calendar_periods AS p ON p.local_date = CAST(a.period AS DATE)
  CROSS JOIN (VALUES ('overall'), ('team')) AS d (dimension)
),

grouped AS (
  SELECT
    grain,
    period_start,
    dimension,
    dimension_value,
    count(enps_score) AS enps_n,
    count_if(enps_score >= 9) AS promoters,
    count_if(enps_score <= 6) AS detractors,
    count_if(question_kind = 'engagement') AS engagement_n,
    avg(CASE WHEN question_kind = 'engagement' THEN score_100 END) AS engagement_mean,
    stddev_samp(CASE WHEN question_kind = 'engagement' THEN score_100 END) AS engagement_sd
  FROM expanded
  WHERE dimension_value IS NOT NULL
  GROUP BY grain, period_start, dimension, dimension_value
),

measures AS (
  SELECT grain, period_start, dimension, dimension_value, 'enps' AS metric, 'net' AS estimator, enps_n AS n,
    promoters, detractors, CAST(NULL AS DOUBLE) AS mean_value, CAST(NULL AS DOUBLE) AS sd_value
  FROM grouped WHERE enps_n > 0
  UNION ALL
  SELECT grain, period_start, dimension, dimension_value, 'engagement_score', 'mean', engagement_n,
    NULL, NULL, engagement_mean, engagement_sd
  FROM grouped WHERE engagement_n > 0
),

shares AS (
  SELECT
    *,
    CAST(promoters AS DOUBLE) / n AS p_promoters,
    CAST(detractors AS DOUBLE) / n AS p_detractors,
    1.959963984540054e0 AS z
  FROM measures
)

SELECT
  period_start,
  grain,
  dimension,
  dimension_value,
  metric,
  CASE estimator WHEN 'net' THEN 100 * (p_promoters - p_detractors) ELSE mean_value END AS value,
  'score' AS unit,
  n,
  CASE estimator
    WHEN 'net' THEN greatest(-100e0, 100 * (p_promoters - p_detractors)
      - 100 * z * sqrt((p_promoters + p_detractors - power(p_promoters - p_detractors, 2)) / n))
    ELSE CASE WHEN n >= 2 THEN greatest(0e0, mean_value - z * sd_value / sqrt(n)) END
  END AS ci_low,
  CASE estimator
    WHEN 'net' THEN least(100e0, 100 * (p_promoters - p_detractors)
      + 100 * z * sqrt((p_promoters + p_detractors - power(p_promoters - p_detractors, 2)) / n))
    ELSE CASE WHEN n >= 2 THEN least(100e0, mean_value + z * sd_value / sqrt(n)) END
  END AS ci_high
FROM shares
