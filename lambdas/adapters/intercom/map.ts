/**
 * One Intercom Conversation object (REST API 2.x) to canonical rows: the conversation, plus its
 * conversation rating when the customer gave one. Intercom writes timestamps as Unix seconds. Its
 * `time_to_*` statistics subtract out-of-office hours, so calendar durations are computed here
 * from the statistics' timestamps instead.
 */
import type { AdapterContext, MappedRow } from '../../core/normalise/adapter.ts';
import type { Interaction } from '../../core/schema/canonical.ts';
import { interactionRow, surveyRow } from '../shared/rows.ts';
import { checkOnScale } from '../shared/survey.ts';
import {
  arrayOf,
  epochSecondsOf,
  greaterThanOne,
  isObject,
  type JsonObject,
  numberOf,
  objectOf,
  reject,
  requiredEpochSeconds,
  requiredText,
  secondsBetween,
  textOf,
  wholeNumberOf,
} from '../shared/values.ts';
import type { IntercomOptions } from './options.ts';

/** `source.type`: the channel the conversation started on. */
const SOURCE_CHANNELS: Readonly<Record<string, Interaction['channel']>> = {
  conversation: 'chat',
  email: 'email',
  facebook: 'social',
  instagram: 'social',
  twitter: 'social',
  whatsapp: 'messaging',
  push: 'messaging',
  sms: 'sms',
  phone_call: 'voice',
  phone_switch: 'voice',
};

/** `source.delivered_as`: only customer_initiated conversations were started by the customer. */
const DELIVERY_DIRECTIONS: Readonly<Record<string, Interaction['direction']>> = {
  customer_initiated: 'inbound',
  admin_initiated: 'outbound',
  automated: 'outbound',
  campaigns_initiated: 'outbound',
  operator_initiated: 'outbound',
};

const STATES: Readonly<Record<string, Interaction['status']>> = {
  open: 'open',
  snoozed: 'pending',
  closed: 'closed',
};

/** Conversation ratings are 1 (terrible) to 5 (amazing). */
const RATING_SCALE = { min: 1, max: 5 } as const;

export function mapConversation(value: unknown, options: IntercomOptions, context: AdapterContext): MappedRow[] {
  if (!isObject(value)) return reject(null, 'a conversation must be a JSON object');
  const conversation = value;
  const id = requiredText(conversation.id, 'id');
  const createdAt = requiredEpochSeconds(conversation.created_at, 'created_at');
  const updatedAt = requiredEpochSeconds(conversation.updated_at, 'updated_at');

  const source = objectOf(conversation.source, 'source') ?? reject('source', 'is missing');
  const sourceType = requiredText(source.type, 'source.type');
  const channel =
    SOURCE_CHANNELS[sourceType] ??
    reject('source.type', `unknown source type "${sourceType}" (known: ${Object.keys(SOURCE_CHANNELS).join(', ')})`);
  const deliveredAs = textOf(source.delivered_as, 'source.delivered_as');
  // A conversation whose source does not say how it was delivered was started by the customer.
  const direction =
    deliveredAs === null
      ? 'inbound'
      : (DELIVERY_DIRECTIONS[deliveredAs] ??
        reject(
          'source.delivered_as',
          `unknown delivery "${deliveredAs}" (known: ${Object.keys(DELIVERY_DIRECTIONS).join(', ')})`,
        ));
  const stateCode = requiredText(conversation.state, 'state');
  const status =
    STATES[stateCode] ?? reject('state', `unknown state "${stateCode}" (known: ${Object.keys(STATES).join(', ')})`);

  const stats = objectOf(conversation.statistics, 'statistics');
  const firstContactReplyAt = epochSecondsOf(stats?.first_contact_reply_at, 'statistics.first_contact_reply_at');
  const firstAdminReplyAt = epochSecondsOf(stats?.first_admin_reply_at, 'statistics.first_admin_reply_at');
  const lastCloseAt = epochSecondsOf(stats?.last_close_at, 'statistics.last_close_at');
  const closedAt = status === 'closed' ? lastCloseAt : null;
  if (closedAt !== null && closedAt < createdAt) {
    reject(
      'statistics.last_close_at',
      `conversation closed before it was created (${closedAt.toISOString()} < ${createdAt.toISOString()})`,
    );
  }

  const customerKey = context.pseudonymise('customer', firstContactId(conversation.contacts));
  const agentId = textOf(conversation.admin_assignee_id, 'admin_assignee_id');
  const teamId = textOf(conversation.team_assignee_id, 'team_assignee_id');
  const team = teamId === null ? null : (options.teamNames[teamId] ?? teamId);
  const custom = objectOf(conversation.custom_attributes, 'custom_attributes');

  const rows: MappedRow[] = [
    interactionRow(context, {
      interaction_id: id,
      initial_interaction_id: id,
      channel,
      direction,
      customer_key: customerKey,
      agent_id: agentId,
      team,
      queue: team,
      priority: textOf(conversation.priority, 'priority'),
      status,
      created_at: createdAt,
      first_response_at: firstAdminReplyAt,
      resolved_at: closedAt,
      closed_at: closedAt,
      first_response_s: secondsBetween(
        firstContactReplyAt,
        firstAdminReplyAt,
        'statistics.first_admin_reply_at',
        'statistics.first_contact_reply_at',
      ),
      resolution_s: secondsBetween(createdAt, closedAt, 'statistics.last_close_at', 'created_at'),
      reopen_count: wholeNumberOf(stats?.count_reopens, 'statistics.count_reopens'),
      is_transfer: greaterThanOne(wholeNumberOf(stats?.count_assignments, 'statistics.count_assignments')),
      category: options.categoryAttribute
        ? textOf(custom?.[options.categoryAttribute], `custom_attributes.${options.categoryAttribute}`)
        : null,
      updated_at: updatedAt,
    }),
  ];

  const rating = objectOf(conversation.conversation_rating, 'conversation_rating');
  const score = numberOf(rating?.rating, 'conversation_rating.rating');
  if (rating !== null && score !== null) {
    const ratedAt = epochSecondsOf(rating.created_at, 'conversation_rating.created_at');
    rows.push(
      surveyRow(context, {
        response_id: `${id}:conversation_rating`,
        survey_kind: 'csat',
        question: 'conversation_rating',
        score: checkOnScale(score, RATING_SCALE, 'conversation_rating.rating'),
        scale_min: RATING_SCALE.min,
        scale_max: RATING_SCALE.max,
        higher_is_better: true,
        interaction_id: id,
        customer_key:
          context.pseudonymise(
            'customer',
            textOf(objectOf(rating.contact, 'conversation_rating.contact')?.id, 'conversation_rating.contact.id'),
          ) ?? customerKey,
        agent_id:
          textOf(objectOf(rating.teammate, 'conversation_rating.teammate')?.id, 'conversation_rating.teammate.id') ??
          agentId,
        team,
        channel,
        touchpoint: 'conversation rating',
        responded_at: ratedAt,
        comment: textOf(rating.remark, 'conversation_rating.remark'),
        updated_at: ratedAt ?? updatedAt,
      }),
    );
  }
  return rows;
}

/** `contacts` is `{ type: "contact.list", contacts: [...] }` in API 2.x and a bare array before. */
function firstContactId(value: unknown): string | null {
  const list: unknown[] = isObject(value) ? arrayOf(value.contacts, 'contacts.contacts') : arrayOf(value, 'contacts');
  const first = list[0];
  const contact: JsonObject | null = objectOf(first, 'contacts.0');
  return contact === null ? null : textOf(contact.id, 'contacts.0.id');
}
