/** How a sentiment score in [-1, 1] becomes a label; shared by every analyser. */
import type { SentimentAnalyser } from '../normalise/adapter.ts';

export type SentimentResult = Awaited<ReturnType<SentimentAnalyser['analyse']>>[number];

/**
 * Scores at or above this are positive. ±0.05 on the compound score is the cut-off the VADER
 * authors recommend; the same band is applied to Comprehend's positive − negative difference
 * so both analysers label alike.
 */
export const POSITIVE_THRESHOLD = 0.05;
/** Scores at or below this are negative. */
export const NEGATIVE_THRESHOLD = -0.05;

export function labelOf(score: number): SentimentResult['label'] {
  if (score >= POSITIVE_THRESHOLD) return 'positive';
  if (score <= NEGATIVE_THRESHOLD) return 'negative';
  return 'neutral';
}
