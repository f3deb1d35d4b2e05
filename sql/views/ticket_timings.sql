-- ticket_timings: one row per interaction_slices row and timing, with only what ranking the
-- ticket percentiles needs: the group, the timing and its seconds (NULL when the contact has none).
-- Timing (a number, cheaper to partition on than a name): 1 first response and 2 resolution in
-- calendar seconds, 3 and 4 the same in business seconds; 1 and 3 are dated by the created period,
-- 2 and 4 by the resolved one. Read by ticket_percentiles.
SELECT
  t.timing,
  CASE WHEN t.timing IN (1, 3) THEN s.created_period ELSE s.resolved_period END AS period_start,
  s.grain,
  s.dimension,
  s.dimension_value,
  CASE t.timing
    WHEN 1 THEN s.first_response_s
    WHEN 2 THEN s.resolution_s
    WHEN 3 THEN s.first_response_business_s
    ELSE s.resolution_business_s
  END AS seconds
FROM interaction_slices AS s
CROSS JOIN (VALUES (1), (2), (3), (4)) AS t (timing)
