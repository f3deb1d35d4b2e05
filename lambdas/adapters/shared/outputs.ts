/**
 * Canonical fields that adapters of one kind all write, for their `outputs` declarations; each
 * adapter adds the fields only it writes. test/unit/adapters/outputs.test.ts holds every
 * declaration to what the adapter's rows set.
 */

/** Fields every survey adapter sets on a survey_responses row. */
export const SURVEY_RESPONSE_FIELDS = [
  'agent_id',
  'comment',
  'customer_key',
  'higher_is_better',
  'ingested_at',
  'interaction_id',
  'question',
  'responded_at',
  'response_id',
  'scale_max',
  'scale_min',
  'score',
  'source',
  'survey_kind',
  'team',
  'touchpoint',
  'updated_at',
] as const;

/** Fields every help-desk adapter (Zendesk, Freshdesk, Intercom) sets on an interactions row. */
export const TICKET_FIELDS = [
  'agent_id',
  'category',
  'channel',
  'closed_at',
  'created_at',
  'customer_key',
  'direction',
  'first_response_s',
  'ingested_at',
  'initial_interaction_id',
  'interaction_id',
  'is_abandoned',
  'is_callback',
  'priority',
  'queue',
  'reopen_count',
  'resolution_s',
  'resolved_at',
  'source',
  'status',
  'team',
  'updated_at',
] as const;

/** Fields both QA adapters set on a qa_evaluations row. */
export const QA_EVALUATION_FIELDS = [
  'agent_id',
  'criterion',
  'evaluated_at',
  'evaluation_id',
  'evaluation_kind',
  'evaluator',
  'ingested_at',
  'interaction_id',
  'is_critical',
  'is_na',
  'max_points',
  'points',
  'scorecard',
  'section',
  'source',
  'team',
  'updated_at',
  'weight',
] as const;
