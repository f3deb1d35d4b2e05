-- metric_long: one row per (period_start, grain, dimension, dimension_value, metric) across every
-- metric domain (contact centre, tickets, surveys, quality, social, retention, employee), in the
-- shared long shape, for analysts.
--
-- Decisions:
-- * It reads the materialised metric_values, so it shows the metrics as last refreshed. Each
--   family's rows are written there by one INSERT from its view (metrics_contact_centre,
--   metrics_tickets, …; sql/materialised.ts): stacking the seven views here would make Trino plan
--   the whole view chain (over 100 stages) in every query that reads this one.
-- * Each metric is there only at the dimensions that can attribute it (the catalogue's dimensions,
--   applied by the refresh in sql/materialised.ts): no agent-level abandonment, for instance.
-- * metric_values is partitioned by family, grain and period_start, so a filter on those columns
--   here reads only the matching partitions.
-- * Each domain view already computes its metrics from counts within the group, so nothing here
--   averages averages. The service index is computed in scorecard, from these rows.
SELECT period_start, grain, dimension, dimension_value, metric, value, unit, n, ci_low, ci_high
FROM metric_values
