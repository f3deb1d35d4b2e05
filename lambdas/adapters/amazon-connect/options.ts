/** Options of the Amazon Connect contact-record adapter, with their documented defaults. */
import { z } from 'zod';
import { type SurveyScale, surveyScaleSchema } from '../shared/survey.ts';

export const AMAZON_CONNECT_DEFAULTS = {
  /**
   * Agent hierarchy level whose group is the team. `deepest` takes the lowest level the agent has,
   * which is the agent's own group whatever depth the hierarchy was built with.
   */
  teamHierarchyLevel: 'deepest',
  /** Contact attributes whose key starts with this prefix hold post-contact survey answers. */
  surveyAttributePrefix: 'survey_result_',
  /** Instrument of a survey attribute that has no entry in `surveyQuestions`. */
  survey: { kind: 'csat', min: 1, max: 5, higherIsBetter: true } satisfies SurveyScale,
} as const;

export const amazonConnectOptionsSchema = z.object({
  teamHierarchyLevel: z
    .union([z.literal('deepest'), z.number().int().min(1).max(5)])
    .default(AMAZON_CONNECT_DEFAULTS.teamHierarchyLevel),
  surveyAttributePrefix: z.string().min(1).default(AMAZON_CONNECT_DEFAULTS.surveyAttributePrefix),
  survey: surveyScaleSchema(AMAZON_CONNECT_DEFAULTS.survey).default(AMAZON_CONNECT_DEFAULTS.survey),
  /** Instruments by question (the attribute key without the prefix), e.g. `{ "nps": { "kind": "nps", "min": 0, "max": 10 } }`. */
  surveyQuestions: z.record(z.string(), surveyScaleSchema(AMAZON_CONNECT_DEFAULTS.survey)).default({}),
  /** Contact attribute holding the contact's category (reason, topic), when the flows set one. */
  categoryAttribute: z.string().min(1).optional(),
});

export type AmazonConnectOptions = z.output<typeof amazonConnectOptionsSchema>;
