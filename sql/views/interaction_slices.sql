-- interaction_slices: one row per (contact, grain, dimension) for every dimension whose value is
-- known for the contact, with the periods the contact falls in. The contact-centre and ticket
-- metrics group these rows, so every metric is cut by the same grains and dimensions.
--
-- Decisions:
-- * Local time: a contact is dated in its team's reporting zone (reporting_zones: the team's own
--   zone, else the reporting zone), converted with zone_days, the zone's offset on the instant's
--   UTC date and the offset after a change that day, so both engines convert alike without a
--   time-zone function. created_local_at and resolved_local_at are those local times; an instant
--   outside zone_days' dates has none.
-- * Grains: ISO week (Monday start), month, quarter and year of the local date, and the custom
--   range asked for (report_ranges, usually none), all from calendar_periods; period_start is the
--   period's first local day.
-- * created_period dates a contact by created_at (volume, speed, handling, SLA, FCR);
--   resolved_period by its resolution time (resolution time and reopen rate describe the work
--   resolved in the period, so a period is not judged on the tickets that are still open). A
--   contact has a row in a grain when either falls in one of its periods: in a range, a contact
--   created before the range and resolved in it has created_period NULL.
-- * Dimensions: overall (value 'all'), channel, team, agent (agent_id), queue, source. A contact
--   whose team, agent or queue is unknown counts in overall, channel and source only.
WITH
located AS (
  SELECT
    f.*,
    f.created_at
      + (CASE WHEN f.created_at >= cz.switch_at THEN cz.offset_after_s ELSE cz.offset_s END) * INTERVAL '1' SECOND
      AS created_local_at,
    f.resolved_time
      + (CASE WHEN f.resolved_time >= rz.switch_at THEN rz.offset_after_s ELSE rz.offset_s END) * INTERVAL '1' SECOND
      AS resolved_local_at
  FROM interaction_facts AS f
  INNER JOIN reporting_zones AS default_zone ON default_zone.team IS NULL
  LEFT JOIN reporting_zones AS team_zone ON team_zone.team = f.team
  LEFT JOIN zone_days AS cz
    ON cz.zone = COALESCE(team_zone.zone, default_zone.zone) AND cz.utc_date = CAST(f.created_at AS DATE)
  LEFT JOIN zone_days AS rz
    ON rz.zone = COALESCE(team_zone.zone, default_zone.zone) AND rz.utc_date = CAST(f.resolved_time AS DATE)
)

SELECT
  g.grain,
  d.dimension,
  CASE d.dimension
    WHEN 'overall' THEN 'all'
    WHEN 'channel' THEN l.channel
    WHEN 'team' THEN l.team
    WHEN 'agent' THEN l.agent_id
    WHEN 'queue' THEN l.queue
    ELSE l.source
  END AS dimension_value,
  cp.period_start AS created_period,
  rp.period_start AS resolved_period,
  l.*
FROM located AS l
CROSS JOIN (VALUES ('week'), ('month'), ('quarter'), ('year'), ('range')) AS g (grain)
LEFT JOIN calendar_periods AS cp ON cp.grain = g.grain AND cp.local_date = CAST(l.created_local_at AS DATE)
LEFT JOIN calendar_periods AS rp ON rp.grain = g.grain AND rp.local_date = CAST(l.resolved_local_at AS DATE)
CROSS JOIN (VALUES ('overall'), ('channel'), ('team'), ('agent'), ('queue'), ('source')) AS d (dimension)
WHERE
  (cp.period_start IS NOT NULL OR rp.period_start IS NOT NULL)
  AND CASE d.dimension
    WHEN 'overall' THEN 'all'
    WHEN 'channel' THEN l.channel
    WHEN 'team' THEN l.team
    WHEN 'agent' THEN l.agent_id
    WHEN 'queue' THEN l.queue
    ELSE l.source
  END IS NOT NULL
