-- interaction_slices: one row per (contact, grain, dimension) for every dimension whose value is
-- known for the contact, with the periods the contact falls in. The contact-centre and ticket
-- metrics group these rows, so every metric is cut by the same grains and dimensions.
--
-- Decisions:
-- * Grains: calendar month and ISO week (Monday start), both in UTC; period_start is the first day.
-- * created_period dates a contact by created_at (volume, speed, handling, SLA, FCR);
--   resolved_period by its resolution time (resolution time and reopen rate describe the work
--   resolved in the period, so a period is not judged on the tickets that are still open).
-- * Dimensions: overall (value 'all'), channel, team, agent (agent_id), queue, source. A contact
--   whose team, agent or queue is unknown counts in overall, channel and source only.
SELECT
  g.grain,
  d.dimension,
  CASE d.dimension
    WHEN 'overall' THEN 'all'
    WHEN 'channel' THEN f.channel
    WHEN 'team' THEN f.team
    WHEN 'agent' THEN f.agent_id
    WHEN 'queue' THEN f.queue
    ELSE f.source
  END AS dimension_value,
  CAST(
    CASE g.grain WHEN 'month' THEN date_trunc('month', f.created_at) ELSE date_trunc('week', f.created_at) END
    AS DATE
  ) AS created_period,
  CAST(
    CASE g.grain WHEN 'month' THEN date_trunc('month', f.resolved_time) ELSE date_trunc('week', f.resolved_time) END
    AS DATE
  ) AS resolved_period,
  f.*
FROM interaction_facts AS f
CROSS JOIN (VALUES ('month'), ('week')) AS g (grain)
CROSS JOIN (VALUES ('overall'), ('channel'), ('team'), ('agent'), ('queue'), ('source')) AS d (dimension)
WHERE
  CASE d.dimension
    WHEN 'overall' THEN 'all'
    WHEN 'channel' THEN f.channel
    WHEN 'team' THEN f.team
    WHEN 'agent' THEN f.agent_id
    WHEN 'queue' THEN f.queue
    ELSE f.source
  END IS NOT NULL
