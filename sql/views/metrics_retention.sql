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
-- * Shape: no period is joined to every earlier event. A customer's state changes only with
--   their events, and a period start (local midnight) sees the events of the local dates before
--   it, so each customer's events become one row per local date with the state before and after
--   it (running maxima over the customer's dates, a window partitioned by customer). S is the
--   running sum of the changes of state of the dates before the period's first date with events,
--   over one row per date. The customers lost in a period (active at its start, not at its end)
--   and those who ordered had an order or a change of state there: only those customer-dates meet
--   their periods, by equality on the local date, the state at the start being the one before the
--   first of them and at the end the one after the last. customer_activity_latest is read twice,
--   as before. Measured on the scale-10 demo lake (208,653 events, 16,381 customers): joining
--   every period to every earlier event (7.8 million rows grouped into 1.0 million
--   customer-periods) took 1.9 s of CPU; this shape 0.8 s (medians of 3 under load 9), about half
--   of it reading and deduplicating customer_activity_latest, with the same rows.
WITH
events AS (
  SELECT
    e.customer_key,
    e.event_at,
    e.kind,
    CAST(
      e.event_at
        + (CASE WHEN e.event_at >= z.switch_at THEN z.offset_after_s ELSE z.offset_s END) * INTERVAL '1' SECOND
      AS DATE
    ) AS local_date
  FROM customer_activity_latest AS e
  INNER JOIN reporting_zones AS zone ON zone.team IS NULL
  LEFT JOIN zone_days AS z ON z.zone = zone.zone AND z.utc_date = CAST(e.event_at AS DATE)
),

-- One row per customer and local date with events: the latest joining and cancelling instants.
customer_days AS (
  SELECT
    customer_key,
    local_date,
    max(CASE WHEN kind <> 'cancellation' THEN event_at END) AS joined_at,
    max(CASE WHEN kind = 'cancellation' THEN event_at END) AS cancelled_at,
    count_if(kind = 'order') AS orders
  FROM events
  WHERE local_date IS NOT NULL
  GROUP BY customer_key, local_date
),

-- Each customer and date with the customer's state before the date and after it.
states AS (
  SELECT
    customer_key,
    local_date,
    orders,
    joined_by IS NOT NULL AND (cancelled_by IS NULL OR joined_by > cancelled_by) AS active,
    joined_before IS NOT NULL AND (cancelled_before IS NULL OR joined_before > cancelled_before) AS was_active
  FROM (
    SELECT
      customer_key,
      local_date,
      orders,
      max(joined_at) OVER (
        PARTITION BY customer_key ORDER BY local_date ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
      ) AS joined_by,
      max(cancelled_at) OVER (
        PARTITION BY customer_key ORDER BY local_date ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
      ) AS cancelled_by,
      max(joined_at) OVER (
        PARTITION BY customer_key ORDER BY local_date ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
      ) AS joined_before,
      max(cancelled_at) OVER (
        PARTITION BY customer_key ORDER BY local_date ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
      ) AS cancelled_before
    FROM customer_days
  ) AS running
),

-- Customers active at the start of each period with events: the changes of state (+1 joins,
-- -1 leaves) of the dates before its first date with events, summed in date order over one row
-- per date.
starts AS (
  SELECT p.grain, p.period_start, min_by(d.active_before, d.local_date) AS customers_at_start
  FROM (
    SELECT
      local_date,
      COALESCE(
        sum(state_change) OVER (ORDER BY local_date ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0
      ) AS active_before
    FROM (
      SELECT local_date, sum(CASE WHEN active = was_active THEN 0 WHEN active THEN 1 ELSE -1 END) AS state_change
      FROM states
      GROUP BY local_date
    ) AS dates
  ) AS d
  INNER JOIN calendar_periods AS p ON p.local_date = d.local_date
  GROUP BY p.grain, p.period_start
),

-- Per period, the customers who ordered, ordered twice, or were active before their first date
-- with events there and not after their last (lost). Only the dates with an order or a change of
-- state can tell: the state before the first of those in the period is the state at its start.
period_counts AS (
  SELECT
    grain,
    period_start,
    count_if(orders >= 1) AS ordering_customers,
    count_if(orders >= 2) AS repeat_customers,
    count_if(active_at_start AND NOT active_at_end) AS customers_lost
  FROM (
    SELECT
      p.grain,
      p.period_start,
      s.customer_key,
      sum(s.orders) AS orders,
      min_by(s.was_active, s.local_date) AS active_at_start,
      max_by(s.active, s.local_date) AS active_at_end
    FROM states AS s
    INNER JOIN calendar_periods AS p ON p.local_date = s.local_date
    WHERE s.orders > 0 OR s.active <> s.was_active
    GROUP BY p.grain, p.period_start, s.customer_key
  ) AS period_customers
  GROUP BY grain, period_start
),

grouped AS (
  SELECT
    s.grain,
    s.period_start,
    s.customers_at_start,
    s.customers_at_start - COALESCE(c.customers_lost, 0) AS customers_retained,
    COALESCE(c.ordering_customers, 0) AS ordering_customers,
    COALESCE(c.repeat_customers, 0) AS repeat_customers
  FROM starts AS s
  LEFT JOIN period_counts AS c ON c.grain = s.grain AND c.period_start = s.period_start
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
