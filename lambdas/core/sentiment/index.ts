export {
  COMPREHEND_BATCH_SIZE,
  ComprehendSentimentAnalyser,
  type ComprehendSentimentAnalyserProps,
} from './comprehend.ts';
export { labelOf, NEGATIVE_THRESHOLD, POSITIVE_THRESHOLD, type SentimentResult } from './labels.ts';
export { LexiconSentimentAnalyser } from './lexicon.ts';
