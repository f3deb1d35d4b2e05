/**
 * Freshdesk API v2 records to canonical rows: tickets (`GET /api/v2/tickets?include=stats`) and
 * satisfaction ratings (`GET /api/v2/surveys/satisfaction_ratings`). Freshdesk encodes status,
 * priority, source and survey answers as numbers; each is translated by a lookup table of the
 * published codes, never by arithmetic, and an unknown code is refused rather than guessed.
 */
import type { AdapterContext, MappedRow } from '../../core/normalise/adapter.ts';
import type { Interaction } from '../../core/schema/canonical.ts';
import { interactionRow, surveyRow } from '../shared/rows.ts';
import {
  booleanOf,
  isObject,
  isoTimestampOf,
  type JsonObject,
  objectOf,
  reject,
  requiredIsoTimestamp,
  requiredText,
  secondsBetween,
  textOf,
} from '../shared/values.ts';
import type { FreshdeskOptions } from './options.ts';

/** Ticket properties as published in the Freshdesk API reference ("Ticket Properties"). */
export const FRESHDESK_STATUSES: Readonly<Record<string, Interaction['status']>> = {
  '2': 'open',
  '3': 'pending',
  '4': 'resolved',
  '5': 'closed',
};
export const FRESHDESK_PRIORITIES: Readonly<Record<string, string>> = {
  '1': 'low',
  '2': 'medium',
  '3': 'high',
  '4': 'urgent',
};
export const FRESHDESK_SOURCES: Readonly<Record<string, { channel: Interaction['channel']; label: string }>> = {
  '1': { channel: 'email', label: 'Email' },
  '2': { channel: 'web', label: 'Portal' },
  '3': { channel: 'voice', label: 'Phone' },
  '7': { channel: 'chat', label: 'Chat' },
  '9': { channel: 'web', label: 'Feedback Widget' },
  '10': { channel: 'email', label: 'Outbound Email' },
};
const OUTBOUND_SOURCE = '10';

interface RatingCode {
  readonly score: number;
  readonly label: string;
  readonly scaleMax: number;
}
/**
 * Survey answers as published ("New Survey Ratings" and "Classic Survey Ratings"): each code is
 * placed on its survey's scale from 1 (worst) up, so the new 7-point answers read 1..7 and the
 * classic 3-point answers 1..3.
 */
export const FRESHDESK_RATINGS: Readonly<Record<string, RatingCode>> = {
  '103': { score: 7, label: 'Extremely Happy', scaleMax: 7 },
  '102': { score: 6, label: 'Very Happy', scaleMax: 7 },
  '101': { score: 5, label: 'Happy', scaleMax: 7 },
  '100': { score: 4, label: 'Neutral', scaleMax: 7 },
  '-101': { score: 3, label: 'Unhappy', scaleMax: 7 },
  '-102': { score: 2, label: 'Very Unhappy', scaleMax: 7 },
  '-103': { score: 1, label: 'Extremely Unhappy', scaleMax: 7 },
  '1': { score: 3, label: 'Happy (classic)', scaleMax: 3 },
  '2': { score: 2, label: 'Neutral (classic)', scaleMax: 3 },
  '3': { score: 1, label: 'Unhappy (classic)', scaleMax: 3 },
};
/** The survey's main question; any other key of `ratings` is an additional custom question. */
const DEFAULT_QUESTION = 'default_question';

/** Tickets and ratings share the list layout; a rating is the record with a `ratings` object. */
export function mapFreshdeskRecord(value: unknown, options: FreshdeskOptions, context: AdapterContext): MappedRow[] {
  if (!isObject(value)) return reject(null, 'a Freshdesk record must be a JSON object');
  return isObject(value.ratings) ? mapSatisfactionRating(value, options, context) : mapTicket(value, options, context);
}

export function mapTicket(ticket: JsonObject, options: FreshdeskOptions, context: AdapterContext): MappedRow[] {
  const id = requiredText(ticket.id, 'id');
  const statusCode = requiredText(ticket.status, 'status');
  const status =
    options.statusMap[statusCode] ??
    FRESHDESK_STATUSES[statusCode] ??
    reject('status', `unknown status code ${statusCode} (published: 2-5); map custom statuses with options.statusMap`);
  const sourceCode = requiredText(ticket.source, 'source');
  const channel =
    options.sourceMap[sourceCode] ??
    FRESHDESK_SOURCES[sourceCode]?.channel ??
    reject('source', `unknown source code ${sourceCode} (published: 1, 2, 3, 7, 9, 10); map it with options.sourceMap`);
  const priorityCode = textOf(ticket.priority, 'priority');
  const priority =
    priorityCode === null
      ? null
      : (FRESHDESK_PRIORITIES[priorityCode] ??
        reject('priority', `unknown priority code ${priorityCode} (published: 1-4)`));

  const createdAt = requiredIsoTimestamp(ticket.created_at, 'created_at');
  const updatedAt = requiredIsoTimestamp(ticket.updated_at, 'updated_at');
  const stats = objectOf(ticket.stats, 'stats');
  const firstRespondedAt = isoTimestampOf(stats?.first_responded_at, 'stats.first_responded_at');
  const resolvedAt = isoTimestampOf(stats?.resolved_at, 'stats.resolved_at');
  const closedAt = isoTimestampOf(stats?.closed_at, 'stats.closed_at');
  const reopenedAt = isoTimestampOf(stats?.reopened_at, 'stats.reopened_at');
  if (resolvedAt !== null && resolvedAt < createdAt) {
    reject(
      'stats.resolved_at',
      `ticket resolved before it was created (${resolvedAt.toISOString()} < ${createdAt.toISOString()})`,
    );
  }
  const firstDueBy = isoTimestampOf(ticket.fr_due_by, 'fr_due_by');
  const dueBy = isoTimestampOf(ticket.due_by, 'due_by');
  const isDone = status === 'resolved' || status === 'closed';
  const finalResolvedAt = isDone ? (resolvedAt ?? closedAt) : null;

  const groupId = textOf(ticket.group_id, 'group_id');
  const group = groupId === null ? null : (options.groupNames[groupId] ?? groupId);
  // Escalated when either flag says so; unknown (null) when the export carries neither flag.
  const escalationFlags = [
    booleanOf(ticket.is_escalated, 'is_escalated'),
    booleanOf(ticket.fr_escalated, 'fr_escalated'),
  ];
  const escalated = escalationFlags.includes(true) ? true : escalationFlags.includes(false) ? false : null;

  return [
    interactionRow(context, {
      interaction_id: id,
      initial_interaction_id: id,
      channel,
      direction: sourceCode === OUTBOUND_SOURCE ? 'outbound' : 'inbound',
      customer_key: context.pseudonymise('customer', textOf(ticket.requester_id, 'requester_id')),
      agent_id: textOf(ticket.responder_id, 'responder_id'),
      team: group,
      queue: group,
      priority,
      status,
      created_at: createdAt,
      first_response_at: firstRespondedAt,
      resolved_at: finalResolvedAt,
      closed_at: status === 'closed' ? closedAt : null,
      first_response_s: secondsBetween(createdAt, firstRespondedAt, 'stats.first_responded_at', 'created_at'),
      resolution_s: secondsBetween(createdAt, finalResolvedAt, 'stats.resolved_at', 'created_at'),
      is_escalated: escalated,
      // Freshdesk keeps only the last reopen time: a reopened ticket counts once, a lower bound.
      reopen_count: stats === null ? null : reopenedAt === null ? 0 : 1,
      sla_first_response_target_s: secondsBetween(createdAt, firstDueBy, 'fr_due_by', 'created_at'),
      sla_resolution_target_s: secondsBetween(createdAt, dueBy, 'due_by', 'created_at'),
      sla_first_response_met: firstRespondedAt === null || firstDueBy === null ? null : firstRespondedAt <= firstDueBy,
      sla_resolution_met: finalResolvedAt === null || dueBy === null ? null : finalResolvedAt <= dueBy,
      category: categoryOf(ticket, options),
      updated_at: updatedAt,
    }),
  ];
}

export function mapSatisfactionRating(
  rating: JsonObject,
  options: FreshdeskOptions,
  context: AdapterContext,
): MappedRow[] {
  const id = requiredText(rating.id, 'id');
  const ticketId = textOf(rating.ticket_id, 'ticket_id');
  const createdAt = requiredIsoTimestamp(rating.created_at, 'created_at');
  const updatedAt = isoTimestampOf(rating.updated_at, 'updated_at') ?? createdAt;
  const groupId = textOf(rating.group_id, 'group_id');
  const answers = objectOf(rating.ratings, 'ratings') ?? {};
  const common = {
    higher_is_better: true,
    scale_min: 1,
    interaction_id: ticketId,
    customer_key: context.pseudonymise('customer', textOf(rating.user_id, 'user_id')),
    agent_id: textOf(rating.agent_id, 'agent_id'),
    team: groupId === null ? null : (options.groupNames[groupId] ?? groupId),
    touchpoint: 'ticket satisfaction survey',
    responded_at: createdAt,
    comment: textOf(rating.feedback, 'feedback'),
    updated_at: updatedAt,
  };
  return Object.keys(answers)
    .sort((a, b) => (a === DEFAULT_QUESTION ? -1 : b === DEFAULT_QUESTION ? 1 : a.localeCompare(b)))
    .map((question) => {
      const field = `ratings.${question}`;
      const code = textOf(answers[question], field) ?? reject(field, 'is missing');
      const answer =
        FRESHDESK_RATINGS[code] ??
        reject(field, `unknown rating code ${code} (published: 103..100, -101..-103, classic 1..3)`);
      return surveyRow(context, {
        ...common,
        response_id: `${id}:${question}`,
        survey_kind: question === DEFAULT_QUESTION ? 'csat' : 'custom',
        question,
        score: answer.score,
        scale_max: answer.scaleMax,
      });
    });
}

function categoryOf(ticket: JsonObject, options: FreshdeskOptions): string | null {
  if (options.categoryField === undefined) return textOf(ticket.type, 'type');
  const custom = objectOf(ticket.custom_fields, 'custom_fields');
  return textOf(custom?.[options.categoryField], `custom_fields.${options.categoryField}`);
}
