-- survey_alert_answers: one row per survey answer that names a customer (its latest version),
-- with the columns the alert rules read (lambdas/core/alerts/lake.ts), in the UTC month of its
-- answer time: what the report's closed-loop section evaluates its survey alerts from, through its
-- materialised copy survey_alert_answers_by_month.
--
-- Decisions:
-- * Dated by the answer time the rules use, responded_at else updated_at, in UTC: an alert's time
--   is an instant, and the report reads the answers of a range of instants (its period's local
--   days, less the start of the de-duplication window that holds them), which a range of UTC
--   months bounds whatever the reporting zone. grain is 'utc_month' and period_start the first
--   day of that month, so the refresh writes the table like the other period tables.
-- * No dt column: an answer lies in the partition of the day its survey was sent, any time before
--   the answer, and its latest version is chosen across partitions (survey_responses_latest), so
--   read directly, a period's answers cost a read of every partition. The refresh writes this view
--   into survey_alert_answers_by_month (sql/materialised.ts), and a report reads the months its
--   instants fall in.
-- * Every answer with a customer is kept, whatever its score: which answers alert is the rules'
--   choice, read from the configuration when the report runs, so a changed threshold needs no
--   refresh.
SELECT
  'utc_month' AS grain,
  CAST(date_trunc('month', COALESCE(responded_at, updated_at)) AS DATE) AS period_start,
  source,
  response_id,
  survey_kind,
  score,
  scale_min,
  scale_max,
  higher_is_better,
  interaction_id,
  customer_key,
  agent_id,
  team,
  responded_at,
  updated_at,
  comment,
  resolved
FROM survey_responses_latest
WHERE customer_key IS NOT NULL
