-- metrics_surveys: one row per (grain, period_start, dimension, dimension_value, metric) for the
-- survey metrics csat_pct, csat_mean, nps, ces_mean, ces_easy_pct and survey_response_rate, in the
-- long shape shared by every metric view. Dimensions: overall ('all'), channel, team, agent, source;
-- an answer whose channel, team or agent is unknown counts in overall and source only.
--
-- Decisions:
-- * Answers are dated by responded_at (then sent_at, then updated_at when the source gives no
--   answer time); the response rate is dated by sent_at, so it compares an offer with its answer.
--   Both on the local date of the team's reporting zone (zone_days, as in interaction_slices), in
--   the week, month, quarter, year and custom range of calendar_periods.
-- * Every score is first oriented so that the top of the scale is the good end (higher_is_better =
--   false flips it: scale_min + scale_max - score), then normalised to 0-100.
-- * Top-two box = the two highest points of the oriented scale: 1-5 -> 4-5, 1-7 -> 6-7,
--   1-10 and 0-10 -> 9-10. Scales of two or three points count their top point only (good/bad is
--   stored as 0-1, so csat_pct = good / (good + bad); a 3-point smiley scale would otherwise count
--   "neutral" as satisfied). Scales wider than 11 points (0-100 sliders) have no boxes: they count
--   in the means, not in csat_pct or ces_easy_pct.
-- * ces_mean is on the 0-100 scale in the easy direction (100 = easiest) so CES 2.0 (1-7 agree)
--   and legacy effort scales (1-5, lower is easier) can be pooled; ces_easy_pct uses the same
--   orientation.
-- * NPS counts only 0-10 answers: promoters 9-10, detractors 0-6, NPS = %promoters - %detractors,
--   recomputed from counts in every group (never an average of segment scores). Its interval is
--   the margin of error from the multinomial variance (P + D - (P - D)^2) / n.
-- * Offered-but-unanswered rows (score null) count only in survey_response_rate, and only for
--   sources that report offers (a source with at least one unanswered row): a source that exports
--   answers only cannot know how many surveys were sent.
-- * Scores outside their declared scale are ignored rather than clamped.
-- * Proportions carry a 95% Wilson interval; means a normal-approximation 95% interval
--   (1.96 * sample standard deviation / sqrt(n), from two answers up, kept within 0-100). A group with no
--   observation for a metric has no row for it, so no ratio ever has a zero denominator.
-- * Shape: survey_responses_latest is read once. Whether a source reports offers is a window over
--   its rows, each answer becomes an 'answer' and an 'offer' observation through a VALUES list, and
--   the grouped counts are unpivoted into metric rows the same way (Trino inlines a CTE at every
--   reference, so each re-read would plan the whole chain again).
WITH
responses AS (
  SELECT
    source,
    survey_kind,
    channel,
    team,
    agent_id,
    score,
    scale_min,
    scale_max,
    scale_max - scale_min + 1 AS scale_points,
    CASE WHEN higher_is_better THEN score ELSE scale_min + scale_max - score END AS oriented_score,
    COALESCE(responded_at, sent_at, updated_at) AS answered_at,
    COALESCE(sent_at, responded_at, updated_at) AS offered_at,
    max(CASE WHEN score IS NULL THEN 1 ELSE 0 END) OVER (PARTITION BY source) = 1 AS source_reports_offers
  FROM survey_responses_latest
  WHERE survey_kind IN ('csat', 'nps', 'ces')
),

zoned AS (
  SELECT r.*, COALESCE(team_zone.zone, default_zone.zone) AS zone
  FROM responses AS r
  INNER JOIN reporting_zones AS default_zone ON default_zone.team IS NULL
  LEFT JOIN reporting_zones AS team_zone ON team_zone.team = r.team
),

observations AS (
  SELECT
    r.role,
    s.source,
    s.survey_kind,
    s.channel,
    s.team,
    s.agent_id,
    s.zone,
    CASE r.role WHEN 'answer' THEN s.answered_at ELSE s.offered_at END AS observed_at,
    CASE WHEN r.role = 'answer'
      THEN CAST(100 * (s.oriented_score - s.scale_min) / (s.scale_max - s.scale_min) AS DOUBLE)
    END AS score_100,
    CASE
      WHEN r.role <> 'answer' THEN NULL
      WHEN s.scale_points <= 3 THEN IF(s.oriented_score >= s.scale_max, 1, 0)
      WHEN s.scale_points <= 11 THEN IF(s.oriented_score >= s.scale_max - 1, 1, 0)
    END AS top_box,
    CASE WHEN r.role = 'answer' AND s.survey_kind = 'nps' AND s.scale_min = 0 AND s.scale_max = 10 THEN s.score END
      AS nps_score,
    CASE WHEN r.role = 'offer' THEN IF(s.score IS NOT NULL, 1, 0) END AS answered
  FROM zoned AS s
  CROSS JOIN (VALUES ('answer'), ('offer')) AS r (role)
  WHERE
    (r.role = 'answer' AND s.score IS NOT NULL AND s.scale_max > s.scale_min
      AND s.score BETWEEN s.scale_min AND s.scale_max)
    OR (r.role = 'offer' AND s.source_reports_offers)
),

located AS (
  SELECT
    o.*,
    CAST(
      o.observed_at
        + (CASE WHEN o.observed_at >= z.switch_at THEN z.offset_after_s ELSE z.offset_s END) * INTERVAL '1' SECOND
      AS DATE
    ) AS local_date
  FROM observations AS o
  LEFT JOIN zone_days AS z ON z.zone = o.zone AND z.utc_date = CAST(o.observed_at AS DATE)
),

expanded AS (
  SELECT
    p.grain,
    p.period_start,
    d.dimension,
    CASE d.dimension
      WHEN 'overall' THEN 'all'
      WHEN 'channel' THEN o.channel
      WHEN 'team' THEN o.team
      WHEN 'agent' THEN o.agent_id
      ELSE o.source
    END AS dimension_value,
    o.role,
    o.survey_kind,
    o.score_100,
    o.top_box,
    o.nps_score,
    o.answered
  FROM located AS o
  INNER JOIN calendar_periods AS p ON p.local_date = o.local_date
  CROSS JOIN (VALUES ('overall'), ('channel'), ('team'), ('agent'), ('source')) AS d (dimension)
),

grouped AS (
  SELECT
    grain,
    period_start,
    dimension,
    dimension_value,
    count_if(role = 'answer' AND survey_kind = 'csat' AND top_box IS NOT NULL) AS csat_boxed_n,
    count_if(role = 'answer' AND survey_kind = 'csat' AND top_box = 1) AS csat_top_n,
    count_if(role = 'answer' AND survey_kind = 'csat') AS csat_n,
    avg(CASE WHEN role = 'answer' AND survey_kind = 'csat' THEN score_100 END) AS csat_mean,
    stddev_samp(CASE WHEN role = 'answer' AND survey_kind = 'csat' THEN score_100 END) AS csat_sd,
    count_if(role = 'answer' AND nps_score IS NOT NULL) AS nps_n,
    count_if(role = 'answer' AND nps_score >= 9) AS nps_promoters,
    count_if(role = 'answer' AND nps_score <= 6) AS nps_detractors,
    count_if(role = 'answer' AND survey_kind = 'ces') AS ces_n,
    avg(CASE WHEN role = 'answer' AND survey_kind = 'ces' THEN score_100 END) AS ces_mean,
    stddev_samp(CASE WHEN role = 'answer' AND survey_kind = 'ces' THEN score_100 END) AS ces_sd,
    count_if(role = 'answer' AND survey_kind = 'ces' AND top_box IS NOT NULL) AS ces_boxed_n,
    count_if(role = 'answer' AND survey_kind = 'ces' AND top_box = 1) AS ces_easy_n,
    count_if(role = 'offer') AS offered_n,
    count_if(role = 'offer' AND answered = 1) AS answered_n
  FROM expanded
  WHERE dimension_value IS NOT NULL
  GROUP BY grain, period_start, dimension, dimension_value
),

-- estimator: 'proportion' (successes / n, Wilson interval), 'mean' (mean_value, sd_value) or
-- 'net' (promoters - detractors over n, multinomial margin of error).
measures AS (
  SELECT
    g.grain,
    g.period_start,
    g.dimension,
    g.dimension_value,
    m.metric,
    m.unit,
    m.estimator,
    CASE m.metric
      WHEN 'csat_pct' THEN g.csat_boxed_n
      WHEN 'csat_mean' THEN g.csat_n
      WHEN 'nps' THEN g.nps_n
      WHEN 'ces_mean' THEN g.ces_n
      WHEN 'ces_easy_pct' THEN g.ces_boxed_n
      ELSE g.offered_n
    END AS n,
    CASE m.metric
      WHEN 'csat_pct' THEN g.csat_top_n
      WHEN 'ces_easy_pct' THEN g.ces_easy_n
      WHEN 'survey_response_rate' THEN g.answered_n
    END AS successes,
    CASE m.metric WHEN 'csat_mean' THEN g.csat_mean WHEN 'ces_mean' THEN g.ces_mean END AS mean_value,
    CASE m.metric WHEN 'csat_mean' THEN g.csat_sd WHEN 'ces_mean' THEN g.ces_sd END AS sd_value,
    CASE WHEN m.metric = 'nps' THEN g.nps_promoters END AS promoters,
    CASE WHEN m.metric = 'nps' THEN g.nps_detractors END AS detractors
  FROM grouped AS g
  CROSS JOIN (
    VALUES
      ('csat_pct', 'pct', 'proportion'),
      ('csat_mean', 'score', 'mean'),
      ('nps', 'score', 'net'),
      ('ces_mean', 'score', 'mean'),
      ('ces_easy_pct', 'pct', 'proportion'),
      ('survey_response_rate', 'pct', 'proportion')
  ) AS m (metric, unit, estimator)
),

shares AS (
  SELECT
    *,
    CAST(successes AS DOUBLE) / n AS p,
    CAST(promoters AS DOUBLE) / n AS p_promoters,
    CAST(detractors AS DOUBLE) / n AS p_detractors,
    1.959963984540054e0 AS z
  FROM measures
  WHERE n > 0
)

SELECT
  period_start,
  grain,
  dimension,
  dimension_value,
  metric,
  CASE estimator
    WHEN 'proportion' THEN 100 * p
    WHEN 'mean' THEN mean_value
    ELSE 100 * (p_promoters - p_detractors)
  END AS value,
  unit,
  n,
  CASE estimator
    WHEN 'proportion' THEN greatest(0e0,
      100 * ((p + z * z / (2 * n)) - z * sqrt(p * (1 - p) / n + z * z / (4e0 * n * n))) / (1 + z * z / n))
    WHEN 'mean' THEN CASE WHEN n >= 2 THEN greatest(0e0, mean_value - z * sd_value / sqrt(n)) END
    ELSE greatest(-100e0, 100 * (p_promoters - p_detractors)
      - 100 * z * sqrt((p_promoters + p_detractors - power(p_promoters - p_detractors, 2)) / n))
  END AS ci_low,
  CASE estimator
    WHEN 'proportion' THEN least(100e0,
      100 * ((p + z * z / (2 * n)) + z * sqrt(p * (1 - p) / n + z * z / (4e0 * n * n))) / (1 + z * z / n))
    WHEN 'mean' THEN CASE WHEN n >= 2 THEN least(100e0, mean_value + z * sd_value / sqrt(n)) END
    ELSE least(100e0, 100 * (p_promoters - p_detractors)
      + 100 * z * sqrt((p_promoters + p_detractors - power(p_promoters - p_detractors, 2)) / n))
  END AS ci_high
FROM shares
