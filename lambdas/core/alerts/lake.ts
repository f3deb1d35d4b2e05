/**
 * Alerts of a lake: the rows the rules read, selected from the `*_latest` views through the
 * QueryEngine (DuckDB locally, Athena deployed), then the one rule engine. The `servicebench
 * alerts` command and the report's closed-loop section both evaluate here, so they list the alerts
 * the deployed normaliser publishes for the same rows, under the same ids.
 */
import { SURVEY_ALERT_ANSWERS_BY_MONTH, UTC_MONTH_GRAIN } from '../../../sql/materialised.ts';
import type { QueryEngine, SqlValue } from '../query/engine.ts';
import { SENTIMENT_LABELS, SURVEY_KINDS, type TableName } from '../schema/canonical.ts';
import { ALERT_DEFAULTS, type AlertRule } from './config.ts';
import {
  type AlertContact,
  type AlertRows,
  evaluateAlerts,
  type FollowedAlert,
  followUps,
  tablesRead,
} from './engine.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface AlertRange {
  /** First instant an alert may have (inclusive). @default the lake's beginning */
  readonly from?: Date;
  /** First instant after the range (exclusive). @default no end */
  readonly to?: Date;
  /**
   * Read the survey answers from survey_alert_answers_by_month, which the refresh writes, rather
   * than from survey_responses_latest: a range's answers then cost the files of its UTC months, not
   * a read of every partition (an answer lies in the partition of the day its survey was sent, any
   * time before it). For a reader that refreshes first, as the report does; needs `from` and `to`.
   * @default false
   */
  readonly refreshed?: boolean;
}

/**
 * The lake's alerts dated within the range, with their follow-ups, oldest first. Rows are read
 * from the start of the de-duplication window that holds `from` (less the repeat-contact span),
 * so an alert is the one a full evaluation gives, not the first trigger after `from`.
 */
export async function lakeAlerts(
  engine: QueryEngine,
  rules: readonly AlertRule[],
  range: AlertRange = {},
): Promise<FollowedAlert[]> {
  if (rules.length === 0) return [];
  const readFrom = range.from === undefined ? undefined : rowsNeededFrom(rules, range.from);
  if (range.refreshed === true && (readFrom === undefined || range.to === undefined)) {
    throw new Error('alerts read from the refreshed survey answers need a range with a start and an end');
  }
  const rows = await readAlertRows(engine, tablesRead(rules), readFrom, range.to, range.refreshed === true);
  const alerts = evaluateAlerts(rules, rows).filter(
    (a) => (range.from === undefined || a.alert_at >= range.from) && (range.to === undefined || a.alert_at < range.to),
  );
  return followUps(alerts, rules, rows.contacts);
}

/** The earliest row time an evaluation of alerts from `from` on reads. */
export function rowsNeededFrom(rules: readonly AlertRule[], from: Date): Date {
  const starts = rules.map((rule) => {
    const windowMs = (rule.dedupHours ?? ALERT_DEFAULTS.dedupHours) * HOUR_MS;
    const windowStart = Math.floor(from.getTime() / windowMs) * windowMs;
    const span = rule.kind === 'repeat_contacts' ? (rule.days ?? ALERT_DEFAULTS.repeatDays) * DAY_MS : 0;
    return windowStart - span;
  });
  return new Date(Math.min(...starts));
}

/**
 * Surveys, posts and contacts with a customer from `from` (all when undefined); surveys and posts
 * up to `to`, contacts with no end, since a follow-up may come after the range. Surveys come from
 * survey_alert_answers_by_month when `refreshed`, else from survey_responses_latest: the same rows.
 */
async function readAlertRows(
  engine: QueryEngine,
  tables: ReadonlySet<TableName>,
  from: Date | undefined,
  to: Date | undefined,
  refreshed: boolean,
): Promise<AlertRows> {
  const params: Record<string, SqlValue> = {
    ...(from === undefined ? {} : { from: sqlTimestamp(from), from_dt: utcDate(from), from_month: utcMonth(from) }),
    // The month of the range's last instant: `to` itself is excluded.
    ...(to === undefined
      ? {}
      : { to: sqlTimestamp(to), to_dt: utcDate(to), to_month: utcMonth(new Date(to.getTime() - 1)) }),
  };
  const since = (column: string) => (from === undefined ? '' : ` AND ${column} >= CAST(:from AS TIMESTAMP)`);
  const until = (column: string) => (to === undefined ? '' : ` AND ${column} < CAST(:to AS TIMESTAMP)`);
  // Contacts and posts lie in the dt partition of created_at and posted_at, and their *_latest views
  // pass a dt filter (TABLES.latestWithinPartition): the bounds on dt let Trino and Athena skip the
  // other days. Survey answers lie in the partition of the day their survey was sent, any time
  // before the answer, so no dt range bounds them: read refreshed, they come from the UTC months of
  // the range in survey_alert_answers_by_month.
  const sinceDay = from === undefined ? '' : ' AND dt >= :from_dt';
  const untilDay = to === undefined ? '' : ' AND dt <= :to_dt';
  const answered = 'COALESCE(responded_at, updated_at)';
  // The partitions of survey_alert_answers_by_month holding the range: one per UTC month.
  const answerMonths = ` AND grain = '${UTC_MONTH_GRAIN}' AND period_start >= CAST(:from_month AS DATE) AND period_start <= CAST(:to_month AS DATE)`;
  const [surveys, mentions, contacts] = await Promise.all([
    tables.has('survey_responses')
      ? engine.query(
          `SELECT source, response_id, survey_kind, score, scale_min, scale_max, higher_is_better, interaction_id,
                  customer_key, agent_id, team, responded_at, updated_at, comment, resolved
           FROM ${refreshed ? SURVEY_ALERT_ANSWERS_BY_MONTH.name : 'survey_responses_latest'}
           WHERE customer_key IS NOT NULL${refreshed ? answerMonths : ''}${since(answered)}${until(answered)}`,
          params,
        )
      : [],
    tables.has('social_mentions')
      ? engine.query(
          `SELECT source, mention_id, posted_at, author_key, text, sentiment_label, sentiment_score, is_brand_reply
           FROM social_mentions_latest
           WHERE author_key IS NOT NULL AND is_brand_reply = false${since('posted_at')}${until('posted_at')}${sinceDay}${untilDay}`,
          params,
        )
      : [],
    // Every rule's follow-ups read the contacts.
    engine.query(
      `SELECT source, interaction_id, customer_key, agent_id, team, direction, created_at, category
       FROM interactions_latest
       WHERE customer_key IS NOT NULL${since('created_at')}${sinceDay}`,
      from === undefined ? {} : { from: params.from ?? null, from_dt: params.from_dt ?? null },
    ),
  ]);
  return {
    surveys: surveys.map((r) => ({
      source: text(r.source),
      response_id: text(r.response_id),
      survey_kind: oneOf(SURVEY_KINDS, r.survey_kind),
      score: numberOrNull(r.score),
      scale_min: Number(r.scale_min),
      scale_max: Number(r.scale_max),
      higher_is_better: bool(r.higher_is_better) ?? true,
      interaction_id: textOrNull(r.interaction_id),
      customer_key: textOrNull(r.customer_key),
      agent_id: textOrNull(r.agent_id),
      team: textOrNull(r.team),
      responded_at: dateOrNull(r.responded_at),
      updated_at: date(r.updated_at),
      comment: textOrNull(r.comment),
      resolved: bool(r.resolved),
    })),
    mentions: mentions.map((r) => ({
      source: text(r.source),
      mention_id: text(r.mention_id),
      posted_at: date(r.posted_at),
      author_key: textOrNull(r.author_key),
      text: textOrNull(r.text),
      sentiment_label: r.sentiment_label === null ? null : oneOf(SENTIMENT_LABELS, r.sentiment_label),
      sentiment_score: numberOrNull(r.sentiment_score),
      is_brand_reply: bool(r.is_brand_reply) ?? false,
    })),
    contacts: contacts.map(
      (r): AlertContact => ({
        source: text(r.source),
        interaction_id: text(r.interaction_id),
        customer_key: textOrNull(r.customer_key),
        agent_id: textOrNull(r.agent_id),
        team: textOrNull(r.team),
        direction: r.direction === 'outbound' ? 'outbound' : 'inbound',
        created_at: date(r.created_at),
        category: textOrNull(r.category),
      }),
    ),
  };
}

/** `YYYY-MM-DD HH:MM:SS.sss` (UTC), the text both Trino and DuckDB cast to a TIMESTAMP; ISO's T and Z Trino refuses. */
const sqlTimestamp = (date: Date): string => date.toISOString().replace('T', ' ').replace('Z', '');
/** The `dt` partition value of an instant: its UTC date. */
const utcDate = (date: Date): string => date.toISOString().slice(0, 10);
/** The first day of an instant's UTC month, the period_start of survey_alert_answers_by_month. */
const utcMonth = (date: Date): string => `${date.toISOString().slice(0, 7)}-01`;
const text = (value: SqlValue | undefined): string => String(value);
const textOrNull = (value: SqlValue | undefined): string | null =>
  value === null || value === undefined ? null : String(value);
const numberOrNull = (value: SqlValue | undefined): number | null =>
  value === null || value === undefined ? null : Number(value);
const date = (value: SqlValue | undefined): Date => new Date(String(value));
const dateOrNull = (value: SqlValue | undefined): Date | null =>
  value === null || value === undefined ? null : new Date(String(value));
/** Athena returns booleans as text. */
const bool = (value: SqlValue | undefined): boolean | null =>
  value === null || value === undefined ? null : value === true || value === 'true';

function oneOf<T extends string>(allowed: readonly T[], value: SqlValue | undefined): T {
  const found = allowed.find((a) => a === value);
  if (found === undefined)
    throw new Error(`unexpected value ${JSON.stringify(value)}; expected one of ${allowed.join(', ')}`);
  return found;
}
