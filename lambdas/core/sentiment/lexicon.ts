/**
 * Local sentiment: the VADER lexicon (valence-aware, built for social media text: emoticons,
 * emoji, capitals, "!!!", negation and "but" are all scored). Runs in-process with no network, so
 * the local lake and the tests get the same labels every time.
 */
import vader from 'vader-sentiment';
import type { SentimentAnalyser } from '../normalise/adapter.ts';
import { labelOf, type SentimentResult } from './labels.ts';

export class LexiconSentimentAnalyser implements SentimentAnalyser {
  async analyse(texts: readonly string[]): Promise<SentimentResult[]> {
    return texts.map((text) => {
      const score = vader.SentimentIntensityAnalyzer.polarity_scores(text).compound;
      return { label: labelOf(score), score };
    });
  }
}
