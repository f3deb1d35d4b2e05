/**
 * Zendesk Support exports to canonical rows. One landing object is one API page document:
 *  - the incremental ticket export (`/api/v2/incremental/tickets/cursor.json?include=metric_sets`):
 *    `{ tickets: [...], metric_sets: [...], after_cursor, end_of_stream }`;
 *  - the legacy satisfaction ratings list (`/api/v2/satisfaction_ratings`): `{ satisfaction_ratings: [...] }`;
 *  - the CSAT survey responses list (`/api/v2/guide/survey_responses`): `{ survey_responses: [...] }`.
 * Timestamps are ISO 8601 UTC; ticket metrics are in minutes (calendar and business).
 */
import {
  type AdapterContext,
  FileRejectedError,
  type MappedRow,
  type SourceRecord,
} from '../../core/normalise/adapter.ts';
import type { Interaction } from '../../core/schema/canonical.ts';
import { mapRecord } from '../shared/records.ts';
import { interactionRow, surveyRow } from '../shared/rows.ts';
import { checkOnScale } from '../shared/survey.ts';
import {
  arrayOf,
  greaterThanOne,
  isObject,
  isoTimestampOf,
  type JsonObject,
  minutesToSeconds,
  nonNegativeOf,
  objectOf,
  reject,
  requiredIsoTimestamp,
  requiredText,
  textOf,
  wholeNumberOf,
} from '../shared/values.ts';
import type { ZendeskOptions } from './options.ts';

type Channel = Interaction['channel'];

/** `via.channel` values (via types) of tickets; anything else is `other`. */
const VIA_CHANNELS: Readonly<Record<string, Channel>> = {
  web: 'web',
  web_form: 'web',
  web_widget: 'web',
  help_center: 'web',
  dropbox: 'web',
  email: 'email',
  mail: 'email',
  voice: 'voice',
  phone_call_inbound: 'voice',
  phone_call_outbound: 'voice',
  voicemail: 'voice',
  chat: 'chat',
  chat_transcript: 'chat',
  native_messaging: 'messaging',
  mobile_sdk: 'messaging',
  whatsapp: 'messaging',
  line: 'messaging',
  wechat: 'messaging',
  telegram: 'messaging',
  viber: 'messaging',
  twitter: 'social',
  twitter_dm: 'social',
  facebook: 'social',
  facebook_post: 'social',
  facebook_message: 'social',
  instagram_dm: 'social',
  sms: 'sms',
  text: 'sms',
  // Via ids, for exports that write the numeric form (0 web form, 4 mail, 17 feedback tab).
  '0': 'web',
  '4': 'email',
  '17': 'web',
};

const STATUSES: Readonly<Record<string, Interaction['status']>> = {
  new: 'open',
  open: 'open',
  pending: 'pending',
  hold: 'pending',
  solved: 'resolved',
  closed: 'closed',
};

/** Legacy good/bad ratings: bad = 0, good = 1; offered surveys have no score yet. */
const LEGACY_SCORES: Readonly<Record<string, number | null>> = { good: 1, bad: 0, offered: null };

type PageKind = 'tickets' | 'satisfaction_ratings' | 'survey_responses';
const PAGE_KINDS: readonly PageKind[] = ['tickets', 'satisfaction_ratings', 'survey_responses'];

/** Every record of one page document, mapped or rejected, in page order. */
export function mapZendeskPage(document: unknown, options: ZendeskOptions, context: AdapterContext): SourceRecord[] {
  if (!isObject(document)) throw new FileRejectedError('a Zendesk export page must be a JSON object');
  const kind = PAGE_KINDS.find((k) => Array.isArray(document[k]));
  if (kind === undefined) {
    throw new FileRejectedError(
      `not a Zendesk export page: expected a "tickets", "satisfaction_ratings" or "survey_responses" array (found keys: ${Object.keys(document).join(', ') || 'none'})`,
    );
  }
  const items = document[kind] as unknown[];
  if (kind === 'tickets') {
    const metrics = metricSetsByTicket(document.metric_sets);
    return items.map((item, i) => mapRecord(i + 1, item, (v) => mapTicket(v, metrics, options, context)));
  }
  if (kind === 'satisfaction_ratings') {
    return items.map((item, i) => mapRecord(i + 1, item, (v) => mapSatisfactionRating(v, options, context)));
  }
  return items.map((item, i) => mapRecord(i + 1, item, (v) => mapSurveyResponse(v, options, context)));
}

function metricSetsByTicket(value: unknown): ReadonlyMap<string, JsonObject> {
  const byTicket = new Map<string, JsonObject>();
  if (!Array.isArray(value)) return byTicket;
  for (const set of value) {
    if (isObject(set) && (typeof set.ticket_id === 'number' || typeof set.ticket_id === 'string')) {
      byTicket.set(String(set.ticket_id), set);
    }
  }
  return byTicket;
}

export function mapTicket(
  value: unknown,
  metricSets: ReadonlyMap<string, JsonObject>,
  options: ZendeskOptions,
  context: AdapterContext,
): MappedRow[] {
  if (!isObject(value)) return reject(null, 'a ticket must be a JSON object');
  const ticket = value;
  const id = requiredText(ticket.id, 'id');
  const statusCode = requiredText(ticket.status, 'status');
  // Deleted tickets come through the export with status "deleted"; they are no contact any more.
  if (statusCode === 'deleted') return [];
  const status =
    STATUSES[statusCode] ??
    reject('status', `unknown status "${statusCode}" (known: ${Object.keys(STATUSES).join(', ')}, deleted)`);

  const createdAt = requiredIsoTimestamp(ticket.created_at, 'created_at');
  const updatedAt = requiredIsoTimestamp(ticket.updated_at, 'updated_at');
  const metrics = metricSets.get(id) ?? null;
  const solvedAt = isoTimestampOf(metrics?.solved_at, 'metric_set.solved_at');
  if (solvedAt !== null && solvedAt < createdAt) {
    reject(
      'metric_set.solved_at',
      `ticket resolved before it was created (${solvedAt.toISOString()} < ${createdAt.toISOString()})`,
    );
  }
  const statusUpdatedAt = isoTimestampOf(metrics?.status_updated_at, 'metric_set.status_updated_at');

  const via = objectOf(ticket.via, 'via');
  const viaChannel = textOf(via?.channel, 'via.channel');
  const priority = textOf(ticket.priority, 'priority');
  const tags = arrayOf(ticket.tags, 'tags').flatMap((t, i) => textOf(t, `tags.${i}`) ?? []);
  const groupId = textOf(ticket.group_id, 'group_id');
  const group = groupId === null ? null : (options.groupNames[groupId] ?? groupId);
  const customerKey = context.pseudonymise('customer', textOf(ticket.requester_id, 'requester_id'));
  const agentId = textOf(ticket.assignee_id, 'assignee_id');
  const channel = channelOf(viaChannel, options);
  const sla = options.slaTargets[priority ?? 'default'] ?? options.slaTargets.default;

  const rows: MappedRow[] = [
    interactionRow(context, {
      interaction_id: id,
      // A follow-up ticket is a new contact about the same issue, not a leg of this one: left
      // unchained, it counts as the repeat contact that disproves first-contact resolution.
      initial_interaction_id: id,
      channel,
      direction: viaChannel === 'phone_call_outbound' ? 'outbound' : 'inbound',
      customer_key: customerKey,
      agent_id: agentId,
      team: group,
      queue: group,
      priority,
      status,
      created_at: createdAt,
      resolved_at: status === 'resolved' || status === 'closed' ? solvedAt : null,
      closed_at: status === 'closed' ? (statusUpdatedAt ?? solvedAt) : null,
      first_response_s: minutesToSeconds(calendarMinutes(metrics, 'reply_time_in_minutes')),
      resolution_s: minutesToSeconds(calendarMinutes(metrics, 'full_resolution_time_in_minutes')),
      reopen_count: wholeNumberOf(metrics?.reopens, 'metric_set.reopens'),
      agent_replies: wholeNumberOf(metrics?.replies, 'metric_set.replies'),
      // Without a metric set the group count is unknown, and without escalation tags configured
      // nothing marks an escalation: both stay null rather than false.
      is_transfer: greaterThanOne(wholeNumberOf(metrics?.group_stations, 'metric_set.group_stations')),
      is_escalated: options.escalationTags.length === 0 ? null : tags.some((t) => options.escalationTags.includes(t)),
      sla_first_response_target_s: minutesToSeconds(sla?.firstResponseMinutes ?? null),
      sla_resolution_target_s: minutesToSeconds(sla?.resolutionMinutes ?? null),
      sla_in_business_hours: sla?.businessHours ?? null,
      category: categoryOf(ticket, tags, options),
      updated_at: updatedAt,
    }),
  ];

  const rating = objectOf(ticket.satisfaction_rating, 'satisfaction_rating');
  if (rating !== null) {
    const legacy = legacyScore(rating.score, 'satisfaction_rating.score');
    if (legacy !== undefined) {
      rows.push(
        surveyRow(context, {
          response_id: legacyResponseId(id),
          survey_kind: 'csat',
          question: 'satisfaction_rating',
          score: legacy,
          scale_min: 0,
          scale_max: 1,
          higher_is_better: true,
          interaction_id: id,
          customer_key: customerKey,
          agent_id: agentId,
          team: group,
          channel,
          comment: textOf(rating.comment, 'satisfaction_rating.comment'),
          updated_at: updatedAt,
        }),
      );
    }
  }
  return rows;
}

export function mapSatisfactionRating(value: unknown, options: ZendeskOptions, context: AdapterContext): MappedRow[] {
  if (!isObject(value)) return reject(null, 'a satisfaction rating must be a JSON object');
  const ticketId = requiredText(value.ticket_id, 'ticket_id');
  const score = legacyScore(value.score, 'score');
  if (score === undefined) return [];
  const createdAt = isoTimestampOf(value.created_at, 'created_at');
  const updatedAt = requiredIsoTimestamp(value.updated_at, 'updated_at');
  const groupId = textOf(value.group_id, 'group_id');
  return [
    surveyRow(context, {
      response_id: legacyResponseId(ticketId),
      survey_kind: 'csat',
      question: 'satisfaction_rating',
      score,
      scale_min: 0,
      scale_max: 1,
      higher_is_better: true,
      interaction_id: ticketId,
      customer_key: context.pseudonymise('customer', textOf(value.requester_id, 'requester_id')),
      agent_id: textOf(value.assignee_id, 'assignee_id'),
      team: groupId === null ? null : (options.groupNames[groupId] ?? groupId),
      sent_at: createdAt,
      responded_at: score === null ? null : updatedAt,
      comment: textOf(value.comment, 'comment') ?? textOf(value.reason, 'reason'),
      updated_at: updatedAt,
    }),
  ];
}

/**
 * One row per rating-scale answer of a CSAT survey response. A response without a rated CSAT
 * question was offered and not (yet) answered: it yields one row with a null score. Responses carry
 * no timestamp of their own, so an unanswered one is dated by its ingestion.
 */
export function mapSurveyResponse(value: unknown, options: ZendeskOptions, context: AdapterContext): MappedRow[] {
  if (!isObject(value)) return reject(null, 'a survey response must be a JSON object');
  const id = requiredText(value.id, 'id');
  const ticketId = subjectTicketId(value);
  const customerKey = context.pseudonymise('customer', textOf(value.responder_id, 'responder_id'));
  const answers = arrayOf(value.answers, 'answers').map((a, i) => objectOf(a, `answers.${i}`) ?? {});
  const comment =
    answers
      .map((a, i) => (a.type === 'open_ended' ? textOf(a.value, `answers.${i}.value`) : null))
      .find((c) => c !== null) ?? null;
  const base = {
    scale_min: options.csatScale.min,
    scale_max: options.csatScale.max,
    higher_is_better: true,
    interaction_id: ticketId,
    customer_key: customerKey,
    touchpoint: 'ticket CSAT survey',
    comment,
  };

  const rows: MappedRow[] = [];
  let csatAnswered = false;
  answers.forEach((answer, i) => {
    if (answer.type !== 'rating_scale') return;
    const question = objectOf(answer.question, `answers.${i}.question`) ?? {};
    const isCsat = question.sub_type === 'customer_satisfaction';
    const rating = nonNegativeOf(answer.rating, `answers.${i}.rating`) ?? reject(`answers.${i}.rating`, 'is missing');
    const answeredAt =
      isoTimestampOf(answer.updated_at, `answers.${i}.updated_at`) ??
      requiredIsoTimestamp(answer.created_at, `answers.${i}.created_at`);
    csatAnswered ||= isCsat;
    rows.push(
      surveyRow(context, {
        ...base,
        response_id: isCsat
          ? `survey_response:${id}`
          : `survey_response:${id}:${requiredText(question.id, `answers.${i}.question.id`)}`,
        survey_kind: isCsat ? 'csat' : 'custom',
        question: textOf(question.id, `answers.${i}.question.id`),
        score: checkOnScale(rating, options.csatScale, `answers.${i}.rating`),
        responded_at: answeredAt,
        updated_at: answeredAt,
      }),
    );
  });
  if (!csatAnswered) {
    rows.push(
      surveyRow(context, {
        ...base,
        response_id: `survey_response:${id}`,
        survey_kind: 'csat',
        question: null,
        score: null,
        updated_at: context.ingestedAt,
      }),
    );
  }
  return rows;
}

/** Legacy CSAT is one rating per ticket that changes state, so the ticket id keys it. */
function legacyResponseId(ticketId: string): string {
  return `ticket:${ticketId}:satisfaction_rating`;
}

/**
 * The legacy score as a number (bad 0, good 1), null when offered but unanswered, or undefined
 * when the survey was never offered ("unoffered"): such tickets are outside the response rate.
 */
function legacyScore(value: unknown, field: string): number | null | undefined {
  const score = textOf(value, field);
  if (score === null || score === 'unoffered') return undefined;
  if (!(score in LEGACY_SCORES))
    reject(field, `unknown satisfaction score "${score}" (known: good, bad, offered, unoffered)`);
  return LEGACY_SCORES[score] ?? null;
}

function subjectTicketId(response: JsonObject): string | null {
  for (const [i, subject] of arrayOf(response.subjects, 'subjects').entries()) {
    const s = objectOf(subject, `subjects.${i}`);
    if (s?.type === 'ticket') return textOf(s.id, `subjects.${i}.id`);
  }
  for (const [i, zrn] of arrayOf(response.subject_zrns, 'subject_zrns').entries()) {
    const match = /^zen:ticket:(\d+)$/.exec(textOf(zrn, `subject_zrns.${i}`) ?? '');
    if (match?.[1]) return match[1];
  }
  return null;
}

function channelOf(viaChannel: string | null, options: ZendeskOptions): Channel {
  if (viaChannel === null) return 'other';
  return options.channelMap[viaChannel] ?? VIA_CHANNELS[viaChannel] ?? 'other';
}

function calendarMinutes(metrics: JsonObject | null, metric: string): number | null {
  const value = objectOf(metrics?.[metric], `metric_set.${metric}`);
  return nonNegativeOf(value?.calendar, `metric_set.${metric}.calendar`);
}

function categoryOf(ticket: JsonObject, tags: readonly string[], options: ZendeskOptions): string | null {
  if (options.categoryCustomFieldId !== undefined) {
    for (const [i, field] of arrayOf(ticket.custom_fields, 'custom_fields').entries()) {
      const f = objectOf(field, `custom_fields.${i}`);
      if (f !== null && Number(f.id) === options.categoryCustomFieldId)
        return textOf(f.value, `custom_fields.${i}.value`);
    }
    return null;
  }
  const prefix = options.categoryTagPrefix;
  if (prefix !== undefined) {
    const tag = tags.find((t) => t.startsWith(prefix) && t.length > prefix.length);
    return tag === undefined ? null : tag.slice(prefix.length);
  }
  return null;
}
