/**
 * Builders for canonical rows. Adapters name only the fields their source knows; every other
 * nullable field is written as null and every flag as false, so a row is always complete and the
 * pipeline's validation only ever fails on a value an adapter actually produced.
 */
import type { AdapterContext, MappedRow } from '../../core/normalise/adapter.ts';
import type { Interaction, SurveyResponse } from '../../core/schema/canonical.ts';

type InteractionRequired = 'interaction_id' | 'channel' | 'direction' | 'created_at' | 'updated_at';
export type InteractionFields = Pick<Interaction, InteractionRequired> &
  Partial<Omit<Interaction, InteractionRequired | 'source' | 'ingested_at'>>;

export function interactionRow(context: AdapterContext, fields: InteractionFields): MappedRow {
  const row: Interaction = {
    source: context.source,
    initial_interaction_id: null,
    customer_key: null,
    agent_id: null,
    team: null,
    queue: null,
    priority: null,
    status: null,
    queued_at: null,
    answered_at: null,
    first_response_at: null,
    resolved_at: null,
    closed_at: null,
    queue_s: null,
    talk_s: null,
    hold_s: null,
    hold_count: null,
    acw_s: null,
    first_response_s: null,
    resolution_s: null,
    is_abandoned: false,
    is_callback: false,
    is_transfer: false,
    is_escalated: false,
    reopen_count: null,
    agent_replies: null,
    resolved_first_contact: null,
    sla_first_response_target_s: null,
    sla_resolution_target_s: null,
    sla_first_response_met: null,
    sla_resolution_met: null,
    category: null,
    ...fields,
    ingested_at: context.ingestedAt,
  };
  return { table: 'interactions', row };
}

type SurveyRequired =
  | 'response_id'
  | 'survey_kind'
  | 'score'
  | 'scale_min'
  | 'scale_max'
  | 'higher_is_better'
  | 'updated_at';
export type SurveyFields = Pick<SurveyResponse, SurveyRequired> &
  Partial<Omit<SurveyResponse, SurveyRequired | 'source' | 'ingested_at'>>;

export function surveyRow(context: AdapterContext, fields: SurveyFields): MappedRow {
  const row: SurveyResponse = {
    source: context.source,
    question: null,
    interaction_id: null,
    customer_key: null,
    agent_id: null,
    team: null,
    channel: null,
    touchpoint: null,
    sent_at: null,
    responded_at: null,
    comment: null,
    resolved: null,
    ...fields,
    ingested_at: context.ingestedAt,
  };
  return { table: 'survey_responses', row };
}
