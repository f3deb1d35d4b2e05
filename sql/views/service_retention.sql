-- service_retention: one row per (grain, period_start, family, segment): among the customers who
-- had a contact (interaction or ticket) or answered a survey in the period, how many of those in
-- one experience segment churned in the follow-up window, their churn rate, its relative risk
-- against the best segment of the family, the customers still at risk and their revenue.
--
-- Decisions:
-- * Families and segments (severity 0 = the best segment, the reference of its family):
--   nps: promoter (9-10) 0, passive (7-8) 1, detractor (0-6) 2, from 0-10 NPS answers only;
--   csat: top_box 0, not_top_box 1, top box as metrics_surveys defines it (top point of 2-3 point
--   scales, top two of 4-11 point scales; wider scales have no box); abandonment: not_abandoned 0,
--   abandoned 1, over customers with a queued contact (abandon as interaction_facts decides it);
--   first_contact_resolution: resolved_first_time 0, not_resolved_first_time 1, over contacts with
--   an FCR verdict from interaction_facts (survey, source flag or derived repeat contact);
--   resolution_time: within_target 0, above_target 1, a resolved contact's resolution time against
--   the overall target of resolution_median_s in the config's targets (no target: no such family).
-- * A customer belongs to the worst experience they had in each family during the period: one
--   detractor answer makes a detractor, one abandoned call an abandoner. A customer without an
--   experience of a family (no NPS answer, never queued) is not in that family.
-- * Contacts are dated by created_at, answers as metrics_surveys dates them (responded_at, then
--   sent_at, then updated_at), on their local date in the reporting zone (zone_days, as in
--   interaction_slices; a customer belongs to no team, so team zones do not apply), in the ISO
--   weeks, months, quarters, years and custom ranges of calendar_periods. A period ends at local
--   midnight after its last day: the follow-up window and the revenue year are measured from there
--   on the events' local times, while events are ordered against the first contact by their
--   instants.
-- * Only customers known to customer_activity and active at their first contact of the period
--   (their latest earlier event a signup, order or renewal, as metrics_retention decides activity)
--   are counted: the churn of a customer the activity source never saw is unknown, and one who had
--   already left cannot leave again.
-- * Churned = a cancellation after the first contact of the period and no later than N days after
--   the period's end (N = retention_options.horizon_days, config retention.horizonDays; a
--   cancellation at exactly N days is in, a second later is out). Only cancellation events are churn: the data
--   has no renewal due dates, so a missed renewal cannot be told from a quiet customer, and, as in
--   metrics_retention, a lapse without a cancellation is not churn.
-- * The follow-up window has elapsed once the activity data reaches the period's end + N days (the
--   newest event of the customer's activity sources: results depend on the data alone, never on
--   today's date). A customer who has not churned and whose window has not elapsed is pending:
--   counted in customers and customers_pending, never as retained, and left out of the rates.
-- * churn_rate = churned / (customers - pending) * 100 with a 95% Wilson interval; NULL when no
--   customer's outcome is known.
-- * relative_risk = the segment's churn share / the reference segment's, with a 95% interval by
--   the log method (Katz et al., Biometrics 34:469-474, 1978):
--   exp(ln(RR) +- 1.96 * sqrt(1/a - 1/n1 + 1/c - 1/n2)), a churned of n1 in the segment, c of n2 in
--   the reference. The reference itself has RR 1 and no interval. RR is NULL when the reference
--   is missing or has no churn (c = 0); with a = 0 it is 0 and the interval (undefined) NULL.
-- * low_sample = fewer customers with a known outcome than metric_options.min_sample. Such a
--   segment is shown but not ranked: risk_rank (1 = the highest churn rate of the family) ranks
--   only the segments that are not low sample.
-- * at_risk = customers of a worse segment (severity > 0) with no cancellation since their first
--   contact of the period, as far as the data goes; NULL for the reference segment, which is not
--   at risk by definition.
-- * revenue = the sum of the known amounts of the customers' events in the twelve months before
--   the period's end (yearly revenue); revenue_customers = customers with at least one known
--   amount there. Unknown amounts are left out, never read as 0: revenue is NULL when no customer
--   of the segment has a known amount. at_risk_revenue is the same sum over the at-risk customers.
-- * Cost: interaction_facts, survey_responses_latest and customer_activity_latest are each read
--   once. Activity is decided from a customer's whole history and the window's elapse from the
--   source's newest event, so a period filter does not prune the activity files. The refresh of
--   the retention family writes this view into service_retention_by_period (sql/materialised.ts),
--   partitioned by grain and period start, and the report reads that table, not this view.
WITH
options AS (
  SELECT
    (SELECT max(value) FROM metric_options WHERE name = 'min_sample') AS min_sample,
    (SELECT max(value) FROM retention_options WHERE name = 'horizon_days') AS horizon_days
),

resolution_target AS (
  SELECT max(goal) AS goal_s
  FROM targets
  WHERE metric = 'resolution_median_s' AND scope = 'overall'
),

-- One row per contact or answer and family it informs ('contact' marks presence only).
experiences AS (
  SELECT
    f.customer_key,
    f.created_at AS experienced_at,
    k.family,
    CASE k.family
      WHEN 'abandonment' THEN CASE WHEN f.is_queued THEN IF(f.is_abandon, 1, 0) END
      WHEN 'first_contact_resolution' THEN CASE WHEN f.fcr_resolved IS NOT NULL THEN IF(f.fcr_resolved, 0, 1) END
      WHEN 'resolution_time' THEN CASE
        WHEN f.resolution_s IS NOT NULL AND t.goal_s IS NOT NULL THEN IF(f.resolution_s > t.goal_s, 1, 0)
      END
    END AS severity
  FROM interaction_facts AS f
  CROSS JOIN resolution_target AS t
  CROSS JOIN (VALUES ('contact'), ('abandonment'), ('first_contact_resolution'), ('resolution_time')) AS k (family)
  WHERE f.customer_key IS NOT NULL
  UNION ALL
  SELECT
    s.customer_key,
    COALESCE(s.responded_at, s.sent_at, s.updated_at),
    k.family,
    CASE k.family
      WHEN 'nps' THEN CASE
        WHEN s.survey_kind = 'nps' AND s.scale_min = 0 AND s.scale_max = 10
          THEN CASE WHEN s.score >= 9 THEN 0 WHEN s.score >= 7 THEN 1 ELSE 2 END
      END
      WHEN 'csat' THEN CASE
        WHEN s.survey_kind <> 'csat' THEN NULL
        WHEN s.scale_max - s.scale_min + 1 <= 3 THEN IF(s.oriented_score >= s.scale_max, 0, 1)
        WHEN s.scale_max - s.scale_min + 1 <= 11 THEN IF(s.oriented_score >= s.scale_max - 1, 0, 1)
      END
    END
  FROM (
    SELECT
      *,
      CASE WHEN higher_is_better THEN score ELSE scale_min + scale_max - score END AS oriented_score
    FROM survey_responses_latest
    WHERE customer_key IS NOT NULL AND score IS NOT NULL AND scale_max > scale_min
      AND score BETWEEN scale_min AND scale_max
  ) AS s
  CROSS JOIN (VALUES ('contact'), ('nps'), ('csat')) AS k (family)
),

-- One row per customer and period: the first experience, and the worst severity of each family.
customer_periods AS (
  SELECT
    p.grain,
    p.period_start,
    p.period_end,
    e.customer_key,
    min(e.experienced_at) AS first_contact_at,
    max(CASE WHEN e.family = 'nps' THEN e.severity END) AS nps,
    max(CASE WHEN e.family = 'csat' THEN e.severity END) AS csat,
    max(CASE WHEN e.family = 'abandonment' THEN e.severity END) AS abandonment,
    max(CASE WHEN e.family = 'first_contact_resolution' THEN e.severity END) AS first_contact_resolution,
    max(CASE WHEN e.family = 'resolution_time' THEN e.severity END) AS resolution_time
  FROM experiences AS e
  INNER JOIN reporting_zones AS zone ON zone.team IS NULL
  LEFT JOIN zone_days AS z ON z.zone = zone.zone AND z.utc_date = CAST(e.experienced_at AS DATE)
  INNER JOIN calendar_periods AS p
    ON p.local_date = CAST(
      e.experienced_at
        + (CASE WHEN e.experienced_at >= z.switch_at THEN z.offset_after_s ELSE z.offset_s END) * INTERVAL '1' SECOND
      AS DATE
    )
  WHERE e.family = 'contact' OR e.severity IS NOT NULL
  GROUP BY 1, 2, 3, 4
),

-- period_end: local midnight after the period's last day.
periods AS (
  SELECT
    c.grain,
    c.period_start,
    c.customer_key,
    c.first_contact_at,
    c.nps,
    c.csat,
    c.abandonment,
    c.first_contact_resolution,
    c.resolution_time,
    CAST(c.period_end AS TIMESTAMP) + INTERVAL '1' DAY AS period_end
  FROM customer_periods AS c
),

events AS (
  SELECT
    e.source,
    e.customer_key,
    e.event_at,
    e.event_at
      + (CASE WHEN e.event_at >= z.switch_at THEN z.offset_after_s ELSE z.offset_s END) * INTERVAL '1' SECOND
      AS local_at,
    e.kind,
    e.amount
  FROM customer_activity_latest AS e
  INNER JOIN reporting_zones AS zone ON zone.team IS NULL
  LEFT JOIN zone_days AS z ON z.zone = zone.zone AND z.utc_date = CAST(e.event_at AS DATE)
),

-- The newest event of each source, in local time: the follow-up window has elapsed once it is reached.
located_events AS (
  SELECT *, max(local_at) OVER (PARTITION BY source) AS local_horizon
  FROM events
),

-- Each customer-period with the customer's activity around it.
followed AS (
  SELECT
    c.grain,
    c.period_start,
    c.customer_key,
    c.nps,
    c.csat,
    c.abandonment,
    c.first_contact_resolution,
    c.resolution_time,
    to_unixtime(c.period_end) + o.horizon_days * 86400e0 AS window_end_s,
    max(CASE WHEN e.kind <> 'cancellation' AND e.event_at <= c.first_contact_at THEN e.event_at END) AS joined_at,
    max(CASE WHEN e.kind = 'cancellation' AND e.event_at <= c.first_contact_at THEN e.event_at END) AS cancelled_at,
    min(CASE WHEN e.kind = 'cancellation' AND e.event_at > c.first_contact_at THEN e.local_at END)
      AS next_cancellation_at,
    max(e.local_horizon) AS horizon,
    sum(CASE
      WHEN e.local_at >= c.period_end - INTERVAL '12' MONTH AND e.local_at < c.period_end THEN e.amount
    END) AS revenue
  FROM periods AS c
  CROSS JOIN options AS o
  INNER JOIN located_events AS e ON e.customer_key = c.customer_key
  GROUP BY
    c.grain, c.period_start, c.customer_key, c.nps, c.csat, c.abandonment, c.first_contact_resolution,
    c.resolution_time, c.period_end, o.horizon_days
),

outcomes AS (
  SELECT
    f.*,
    f.next_cancellation_at IS NOT NULL AND to_unixtime(f.next_cancellation_at) <= f.window_end_s AS churned,
    COALESCE(to_unixtime(f.next_cancellation_at) <= f.window_end_s, false)
      OR to_unixtime(f.horizon) >= f.window_end_s AS decided,
    f.next_cancellation_at IS NULL AS still_active
  FROM followed AS f
  WHERE f.joined_at IS NOT NULL AND (f.cancelled_at IS NULL OR f.joined_at > f.cancelled_at)
),

segment_names AS (
  SELECT *
  FROM (
    VALUES
      ('nps', 0, 'promoter'),
      ('nps', 1, 'passive'),
      ('nps', 2, 'detractor'),
      ('csat', 0, 'top_box'),
      ('csat', 1, 'not_top_box'),
      ('abandonment', 0, 'not_abandoned'),
      ('abandonment', 1, 'abandoned'),
      ('first_contact_resolution', 0, 'resolved_first_time'),
      ('first_contact_resolution', 1, 'not_resolved_first_time'),
      ('resolution_time', 0, 'within_target'),
      ('resolution_time', 1, 'above_target')
  ) AS s (family, severity, segment)
),

segmented AS (
  SELECT
    o.grain,
    o.period_start,
    n.family,
    n.severity,
    n.segment,
    o.churned,
    o.decided,
    o.still_active,
    o.revenue
  FROM outcomes AS o
  CROSS JOIN segment_names AS n
  WHERE n.severity = CASE n.family
    WHEN 'nps' THEN o.nps
    WHEN 'csat' THEN o.csat
    WHEN 'abandonment' THEN o.abandonment
    WHEN 'first_contact_resolution' THEN o.first_contact_resolution
    ELSE o.resolution_time
  END
),

grouped AS (
  SELECT
    grain,
    period_start,
    family,
    severity,
    segment,
    count(*) AS customers,
    count_if(NOT decided) AS customers_pending,
    count_if(decided) AS followed_n,
    count_if(churned) AS churned,
    count_if(still_active) AS still_active,
    sum(revenue) AS revenue,
    count(revenue) AS revenue_customers,
    sum(CASE WHEN still_active THEN revenue END) AS at_risk_revenue
  FROM segmented
  GROUP BY grain, period_start, family, severity, segment
),

compared AS (
  SELECT
    g.*,
    CASE WHEN g.followed_n > 0 THEN CAST(g.churned AS DOUBLE) / g.followed_n END AS p,
    max(CASE WHEN g.severity = 0 THEN g.churned END) OVER (PARTITION BY g.grain, g.period_start, g.family) AS ref_churned,
    max(CASE WHEN g.severity = 0 THEN g.followed_n END) OVER (PARTITION BY g.grain, g.period_start, g.family) AS ref_n,
    g.followed_n < o.min_sample AS low_sample,
    o.horizon_days,
    1.959963984540054e0 AS z
  FROM grouped AS g
  CROSS JOIN options AS o
),

risks AS (
  SELECT
    c.*,
    CASE
      WHEN c.severity = 0 AND c.followed_n > 0 THEN 1e0
      WHEN c.p IS NULL OR c.ref_n IS NULL OR c.ref_n = 0 OR c.ref_churned = 0 THEN NULL
      ELSE c.p / (CAST(c.ref_churned AS DOUBLE) / c.ref_n)
    END AS rr,
    CASE
      WHEN c.severity > 0 AND c.churned > 0 AND c.ref_churned > 0
        THEN c.z * sqrt(1e0 / c.churned - 1e0 / c.followed_n + 1e0 / c.ref_churned - 1e0 / c.ref_n)
    END AS log_margin
  FROM compared AS c
)

SELECT
  period_start,
  grain,
  family,
  segment,
  severity = 0 AS is_reference,
  CAST(customers AS BIGINT) AS customers,
  CAST(customers_pending AS BIGINT) AS customers_pending,
  CAST(followed_n AS BIGINT) AS n,
  CAST(churned AS BIGINT) AS churned,
  100 * p AS churn_rate,
  CASE WHEN followed_n > 0 THEN
    greatest(0e0, 100 * ((p + z * z / (2 * followed_n))
      - z * sqrt(p * (1 - p) / followed_n + z * z / (4e0 * followed_n * followed_n))) / (1 + z * z / followed_n))
  END AS churn_ci_low,
  CASE WHEN followed_n > 0 THEN
    least(100e0, 100 * ((p + z * z / (2 * followed_n))
      + z * sqrt(p * (1 - p) / followed_n + z * z / (4e0 * followed_n * followed_n))) / (1 + z * z / followed_n))
  END AS churn_ci_high,
  rr AS relative_risk,
  CASE WHEN log_margin IS NOT NULL THEN exp(ln(rr) - log_margin) END AS rr_ci_low,
  CASE WHEN log_margin IS NOT NULL THEN exp(ln(rr) + log_margin) END AS rr_ci_high,
  low_sample,
  CASE
    WHEN NOT low_sample
      THEN rank() OVER (PARTITION BY grain, period_start, family, low_sample ORDER BY p DESC)
  END AS risk_rank,
  CASE WHEN severity > 0 THEN CAST(still_active AS BIGINT) END AS at_risk,
  revenue,
  CAST(revenue_customers AS BIGINT) AS revenue_customers,
  CASE WHEN severity > 0 THEN at_risk_revenue END AS at_risk_revenue,
  CAST(horizon_days AS BIGINT) AS horizon_days
FROM risks
