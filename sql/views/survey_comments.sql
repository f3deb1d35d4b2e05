-- survey_comments: one row per (grain, period_start, survey answer) with a score and a comment (the
-- latest version of each answer), in each period metrics_surveys counts the answer in: what the
-- report's voice of the customer reads, through its materialised copy survey_comments_by_period.
--
-- Decisions:
-- * Dated as metrics_surveys dates an answer: responded_at, then sent_at, then updated_at when the
--   source gives no answer time, on the local date of the team's reporting zone (zone_days), in
--   the week, month, quarter, year and custom range of calendar_periods. So the comments of a
--   period are those of the answers its CSAT and NPS count.
-- * Offered-but-unanswered rows (score null) and answers without a comment are left out; scope
--   columns (team, channel, agent_id, source) are kept so a report can narrow to one of them.
-- * No dt column: an answer is partitioned by the day its survey was sent, which precedes the
--   answer by any delay, so no range of partitions holds a period's comments. The refresh writes
--   this view into survey_comments_by_period (sql/materialised.ts), partitioned by grain and
--   period start, and a report reads its period's files there.
WITH
answers AS (
  SELECT
    r.source,
    r.response_id,
    r.survey_kind,
    r.score,
    r.scale_min,
    r.scale_max,
    r.higher_is_better,
    r.comment,
    r.team,
    r.channel,
    r.agent_id,
    COALESCE(r.responded_at, r.sent_at, r.updated_at) AS answered_at,
    COALESCE(team_zone.zone, default_zone.zone) AS zone
  FROM survey_responses_latest AS r
  INNER JOIN reporting_zones AS default_zone ON default_zone.team IS NULL
  LEFT JOIN reporting_zones AS team_zone ON team_zone.team = r.team
  WHERE r.comment IS NOT NULL AND r.score IS NOT NULL
)

SELECT
  p.grain,
  p.period_start,
  a.source,
  a.response_id,
  a.survey_kind,
  a.score,
  a.scale_min,
  a.scale_max,
  a.higher_is_better,
  a.comment,
  a.team,
  a.channel,
  a.agent_id
FROM answers AS a
LEFT JOIN zone_days AS z ON z.zone = a.zone AND z.utc_date = CAST(a.answered_at AS DATE)
INNER JOIN calendar_periods AS p
  ON p.local_date = CAST(
    a.answered_at
      + (CASE WHEN a.answered_at >= z.switch_at THEN z.offset_after_s ELSE z.offset_s END) * INTERVAL '1' SECOND
    AS DATE
  )
