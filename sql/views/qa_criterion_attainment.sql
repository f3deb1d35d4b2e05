-- qa_criterion_attainment: one row per (grain, period_start, dimension, dimension_value, criterion)
-- with scored answers: how one QA criterion went in a period, for the report's coaching list.
-- Dimensions: overall ('all'), team, agent, source (evaluations carry no channel or queue).
--
-- Decisions:
-- * An answer is dated as metrics_quality dates it: the local date of evaluated_at in the team's
--   reporting zone (zone_days), in the week, month, quarter, year and custom range of
--   calendar_periods. A local period is not a run of UTC partitions, so a filter on
--   (grain, period_start) no longer reaches dt: a reader that wants one period's partitions only
--   adds its own dt range (the period's local days widened by a day each side).
-- * Each answer (source, evaluation_id, criterion) keeps its latest version in the order of
--   qa_evaluations_latest (TABLES.qa_evaluations.versionBy), with dt added to the window's
--   partition so that a filter on dt passes the window (Trino stops a filter at a window whose
--   partition lacks the column). That is exact because evaluated_at, when the evaluation was made,
--   is a time a re-export does not change: every version of an answer lands in the same
--   partition. (A source that re-dated an evaluation would keep one version per day here, and one
--   in qa_evaluations_latest.)
-- * Only scored answers count: not N/A (is_na, or points null) and with points available
--   (max_points > 0). A criterion with no scored answer in a group has no row.
-- * Criteria are grouped by name across scorecards, evaluation kinds and sources; section is the
--   greatest section name the criterion appears under. evaluations counts the answers, one per
--   evaluation (source, evaluation_id) that scored the criterion, so equal ids from two sources are
--   two evaluations; score_pct is the mean of points / max_points * 100 (partial credit counts,
--   every answer weighs the same); critical_misses counts critical answers below full points.
WITH
versions AS (
  SELECT
    source,
    evaluation_id,
    agent_id,
    team,
    criterion,
    section,
    points,
    max_points,
    is_critical,
    is_na,
    evaluated_at,
    dt,
    row_number() OVER (
      PARTITION BY source, evaluation_id, criterion, dt
      ORDER BY
        updated_at DESC NULLS LAST,
        ingested_at DESC NULLS LAST,
        source_object DESC NULLS LAST,
        source_row DESC NULLS LAST
    ) AS version_rank
  FROM qa_evaluations
),

scored AS (
  SELECT
    source,
    agent_id,
    team,
    criterion,
    section,
    is_critical AND points < max_points AS critical_miss,
    CAST(points AS DOUBLE) / max_points AS attainment,
    evaluated_at
  FROM versions
  WHERE version_rank = 1 AND NOT is_na AND points IS NOT NULL AND max_points > 0
),

dated AS (
  SELECT
    p.grain,
    p.period_start,
    s.source,
    s.agent_id,
    s.team,
    s.criterion,
    s.section,
    s.critical_miss,
    s.attainment
  FROM scored AS s
  INNER JOIN reporting_zones AS default_zone ON default_zone.team IS NULL
  LEFT JOIN reporting_zones AS team_zone ON team_zone.team = s.team
  LEFT JOIN zone_days AS z
    ON z.zone = COALESCE(team_zone.zone, default_zone.zone) AND z.utc_date = CAST(s.evaluated_at AS DATE)
  INNER JOIN calendar_periods AS p
    ON p.local_date = CAST(
      s.evaluated_at
        + (CASE WHEN s.evaluated_at >= z.switch_at THEN z.offset_after_s ELSE z.offset_s END) * INTERVAL '1' SECOND
      AS DATE
    )
),

expanded AS (
  SELECT
    a.grain,
    a.period_start,
    d.dimension,
    CASE d.dimension
      WHEN 'overall' THEN 'all'
      WHEN 'team' THEN a.team
      WHEN 'agent' THEN a.agent_id
      ELSE a.source
    END AS dimension_value,
    a.criterion,
    a.section,
    a.critical_miss,
    a.attainment
  FROM dated AS a
  CROSS JOIN (VALUES ('overall'), ('team'), ('agent'), ('source')) AS d (dimension)
)

SELECT
  period_start,
  grain,
  dimension,
  dimension_value,
  criterion,
  max(section) AS section,
  count(*) AS evaluations,
  100 * avg(attainment) AS score_pct,
  count_if(critical_miss) AS critical_misses
FROM expanded
WHERE dimension_value IS NOT NULL
GROUP BY period_start, grain, dimension, dimension_value, criterion
