-- interaction_facts: one row per contact (latest version), with the per-contact facts that the
-- contact-centre and ticket metrics aggregate. Every definition of SPEC section 3 that can be
-- decided per contact is decided here, once.
--
-- Decisions:
-- * Handled = answered by an agent, decided once for every contact-centre and ticket metric (AHT,
--   transfer, escalation, FCR): in a source that records answer times (any contact of the source
--   has answered_at), handled = answered_at is set, so a call with an agent named but no answer
--   (the bank log's AGENT calls without a service step) is neither answered nor handled; in a
--   source that never records them (helpdesks: tickets have no answer time), an agent recorded on
--   a contact that was not abandoned. Whether the source records answer times is a window
--   partitioned by source, as the horizon.
-- * Queued = queued_at is set. Contacts that never queued are not in ASA, abandonment or service
--   level. Wait = queue_s, else answered_at - queued_at; an abandon without queue_s has an unknown
--   wait, and an unknown wait is never short.
-- * Abandoned = queued, flagged abandoned by the source, never answered and not a callback.
--   Short abandon = abandoned with a known wait below metric_options.short_abandon_s.
-- * Handle time = talk_s + hold_s + acw_s (missing hold and after-contact work count as 0), only
--   when talk_s is known; held = handled with hold_s known and > 0 (or a hold_count > 0).
-- * First response = first_response_s from the source, else first_response_at - created_at; none
--   when the item has no agent reply (agent_replies = 0): never a zero.
-- * Resolved = status resolved/closed when the source gives a status, else a resolution time is
--   known. Resolution = resolution_s, else resolved_at - created_at. resolved_time dates the
--   resolution (resolved_at, else closed_at, else created_at + resolution_s).
-- * Negative durations (clock skew in the source) are treated as unknown.
-- * The data horizon is the newest created_at of the contact's source: it is how far that source
--   has been observed, so it decides whether an open SLA is already breached and whether an FCR
--   window has closed. It is per source so that loading another source (a later export of an
--   unrelated system) never changes this one's figures, and it is a window partitioned by source,
--   never over the whole lake. Results are reproducible from the data alone (no
--   current_timestamp). The horizon needs the source's newest contact, so a period filter cannot
--   prune below it; the metric families are materialised, so this is paid once per refresh.
-- * SLA, per kind: the source verdict when it gives one, with or without a target (ServiceNow's
--   made_sla, CFPB's timely response), once it is final: a breach is final at once, a "met" only
--   once the item no longer waits (first response: a reply or the item resolved; resolution: the
--   item resolved), since an open item may still breach (CFPB complaints in progress say "timely"
--   and are undecided: the source keeps the clock, so its provisional verdict is not second-guessed
--   with the horizon). Without a verdict, the measured time against the target; else, for an
--   item still waiting (no first reply / not resolved), breached once the elapsed time at the
--   horizon exceeds the target and otherwise active (undecided, excluded). An item resolved
--   without any agent reply has no first-response SLA outcome unless its source gives a verdict.
-- * FCR evidence, in order: the customer's answer to "was your issue resolved?" (every answer
--   about the contact must say yes); the source flag resolved_first_contact; derived: no later
--   inbound contact from the same customer (with the same category when the contact has one)
--   within metric_options.fcr_window_days, decided only once the window has closed before the
--   horizon. FCR only considers handled inbound contacts that start their transfer/callback chain.
-- * Business time: a contact is measured against the schedule assigned to it, the most specific
--   assignment winning (schedule_assignments: priority, queue, team, source, then the schedule
--   that takes every other contact); none, no business figure. Business seconds up to an instant t
--   are B(t) = open_s_before of t's UTC date + the open seconds of that date's business_calendar
--   rows before t, so a duration is B(end) - B(start), each B(t) one join on (schedule, UTC date)
--   that a range within the date narrows to one calendar segment (business_segments). The end instants are created_at + the calendar duration, so a source that gives only a
--   duration (Zendesk's minutes) is timed as one that gives the instants. Outside the calendar's
--   dates, business time is unknown (NULL).
-- * An SLA is judged in business time when the source says its target is in business hours
--   (sla_in_business_hours), else when the contact's schedule says so (slaInBusinessHours); the
--   measured time, and the time waited at the horizon, are then business seconds. A source's own
--   verdict still comes first.
WITH
options AS (
  SELECT
    max(CASE WHEN name = 'short_abandon_s' THEN value END) AS short_abandon_s,
    max(CASE WHEN name = 'fcr_window_days' THEN value END) AS fcr_window_days
  FROM metric_options
),

contacts AS (
  SELECT
    i.*,
    COALESCE(i.initial_interaction_id, i.interaction_id) = i.interaction_id AS is_chain_head,
    i.queued_at IS NOT NULL AS is_queued,
    CASE
      WHEN i.status IS NOT NULL THEN i.status IN ('resolved', 'closed')
      ELSE i.resolved_at IS NOT NULL OR i.resolution_s IS NOT NULL
    END AS is_resolved,
    i.customer_key IS NOT NULL AND i.direction = 'inbound'
      AND COALESCE(i.initial_interaction_id, i.interaction_id) = i.interaction_id AS is_repeat_candidate,
    max(i.created_at) OVER (PARTITION BY i.source) AS horizon,
    count(i.answered_at) OVER (PARTITION BY i.source) > 0 AS source_records_answers,
    COALESCE(sp.schedule, sq.schedule, st.schedule, ss.schedule, sa.schedule) AS schedule,
    COALESCE(
      sp.sla_in_business_hours,
      sq.sla_in_business_hours,
      st.sla_in_business_hours,
      ss.sla_in_business_hours,
      sa.sla_in_business_hours
    ) AS schedule_sla_in_business_hours
  FROM interactions_latest AS i
  LEFT JOIN schedule_assignments AS sp ON sp.dimension = 'priority' AND sp.value = i.priority
  LEFT JOIN schedule_assignments AS sq ON sq.dimension = 'queue' AND sq.value = i.queue
  LEFT JOIN schedule_assignments AS st ON st.dimension = 'team' AND st.value = i.team
  LEFT JOIN schedule_assignments AS ss ON ss.dimension = 'source' AND ss.value = i.source
  LEFT JOIN schedule_assignments AS sa ON sa.dimension = 'any'
),

handling AS (
  SELECT
    c.*,
    c.answered_at IS NOT NULL
      OR (NOT c.source_records_answers AND c.agent_id IS NOT NULL AND NOT c.is_abandoned) AS is_handled
  FROM contacts AS c
),

measured AS (
  SELECT
    c.*,
    CASE
      WHEN NOT c.is_queued THEN NULL
      WHEN c.queue_s IS NOT NULL THEN c.queue_s
      WHEN c.answered_at IS NOT NULL AND c.answered_at >= c.queued_at
        THEN to_unixtime(c.answered_at) - to_unixtime(c.queued_at)
    END AS wait_s,
    c.is_queued AND c.is_abandoned AND NOT c.is_callback AND c.answered_at IS NULL AS is_abandon,
    CASE
      WHEN c.agent_replies = 0 THEN NULL
      WHEN c.first_response_s IS NOT NULL THEN c.first_response_s
      WHEN c.first_response_at >= c.created_at
        THEN to_unixtime(c.first_response_at) - to_unixtime(c.created_at)
    END AS first_response_time_s,
    CASE
      WHEN NOT c.is_resolved THEN NULL
      WHEN c.resolution_s IS NOT NULL THEN c.resolution_s
      WHEN c.resolved_at >= c.created_at THEN to_unixtime(c.resolved_at) - to_unixtime(c.created_at)
    END AS resolution_time_s,
    to_unixtime(c.horizon) - to_unixtime(c.created_at) AS elapsed_at_horizon_s,
    lead(c.created_at) OVER (
      PARTITION BY c.is_repeat_candidate, c.customer_key ORDER BY c.created_at, c.source, c.interaction_id
    ) AS next_contact_at,
    lead(c.created_at) OVER (
      PARTITION BY c.is_repeat_candidate, c.customer_key, c.category ORDER BY c.created_at, c.source, c.interaction_id
    ) AS next_same_category_at
  FROM handling AS c
),

-- The calendar as segments, each the stretch of a UTC date that one opening's B(t) covers: from
-- the opening (the date's start for its first) to the next opening (the date's end for its last),
-- with the open seconds of the date before the opening. An instant lies in exactly one segment of
-- its date, so B(t) is one equi-join on (schedule, UTC date) with a range filter, once per instant,
-- and never a fan-out over the date's openings summed back per contact: that sum was a window
-- partitioned per contact and instant over every opening (2.6 million rows on the scale-10 demo,
-- two window sorts of whole contact rows, most of the contact-centre and ticket refresh's CPU).
business_segments AS (
  SELECT
    schedule,
    utc_date,
    open_at,
    close_at,
    open_s_before,
    CASE
      WHEN row_number() OVER (PARTITION BY schedule, utc_date ORDER BY open_at) > 1 THEN open_at
      ELSE CAST(utc_date AS TIMESTAMP)
    END AS segment_from,
    COALESCE(
      lead(open_at) OVER (PARTITION BY schedule, utc_date ORDER BY open_at),
      CAST(utc_date AS TIMESTAMP) + INTERVAL '1' DAY
    ) AS segment_to,
    COALESCE(
      sum(to_unixtime(close_at) - to_unixtime(open_at)) OVER (
        PARTITION BY schedule, utc_date ORDER BY open_at ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
      ),
      0e0
    ) AS opened_earlier_s
  FROM business_calendar
),

marked AS (
  SELECT
    m.*,
    m.created_at + m.first_response_time_s * INTERVAL '1' SECOND AS first_response_mark_at,
    m.created_at + m.resolution_time_s * INTERVAL '1' SECOND AS resolved_mark_at
  FROM measured AS m
),

business AS (
  SELECT
    m.*,
    bc.open_s_before
      + COALESCE(bc.opened_earlier_s + greatest(0e0, least(
        to_unixtime(m.created_at) - to_unixtime(bc.open_at), to_unixtime(bc.close_at) - to_unixtime(bc.open_at)
      )), 0e0) AS created_b,
    bf.open_s_before
      + COALESCE(bf.opened_earlier_s + greatest(0e0, least(
        to_unixtime(m.first_response_mark_at) - to_unixtime(bf.open_at),
        to_unixtime(bf.close_at) - to_unixtime(bf.open_at)
      )), 0e0) AS first_response_b,
    br.open_s_before
      + COALESCE(br.opened_earlier_s + greatest(0e0, least(
        to_unixtime(m.resolved_mark_at) - to_unixtime(br.open_at), to_unixtime(br.close_at) - to_unixtime(br.open_at)
      )), 0e0) AS resolved_b,
    bh.open_s_before
      + COALESCE(bh.opened_earlier_s + greatest(0e0, least(
        to_unixtime(m.horizon) - to_unixtime(bh.open_at), to_unixtime(bh.close_at) - to_unixtime(bh.open_at)
      )), 0e0) AS horizon_b
  FROM marked AS m
  LEFT JOIN business_segments AS bc
    ON bc.schedule = m.schedule AND bc.utc_date = CAST(m.created_at AS DATE)
    AND m.created_at >= bc.segment_from AND m.created_at < bc.segment_to
  LEFT JOIN business_segments AS bf
    ON bf.schedule = m.schedule AND bf.utc_date = CAST(m.first_response_mark_at AS DATE)
    AND m.first_response_mark_at >= bf.segment_from AND m.first_response_mark_at < bf.segment_to
  LEFT JOIN business_segments AS br
    ON br.schedule = m.schedule AND br.utc_date = CAST(m.resolved_mark_at AS DATE)
    AND m.resolved_mark_at >= br.segment_from AND m.resolved_mark_at < br.segment_to
  LEFT JOIN business_segments AS bh
    ON bh.schedule = m.schedule AND bh.utc_date = CAST(m.horizon AS DATE)
    AND m.horizon >= bh.segment_from AND m.horizon < bh.segment_to
),

timed AS (
  SELECT
    b.*,
    CASE WHEN b.first_response_time_s IS NOT NULL THEN b.first_response_b - b.created_b END
      AS first_response_business_s,
    CASE WHEN b.resolution_time_s IS NOT NULL THEN b.resolved_b - b.created_b END AS resolution_business_s,
    COALESCE(b.sla_in_business_hours, b.schedule_sla_in_business_hours, false) AS sla_in_business_time,
    b.horizon_b - b.created_b AS business_elapsed_at_horizon_s
  FROM business AS b
),

judged AS (
  SELECT
    t.*,
    CASE WHEN t.sla_in_business_time THEN t.first_response_business_s ELSE t.first_response_time_s END
      AS sla_first_response_s,
    CASE WHEN t.sla_in_business_time THEN t.resolution_business_s ELSE t.resolution_time_s END AS sla_resolution_s,
    CASE WHEN t.sla_in_business_time THEN t.business_elapsed_at_horizon_s ELSE t.elapsed_at_horizon_s END
      AS sla_elapsed_s
  FROM timed AS t
),

survey_evidence AS (
  SELECT interaction_id, bool_and(resolved) AS resolved
  FROM survey_responses_latest
  WHERE resolved IS NOT NULL AND interaction_id IS NOT NULL
  GROUP BY interaction_id
)

SELECT
  m.source,
  m.interaction_id,
  m.channel,
  m.direction,
  m.customer_key,
  m.agent_id,
  m.team,
  m.queue,
  m.category,
  m.created_at,
  m.is_chain_head,
  m.is_handled,
  m.is_queued,
  m.answered_at IS NOT NULL AS is_answered,
  m.is_callback,
  m.is_transfer,
  m.is_escalated,
  m.wait_s,
  m.is_abandon,
  m.is_abandon AND m.wait_s IS NOT NULL AND m.wait_s < o.short_abandon_s AS is_short_abandon,
  CASE WHEN m.is_handled THEN m.talk_s END AS talk_s,
  CASE WHEN m.is_handled AND m.talk_s IS NOT NULL THEN COALESCE(m.hold_s, 0e0) END AS handle_hold_s,
  CASE WHEN m.is_handled AND m.talk_s IS NOT NULL THEN COALESCE(m.acw_s, 0e0) END AS handle_acw_s,
  CASE
    WHEN m.is_handled AND m.talk_s IS NOT NULL THEN m.talk_s + COALESCE(m.hold_s, 0e0) + COALESCE(m.acw_s, 0e0)
  END AS handle_s,
  CASE
    WHEN m.is_handled AND m.hold_s IS NOT NULL AND (m.hold_s > 0 OR COALESCE(m.hold_count, 0) > 0) THEN m.hold_s
  END AS held_s,
  m.first_response_time_s AS first_response_s,
  m.is_resolved,
  m.resolution_time_s AS resolution_s,
  m.schedule,
  m.first_response_business_s,
  m.resolution_business_s,
  m.sla_in_business_time,
  CASE
    WHEN m.is_resolved
      THEN COALESCE(m.resolved_at, m.closed_at, m.created_at + m.resolution_time_s * INTERVAL '1' SECOND)
  END AS resolved_time,
  CASE WHEN m.is_resolved AND m.reopen_count IS NOT NULL THEN m.reopen_count > 0 END AS is_reopened,
  CASE
    WHEN m.sla_first_response_met IS NOT NULL THEN
      CASE
        WHEN NOT m.sla_first_response_met OR m.first_response_time_s IS NOT NULL OR m.is_resolved
          THEN m.sla_first_response_met
      END
    WHEN m.sla_first_response_target_s IS NULL THEN NULL
    WHEN m.first_response_time_s IS NOT NULL THEN m.sla_first_response_s <= m.sla_first_response_target_s
    WHEN m.is_resolved THEN NULL
    WHEN m.sla_elapsed_s > m.sla_first_response_target_s THEN false
  END AS sla_first_response_met,
  CASE
    WHEN m.sla_resolution_met IS NOT NULL THEN
      CASE WHEN NOT m.sla_resolution_met OR m.is_resolved THEN m.sla_resolution_met END
    WHEN m.sla_resolution_target_s IS NULL THEN NULL
    WHEN m.resolution_time_s IS NOT NULL THEN m.sla_resolution_s <= m.sla_resolution_target_s
    WHEN m.is_resolved THEN NULL
    WHEN m.sla_elapsed_s > m.sla_resolution_target_s THEN false
  END AS sla_resolution_met,
  CASE
    WHEN NOT (m.is_handled AND m.is_chain_head AND m.direction = 'inbound') THEN NULL
    WHEN s.resolved IS NOT NULL THEN 'survey'
    WHEN m.resolved_first_contact IS NOT NULL THEN 'source_flag'
    WHEN m.is_repeat_candidate AND m.elapsed_at_horizon_s >= o.fcr_window_days * 86400e0 THEN 'derived'
  END AS fcr_method,
  CASE
    WHEN NOT (m.is_handled AND m.is_chain_head AND m.direction = 'inbound') THEN NULL
    WHEN s.resolved IS NOT NULL THEN s.resolved
    WHEN m.resolved_first_contact IS NOT NULL THEN m.resolved_first_contact
    WHEN m.is_repeat_candidate AND m.elapsed_at_horizon_s >= o.fcr_window_days * 86400e0
      THEN COALESCE(
        to_unixtime(CASE WHEN m.category IS NULL THEN m.next_contact_at ELSE m.next_same_category_at END)
          - to_unixtime(m.created_at) > o.fcr_window_days * 86400e0,
        true
      )
  END AS fcr_resolved
FROM judged AS m
CROSS JOIN options AS o
LEFT JOIN survey_evidence AS s ON s.interaction_id = m.interaction_id
