/**
 * The canonical data model, declared once. Every other description of these tables (Parquet
 * schema, DuckDB views, Glue columns, docs/data-model.md) is derived from this file.
 */
import { z } from 'zod';
import { col, late, opt } from './columns.ts';

export const CHANNELS = ['voice', 'chat', 'email', 'web', 'messaging', 'social', 'sms', 'other'] as const;
export const SURVEY_KINDS = ['csat', 'nps', 'ces', 'enps', 'custom'] as const;
export const EVALUATION_KINDS = ['internal_qa', 'mystery_shop', 'auto_qa'] as const;
export const SENTIMENT_LABELS = ['positive', 'neutral', 'negative'] as const;
export const PULSE_QUESTION_KINDS = ['enps', 'engagement', 'satisfaction'] as const;
export const ACTIVITY_KINDS = ['signup', 'order', 'renewal', 'cancellation'] as const;
export const INTERACTION_STATUSES = ['open', 'pending', 'resolved', 'closed'] as const;

const source = col.string('Source name from the config (the adapter instance that produced the row).');
const ingestedAt = col.timestamp(
  'When the raw object landed (its last-modified time), so re-ingesting the same object is byte-identical.',
);
/**
 * Lineage of a curated row: the landing object and the record within it that produced it. Together
 * with `ingested_at` they order versions that share every version timestamp, so choosing the latest
 * version never reads the other columns.
 */
const lineage = {
  source_object: late.string('Landing object the row was read from (lineage; joins ingestion_audit.object_key).'),
  source_row: late.int(
    'Record number within that object, from 1, as in its reject file; a later record wins a version tie.',
  ),
};

export const interactions = z.object({
  source,
  interaction_id: col.string('Identifier of the contact in its source system.'),
  initial_interaction_id: opt.string('First contact of a transfer/callback chain (itself when not chained).'),
  channel: col.enum(CHANNELS, 'Contact channel.'),
  direction: col.enum(['inbound', 'outbound'], 'Who started the contact.'),
  customer_key: opt.string('Pseudonymised customer identifier (HMAC-SHA256).'),
  agent_id: opt.string('Agent who handled the contact; null when no agent was reached.'),
  team: opt.string('Team of the handling agent (or the owning group).'),
  queue: opt.string('Queue or routing group.'),
  priority: opt.string('Source priority, as a label.'),
  status: opt.enum(INTERACTION_STATUSES, 'Lifecycle state at export time; SLAs of open/pending items are undecided.'),
  created_at: col.timestamp('When the contact started (UTC); partitions the table.'),
  queued_at: opt.timestamp('When the contact entered a queue; null when it never queued.'),
  answered_at: opt.timestamp('When an agent connected; null when never answered.'),
  first_response_at: opt.timestamp('First public agent reply (digital channels).'),
  resolved_at: opt.timestamp('When the contact was (last) resolved.'),
  closed_at: opt.timestamp('When the contact was closed.'),
  queue_s: opt.nonNegative('Seconds spent waiting in queue.'),
  talk_s: opt.nonNegative('Seconds of agent talk or handling.'),
  hold_s: opt.nonNegative('Seconds on hold.'),
  hold_count: opt.int('Number of times put on hold.'),
  acw_s: opt.nonNegative('Seconds of after-contact work.'),
  first_response_s: opt.nonNegative('Calendar seconds to first reply, when the source computed it.'),
  resolution_s: opt.nonNegative('Calendar seconds to resolution, when the source computed it.'),
  is_abandoned: col.boolean('Queued and never reached an agent (callbacks are never abandoned).'),
  is_callback: col.boolean('A scheduled or queued callback.'),
  is_transfer: opt.boolean(
    'Transferred to another agent or queue; null when the source does not record transfers (unknown is not false).',
  ),
  is_escalated: opt.boolean(
    'Escalated to a higher tier or reassigned up; null when the source does not record escalations (unknown is not false).',
  ),
  reopen_count: opt.int('Times the item was reopened after resolution.'),
  agent_replies: opt.int('Number of public agent replies.'),
  resolved_first_contact: opt.boolean('First-contact-resolution flag supplied by the source.'),
  sla_first_response_target_s: opt.nonNegative('First-response SLA target in seconds.'),
  sla_resolution_target_s: opt.nonNegative('Resolution SLA target in seconds.'),
  sla_first_response_met: opt.boolean('Source verdict on the first-response SLA, when it gives one.'),
  sla_resolution_met: opt.boolean('Source verdict on the resolution SLA, when it gives one.'),
  sla_in_business_hours: opt.boolean(
    "The source's SLA targets are business seconds (a Zendesk SLA policy metric with business_hours); null when the source does not say.",
  ),
  category: opt.string('Topic, reason or category.'),
  updated_at: col.timestamp('Last update of the record in its source; latest version wins.'),
  ingested_at: ingestedAt,
  ...lineage,
});

export const survey_responses = z.object({
  source,
  response_id: col.string('Identifier of one answer to one rating question.'),
  survey_kind: col.enum(SURVEY_KINDS, 'Instrument: csat, nps, ces, enps or custom.'),
  question: opt.string('Question identifier or label in the source.'),
  score: opt.double('Answer on the instrument scale; null when the survey was offered but not answered.'),
  scale_min: col.double('Lowest value of the scale (0 for good/bad ratings, where bad = 0 and good = 1).'),
  scale_max: col.double('Highest value of the scale.'),
  higher_is_better: col.boolean('Direction of the scale (false for legacy effort scales).'),
  interaction_id: opt.string('Contact the survey is about.'),
  customer_key: opt.string('Pseudonymised respondent.'),
  agent_id: opt.string('Agent the survey is about.'),
  team: opt.string('Team the survey is about.'),
  channel: opt.enum(CHANNELS, 'Channel of the surveyed contact.'),
  touchpoint: opt.string('Journey step or survey name.'),
  sent_at: opt.timestamp('When the survey was offered.'),
  responded_at: opt.timestamp('When it was answered.'),
  comment: opt.text('Free-text verbatim.'),
  resolved: opt.boolean('Answer to "was your issue resolved?".'),
  updated_at: col.timestamp('Last update in the source; latest version wins.'),
  ingested_at: ingestedAt,
  ...lineage,
});

export const qa_evaluations = z.object({
  source,
  evaluation_id: col.string('Identifier of the evaluation (scorecard instance).'),
  evaluation_kind: col.enum(EVALUATION_KINDS, 'internal_qa, mystery_shop or auto_qa.'),
  interaction_id: opt.string('Evaluated contact.'),
  agent_id: opt.string('Evaluated agent.'),
  team: opt.string('Team of the evaluated agent.'),
  evaluator: opt.string('Reviewer.'),
  scorecard: opt.string('Scorecard name.'),
  criterion: col.string('Criterion (question) of the scorecard.'),
  section: opt.string('Scorecard section.'),
  points: opt.nonNegative('Points awarded; null when not applicable.'),
  max_points: col.nonNegative('Points available.'),
  weight: col.nonNegative('Weight of the criterion within the evaluation.'),
  is_critical: col.boolean('A failed critical criterion sets the evaluation score to 0.'),
  is_na: col.boolean('Not applicable: excluded from the score.'),
  evaluated_at: col.timestamp('When the evaluation was made.'),
  updated_at: col.timestamp('Last update in the source; latest version wins.'),
  ingested_at: ingestedAt,
  ...lineage,
});

export const social_mentions = z.object({
  source,
  mention_id: col.string('Identifier of the post.'),
  platform: col.string('Network (twitter, facebook, ...).'),
  posted_at: col.timestamp('When the post was published.'),
  author_key: opt.string('Pseudonymised author (brand accounts keep their handle).'),
  text: opt.text('Post text.'),
  sentiment_label: opt.enum(SENTIMENT_LABELS, 'positive, neutral or negative.'),
  sentiment_score: opt.double('Sentiment score from the analyser (-1..1).'),
  in_reply_to: opt.string('Post this one answers.'),
  is_brand_reply: col.boolean('Posted by the brand.'),
  brand_replied_at: opt.timestamp('First brand reply to this post.'),
  updated_at: col.timestamp('Last update in the source; latest version wins.'),
  ingested_at: ingestedAt,
  ...lineage,
});

export const employee_pulse = z.object({
  source,
  response_id: col.string('Identifier of one anonymous answer.'),
  team: opt.string('Team of the respondent.'),
  period: col.timestamp('Start of the survey period (UTC midnight).'),
  question_kind: col.enum(PULSE_QUESTION_KINDS, 'enps, engagement or satisfaction.'),
  score: col.double('Answer on the scale.'),
  scale_min: col.double('Lowest value of the scale.'),
  scale_max: col.double('Highest value of the scale.'),
  ingested_at: ingestedAt,
  ...lineage,
});

export const customer_activity = z.object({
  source,
  event_id: col.string('Deterministic identifier of the event.'),
  customer_key: col.string('Pseudonymised customer.'),
  event_at: col.timestamp('When the event happened.'),
  kind: col.enum(ACTIVITY_KINDS, 'signup, order, renewal or cancellation.'),
  amount: opt.double('Monetary amount, when known.'),
  ingested_at: ingestedAt,
  ...lineage,
});

export const ingestion_audit = z.object({
  source,
  object_key: col.string('Landing object that was ingested.'),
  object_sha256: col.string('SHA-256 of the raw bytes.'),
  landed_at: col.timestamp('When the object landed (its last-modified time); partitions the table.'),
  rows_read: col.int('Source records read.'),
  rows_accepted: col.int('Records curated.'),
  rows_rejected: col.int('Records rejected (quarantined with a reason).'),
  file_error: opt.text('Why the whole file was rejected, when it was.'),
  started_at: col.timestamp('When the run started.'),
  duration_ms: col.nonNegative('Run time.'),
  normaliser_version: col.string('Normaliser version that produced the output.'),
});

export interface TableDefinition<S extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  readonly schema: S;
  readonly description: string;
  /** Required timestamp column whose UTC date is the `dt` partition (when no `partitionPrefers` column is set). */
  readonly partitionBy: string;
  /**
   * Nullable timestamp columns preferred to `partitionBy`, the first one set wins. Every version of
   * a record should land in one partition, so the partition time is one its source does not change.
   * @default none: `partitionBy` alone
   */
  readonly partitionPrefers?: readonly string[];
  /** Columns identifying one source record; views keep its latest version. */
  readonly key: readonly string[];
  /**
   * The order of one record's versions, newest first: each column descending, NULLs last. The
   * `*_latest` views keep the first version of each key in this order, so it must tell apart every
   * two versions a lake can hold (the lineage columns do: the normaliser rejects a record that
   * yields one key twice).
   */
  readonly versionBy: readonly string[];
  /**
   * Whether every version of a record lands in one `dt` partition: its partition time is one no
   * version changes (when a contact was created, a post posted, an event happened). The `*_latest`
   * view then chooses the latest version within the partition (`dt` joins the key of its window),
   * so a filter on `dt` passes the view on Trino and Athena and a read of a few days prunes the
   * rest; a record whose source did re-date it would keep one version per partition. False when a
   * version can move: a survey answer with neither an offer nor an answer time is partitioned by
   * its edit time, and a landing object written again lands in the partition of its new landing.
   */
  readonly latestWithinPartition: boolean;
}

const table = <S extends z.ZodObject>(def: TableDefinition<S>) => def;

/** Lineage last: the later object, then the later record in it, wins a tie on the timestamps. */
const LINEAGE_ORDER = ['ingested_at', 'source_object', 'source_row'] as const;

export const TABLES = {
  interactions: table({
    name: 'interactions',
    schema: interactions,
    description: 'One customer contact: call, chat, email, ticket, social DM.',
    partitionBy: 'created_at',
    key: ['source', 'interaction_id'],
    versionBy: ['updated_at', ...LINEAGE_ORDER],
    latestWithinPartition: true,
  }),
  survey_responses: table({
    name: 'survey_responses',
    schema: survey_responses,
    description: 'One answer to one rating question (or one offered, unanswered survey).',
    // updated_at moves when a rating or comment is edited; the offer (else the answer) time does not.
    partitionPrefers: ['sent_at', 'responded_at'],
    partitionBy: 'updated_at',
    key: ['source', 'response_id'],
    versionBy: ['updated_at', ...LINEAGE_ORDER],
    latestWithinPartition: false,
  }),
  qa_evaluations: table({
    name: 'qa_evaluations',
    schema: qa_evaluations,
    description: 'One criterion of one QA or mystery-shop evaluation.',
    partitionBy: 'evaluated_at',
    key: ['source', 'evaluation_id', 'criterion'],
    versionBy: ['updated_at', ...LINEAGE_ORDER],
    latestWithinPartition: true,
  }),
  social_mentions: table({
    name: 'social_mentions',
    schema: social_mentions,
    description: 'One public post.',
    partitionBy: 'posted_at',
    key: ['source', 'mention_id'],
    versionBy: ['updated_at', ...LINEAGE_ORDER],
    latestWithinPartition: true,
  }),
  employee_pulse: table({
    name: 'employee_pulse',
    schema: employee_pulse,
    description: 'One anonymous employee answer.',
    partitionBy: 'period',
    key: ['source', 'response_id'],
    versionBy: LINEAGE_ORDER,
    latestWithinPartition: true,
  }),
  customer_activity: table({
    name: 'customer_activity',
    schema: customer_activity,
    description: 'One customer event.',
    partitionBy: 'event_at',
    key: ['source', 'event_id'],
    versionBy: LINEAGE_ORDER,
    latestWithinPartition: true,
  }),
  ingestion_audit: table({
    name: 'ingestion_audit',
    schema: ingestion_audit,
    description: 'One ingested landing object (the latest run over it).',
    partitionBy: 'landed_at',
    key: ['source', 'object_key'],
    // One row per run over an object; runs of one object differ in when they started, and a rerun
    // of the same bytes at the same instant by the same normaliser writes the same row.
    versionBy: ['started_at', 'normaliser_version', 'object_sha256', 'duration_ms'],
    latestWithinPartition: false,
  }),
} as const;

export type TableName = keyof typeof TABLES;
export const TABLE_NAMES = Object.keys(TABLES) as TableName[];
export type CanonicalRow<T extends TableName> = z.infer<(typeof TABLES)[T]['schema']>;
export type Interaction = CanonicalRow<'interactions'>;
export type SurveyResponse = CanonicalRow<'survey_responses'>;
export type QaEvaluation = CanonicalRow<'qa_evaluations'>;
export type SocialMention = CanonicalRow<'social_mentions'>;
export type EmployeePulse = CanonicalRow<'employee_pulse'>;
export type CustomerActivity = CanonicalRow<'customer_activity'>;
export type IngestionAudit = CanonicalRow<'ingestion_audit'>;
