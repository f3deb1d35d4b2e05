/**
 * Rating-question scales, shared by the survey adapters (Qualtrics, SurveyMonkey, Delighted).
 * A survey export carries answers, not the meaning of the scale: the source config says which
 * instrument each question is, and every answer is checked against that scale. An answer outside
 * the scale is rejected, never clamped: the usual cause is a question exported with its default
 * recodes (a 0-10 question coded 1-11), which an explicit `recode` map fixes.
 */
import { z } from 'zod';
import { SURVEY_KINDS } from '../../core/schema/canonical.ts';

export type SurveyKind = (typeof SURVEY_KINDS)[number];

export interface Scale {
  readonly min: number;
  readonly max: number;
  readonly higherIsBetter: boolean;
}

/** The scale each instrument has when the config does not say (custom has none: it must be given). */
export const DEFAULT_SCALES: Readonly<Record<Exclude<SurveyKind, 'custom'>, Scale>> = {
  nps: { min: 0, max: 10, higherIsBetter: true },
  enps: { min: 0, max: 10, higherIsBetter: true },
  csat: { min: 1, max: 5, higherIsBetter: true },
  // CES 2.0: 1-7 agreement with "the company made it easy", so higher is easier.
  ces: { min: 1, max: 7, higherIsBetter: true },
};

/** NPS-type instruments are defined on 0-10; any other scale would make the metric meaningless. */
const NPS_KINDS: readonly SurveyKind[] = ['nps', 'enps'];

export const scaleOptionsShape = {
  /** Instrument measured by the question. */
  kind: z.enum(SURVEY_KINDS),
  /** Lowest scale value. @default by kind: nps/enps 0, csat 1, ces 1 */
  scaleMin: z.number().optional(),
  /** Highest scale value. @default by kind: nps/enps 10, csat 5, ces 7 */
  scaleMax: z.number().optional(),
  /** Scale direction (false for legacy 1-5 effort scales). @default true */
  higherIsBetter: z.boolean().optional(),
  /** Journey step or survey name written to `touchpoint`. */
  touchpoint: z.string().min(1).optional(),
  /**
   * Exported value → score, applied before the scale check. Use it for choice-text exports
   * ("Very satisfied" → 5) or shifted recodes ("1" → 0 … "11" → 10). When given, a value
   * missing from the map is rejected.
   */
  recode: z.record(z.string(), z.number()).optional(),
};

export const scaleOptionsSchema = z.object(scaleOptionsShape);
export type ScaleOptions = z.infer<typeof scaleOptionsSchema>;

/** zod refinement: a custom instrument needs its scale, and NPS-type scales must be 0-10. */
export function checkScaleOptions(options: ScaleOptions, ctx: z.RefinementCtx, path: (string | number)[]): void {
  const scale = resolveScaleOrNull(options);
  if (!scale) {
    ctx.addIssue({
      code: 'custom',
      path,
      message: 'a custom instrument needs scaleMin and scaleMax (e.g. { "scaleMin": 1, "scaleMax": 10 })',
    });
    return;
  }
  if (!(scale.min < scale.max)) {
    ctx.addIssue({ code: 'custom', path, message: `scaleMin (${scale.min}) must be below scaleMax (${scale.max})` });
  }
  if (NPS_KINDS.includes(options.kind) && (scale.min !== 0 || scale.max !== 10)) {
    ctx.addIssue({
      code: 'custom',
      path,
      message: `${options.kind} is defined on 0-10 (got ${scale.min}-${scale.max}); map other codes with "recode"`,
    });
  }
}

function resolveScaleOrNull(options: ScaleOptions): Scale | null {
  const fallback = options.kind === 'custom' ? undefined : DEFAULT_SCALES[options.kind];
  const min = options.scaleMin ?? fallback?.min;
  const max = options.scaleMax ?? fallback?.max;
  if (min === undefined || max === undefined) return null;
  return { min, max, higherIsBetter: options.higherIsBetter ?? fallback?.higherIsBetter ?? true };
}

/** The scale of a validated question (options are checked by checkScaleOptions first). */
export function resolveScale(options: ScaleOptions): Scale {
  const scale = resolveScaleOrNull(options);
  if (!scale) throw new Error(`no scale for ${options.kind}: options were not validated`);
  return scale;
}

export type ScoreResult = { readonly score: number } | { readonly error: string } | null;

/**
 * The score of one exported answer: null when blank (not answered), an error when it cannot be
 * read or lies outside the scale.
 */
export function scoreAnswer(raw: unknown, options: ScaleOptions, label: string): ScoreResult {
  if (raw === null || raw === undefined) return null;
  const text = String(raw).trim();
  if (text === '') return null;
  let score: number;
  if (options.recode) {
    const mapped = options.recode[text] ?? lookupCaseInsensitive(options.recode, text);
    if (mapped === undefined) {
      return {
        error: `${label}: value "${text}" is not in the recode map (${Object.keys(options.recode).join(', ')})`,
      };
    }
    score = mapped;
  } else {
    score = typeof raw === 'number' ? raw : Number(text);
    if (!Number.isFinite(score))
      return { error: `${label}: "${text}" is not a number (map answer texts with "recode")` };
  }
  const scale = resolveScale(options);
  if (score < scale.min || score > scale.max) {
    return {
      error:
        `${label}: score ${score} is outside the configured ${options.kind} scale ${scale.min}-${scale.max}` +
        `; if the question was exported with shifted recodes (e.g. 1-11 for 0-10), map them with "recode"`,
    };
  }
  return { score };
}

function lookupCaseInsensitive(map: Readonly<Record<string, number>>, key: string): number | undefined {
  const wanted = key.toLowerCase();
  for (const [k, v] of Object.entries(map)) if (k.trim().toLowerCase() === wanted) return v;
  return undefined;
}

/** NPS group of a 0-10 score: 1 detractor (0-6), 2 passive (7-8), 3 promoter (9-10). */
export function npsGroupOf(score: number): 1 | 2 | 3 {
  if (score >= 9) return 3;
  if (score >= 7) return 2;
  return 1;
}
