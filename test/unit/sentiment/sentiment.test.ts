import { BatchDetectSentimentCommand, ComprehendClient } from '@aws-sdk/client-comprehend';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { truncateUtf8 } from '../../../lambdas/core/sentiment/comprehend.ts';
import {
  COMPREHEND_BATCH_SIZE,
  ComprehendSentimentAnalyser,
  LexiconSentimentAnalyser,
  labelOf,
  NEGATIVE_THRESHOLD,
  POSITIVE_THRESHOLD,
} from '../../../lambdas/core/sentiment/index.ts';

describe('labelOf', () => {
  it('pins the documented thresholds', () => {
    expect(POSITIVE_THRESHOLD).toBe(0.05);
    expect(NEGATIVE_THRESHOLD).toBe(-0.05);
  });

  it('labels the band between the thresholds neutral and the edges inclusively', () => {
    expect(labelOf(0.05)).toBe('positive');
    expect(labelOf(0.0499)).toBe('neutral');
    expect(labelOf(-0.0499)).toBe('neutral');
    expect(labelOf(-0.05)).toBe('negative');
  });
});

describe('LexiconSentimentAnalyser', () => {
  const analyser = new LexiconSentimentAnalyser();

  it('scores support tweets in [-1, 1] with the expected polarity', async () => {
    const [praise, complaint, plain] = await analyser.analyse([
      'Thanks so much, you guys are great :)',
      '@sprintcare is the worst customer service',
      '@115712 The order ships from the warehouse on Monday',
    ]);
    expect(praise?.label).toBe('positive');
    expect(complaint?.label).toBe('negative');
    expect(plain?.label).toBe('neutral');
    for (const r of [praise, complaint, plain]) {
      expect(r?.score).toBeGreaterThanOrEqual(-1);
      expect(r?.score).toBeLessThanOrEqual(1);
    }
  });

  it('reads negation, so "not good" is not positive', async () => {
    const [result] = await analyser.analyse(['the app is not good']);
    expect(result?.label).toBe('negative');
  });

  it('returns one result per text, in order, and neutral 0 for an empty text', async () => {
    const results = await analyser.analyse(['', 'I love it']);
    expect(results).toHaveLength(2);
    expect(results[0]).toEqual({ label: 'neutral', score: 0 });
    expect(results[1]?.label).toBe('positive');
  });
});

describe('ComprehendSentimentAnalyser', () => {
  const comprehend = mockClient(ComprehendClient);
  beforeEach(() => comprehend.reset());
  afterAll(() => comprehend.restore());

  it('sends batches of at most 25 and maps each result back to its text', async () => {
    comprehend.on(BatchDetectSentimentCommand).callsFake((input: { TextList: string[] }) => ({
      ResultList: input.TextList.map((text, Index) => ({
        Index,
        Sentiment: text.startsWith('bad') ? 'NEGATIVE' : 'POSITIVE',
        SentimentScore: text.startsWith('bad')
          ? { Positive: 0.1, Negative: 0.8, Neutral: 0.1, Mixed: 0 }
          : { Positive: 0.9, Negative: 0.05, Neutral: 0.05, Mixed: 0 },
      })),
      ErrorList: [],
    }));
    const texts = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? `good ${i}` : `bad ${i}`));
    const results = await new ComprehendSentimentAnalyser({ client: new ComprehendClient({}) }).analyse(texts);

    const calls = comprehend.commandCalls(BatchDetectSentimentCommand);
    expect(calls.map((c) => c.args[0].input.TextList?.length)).toEqual([COMPREHEND_BATCH_SIZE, 25, 10]);
    expect(calls[0]?.args[0].input.LanguageCode).toBe('en');
    expect(results).toHaveLength(60);
    expect(results[0]).toEqual({ label: 'positive', score: 0.85 });
    expect(results[59]?.label).toBe('negative');
    expect(results[59]?.score).toBeCloseTo(-0.7);
  });

  it('never sends blank texts (Comprehend rejects them) and labels them neutral', async () => {
    comprehend.on(BatchDetectSentimentCommand).resolves({
      ResultList: [
        { Index: 0, Sentiment: 'MIXED', SentimentScore: { Positive: 0.4, Negative: 0.42, Neutral: 0, Mixed: 0.18 } },
      ],
      ErrorList: [],
    });
    const results = await new ComprehendSentimentAnalyser({ client: new ComprehendClient({}) }).analyse([' ', 'so-so']);
    expect(comprehend.commandCalls(BatchDetectSentimentCommand)[0]?.args[0].input.TextList).toEqual(['so-so']);
    expect(results[0]).toEqual({ label: 'neutral', score: 0 });
    // MIXED has no canonical label: the positive − negative score decides (−0.02 is inside the neutral band).
    expect(results[1]?.label).toBe('neutral');
  });

  it('fails when Comprehend reports per-document errors, naming the error', async () => {
    comprehend.on(BatchDetectSentimentCommand).resolves({
      ResultList: [],
      ErrorList: [{ Index: 0, ErrorCode: 'INTERNAL_SERVER_ERROR', ErrorMessage: 'try again' }],
    });
    await expect(
      new ComprehendSentimentAnalyser({ client: new ComprehendClient({}) }).analyse(['hello']),
    ).rejects.toThrow(/INTERNAL_SERVER_ERROR: try again/);
  });

  it('cuts documents to 5,000 UTF-8 bytes without splitting a character', () => {
    const text = 'é'.repeat(3000); // 6,000 bytes
    const cut = truncateUtf8(text);
    expect(Buffer.byteLength(cut, 'utf8')).toBe(5000);
    expect(cut).toBe('é'.repeat(2500));
    expect(truncateUtf8('€'.repeat(2000))).toBe('€'.repeat(1666));
  });
});
