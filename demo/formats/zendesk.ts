/**
 * Zendesk Support exports: monthly pages of the incremental ticket export with side-loaded
 * metric_sets (a ticket that changed in a later month comes again in that month's page, as the
 * incremental API resends it), the legacy good/bad satisfaction ratings (offered, answered or not)
 * until the account moved to the numeric CSAT survey halfway through the window, and from then the
 * CSAT survey responses (1-5).
 */
import { DAY_MS, iso, isoMillis, monthIndex, monthKey, nextMonthStart } from '../calendar.ts';
import type { Random } from '../random.ts';
import { after, type Contact, type ContactMonth, onScale, type World } from '../world.ts';
import { commentFor } from './comments.ts';
import { BodyWriter, type DemoFile, MonthBuckets, type PlantedReject, pages, textBody } from './files.ts';
import { type Lifecycle, lifecycle, minutesBetween } from './lifecycle.ts';

export const ZENDESK_SOURCE = 'demo-zendesk';
const SUBDOMAIN = 'https://example.zendesk.com/api/v2';
/** The incremental export returns at most 1000 tickets a page. */
const TICKETS_PER_PAGE = 1000;
const RATINGS_PER_PAGE = 100;
/**
 * Bytes of a ticket and its metric set in a page, a little above their mean (2,300 at scale 10): a
 * page's body is sized from it, so that it seldom grows while it is written.
 */
const VERSION_BYTES = 2400;
/** Zendesk closes a solved ticket after four days without activity. */
const CLOSE_AFTER_MS = 4 * DAY_MS;
const FIRST_TICKET_ID = 48_210;
const CSAT_QUESTION = '01J1WBE8QR0YQVE373K2JDJR0F';
const COMMENT_QUESTION = '01J1WBNS76ZC4TTFWP9RCNQ1S8';
export const ZENDESK_ESCALATION_TAG = 'escalated';

interface Rating {
  readonly id: number;
  readonly offeredAt: Date;
  /** Null when the customer never answered. */
  readonly answeredAt: Date | null;
  readonly good: boolean;
  readonly comment: string | null;
}

interface Ticket {
  readonly id: number;
  readonly contact: Contact;
  readonly life: Lifecycle;
  readonly via: 'email' | 'web';
  readonly legacy: boolean;
  readonly rating: Rating | null;
  readonly unoffered: boolean;
}

/** The month the account switched from good/bad ratings to the numeric CSAT survey. */
export function csatMigrationMonth(world: World): number {
  return Math.floor(world.options.months / 2);
}

/** The ticket id of the world's n-th e-mail contact (from 0), in contact order (QA reviews refer to it). */
export function zendeskTicketId(ordinal: number): number {
  return FIRST_TICKET_ID + ordinal;
}

/**
 * A ticket as one version of it is exported, held until its month's page, its JSON text written
 * only then (see `ticketText`). Held as text, a month's versions were 28 MB of strings at scale 10,
 * kept while every other format read the month and copied by each young collection they survived;
 * the ticket they are written from is a few hundred bytes, and is alive for its month anyway.
 */
interface TicketVersion {
  readonly at: Date;
  readonly id: number;
  ticket(): string;
  metrics(): string;
}

/**
 * Month by month: a month's pages are written once its contacts are read, since a ticket changes
 * (and a rating is given) only after it was created.
 */
export function* zendeskFiles(world: World, months: Iterable<ContactMonth>): Generator<DemoFile> {
  const random = world.random.fork('zendesk');
  const horizon = new Date(world.window.end.getTime() - 1000);
  const migration = csatMigrationMonth(world);
  const versions = new MonthBuckets<TicketVersion>();
  const ratings = new MonthBuckets<{ at: Date; json: unknown }>();
  const responses = new MonthBuckets<{ at: Date; json: Record<string, unknown> }>();
  let ordinal = 0;
  let ratingId = 36_100_000_000;
  let deletedId = 9_900_001;
  const addVersion = (t: Ticket, asOf: Date) => {
    const at = lastEvent(t, asOf);
    versions.add(monthKey(at), {
      at,
      id: t.id,
      ticket: () => ticketText(t, asOf, at),
      metrics: () => metricSetText(t, asOf, at),
    });
  };
  for (const { index, month, contacts } of months) {
    for (const contact of contacts) {
      if (contact.channel !== 'zendesk') continue;
      const life = lifecycle(random, contact, horizon);
      const offered = life.solvedAt !== null && random.chance(0.88);
      let rating: Rating | null = null;
      if (offered && life.solvedAt) {
        const offeredAt = after(life.solvedAt, random.int(1800, 7200));
        const answeredAt = random.chance(0.32) ? after(offeredAt, random.lognormal(5 * 3600, 1)) : null;
        const latent = contact.satisfaction + random.normal(0, 0.07);
        rating = {
          id: ratingId++,
          offeredAt,
          answeredAt: answeredAt !== null && answeredAt <= horizon ? answeredAt : null,
          good: latent >= 0.58,
          comment: commentFor(random, latent, 0.4),
        };
      }
      const t: Ticket = {
        id: zendeskTicketId(ordinal++),
        contact,
        life,
        via: random.chance(0.7) ? 'email' : 'web',
        legacy: monthIndex(world.window, contact.createdAt) < migration,
        rating: rating !== null && rating.offeredAt <= horizon ? rating : null,
        unoffered: !offered,
      };
      const final = lastEvent(t, horizon);
      const monthEnd = new Date(nextMonthStart(contact.createdAt).getTime() - 1000);
      // The incremental export resends a ticket each time it changes: the version the creation
      // month's export saw is superseded by the later one (newest updated_at wins).
      if (final > monthEnd) addVersion(t, monthEnd);
      addVersion(t, horizon);
      if (t.rating) {
        const at = t.rating.answeredAt ?? t.rating.offeredAt;
        if (t.legacy) ratings.add(monthKey(at), { at, json: ratingJson(t, t.rating) });
        else responses.add(monthKey(at), { at, json: surveyResponseJson(random, t, t.rating) });
      }
    }
    const entries = versions.take(month);
    // Deleted tickets stay in the incremental export with status "deleted".
    const sample = entries[0];
    if (index % 3 === 1 && sample) {
      const ticket = JSON.parse(sample.ticket()) as Record<string, unknown>;
      const metrics = JSON.parse(sample.metrics()) as Record<string, unknown>;
      const deletedTicket = pageEntry({
        ...ticket,
        id: deletedId,
        status: 'deleted',
        url: `${SUBDOMAIN}/tickets/${deletedId}.json`,
      });
      const deletedMetrics = pageEntry({ ...metrics, ticket_id: deletedId });
      entries.push({ at: sample.at, id: deletedId, ticket: () => deletedTicket, metrics: () => deletedMetrics });
      deletedId++;
    }
    yield* ticketPages(random, month, index, entries, horizon);
    yield* ratingPages(month, ratings.take(month), horizon);
    yield* surveyPages(world, random, month, responses.take(month), horizon);
  }
}

/** The latest of the ticket's events up to `asOf`: its creation, reply, reopening, solving, closing or rating. */
function lastEvent(t: Ticket, asOf: Date): Date {
  const limit = asOf.getTime();
  let last = t.contact.createdAt.getTime();
  const consider = (at: number | undefined) => {
    if (at !== undefined && at <= limit && at > last) last = at;
  };
  consider(t.life.firstReplyAt?.getTime());
  consider(t.life.reopenedAt?.getTime());
  const solved = t.life.solvedAt?.getTime();
  consider(solved);
  consider(solved === undefined ? undefined : solved + CLOSE_AFTER_MS);
  if (t.legacy && t.rating) {
    consider(t.rating.offeredAt.getTime());
    consider(t.rating.answeredAt?.getTime());
  }
  return new Date(last);
}

const upTo = (at: Date | null, asOf: Date) => (at !== null && at <= asOf ? at : null);

function statusAt(t: Ticket, asOf: Date): string {
  const solved = upTo(t.life.solvedAt, asOf);
  if (solved) return solved.getTime() + CLOSE_AFTER_MS <= asOf.getTime() ? 'closed' : 'solved';
  if (upTo(t.life.firstReplyAt, asOf)) return t.id % 3 === 0 ? 'open' : 'pending';
  return t.id % 5 === 0 ? 'new' : 'open';
}

const json = JSON.stringify;

/**
 * `value` as JSON.stringify(…, null, 1) writes it where its first line starts `depth` spaces in: a
 * nested line is indented by its depth within `value` plus `depth` (no string holds a raw newline
 * in JSON, so every newline is the layout's).
 */
function indented(value: unknown, depth: number): string {
  return json(value, null, 1).replaceAll('\n', `\n${' '.repeat(depth)}`);
}

/** A ticket or metric set as a page's array holds it, from its object (a planted or deleted copy). */
const pageEntry = (value: unknown) => indented(value, 2);

/**
 * The page's text of the parts of a ticket that are the same for many tickets, made once: a page is
 * written field by field (see `ticketText`) and these parts are shared by every ticket that holds
 * them.
 */
const VIA_TEXT = {
  email: indented({ channel: 'email', source: { from: {}, to: {}, rel: null } }, 3),
  web: indented({ channel: 'web', source: { from: {}, to: {}, rel: null } }, 3),
} as const;
const subjects = new Map<string, string>();
const teamTags = new Map<string, string>();

/** The subject of a category's tickets as JSON text. */
function subjectOf(category: string): string {
  let subject = subjects.get(category);
  if (subject === undefined) {
    subject = json(`${category.replace(/_/g, ' ')} enquiry`);
    subjects.set(category, subject);
  }
  return subject;
}

/** The tags of a category and team, as JSON text of the array's items (without the escalation tag). */
function tagsOf(category: string, team: string): string {
  const key = `${category}\u0000${team}`;
  let tags = teamTags.get(key);
  if (tags === undefined) {
    tags = `${json(`topic_${category}`)},\n    ${json(team.toLowerCase().replace(/ /g, '_'))}`;
    teamTags.set(key, tags);
  }
  return tags;
}

const ESCALATION_TAG = `,\n    ${json(ZENDESK_ESCALATION_TAG)}`;

function satisfactionOf(t: Ticket, asOf: Date): Record<string, unknown> | null {
  if (!t.legacy) return null;
  if (t.unoffered) return { score: 'unoffered' };
  if (!t.rating || t.rating.offeredAt > asOf) return null;
  return t.rating.answeredAt && t.rating.answeredAt <= asOf
    ? {
        id: t.rating.id,
        score: t.rating.good ? 'good' : 'bad',
        comment: t.rating.comment,
        ...(t.rating.good ? {} : { reason: 'Some other reason', reason_id: 100 }),
      }
    : { score: 'offered' };
}

/**
 * A ticket as the page's JSON text holds it (JSON.stringify(page, null, 1) of the ticket object),
 * written field by field: several times faster than JSON.stringify with an indent.
 */
function ticketText(t: Ticket, asOf: Date, updatedAt: Date): string {
  const c = t.contact;
  const satisfaction = satisfactionOf(t, asOf);
  return `{
   "url": "${SUBDOMAIN}/tickets/${t.id}.json",
   "id": ${t.id},
   "external_id": null,
   "via": ${VIA_TEXT[t.via]},
   "created_at": "${iso(c.createdAt)}",
   "updated_at": "${iso(updatedAt)}",
   "generated_timestamp": ${Math.floor(updatedAt.getTime() / 1000)},
   "type": "${c.followUp ? 'incident' : 'question'}",
   "subject": ${subjectOf(c.category)},
   "priority": "${t.life.priority}",
   "status": "${statusAt(t, asOf)}",
   "recipient": "support@example.com",
   "requester_id": ${c.customer.zendeskId},
   "submitter_id": ${c.customer.zendeskId},
   "assignee_id": ${c.agent.zendeskId},
   "organization_id": null,
   "group_id": ${c.team.zendeskGroupId},
   "collaborator_ids": [],
   "follower_ids": [],
   "problem_id": null,
   "has_incidents": false,
   "is_public": true,
   "due_at": null,
   "tags": [
    ${tagsOf(c.category, c.team.name)}${t.life.escalated ? ESCALATION_TAG : ''}
   ],
   "custom_fields": [],
   "satisfaction_rating": ${satisfaction === null ? 'null' : indented(satisfaction, 3)},
   "sharing_agreement_ids": [],
   "followup_ids": [],
   "ticket_form_id": 360000071334,
   "brand_id": 360000022871,
   "allow_channelback": false,
   "allow_attachments": true,
   "from_messaging_channel": false
  }`;
}

const NO_MINUTES = `{
    "calendar": null,
    "business": null
   }`;

/** A `*_in_minutes` object of a metric set as the page's JSON text holds it. */
function minutesText(from: Date, to: Date | null): string {
  if (to === null) return NO_MINUTES;
  const calendar = minutesBetween(from, to);
  return `{
    "calendar": ${calendar},
    "business": ${Math.round(calendar * 0.45)}
   }`;
}

/** A ticket's metric set as the page's JSON text holds it (see `ticketText`). */
function metricSetText(t: Ticket, asOf: Date, updatedAt: Date): string {
  const c = t.contact;
  const reply = upTo(t.life.firstReplyAt, asOf);
  const solved = upTo(t.life.solvedAt, asOf);
  const created = iso(c.createdAt);
  const updated = iso(updatedAt);
  const assigned = iso(after(c.createdAt, 60));
  const stations = t.life.handedOver ? 2 : 1;
  const resolution = minutesText(c.createdAt, solved);
  return `{
   "url": "${SUBDOMAIN}/ticket_metrics/${t.id + 9_000_000}.json",
   "id": ${t.id + 9_000_000},
   "ticket_id": ${t.id},
   "created_at": "${created}",
   "updated_at": "${updated}",
   "group_stations": ${stations},
   "assignee_stations": ${stations},
   "reopens": ${upTo(t.life.reopenedAt, asOf) ? t.life.reopens : 0},
   "replies": ${reply ? t.life.replies : 0},
   "assignee_updated_at": ${reply ? `"${iso(reply)}"` : 'null'},
   "requester_updated_at": "${created}",
   "status_updated_at": "${updated}",
   "initially_assigned_at": "${assigned}",
   "assigned_at": "${assigned}",
   "solved_at": ${solved ? `"${iso(solved)}"` : 'null'},
   "latest_comment_added_at": "${reply ? iso(reply) : created}",
   "reply_time_in_minutes": ${minutesText(c.createdAt, reply)},
   "first_resolution_time_in_minutes": ${resolution},
   "full_resolution_time_in_minutes": ${resolution},
   "agent_wait_time_in_minutes": ${NO_MINUTES},
   "requester_wait_time_in_minutes": ${resolution},
   "on_hold_time_in_minutes": {
    "calendar": 0,
    "business": 0
   }
  }`;
}

function* ticketPages(
  random: Random,
  month: string,
  monthIndexInWindow: number,
  versions: TicketVersion[],
  horizon: Date,
): Generator<DemoFile> {
  const entries = versions.sort((a, b) => a.at.getTime() - b.at.getTime());
  const chunks = pages(entries, TICKETS_PER_PAGE);
  for (const [p, chunk] of chunks.entries()) {
    const planted: PlantedReject[] = [];
    /** Corrupted copies, after the page's own tickets and metric sets. */
    const plantedTickets: string[] = [];
    const plantedMetrics: string[] = [];
    if (p === 0 && monthIndexInWindow % 2 === 0)
      plantTickets(random, chunk, plantedTickets, plantedMetrics, planted, monthIndexInWindow);
    const last = chunk[chunk.length - 1];
    const cursor = Buffer.from(`${Math.floor((last?.at.getTime() ?? 0) / 1000)}.0||${p}`).toString('base64');
    const afterUrl = `${SUBDOMAIN}/incremental/tickets/cursor.json?cursor=${cursor}&include=metric_sets`;
    // JSON.stringify(page, null, 1) of { tickets, metric_sets, after_url, after_cursor, before_url,
    // before_cursor, end_of_stream } and a newline, from the entries' text.
    const body = new BodyWriter(chunk.length * VERSION_BYTES);
    const list = (texts: Iterable<string>) => {
      let first = true;
      for (const text of texts) {
        if (!first) body.write(',\n  ');
        body.write(text);
        first = false;
      }
    };
    body.write('{\n "tickets": [\n  ');
    list(entryTexts(chunk, (e) => e.ticket(), plantedTickets));
    body.write('\n ],\n "metric_sets": [\n  ');
    list(entryTexts(chunk, (e) => e.metrics(), plantedMetrics));
    body.write(`
 ],
 "after_url": ${json(afterUrl)},
 "after_cursor": ${json(cursor)},
 "before_url": null,
 "before_cursor": null,
 "end_of_stream": ${p === chunks.length - 1}
}\n`);
    yield {
      source: ZENDESK_SOURCE,
      key: `incremental-tickets/${month}/page-${String(p + 1).padStart(3, '0')}.json`,
      body: body.bytes(),
      deliveredAt: deliveryTime(month, horizon),
      planted,
    };
  }
}

/** The texts of a page's entries, each written only when it is taken, then `extra`. */
function* entryTexts(
  chunk: readonly TicketVersion[],
  text: (entry: TicketVersion) => string,
  extra: readonly string[],
): Generator<string> {
  for (const entry of chunk) yield text(entry);
  yield* extra;
}

/** A monthly export runs in the last minute of its month (or at the end of the data). */
function deliveryTime(month: string, horizon: Date): Date {
  const end = new Date(nextMonthStart(new Date(`${month}-01T00:00:00Z`)).getTime() - 60_000);
  return end < horizon ? end : horizon;
}

/** Three corrupted copies of a ticket of the page (`chunk`), appended to its tickets and metric sets. */
function plantTickets(
  random: Random,
  chunk: readonly TicketVersion[],
  tickets: string[],
  metrics: string[],
  planted: PlantedReject[],
  seed: number,
): void {
  const picked = random.pick(chunk);
  const base = JSON.parse(picked.ticket()) as Record<string, unknown>;
  const baseMetrics = JSON.parse(chunk.find((e) => e.id === picked.id)?.metrics() ?? 'null') as Record<string, unknown>;
  const id = 9_800_000 + seed * 10;
  const created = String(base.created_at);
  tickets.push(pageEntry({ ...base, id, created_at: created.replace('T', ' ').replace('Z', '') }));
  planted.push({ problem: 'created_at without a time zone offset' });
  tickets.push(pageEntry({ ...base, id: id + 1, status: 'archived' }));
  planted.push({ problem: 'unknown status "archived"' });
  tickets.push(pageEntry({ ...base, id: id + 2 }));
  metrics.push(
    pageEntry({ ...baseMetrics, ticket_id: id + 2, reply_time_in_minutes: { calendar: -12, business: -12 } }),
  );
  planted.push({ problem: 'negative reply_time_in_minutes.calendar' });
}

function ratingJson(t: Ticket, r: Rating) {
  const c = t.contact;
  return {
    url: `${SUBDOMAIN}/satisfaction_ratings/${r.id}.json`,
    id: r.id,
    assignee_id: c.agent.zendeskId,
    group_id: c.team.zendeskGroupId,
    requester_id: c.customer.zendeskId,
    ticket_id: t.id,
    score: r.answeredAt ? (r.good ? 'good' : 'bad') : 'offered',
    created_at: iso(r.offeredAt),
    updated_at: iso(r.answeredAt ?? r.offeredAt),
    comment: r.answeredAt ? r.comment : null,
    ...(r.answeredAt && !r.good ? { reason: 'The issue took too long to resolve', reason_id: 5 } : {}),
  };
}

function* ratingPages(month: string, list: { at: Date; json: unknown }[], horizon: Date): Generator<DemoFile> {
  list.sort((a, b) => a.at.getTime() - b.at.getTime());
  const chunks = pages(list, RATINGS_PER_PAGE);
  for (const [p, chunk] of chunks.entries()) {
    const document = {
      satisfaction_ratings: chunk.map((e) => e.json),
      next_page: p < chunks.length - 1 ? `${SUBDOMAIN}/satisfaction_ratings.json?page=${p + 2}` : null,
      previous_page: p > 0 ? `${SUBDOMAIN}/satisfaction_ratings.json?page=${p}` : null,
      count: list.length,
    };
    yield {
      source: ZENDESK_SOURCE,
      key: `satisfaction-ratings/${month}/page-${String(p + 1).padStart(3, '0')}.json`,
      body: textBody(JSON.stringify(document, null, 1)),
      deliveredAt: deliveryTime(month, horizon),
      planted: [],
    };
  }
}

/** A CSAT survey response; an unanswered one carries no time of its own, it is dated by the export that saw it. */
function surveyResponseJson(random: Random, t: Ticket, r: Rating): Record<string, unknown> {
  const rating = onScale(t.contact.satisfaction + random.normal(0, 0.08), 1, 5);
  const answers: unknown[] = r.answeredAt
    ? [
        {
          created_at: isoMillis(r.answeredAt),
          question: { id: CSAT_QUESTION, sub_type: 'customer_satisfaction', type: 'rating_scale_numeric' },
          rating,
          rating_category: rating >= 4 ? 'good' : rating <= 2 ? 'bad' : 'neutral',
          type: 'rating_scale',
          updated_at: isoMillis(r.answeredAt),
        },
        ...(r.comment
          ? [
              {
                created_at: isoMillis(after(r.answeredAt, 30)),
                question: { id: COMMENT_QUESTION, type: 'open_ended' },
                type: 'open_ended',
                updated_at: isoMillis(after(r.answeredAt, 30)),
                value: r.comment,
              },
            ]
          : []),
      ]
    : [
        {
          created_at: isoMillis(r.offeredAt),
          question: { id: CSAT_QUESTION, sub_type: 'customer_satisfaction', type: 'rating_scale_numeric' },
          type: 'skipped',
          updated_at: isoMillis(r.offeredAt),
        },
      ];
  return {
    answers,
    expires_at: isoMillis(new Date(r.offeredAt.getTime() + 7 * DAY_MS)),
    id: `01J${random.hex(23).toUpperCase()}`,
    responder_id: t.contact.customer.zendeskId,
    subject_zrns: [`zen:ticket:${t.id}`],
    subjects: [{ id: String(t.id), type: 'ticket', zrn: `zen:ticket:${t.id}` }],
    survey: { id: '01J58KJ9RAE0D2EK7HRVM7Z8F2', state: 'enabled', version: 3 },
  };
}

function* surveyPages(
  world: World,
  random: Random,
  month: string,
  list: { at: Date; json: Record<string, unknown> }[],
  horizon: Date,
): Generator<DemoFile> {
  if (list.length === 0) return;
  list.sort((a, b) => a.at.getTime() - b.at.getTime());
  const planted: PlantedReject[] = [];
  const responses: unknown[] = list.map((e) => e.json);
  const sample = list.find((e) => (e.json.answers as { type: string }[])[0]?.type === 'rating_scale');
  if (sample && world.window.months.indexOf(month) % 2 === 1) {
    const answers = structuredClone(sample.json.answers) as Record<string, unknown>[];
    (answers[0] as Record<string, unknown>).rating = 7;
    responses.push({ ...sample.json, id: `01J${random.hex(23).toUpperCase()}`, answers });
    planted.push({ problem: 'CSAT rating 7 on the 1-5 survey' });
  }
  const document = {
    meta: { after_cursor: null, before_cursor: null, has_more: false },
    survey_responses: responses,
  };
  yield {
    source: ZENDESK_SOURCE,
    key: `csat-survey-responses/${month}/page-001.json`,
    body: textBody(JSON.stringify(document, null, 1)),
    deliveredAt: deliveryTime(month, horizon),
    planted,
  };
}
