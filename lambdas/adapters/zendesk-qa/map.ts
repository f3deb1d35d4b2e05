/**
 * Mapping of one conversation of the Zendesk QA (formerly Klaus) Public Export API reviews
 * response (GET /qa/api/export/reviews or /workspace/{id}/reviews: { conversations: [...],
 * pagination }) to qa_evaluations rows: one per rating of each review.
 *
 * Assumptions, as the published schema (Swagger protoExportAPIConversation / protoExportAPIReview /
 * protoReviewsRating) gives types but not units:
 * - a rating's `score` is a percentage (0-100), so points are the score out of 100;
 * - a rating without a score (null or absent) is N/A: the reviewer skipped the category;
 * - the reviewee's first group is the agent's team.
 */
import { z } from 'zod';
import type { AdapterContext, MappedRow } from '../../core/normalise/adapter.ts';
import { EVALUATION_KINDS, type QaEvaluation } from '../../core/schema/canonical.ts';
import {
  arrayOf,
  booleanOf,
  isObject,
  isoTimestampOf,
  numberOf,
  objectOf,
  reject,
  requiredText,
  textOf,
} from '../shared/values.ts';

export const ZENDESK_QA_DEFAULTS = {
  /** Ratings are percentages. */
  maxPoints: 100,
  /** Weight of a category the export gives none for. */
  weight: 1,
  evaluationKind: 'internal_qa',
  agentIdentity: 'email',
} as const;

export const zendeskQaOptionsSchema = z.object({
  /** Reviews are internal QA unless this workspace is used for mystery shopping. @default "internal_qa" */
  evaluationKind: z.enum(EVALUATION_KINDS).optional(),
  /** Which reviewee field identifies the agent. @default "email" */
  agentIdentity: z.enum(['email', 'name']).optional(),
});

export type ZendeskQaOptions = z.infer<typeof zendeskQaOptionsSchema>;

export function mapConversation(value: unknown, options: ZendeskQaOptions, context: AdapterContext): MappedRow[] {
  if (!isObject(value)) reject(null, 'a conversation must be a JSON object');
  const interactionId = textOf(value.externalId, 'externalId');
  const rows: MappedRow[] = [];
  arrayOf(value.reviews, 'reviews').forEach((review, r) => {
    const at = `reviews[${r}]`;
    if (!isObject(review)) reject(at, 'must be an object');
    const reviewId = requiredText(review.id, `${at}.id`);
    const reviewee = objectOf(review.reviewee, `${at}.reviewee`);
    const reviewer = objectOf(review.reviewer, `${at}.reviewer`);
    const evaluatedAt =
      isoTimestampOf(review.createdISO, `${at}.createdISO`) ??
      isoTimestampOf(review.created, `${at}.created`) ??
      reject(`${at}.createdISO`, 'is missing');
    const updatedAt =
      isoTimestampOf(review.updatedISO, `${at}.updatedISO`) ??
      isoTimestampOf(review.updated, `${at}.updated`) ??
      evaluatedAt;
    const scorecard = objectOf(review.scorecard, `${at}.scorecard`);
    const groups = arrayOf(reviewee?.groups, `${at}.reviewee.groups`);
    const firstGroup = groups.length > 0 ? objectOf(groups[0], `${at}.reviewee.groups[0]`) : null;
    const identity = options.agentIdentity ?? ZENDESK_QA_DEFAULTS.agentIdentity;

    arrayOf(review.ratings, `${at}.ratings`).forEach((rating, i) => {
      const rt = `${at}.ratings[${i}]`;
      if (!isObject(rating)) reject(rt, 'must be an object');
      const criterion =
        textOf(rating.categoryName, `${rt}.categoryName`) ??
        textOf(rating.categoryId, `${rt}.categoryId`) ??
        reject(`${rt}.categoryName`, 'is missing (and so is categoryId)');
      const score = numberOf(rating.score, `${rt}.score`);
      if (score !== null && (score < 0 || score > ZENDESK_QA_DEFAULTS.maxPoints)) {
        reject(`${rt}.score`, `${score} is outside 0-${ZENDESK_QA_DEFAULTS.maxPoints} (ratings are percentages)`);
      }
      const weight = numberOf(rating.weight, `${rt}.weight`) ?? ZENDESK_QA_DEFAULTS.weight;
      if (weight < 0) reject(`${rt}.weight`, `must not be negative (got ${weight})`);
      const row: QaEvaluation = {
        source: context.source,
        evaluation_id: reviewId,
        evaluation_kind: options.evaluationKind ?? ZENDESK_QA_DEFAULTS.evaluationKind,
        interaction_id: interactionId,
        agent_id: textOf(reviewee?.[identity], `${at}.reviewee.${identity}`),
        team: textOf(firstGroup?.name, `${at}.reviewee.groups[0].name`),
        evaluator: textOf(reviewer?.[identity], `${at}.reviewer.${identity}`),
        scorecard: textOf(scorecard?.name, `${at}.scorecard.name`),
        criterion,
        section: textOf(rating.groupName, `${rt}.groupName`),
        points: score,
        max_points: ZENDESK_QA_DEFAULTS.maxPoints,
        weight,
        is_critical: booleanOf(rating.critical, `${rt}.critical`) ?? false,
        is_na: score === null,
        evaluated_at: evaluatedAt,
        updated_at: updatedAt,
        ingested_at: context.ingestedAt,
      };
      rows.push({ table: 'qa_evaluations', row });
    });
  });
  if (rows.length === 0) reject('reviews', 'the conversation has no rated reviews');
  return rows;
}
