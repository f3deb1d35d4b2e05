/**
 * Builders for canonical rows. Adapters name only the fields their source knows; every other
 * nullable field is written as null and every flag as false, so a row is always complete and the
 * pipeline's validation only ever fails on a value an adapter actually produced.
 */
import type { AdapterContext, MappedRow } from '../../core/normalise/adapter.ts';
import type { Interaction, SurveyResponse } from '../../core/schema/canonical.ts';
import { blankRow } from '../../core/schema/derive.ts';

/**
 * Each table's blank row, built once: blankRow derives it from the schema, which cost more than the
 * rest of the row's building when done for each of a million records.
 */
const blanks = new Map<'interactions' | 'survey_responses', Record<string, null | false>>();

function blankOf(table: 'interactions' | 'survey_responses'): Record<string, null | false> {
  let blank = blanks.get(table);
  if (blank === undefined) {
    blank = blankRow(table);
    blanks.set(table, blank);
  }
  return blank;
}

type InteractionRequired = 'interaction_id' | 'channel' | 'direction' | 'created_at' | 'updated_at';
export type InteractionFields = Pick<Interaction, InteractionRequired> &
  Partial<Omit<Interaction, InteractionRequired | 'source' | 'ingested_at'>>;

export function interactionRow(context: AdapterContext, fields: InteractionFields): MappedRow {
  const row = { ...blankOf('interactions'), source: context.source, ...fields, ingested_at: context.ingestedAt };
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
  const row = { ...blankOf('survey_responses'), source: context.source, ...fields, ingested_at: context.ingestedAt };
  return { table: 'survey_responses', row };
}
