/**
 * One Amazon Connect contact record (CTR) to canonical rows: the contact itself, plus one survey
 * response per post-contact survey attribute. Field names, nesting and units follow the contact
 * record data model of the Amazon Connect administrator guide: timestamps are ISO 8601 UTC,
 * durations are whole seconds.
 */
import type { AdapterContext, MappedRow } from '../../core/normalise/adapter.ts';
import type { Interaction } from '../../core/schema/canonical.ts';
import { interactionRow, surveyRow } from '../shared/rows.ts';
import { checkOnScale, type SurveyScale } from '../shared/survey.ts';
import {
  isObject,
  isoTimestampOf,
  type JsonObject,
  nonNegativeOf,
  numberOf,
  objectOf,
  reject,
  requiredIsoTimestamp,
  requiredText,
  textOf,
  wholeNumberOf,
} from '../shared/values.ts';
import type { AmazonConnectOptions } from './options.ts';

const CHANNELS: Readonly<Record<string, Interaction['channel']>> = {
  VOICE: 'voice',
  CHAT: 'chat',
  TASK: 'other',
  EMAIL: 'email',
};

/** Initiation methods where the contact centre reached out to the customer. */
const OUTBOUND_METHODS = new Set(['OUTBOUND', 'EXTERNAL_OUTBOUND', 'AGENT_REPLY']);
/** A new contact leg created by moving the customer to another agent or queue. */
const TRANSFER_METHODS = new Set(['TRANSFER', 'QUEUE_TRANSFER']);
/** Supervisor monitoring creates its own record, which is not a customer contact. */
const NOT_A_CUSTOMER_CONTACT = new Set(['MONITOR']);

export function mapContactRecord(value: unknown, options: AmazonConnectOptions, context: AdapterContext): MappedRow[] {
  if (!isObject(value)) return reject(null, 'a contact record must be a JSON object');
  const ctr = value;
  const contactId = requiredText(ctr.ContactId, 'ContactId');
  const method = textOf(ctr.InitiationMethod, 'InitiationMethod') ?? reject('InitiationMethod', 'is missing');
  if (NOT_A_CUSTOMER_CONTACT.has(method)) return [];

  const channelCode = requiredText(ctr.Channel, 'Channel');
  const channel =
    CHANNELS[channelCode] ??
    reject('Channel', `unknown channel "${channelCode}" (known: ${Object.keys(CHANNELS).join(', ')})`);

  const queue = objectOf(ctr.Queue, 'Queue');
  const agent = objectOf(ctr.Agent, 'Agent');
  const createdAt = requiredIsoTimestamp(ctr.InitiationTimestamp, 'InitiationTimestamp');
  const updatedAt = requiredIsoTimestamp(ctr.LastUpdateTimestamp, 'LastUpdateTimestamp');
  const disconnectedAt = isoTimestampOf(ctr.DisconnectTimestamp, 'DisconnectTimestamp');
  const queuedAt = isoTimestampOf(queue?.EnqueueTimestamp, 'Queue.EnqueueTimestamp');
  const answeredAt = isoTimestampOf(agent?.ConnectedToAgentTimestamp, 'Agent.ConnectedToAgentTimestamp');
  const transferredOutAt = isoTimestampOf(ctr.TransferCompletedTimestamp, 'TransferCompletedTimestamp');
  const nextContactId = textOf(ctr.NextContactId, 'NextContactId');

  const isCallback = method === 'CALLBACK';
  const wasQueued = queue !== null && (queuedAt !== null || textOf(queue.Name, 'Queue.Name') !== null);
  // Leaving the queue by a transfer (to another queue or out of Connect) is not abandoning it.
  const leftQueueByTransfer = nextContactId !== null || transferredOutAt !== null;
  const isAbandoned = wasQueued && answeredAt === null && !isCallback && !leftQueueByTransfer;

  const customerKey = context.pseudonymise('customer', addressOf(ctr.CustomerEndpoint));
  const agentId = textOf(agent?.Username, 'Agent.Username');
  const queueName = textOf(queue?.Name, 'Queue.Name');
  const team =
    teamOf(agent, options.teamHierarchyLevel) ?? (queueName === null ? null : (options.queueTeams[queueName] ?? null));
  const category = options.categoryAttribute ? attributeText(ctr, options.categoryAttribute) : null;

  const contact = interactionRow(context, {
    interaction_id: contactId,
    initial_interaction_id: textOf(ctr.InitialContactId, 'InitialContactId') ?? contactId,
    channel,
    direction: directionOf(method, channelCode),
    customer_key: customerKey,
    agent_id: agentId,
    team,
    queue: queueName,
    // Ending a call is not resolving the issue: contacts carry no lifecycle status, so they never
    // count as resolutions (first-contact resolution of calls is derived from repeat contacts).
    status: null,
    created_at: createdAt,
    queued_at: queuedAt,
    answered_at: answeredAt,
    closed_at: disconnectedAt,
    queue_s: nonNegativeOf(queue?.Duration, 'Queue.Duration'),
    talk_s: nonNegativeOf(agent?.AgentInteractionDuration, 'Agent.AgentInteractionDuration'),
    hold_s: nonNegativeOf(agent?.CustomerHoldDuration, 'Agent.CustomerHoldDuration'),
    hold_count: wholeNumberOf(agent?.NumberOfHolds, 'Agent.NumberOfHolds'),
    acw_s: nonNegativeOf(agent?.AfterContactWorkDuration, 'Agent.AfterContactWorkDuration'),
    is_abandoned: isAbandoned,
    is_callback: isCallback,
    is_transfer: TRANSFER_METHODS.has(method) || transferredOutAt !== null,
    category,
    updated_at: updatedAt,
  });

  const answers = surveyAnswers(ctr, options);
  const resolvedAnswer = answers.find((a) => a.question === options.resolvedQuestion);
  const resolved =
    resolvedAnswer === undefined ? null : resolvedOf(resolvedAnswer.value, resolvedAnswer.attribute, options);
  const rows: MappedRow[] = [contact];
  for (const { question, attribute, value } of answers) {
    const isResolution = question === options.resolvedQuestion;
    const scale = isResolution ? RESOLUTION_SCALE : (options.surveyQuestions[question] ?? options.survey);
    const answered = isResolution ? (resolved === null ? null : Number(resolved)) : numberOf(value, attribute);
    rows.push(
      surveyRow(context, {
        response_id: `${contactId}:${question}`,
        question,
        interaction_id: contactId,
        customer_key: customerKey,
        agent_id: agentId,
        team,
        channel,
        touchpoint: 'post-contact survey',
        resolved,
        updated_at: updatedAt,
        survey_kind: scale.kind,
        score: isResolution || answered === null ? answered : checkOnScale(answered, scale, attribute),
        scale_min: scale.min,
        scale_max: scale.max,
        higher_is_better: scale.higherIsBetter,
      }),
    );
  }
  return rows;
}

/** The resolution question's answer is a yes/no, scored 1 or 0. */
const RESOLUTION_SCALE: SurveyScale = { kind: 'custom', min: 0, max: 1, higherIsBetter: true };

function directionOf(method: string, channelCode: string): 'inbound' | 'outbound' {
  if (OUTBOUND_METHODS.has(method)) return 'outbound';
  // API starts both outbound calls (StartOutboundVoiceContact) and web chats (StartChatContact).
  if (method === 'API') return channelCode === 'VOICE' ? 'outbound' : 'inbound';
  return 'inbound';
}

function addressOf(endpoint: unknown): string | null {
  const object = objectOf(endpoint, 'CustomerEndpoint');
  return object === null ? null : textOf(object.Address, 'CustomerEndpoint.Address');
}

/**
 * Each hierarchy level's key and the field names its problems are reported under, written once:
 * built in teamOf, the names were ten strings made for every contact and never read.
 */
const HIERARCHY_LEVELS = [1, 2, 3, 4, 5].map((n) => ({
  key: `Level${n}`,
  field: `Agent.HierarchyGroups.Level${n}`,
  nameField: `Agent.HierarchyGroups.Level${n}.GroupName`,
}));

function teamOf(agent: JsonObject | null, level: AmazonConnectOptions['teamHierarchyLevel']): string | null {
  const groups = objectOf(agent?.HierarchyGroups, 'Agent.HierarchyGroups');
  if (groups === null) return null;
  if (level !== 'deepest') return groupNameAt(groups, level);
  for (let n = 5; n >= 1; n--) {
    const name = groupNameAt(groups, n);
    if (name !== null) return name;
  }
  return null;
}

function groupNameAt(groups: JsonObject, n: number): string | null {
  const { key, field, nameField } = HIERARCHY_LEVELS[n - 1] as (typeof HIERARCHY_LEVELS)[number];
  const group = objectOf(groups[key], field);
  return group === null ? null : textOf(group.GroupName, nameField);
}

function attributeText(ctr: JsonObject, key: string): string | null {
  const attributes = objectOf(ctr.Attributes, 'Attributes');
  return attributes === null ? null : textOf(attributes[key], `Attributes.${key}`);
}

/**
 * Survey answers stored as contact attributes (attribute values are always strings). An attribute
 * present but empty was asked and not answered: it counts toward the response rate only.
 */
function surveyAnswers(ctr: JsonObject, options: AmazonConnectOptions) {
  const attributes = objectOf(ctr.Attributes, 'Attributes') ?? {};
  return Object.keys(attributes)
    .filter((key) => key.startsWith(options.surveyAttributePrefix) && key.length > options.surveyAttributePrefix.length)
    .sort()
    .map((attribute) => ({
      attribute: `Attributes.${attribute}`,
      question: attribute.slice(options.surveyAttributePrefix.length),
      value: attributes[attribute],
    }));
}

/** The yes/no answer to the resolution question; an empty answer means it was not answered. */
function resolvedOf(value: unknown, field: string, options: AmazonConnectOptions): boolean | null {
  const answer = textOf(value, field)?.toLowerCase();
  if (answer === undefined) return null;
  const matches = (list: readonly string[]) => list.some((v) => v.toLowerCase() === answer);
  if (matches(options.resolvedAnswers.yes)) return true;
  if (matches(options.resolvedAnswers.no)) return false;
  return reject(
    field,
    `"${value}" is not a yes/no answer (yes: ${options.resolvedAnswers.yes.join(', ')}; no: ${options.resolvedAnswers.no.join(', ')})`,
  );
}
