/**
 * Mapping of one Delighted survey response (GET /v1/survey_responses.json, optionally with
 * expand[]=person) to one survey_responses row. Delighted sends one metric answer per response;
 * its scale depends on the project's survey type, which the options map to an instrument.
 */
import { z } from 'zod';
import type { AdapterContext, MappedRow } from '../../core/normalise/adapter.ts';
import { CHANNELS } from '../../core/schema/canonical.ts';
import { surveyRow } from '../shared/rows.ts';
import { checkScaleOptions, resolveScale, scaleOptionsShape, scoreAnswer } from '../shared/survey-scale.ts';
import {
  epochSecondsOf,
  isObject,
  objectOf,
  reject,
  requiredEpochSeconds,
  requiredText,
  textOf,
} from '../shared/values.ts';

const surveyTypeSchema = z.object(scaleOptionsShape).superRefine((s, ctx) => checkScaleOptions(s, ctx, []));
export type DelightedSurveyType = z.infer<typeof surveyTypeSchema>;

/**
 * Delighted's metric types and their scales. CES projects are 1-5 agreement by default (a 7-point
 * project must say so); thumbs and PMF have no place on a canonical instrument and are rejected
 * unless the options map them.
 */
export const DELIGHTED_SURVEY_TYPES: Readonly<Record<string, DelightedSurveyType>> = {
  nps: { kind: 'nps' },
  enps: { kind: 'enps' },
  csat: { kind: 'csat', scaleMin: 1, scaleMax: 5 },
  five_star: { kind: 'csat', scaleMin: 1, scaleMax: 5 },
  smileys: { kind: 'csat', scaleMin: 1, scaleMax: 5 },
  ces: { kind: 'ces', scaleMin: 1, scaleMax: 5 },
};

export const delightedOptionsSchema = z.object({
  /** survey_type → instrument and scale; merged over DELIGHTED_SURVEY_TYPES. */
  surveyTypes: z.record(z.string(), surveyTypeSchema).optional(),
  /** person_properties key holding the customer id; without it the Delighted person id is used. */
  customerProperty: z.string().min(1).optional(),
  interactionProperty: z.string().min(1).optional(),
  agentProperty: z.string().min(1).optional(),
  teamProperty: z.string().min(1).optional(),
  channelProperty: z.string().min(1).optional(),
  /** person_properties key naming the touchpoint (e.g. "Delighted Source"). */
  touchpointProperty: z.string().min(1).optional(),
  /** Touchpoint when no property gives one. */
  touchpoint: z.string().min(1).optional(),
  encoding: z.enum(['utf-8', 'latin1', 'cp1252', 'utf-16le']).optional(),
});

export type DelightedOptions = z.infer<typeof delightedOptionsSchema>;

export function mapDelightedResponse(value: unknown, options: DelightedOptions, context: AdapterContext): MappedRow[] {
  if (!isObject(value)) reject(null, 'a survey response must be a JSON object');
  const id = requiredText(value.id, 'id');
  const surveyType = requiredText(value.survey_type, 'survey_type');
  const types = { ...DELIGHTED_SURVEY_TYPES, ...options.surveyTypes };
  const instrument =
    types[surveyType] ??
    reject(
      'survey_type',
      `"${surveyType}" has no scale; map it in options.surveyTypes (known: ${Object.keys(types).join(', ')})`,
    );
  const answer = scoreAnswer(value.score, instrument, 'score');
  if (answer === null) reject('score', 'is missing');
  if ('error' in answer) reject('score', answer.error);

  const person = personOf(value.person);
  const properties = objectOf(value.person_properties, 'person_properties') ?? {};
  const property = (key: string | undefined) =>
    key === undefined ? null : textOf(properties[key], `person_properties.${key}`);
  const customerId = options.customerProperty === undefined ? person : property(options.customerProperty);
  const channelValue = property(options.channelProperty);
  const channel =
    channelValue === null
      ? null
      : (CHANNELS.find((c) => c === channelValue.toLowerCase()) ??
        reject(
          `person_properties.${options.channelProperty}`,
          `"${channelValue}" is not a channel (${CHANNELS.join(', ')})`,
        ));
  const respondedAt = requiredEpochSeconds(value.created_at, 'created_at');
  const scale = resolveScale(instrument);

  return [
    surveyRow(context, {
      response_id: id,
      survey_kind: instrument.kind,
      question: surveyType,
      score: answer.score,
      scale_min: scale.min,
      scale_max: scale.max,
      higher_is_better: scale.higherIsBetter,
      customer_key: context.pseudonymise('customer', customerId),
      interaction_id: property(options.interactionProperty),
      agent_id: property(options.agentProperty),
      team: property(options.teamProperty),
      channel,
      touchpoint: property(options.touchpointProperty) ?? instrument.touchpoint ?? options.touchpoint ?? null,
      comment: textOf(value.comment, 'comment'),
      responded_at: respondedAt,
      // Delighted bumps updated_at when a comment, note or tag changes: the latest version wins.
      updated_at: epochSecondsOf(value.updated_at, 'updated_at') ?? respondedAt,
    }),
  ];
}

/** `person` is an id, or the person object when the request expanded it. */
function personOf(value: unknown): string | null {
  if (isObject(value)) return textOf(value.id, 'person.id');
  return textOf(value, 'person');
}
