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
  /** Answers to the "was your issue resolved?" question, compared case-insensitively (IVR: 1 yes, 2 no). */
  resolvedAnswers: { yes: ['1', 'yes', 'y', 'true'], no: ['2', '0', 'no', 'n', 'false'] },
} as const;

export const amazonConnectOptionsSchema = z.object({
  teamHierarchyLevel: z
    .union([z.literal('deepest'), z.number().int().min(1).max(5)])
    .default(AMAZON_CONNECT_DEFAULTS.teamHierarchyLevel),
  /**
   * Team that owns each queue (queue name → team). A contact no agent took (an abandon) has no
   * agent hierarchy, so without this it has no team and team-level abandonment and service level
   * would only see answered contacts. Agents' hierarchy groups still win when an agent took the call.
   */
  queueTeams: z.record(z.string().min(1), z.string().min(1)).default({}),
  surveyAttributePrefix: z.string().min(1).default(AMAZON_CONNECT_DEFAULTS.surveyAttributePrefix),
  survey: surveyScaleSchema(AMAZON_CONNECT_DEFAULTS.survey).default(AMAZON_CONNECT_DEFAULTS.survey),
  /** Instruments by question (the attribute key without the prefix), e.g. `{ "nps": { "kind": "nps", "min": 0, "max": 10 } }`. */
  surveyQuestions: z.record(z.string(), surveyScaleSchema(AMAZON_CONNECT_DEFAULTS.survey)).default({}),
  /**
   * Survey question (attribute key without the prefix) asking whether the issue was resolved. Its
   * yes/no answer is recorded as a 0-1 custom response and sets `resolved` on the contact's other
   * survey responses, the preferred evidence of first-contact resolution.
   */
  resolvedQuestion: z.string().min(1).optional(),
  resolvedAnswers: z
    .object({
      yes: z
        .array(z.string().min(1))
        .min(1)
        .default([...AMAZON_CONNECT_DEFAULTS.resolvedAnswers.yes]),
      no: z
        .array(z.string().min(1))
        .min(1)
        .default([...AMAZON_CONNECT_DEFAULTS.resolvedAnswers.no]),
    })
    .default({
      yes: [...AMAZON_CONNECT_DEFAULTS.resolvedAnswers.yes],
      no: [...AMAZON_CONNECT_DEFAULTS.resolvedAnswers.no],
    }),
  /** Contact attribute holding the contact's category (reason, topic), when the flows set one. */
  categoryAttribute: z.string().min(1).optional(),
});

export type AmazonConnectOptions = z.output<typeof amazonConnectOptionsSchema>;
