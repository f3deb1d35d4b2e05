-- survey_comments: one row per survey answer with a score and a comment (the latest version of
-- each answer), dated as metrics_surveys dates it: what the report's voice of the customer reads.
--
-- Decisions:
-- * answered_at = responded_at, then sent_at, then updated_at when the source gives no answer
--   time: the date metrics_surveys gives the answer, so the comments of a period are those of the
--   answers its CSAT and NPS count.
-- * Offered-but-unanswered rows (score null) and answers without a comment are left out; scope
--   columns (team, channel, agent_id, source) are kept so a report can narrow to one of them.
-- * No dt column: a period's comments cannot be found by partition. An answer is partitioned by
--   the day its survey was sent, which precedes the answer by any delay, and an answer the source
--   reports with neither time moves partition whenever it is edited; so this view reads every
--   partition of survey_responses_latest.
SELECT
  source,
  response_id,
  survey_kind,
  score,
  scale_min,
  scale_max,
  higher_is_better,
  comment,
  team,
  channel,
  agent_id,
  COALESCE(responded_at, sent_at, updated_at) AS answered_at
FROM survey_responses_latest
WHERE comment IS NOT NULL AND score IS NOT NULL
