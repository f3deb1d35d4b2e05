/**
 * The closed-loop rule engine: pure functions from curated rows to alerts, and from alerts and
 * later contacts to follow-ups. The deployed normaliser (on the rows of the object it curated), the
 * `servicebench alerts` command and the report (on the lake's latest rows) all call it, so one row
 * raises the same alert, with the same id, wherever it is evaluated.
 */
import { createHash } from 'node:crypto';
import type { Interaction, SocialMention, SurveyResponse, TableName } from '../schema/canonical.ts';
import { ALERT_DEFAULTS, type AlertRule, type AlertRuleKind } from './config.ts';

/** The survey columns the rules read. */
export type AlertSurvey = Pick<
  SurveyResponse,
  | 'source'
  | 'response_id'
  | 'survey_kind'
  | 'score'
  | 'scale_min'
  | 'scale_max'
  | 'higher_is_better'
  | 'interaction_id'
  | 'customer_key'
  | 'agent_id'
  | 'team'
  | 'responded_at'
  | 'updated_at'
  | 'comment'
  | 'resolved'
>;
/** The social columns the rules read. */
export type AlertMention = Pick<
  SocialMention,
  | 'source'
  | 'mention_id'
  | 'posted_at'
  | 'author_key'
  | 'text'
  | 'sentiment_label'
  | 'sentiment_score'
  | 'is_brand_reply'
>;
/** The contact columns repeat contacts and follow-ups read. */
export type AlertContact = Pick<
  Interaction,
  'source' | 'interaction_id' | 'customer_key' | 'agent_id' | 'team' | 'direction' | 'created_at' | 'category'
>;

export interface AlertRows {
  readonly surveys: readonly AlertSurvey[];
  readonly mentions: readonly AlertMention[];
  readonly contacts: readonly AlertContact[];
}

export const NO_ROWS: AlertRows = { surveys: [], mentions: [], contacts: [] };

export interface Alert {
  /** Deterministic: the rule, the customer and the de-duplication window, hashed. */
  readonly alert_id: string;
  readonly rule: string;
  readonly kind: AlertRuleKind;
  readonly source: string;
  /**
   * The record to open in the source's own tool: the surveyed ticket or contact (else the survey
   * response), the post, or the contact that made the repeat.
   */
  readonly source_ref: string;
  readonly team: string | null;
  readonly agent_id: string | null;
  /** The answer, the sentiment score, or the number of contacts in the window (repeat contacts). */
  readonly score: number | null;
  /** The verbatim or the post, with e-mail addresses and phone numbers masked. */
  readonly comment: string | null;
  /** When the bad experience was recorded: the answer, the post, or the repeat contact. */
  readonly alert_at: Date;
  /** Pseudonymised (HMAC) customer: an alert never carries a raw identifier. */
  readonly customer_key: string;
}

export interface FollowedAlert extends Alert {
  /** The first later contact that closed the loop; null while the alert is open. */
  readonly followed_up_at: Date | null;
  /** Seconds from the alert to that contact; null while open (unknown, never zero). */
  readonly follow_up_s: number | null;
}

/** An alert as JSON-ready values (times as ISO-8601): the detail of its event and a line of the alert log. */
export function alertJson(alert: Alert) {
  return {
    alert_id: alert.alert_id,
    alert_at: alert.alert_at.toISOString(),
    rule: alert.rule,
    kind: alert.kind,
    source: alert.source,
    source_ref: alert.source_ref,
    team: alert.team,
    agent_id: alert.agent_id,
    score: alert.score,
    comment: alert.comment,
    customer_key: alert.customer_key,
  };
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const ALERT_ID_HEX_CHARS = 32;

/**
 * A row that matched a rule, before de-duplication, with the row's own key (the answer, post or
 * contact id): several rows can share a time and a source_ref (each question of one survey names
 * the surveyed contact), and the key decides between them whatever order the rows came in.
 */
type Trigger = Omit<Alert, 'alert_id'> & { readonly record: string };

/**
 * The alerts the `current` rows raise, oldest first. `history` holds earlier contacts that only
 * count towards repeat contacts (the deployed normaliser passes the days before the object it
 * curated); rows of `current` are the only ones that can raise an alert. At most one alert per
 * rule, customer and window: the earliest trigger in the window.
 */
export function evaluateAlerts(
  rules: readonly AlertRule[],
  current: AlertRows,
  history: readonly AlertContact[] = [],
): Alert[] {
  const kept = new Map<string, Trigger>();
  for (const rule of rules) {
    const windowMs = (rule.dedupHours ?? ALERT_DEFAULTS.dedupHours) * HOUR_MS;
    for (const trigger of triggersOf(rule, current, history)) {
      const window = Math.floor(trigger.alert_at.getTime() / windowMs);
      const alert_id = alertId(rule.name, trigger.customer_key, window);
      const first = kept.get(alert_id);
      if (first === undefined || earlier(trigger, first)) kept.set(alert_id, trigger);
    }
  }
  return [...kept.entries()]
    .sort(([idA, a], [idB, b]) => (earlier(a, b) ? -1 : earlier(b, a) ? 1 : idA < idB ? -1 : idA > idB ? 1 : 0))
    .map(([alert_id, { record: _, ...trigger }]) => ({ alert_id, ...trigger }));
}

/** The tables whose rows can raise the rules' alerts (contacts only for repeat contacts, and so on). */
export function tablesRead(rules: readonly AlertRule[]): Set<TableName> {
  const tables = new Set<TableName>();
  for (const rule of rules) {
    if (rule.kind === 'repeat_contacts') tables.add('interactions');
    else if (rule.kind === 'negative_social') tables.add('social_mentions');
    else tables.add('survey_responses');
  }
  return tables;
}

export function alertId(rule: string, customerKey: string, window: number): string {
  return createHash('sha256').update(`${rule}\n${customerKey}\n${window}`).digest('hex').slice(0, ALERT_ID_HEX_CHARS);
}

/** Whether `a` comes first: by time, then rule, source, source_ref and the row's key. */
function earlier(a: Trigger, b: Trigger): boolean {
  const dt = a.alert_at.getTime() - b.alert_at.getTime();
  if (dt !== 0) return dt < 0;
  return (
    `${a.rule}\n${a.source}\n${a.source_ref}\n${a.record}` < `${b.rule}\n${b.source}\n${b.source_ref}\n${b.record}`
  );
}

function inScope(rule: AlertRule, source: string, team: string | null): boolean {
  if (rule.sources !== undefined && !rule.sources.includes(source)) return false;
  return rule.teams === undefined || (team !== null && rule.teams.includes(team));
}

function triggersOf(rule: AlertRule, current: AlertRows, history: readonly AlertContact[]): Trigger[] {
  switch (rule.kind) {
    case 'nps_detractor': {
      const max = rule.maxScore ?? ALERT_DEFAULTS.npsDetractorMax;
      return surveyTriggers(
        rule,
        current.surveys,
        (s) => s.survey_kind === 'nps' && s.score !== null && s.score <= max,
      );
    }
    case 'csat_bottom_box': {
      const boxes = rule.boxes ?? ALERT_DEFAULTS.csatBottomBoxes;
      return surveyTriggers(rule, current.surveys, (s) => s.survey_kind === 'csat' && inBottomBox(s, boxes));
    }
    case 'unresolved':
      return surveyTriggers(rule, current.surveys, (s) => s.resolved === false);
    case 'negative_social':
      return current.mentions.flatMap((m) =>
        m.author_key !== null && !m.is_brand_reply && isNegative(m, rule.maxScore) && inScope(rule, m.source, null)
          ? [
              {
                rule: rule.name,
                kind: rule.kind,
                source: m.source,
                source_ref: m.mention_id,
                record: m.mention_id,
                team: null,
                agent_id: null,
                score: m.sentiment_score,
                comment: masked(m.text),
                alert_at: m.posted_at,
                customer_key: m.author_key,
              },
            ]
          : [],
      );
    case 'repeat_contacts':
      return repeatTriggers(rule, current.contacts, history);
  }
}

/**
 * The bottom `boxes` answers of the survey's own scale: 1 on a 1–5 scale, 0 (bad) on a good/bad
 * rating, 1 and 2 with two boxes; on a scale where lower is better, the top answers.
 */
function inBottomBox(survey: AlertSurvey, boxes: number): boolean {
  if (survey.score === null) return false;
  const fromBad = survey.higher_is_better ? survey.score - survey.scale_min : survey.scale_max - survey.score;
  return fromBad < boxes;
}

/** Negative by the analyser's label, or by a score at or below the rule's threshold when it sets one. */
function isNegative(mention: AlertMention, maxScore: number | undefined): boolean {
  if (maxScore === undefined) return mention.sentiment_label === 'negative';
  return mention.sentiment_score !== null && mention.sentiment_score <= maxScore;
}

function surveyTriggers(
  rule: AlertRule,
  surveys: readonly AlertSurvey[],
  fires: (survey: AlertSurvey) => boolean,
): Trigger[] {
  return surveys.flatMap((s) =>
    s.customer_key !== null && fires(s) && inScope(rule, s.source, s.team)
      ? [
          {
            rule: rule.name,
            kind: rule.kind,
            source: s.source,
            source_ref: s.interaction_id ?? s.response_id,
            record: s.response_id,
            team: s.team,
            agent_id: s.agent_id,
            score: s.score,
            comment: masked(s.comment),
            alert_at: s.responded_at ?? s.updated_at,
            customer_key: s.customer_key,
          },
        ]
      : [],
  );
}

/**
 * An inbound contact of `current` that is the customer's `contacts`-th (or later) inbound contact
 * within the `days` before it (itself included), counting contacts of `current` and `history`.
 */
function repeatTriggers(
  rule: AlertRule,
  current: readonly AlertContact[],
  history: readonly AlertContact[],
): Trigger[] {
  const needed = rule.contacts ?? ALERT_DEFAULTS.repeatContacts;
  const spanMs = (rule.days ?? ALERT_DEFAULTS.repeatDays) * DAY_MS;
  const counted = (c: AlertContact): c is AlertContact & { customer_key: string } =>
    c.direction === 'inbound' && c.customer_key !== null && inScope(rule, c.source, c.team);
  const byCustomer = new Map<string, number[]>();
  const seen = new Set<string>();
  for (const contact of [...history, ...current]) {
    const id = `${contact.source}\n${contact.interaction_id}`;
    if (!counted(contact) || seen.has(id)) continue;
    seen.add(id);
    const times = byCustomer.get(contact.customer_key) ?? [];
    times.push(contact.created_at.getTime());
    byCustomer.set(contact.customer_key, times);
  }
  return current.filter(counted).flatMap((c) => {
    const at = c.created_at.getTime();
    const inWindow = (byCustomer.get(c.customer_key) ?? []).filter((t) => t <= at && t > at - spanMs).length;
    return inWindow >= needed
      ? [
          {
            rule: rule.name,
            kind: rule.kind,
            source: c.source,
            source_ref: c.interaction_id,
            record: c.interaction_id,
            team: c.team,
            agent_id: c.agent_id,
            score: inWindow,
            comment: null,
            alert_at: c.created_at,
            customer_key: c.customer_key,
          },
        ]
      : [];
  });
}

/**
 * Each alert with its follow-up: the first contact of the same customer strictly after the alert
 * that an agent handled (when the rule's followUp.agentContact) or whose category is the rule's
 * followUp.tag.
 */
export function followUps(
  alerts: readonly Alert[],
  rules: readonly AlertRule[],
  contacts: readonly AlertContact[],
): FollowedAlert[] {
  const byCustomer = new Map<string, AlertContact[]>();
  for (const contact of contacts) {
    if (contact.customer_key === null) continue;
    const list = byCustomer.get(contact.customer_key) ?? [];
    list.push(contact);
    byCustomer.set(contact.customer_key, list);
  }
  for (const list of byCustomer.values()) list.sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
  const ruleByName = new Map(rules.map((r) => [r.name, r]));
  return alerts.map((alert) => {
    const followUp = ruleByName.get(alert.rule)?.followUp ?? { agentContact: true };
    const closing = (byCustomer.get(alert.customer_key) ?? []).find(
      (c) =>
        c.created_at.getTime() > alert.alert_at.getTime() &&
        ((followUp.agentContact && c.agent_id !== null) || (followUp.tag !== undefined && c.category === followUp.tag)),
    );
    return closing === undefined
      ? { ...alert, followed_up_at: null, follow_up_s: null }
      : {
          ...alert,
          followed_up_at: closing.created_at,
          follow_up_s: (closing.created_at.getTime() - alert.alert_at.getTime()) / 1000,
        };
  });
}

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
/** Seven or more digits, with the spaces, dots, dashes and brackets phone numbers are written with. */
const PHONE = /\+?\d[\d\s().-]{5,}\d/g;

/**
 * Free text with e-mail addresses and phone numbers masked: customers write them into verbatims
 * and posts, and an alert travels to chat channels where the pseudonymisation must hold.
 */
export function masked(text: string | null): string | null {
  if (text === null) return null;
  return text.replace(EMAIL, '[e-mail]').replace(PHONE, (match) => (digitsIn(match) >= 7 ? '[phone]' : match));
}

function digitsIn(text: string): number {
  return text.replace(/\D/g, '').length;
}
