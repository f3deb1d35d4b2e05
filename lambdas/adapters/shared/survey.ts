/** Survey instruments as adapters configure them: which kind, on which scale, in which direction. */
import { z } from 'zod';
import { SURVEY_KINDS } from '../../core/schema/canonical.ts';
import { reject } from './values.ts';

export interface SurveyScale {
  readonly kind: (typeof SURVEY_KINDS)[number];
  readonly min: number;
  readonly max: number;
  readonly higherIsBetter: boolean;
}

/** Options schema for one instrument; every field has a default so `{}` is a valid instrument. */
export function surveyScaleSchema(defaults: SurveyScale) {
  return z
    .object({
      kind: z.enum(SURVEY_KINDS).default(defaults.kind),
      min: z.number().default(defaults.min),
      max: z.number().default(defaults.max),
      higherIsBetter: z.boolean().default(defaults.higherIsBetter),
    })
    .refine((s) => s.min < s.max, { message: 'min must be lower than max', path: ['max'] });
}

/** A score must lie on its instrument's scale, or every metric computed from it is wrong. */
export function checkOnScale(score: number, scale: Pick<SurveyScale, 'min' | 'max'>, field: string): number {
  if (score < scale.min || score > scale.max) {
    reject(field, `score ${score} is outside the scale ${scale.min}-${scale.max}`);
  }
  return score;
}
