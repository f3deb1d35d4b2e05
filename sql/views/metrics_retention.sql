-- metrics_retention: one row per (grain, period_start, metric) for retention_rate, churn_rate and
-- repeat_purchase_rate, in the long shape shared by every metric view, with dimension 'overall'
-- (customer events carry no channel, team or agent, and one customer may appear in several
-- sources).
--
-- Decisions:
-- * A period runs from local midnight of period_start (inclusive) to local midnight after its last
--   day (exclusive), in the reporting zone (customers have no team): an event is placed by its
--   local time (zone_days, as in interaction_slices), while events are ordered among themselves by
--   their instants, so a clock going back does not reorder them. Periods are the ISO weeks,
--   months, quarters, years and custom ranges (calendar_periods) in which at least one event
--   happened. An event outside zone_days' dates has no local time and is in no period.
-- * A customer is active at an instant t when their latest event before t is a signup, order or
--   renewal (a first order counts as joining when the source has no signup events) and no
--   cancellation is at or after it: cancelling ends activity, a later signup, order or renewal
--   reactivates. An event at exactly t belongs to the period that starts at t, and a
--   cancellation at the same instant as another event wins.
-- * Customers at start S = active at period start; at end E = active at period end; new customers
--   N = active at the end but not at the start (first-time and reactivated customers), so
--   retention_rate = (E - N) / S * 100 = customers active at both ends / S * 100, never above 100.
--   A customer who cancels and comes back within the period is retained.
-- * churn_rate = 100 - retention_rate (customers active at the start and not at the end / S).
-- * A lapse without a cancellation event is not churn: sources whose customers just stop ordering
--   should record cancellations (or rely on repeat_purchase_rate).
-- * repeat_purchase_rate = customers with at least 2 orders in the period / customers with at
--   least 1 order in the period * 100 (renewals are not orders).
-- * The latest period is measured on the events known so far: its end state is the state after
--   the last event loaded.
-- * Each rate carries a 95% Wilson interval; n is S (retention, churn) or the ordering customers
--   (repeat purchase). A period with S = 0 has no retention or churn row.
WITH
events AS (
  SELECT
    e.customer_key,
    e.event_at,
    e.event_at
      + (CASE WHEN e.event_at >= z.switch_at THEN z.offset_after_s ELSE z.offset_s END) * INTERVAL '1' SECOND
      AS local_at,
    e.kind
  FROM customer_activity_latest AS e
  INNER JOIN reporting_zones AS zone ON zone.team IS NULL
  LEFT JOIN zone_days AS z ON z.zone = zone.zone AND z.utc_date = CAST(e.event_at AS DATE)
),

periods AS (
  SELECT DISTINCT p.grain, p.period_start, p.period_end
  FROM events AS e
  INNER JOIN calendar_periods AS p ON p.local_date = CAST(e.local_at AS DATE)
),

bounds AS (
  SELECT
    grain,
    period_start,
    CAST(period_start AS TIMESTAMP) AS start_at,
    CAST(period_end AS TIMESTAMP) + INTERVAL '1' DAY AS end_at
  FROM periods
),

customer_states AS (
  SELECT
    b.grain,
    b.period_start,
    e.customer_key,
    max(CASE WHEN e.kind <> 'cancellation' AND e.local_at < b.start_at THEN e.event_at END) AS joined_before_start,
    max(CASE WHEN e.kind = 'cancellation' AND e.local_at < b.start_at THEN e.event_at END) AS cancelled_before_start,
    max(CASE WHEN e.kind <> 'cancellation' THEN e.event_at END) AS joined_before_end,
    max(CASE WHEN e.kind = 'cancellation' THEN e.event_at END) AS cancelled_before_end,
    count_if(e.kind = 'order' AND e.local_at >= b.start_at) AS orders_in_period
  FROM bounds AS b
  INNER JOIN events AS e ON e.local_at < b.end_at
  GROUP BY b.grain, b.period_start, e.customer_key
),

activity AS (
  SELECT
    grain,
    period_start,
    orders_in_period,
    CASE
      WHEN joined_before_start IS NOT NULL
        AND (cancelled_before_start IS NULL OR joined_before_start > cancelled_before_start) THEN 1
      ELSE 0
    END AS active_at_start,
    CASE
      WHEN joined_before_end IS NOT NULL
        AND (cancelled_before_end IS NULL OR joined_before_end > cancelled_before_end) THEN 1
      ELSE 0
    END AS active_at_end
  FROM customer_states
),

grouped AS (
  SELECT
    grain,
    period_start,
    sum(active_at_start) AS customers_at_start,
    count_if(active_at_start = 1 AND active_at_end = 1) AS customers_retained,
    count_if(orders_in_period >= 1) AS ordering_customers,
    count_if(orders_in_period >= 2) AS repeat_customers
  FROM activity
  GROUP BY grain, period_start
),

measures AS (
  SELECT grain, period_start, 'retention_rate' AS metric, customers_at_start AS n, customers_retained AS successes
  FROM grouped WHERE customers_at_start > 0
  UNION ALL
  SELECT grain, period_start, 'churn_rate', customers_at_start, customers_at_start - customers_retained
  FROM grouped WHERE customers_at_start > 0
  UNION ALL
  SELECT grain, period_start, 'repeat_purchase_rate', ordering_customers, repeat_customers
  FROM grouped WHERE ordering_customers > 0
),

shares AS (
  SELECT *, CAST(successes AS DOUBLE) / n AS p, 1.959963984540054e0 AS z
  FROM measures
)

SELECT
  period_start,
  grain,
  'overall' AS dimension,
  'all' AS dimension_value,
  metric,
  100 * p AS value,
  'pct' AS unit,
  CAST(n AS BIGINT) AS n,
  greatest(0e0, 100 * ((p + z * z / (2 * n)) - z * sqrt(p * (1 - p) / n + z * z / (4e0 * n * n)))
    / (1 + z * z / n)) AS ci_low,
  least(100e0, 100 * ((p + z * z / (2 * n)) + z * sqrt(p * (1 - p) / n + z * z / (4e0 * n * n)))
    / (1 + z * z / n)) AS ci_high
FROM shares
