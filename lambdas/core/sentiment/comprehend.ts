/**
 * Amazon Comprehend sentiment, used when deployed. BatchDetectSentiment takes at most 25
 * documents of at most 5,000 UTF-8 bytes each, so texts are cut to that size and sent in
 * batches of 25; a few batches run at once to keep a Lambda's wall time short without
 * tripping Comprehend's request rate.
 */
import { BatchDetectSentimentCommand, type ComprehendClient, type LanguageCode } from '@aws-sdk/client-comprehend';
import type { SentimentAnalyser } from '../normalise/adapter.ts';
import { labelOf, type SentimentResult } from './labels.ts';

/** Documents per BatchDetectSentiment call (the API maximum). */
export const COMPREHEND_BATCH_SIZE = 25;
/** Bytes per document (the API maximum, in UTF-8). */
export const COMPREHEND_MAX_DOCUMENT_BYTES = 5000;
/** Batches in flight at once. */
export const COMPREHEND_CONCURRENCY = 4;
export const COMPREHEND_DEFAULT_LANGUAGE: LanguageCode = 'en';

export interface ComprehendSentimentAnalyserProps {
  readonly client: ComprehendClient;
  /** @default 'en' */
  readonly languageCode?: LanguageCode;
}

export class ComprehendSentimentAnalyser implements SentimentAnalyser {
  private readonly client: ComprehendClient;
  private readonly languageCode: LanguageCode;

  constructor(props: ComprehendSentimentAnalyserProps) {
    this.client = props.client;
    this.languageCode = props.languageCode ?? COMPREHEND_DEFAULT_LANGUAGE;
  }

  async analyse(texts: readonly string[]): Promise<SentimentResult[]> {
    const results: SentimentResult[] = texts.map(() => ({ label: 'neutral', score: 0 }));
    // Comprehend rejects blank documents; they carry no sentiment, so they stay neutral.
    const sent = texts.flatMap((text, index) => (text.trim() === '' ? [] : [{ index, text: truncateUtf8(text) }]));
    const batches: (typeof sent)[] = [];
    for (let i = 0; i < sent.length; i += COMPREHEND_BATCH_SIZE) batches.push(sent.slice(i, i + COMPREHEND_BATCH_SIZE));
    for (let i = 0; i < batches.length; i += COMPREHEND_CONCURRENCY) {
      await Promise.all(batches.slice(i, i + COMPREHEND_CONCURRENCY).map((batch) => this.detect(batch, results)));
    }
    return results;
  }

  private async detect(batch: readonly { index: number; text: string }[], results: SentimentResult[]): Promise<void> {
    const response = await this.client.send(
      new BatchDetectSentimentCommand({ TextList: batch.map((b) => b.text), LanguageCode: this.languageCode }),
    );
    const errors = response.ErrorList ?? [];
    if (errors.length > 0) {
      const first = errors[0];
      throw new Error(
        `Comprehend could not score ${errors.length} of ${batch.length} texts (first: ${first?.ErrorCode}: ${first?.ErrorMessage})`,
      );
    }
    for (const item of response.ResultList ?? []) {
      const target = item.Index === undefined ? undefined : batch[item.Index];
      if (!target) throw new Error(`Comprehend returned a result for unknown index ${item.Index}`);
      const positive = item.SentimentScore?.Positive ?? 0;
      const negative = item.SentimentScore?.Negative ?? 0;
      const score = positive - negative;
      results[target.index] = { label: labelFromComprehend(item.Sentiment, score), score };
    }
  }
}

/** Comprehend's own verdict wins; MIXED has no canonical label, so its score decides. */
function labelFromComprehend(sentiment: string | undefined, score: number): SentimentResult['label'] {
  if (sentiment === 'POSITIVE') return 'positive';
  if (sentiment === 'NEGATIVE') return 'negative';
  if (sentiment === 'NEUTRAL') return 'neutral';
  return labelOf(score);
}

/** Cuts a text to the API's byte limit without splitting a UTF-8 sequence. */
export function truncateUtf8(text: string, maxBytes = COMPREHEND_MAX_DOCUMENT_BYTES): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) to the start of a character.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}
