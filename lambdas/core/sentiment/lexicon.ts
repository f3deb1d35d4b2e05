/**
 * Local sentiment: the VADER lexicon (valence-aware, built for social media text: emoticons,
 * emoji, capitals, "!!!", negation and "but" are all scored). Runs in-process with no network, so
 * the local lake and the tests get the same labels every time.
 */
import vader from 'vader-sentiment';
import type { SentimentAnalyser } from '../normalise/adapter.ts';
import { labelOf, type SentimentResult } from './labels.ts';

/**
 * Scores remembered per analyser, of texts up to REMEMBERED_TEXT_CHARS (at most about 11 MB).
 * The same post text comes back (a repost, a canned complaint: 42,156 distinct texts among
 * the 93,338 posts of the scale-10 demo) and a score depends on the text alone, so a remembered
 * one is the score VADER would give again. A full cache forgets its oldest entry.
 */
const REMEMBERED_TEXTS = 20_000;
const REMEMBERED_TEXT_CHARS = 280;

export class LexiconSentimentAnalyser implements SentimentAnalyser {
  private readonly scores = new Map<string, number>();

  async analyse(texts: readonly string[]): Promise<SentimentResult[]> {
    return texts.map((text) => {
      const score = this.score(text);
      return { label: labelOf(score), score };
    });
  }

  private score(text: string): number {
    const known = this.scores.get(text);
    if (known !== undefined) return known;
    const score = vader.SentimentIntensityAnalyzer.polarity_scores(text).compound;
    if (text.length <= REMEMBERED_TEXT_CHARS) {
      if (this.scores.size >= REMEMBERED_TEXTS) this.scores.delete(this.scores.keys().next().value as string);
      this.scores.set(text, score);
    }
    return score;
  }
}
