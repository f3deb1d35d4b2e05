/** Verbatims customers leave with a rating, chosen by how the contact went. */
import type { Random } from '../random.ts';

const GOOD = [
  'Sorted in one reply, thank you!',
  'Quick and friendly, great service',
  'Really helpful agent, problem solved',
  'Clear explanation and fast fix',
  'Excellent, much easier than I expected',
  'Thanks for the quick refund',
];
const MIXED = [
  'Got there in the end',
  'OK but took a while',
  'Fine, though I had to explain twice',
  'Answer was correct but slow',
];
const BAD = [
  'Still not fixed after two calls',
  'Waited far too long on hold',
  'Nobody got back to me',
  'Transferred three times, terrible experience',
  'The agent did not understand the problem',
  'Very disappointed, considering cancelling',
];

/** A comment for a 0..1 satisfaction, or null (most people leave none). */
export function commentFor(random: Random, satisfaction: number, probability = 0.35): string | null {
  if (!random.chance(probability)) return null;
  if (satisfaction >= 0.65) return random.pick(GOOD);
  if (satisfaction >= 0.4) return random.pick(MIXED);
  return random.pick(BAD);
}
