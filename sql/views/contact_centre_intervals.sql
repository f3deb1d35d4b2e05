-- contact_centre_intervals: one row per (interval_start, dimension, dimension_value, dt): the queued
-- contacts of one interval of the day, interval_length.interval_minutes (reporting.intervalMinutes)
-- long in local time, with the counts and sums behind offered, answered, abandoned, ASA, service
-- level and AHT. The report's "When service slips" sums them into an hour-of-day x weekday profile
-- and staffs each interval with Erlang C (lambdas/core/metrics/erlang.ts).
--
-- Decisions:
-- * A contact is dated by queued_at, when it joined the queue, in its local time: the zone of its
--   team (reporting.teams), else the reporting zone (reporting_zones), through zone_days, so no
--   engine time-zone function is used and DuckDB and Trino agree to the second. interval_start is
--   the local wall-clock start of its interval, local_date its local date, iso_weekday 1 (Monday) to
--   7 (Sunday), minute_of_day the minutes from local midnight to interval_start. On a fall-back
--   night both passes of the repeated hour fall in that wall-clock hour's intervals; on a
--   spring-forward night the skipped hour has no contacts.
-- * Only queued contacts count (offered = queued), with the per-contact definitions of
--   interaction_facts: wait = queue_s, else answered_at - queued_at when not negative; abandoned =
--   flagged abandoned, never answered and not a callback; a short abandon has a known wait below
--   metric_options.short_abandon_s. Abandonment, service level and ASA are then computed as in
--   contact_centre_stats: service_level_pct = answered within metric_options.service_level_s /
--   (answered with a known wait + abandoned, not short, after the threshold or with an unknown
--   wait) x 100; asa_s = mean wait of answered contacts with a known wait.
-- * One difference: aht_s here is over answered queued contacts with a known talk time (talk + hold
--   + after-contact work), the handling the interval's queue asked of its agents, which is what
--   Erlang C staffs. contact_centre_stats's aht_s also counts handled contacts that never queued
--   (outbound calls, contacts answered at once, tickets worked without an answer time).
-- * The view reads the interactions table, not interactions_latest: it keeps each record's latest
--   version (interactions_latest's order) within its dt, the UTC date of created_at, so that a
--   filter on dt passes the window and a query for a local period reads only its dt range (one day
--   of margin each side). That is exact because created_at, when the contact started, is a time a
--   later export does not change.
-- * dt is part of the key: an interval whose contacts started on two UTC dates (around UTC
--   midnight, or in a zone with a half-hour offset) has a row per dt. Counts and sums (wait_sum_s,
--   handle_sum_s) add up across rows; asa_s, aht_s and service_level_pct are each row's own, so a
--   profile over many rows recomputes them from the sums.
-- * Dimensions: overall ('all'), channel, team, queue, source; no agent, since a queued contact is
--   offered to a queue before any agent takes it. Ratios are DOUBLE and NULL when their denominator
--   is 0.
WITH
options AS (
  SELECT
    max(CASE WHEN name = 'short_abandon_s' THEN value END) AS short_abandon_s,
    max(CASE WHEN name = 'service_level_s' THEN value END) AS service_level_s
  FROM metric_options
),

versions AS (
  SELECT
    source,
    channel,
    team,
    queue,
    queued_at,
    answered_at,
    queue_s,
    is_abandoned,
    is_callback,
    talk_s,
    hold_s,
    acw_s,
    dt,
    row_number() OVER (
      PARTITION BY source, interaction_id, dt
      ORDER BY
        updated_at DESC NULLS LAST,
        ingested_at DESC NULLS LAST,
        source_object DESC NULLS LAST,
        source_row DESC NULLS LAST
    ) AS version_rank
  FROM interactions
),

queued AS (
  SELECT
    v.source,
    v.channel,
    v.team,
    v.queue,
    v.dt,
    v.queued_at,
    v.answered_at IS NOT NULL AS is_answered,
    CASE
      WHEN v.queue_s IS NOT NULL THEN v.queue_s
      WHEN v.answered_at IS NOT NULL AND v.answered_at >= v.queued_at
        THEN to_unixtime(v.answered_at) - to_unixtime(v.queued_at)
    END AS wait_s,
    v.is_abandoned AND NOT v.is_callback AND v.answered_at IS NULL AS is_abandon,
    CASE
      WHEN v.answered_at IS NOT NULL AND v.talk_s IS NOT NULL
        THEN v.talk_s + COALESCE(v.hold_s, 0e0) + COALESCE(v.acw_s, 0e0)
    END AS handle_s,
    COALESCE(tz.zone, rz.zone) AS zone
  FROM versions AS v
  CROSS JOIN (SELECT zone FROM reporting_zones WHERE team IS NULL) AS rz
  LEFT JOIN reporting_zones AS tz ON tz.team = v.team
  WHERE v.version_rank = 1 AND v.queued_at IS NOT NULL
),

localised AS (
  SELECT
    q.*,
    q.queued_at + (
      CASE WHEN z.switch_at IS NOT NULL AND q.queued_at >= z.switch_at THEN z.offset_after_s ELSE z.offset_s END
    ) * INTERVAL '1' SECOND AS local_at
  FROM queued AS q
  INNER JOIN zone_days AS z ON z.zone = q.zone AND z.utc_date = CAST(q.queued_at AS DATE)
),

placed AS (
  SELECT
    l.*,
    hour(l.local_at) * 60 + minute(l.local_at)
    - (hour(l.local_at) * 60 + minute(l.local_at)) % n.interval_minutes AS minute_of_day,
    n.interval_minutes,
    l.is_abandon AND l.wait_s IS NOT NULL AND l.wait_s < o.short_abandon_s AS is_short_abandon,
    o.service_level_s
  FROM localised AS l
  CROSS JOIN interval_length AS n
  CROSS JOIN options AS o
),

expanded AS (
  SELECT
    date_trunc('day', p.local_at) + p.minute_of_day * INTERVAL '1' MINUTE AS interval_start,
    p.minute_of_day,
    p.interval_minutes,
    d.dimension,
    CASE d.dimension
      WHEN 'overall' THEN 'all'
      WHEN 'channel' THEN p.channel
      WHEN 'team' THEN p.team
      WHEN 'queue' THEN p.queue
      ELSE p.source
    END AS dimension_value,
    p.dt,
    p.is_answered,
    p.wait_s,
    p.is_abandon,
    p.is_short_abandon,
    p.handle_s,
    p.service_level_s
  FROM placed AS p
  CROSS JOIN (VALUES ('overall'), ('channel'), ('team'), ('queue'), ('source')) AS d (dimension)
),

grouped AS (
  SELECT
    interval_start,
    minute_of_day,
    interval_minutes,
    dimension,
    dimension_value,
    dt,
    count(*) AS offered,
    count_if(is_answered) AS answered,
    count_if(is_abandon) AS abandoned,
    count_if(is_short_abandon) AS short_abandons,
    count_if(is_answered AND wait_s IS NOT NULL) AS answered_with_wait,
    sum(CASE WHEN is_answered THEN wait_s END) AS wait_sum_s,
    count_if(is_answered AND wait_s <= service_level_s) AS answered_within_threshold,
    count_if(is_abandon AND NOT is_short_abandon AND (wait_s IS NULL OR wait_s > service_level_s))
      AS abandoned_after_threshold,
    max(service_level_s) AS service_level_threshold_s,
    count(handle_s) AS handled_timed,
    sum(handle_s) AS handle_sum_s
  FROM expanded
  WHERE dimension_value IS NOT NULL
  GROUP BY interval_start, minute_of_day, interval_minutes, dimension, dimension_value, dt
)

SELECT
  interval_start,
  CAST(interval_start AS DATE) AS local_date,
  1 + (date_diff('day', DATE '2001-01-01', CAST(interval_start AS DATE)) % 7 + 7) % 7 AS iso_weekday,
  minute_of_day,
  interval_minutes,
  dimension,
  dimension_value,
  dt,
  offered,
  answered,
  abandoned,
  short_abandons,
  answered_with_wait,
  wait_sum_s,
  answered_within_threshold,
  abandoned_after_threshold,
  answered_with_wait + abandoned_after_threshold AS service_level_base,
  service_level_threshold_s,
  handled_timed,
  handle_sum_s,
  CASE
    WHEN offered - short_abandons > 0 THEN 100e0 * (abandoned - short_abandons) / (offered - short_abandons)
  END AS abandonment_rate,
  CASE WHEN answered_with_wait > 0 THEN wait_sum_s / answered_with_wait END AS asa_s,
  CASE
    WHEN answered_with_wait + abandoned_after_threshold > 0
      THEN 100e0 * answered_within_threshold / (answered_with_wait + abandoned_after_threshold)
  END AS service_level_pct,
  CASE WHEN handled_timed > 0 THEN handle_sum_s / handled_timed END AS aht_s
FROM grouped
