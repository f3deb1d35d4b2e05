/** A remembered score is the one VADER gives the text afresh, whatever came between. */

import vader from 'vader-sentiment';
import { describe, expect, it } from 'vitest';
import { LexiconSentimentAnalyser } from '../../../lambdas/core/sentiment/lexicon.ts';

const fresh = (text: string) => vader.SentimentIntensityAnalyzer.polarity_scores(text).compound;

describe('LexiconSentimentAnalyser scores', () => {
  it('are VADER’s for repeated, long and evicted texts alike', async () => {
    const analyser = new LexiconSentimentAnalyser();
    const long = `${'Terrible wait, '.repeat(30)}but the agent was GREAT!!!`;
    const texts = ['Love it :)', 'not good at all', long, 'Love it :)', long, 'not good at all'];
    // Enough distinct texts to push the first ones out of the cache, then the first ones again.
    const many = Array.from({ length: 20_050 }, (_, i) => `post ${i} is bad`);
    const results = await analyser.analyse([...texts, ...many, ...texts]);
    expect(results.map((r) => r.score)).toEqual([...texts, ...many, ...texts].map(fresh));
  });
});
