/**
 * The regional Freshdesk help desk (Irish customers): a monthly JSON Lines dump of tickets fetched
 * with include=stats (a ticket changed in a later month is dumped again then), with SLA due dates
 * from the help desk's policy, and a monthly JSON array of satisfaction ratings on the 7-point
 * survey. Status, priority, source and answers are Freshdesk's numeric codes.
 */
import { DAY_MS, HOUR_MS, iso, monthKey, nextMonthStart } from '../calendar.ts';
import { after, type Contact, type ContactMonth, type World } from '../world.ts';
import { commentFor } from './comments.ts';
import { type DemoFile, jsonLinesBody, MonthBuckets, type PlantedReject, textBody } from './files.ts';
import { type Lifecycle, lifecycle, type Priority } from './lifecycle.ts';

export const FRESHDESK_SOURCE = 'demo-freshdesk';
const PRIORITY_CODES: Readonly<Record<Priority, number>> = { low: 1, normal: 2, high: 3, urgent: 4 };
/** The help desk's SLA policy: first response and resolution due, by priority. */
const SLA_HOURS: Readonly<Record<Priority, { firstResponse: number; resolution: number }>> = {
  urgent: { firstResponse: 1, resolution: 4 },
  high: { firstResponse: 4, resolution: 24 },
  normal: { firstResponse: 8, resolution: 48 },
  low: { firstResponse: 24, resolution: 72 },
};
/** Freshdesk closes resolved tickets after 48 hours by the default automation. */
const CLOSE_AFTER_MS = 2 * DAY_MS;
/** The new 7-point survey's answer codes, worst to best. */
const RATING_CODES = [-103, -102, -101, 100, 101, 102, 103];

interface FreshTicket {
  readonly id: number;
  readonly contact: Contact;
  readonly life: Lifecycle;
  readonly source: number;
}

/** Month by month: a ticket changes (and is rated) only after it was created, so a month is complete once its contacts are read. */
export function* freshdeskFiles(world: World, months: Iterable<ContactMonth>): Generator<DemoFile> {
  const random = world.random.fork('freshdesk');
  const horizon = new Date(world.window.end.getTime() - 1000);
  const byMonth = new MonthBuckets<{ at: Date; json: Record<string, unknown> }>();
  const ratings = new MonthBuckets<{ at: Date; json: Record<string, unknown> }>();
  const add = (t: FreshTicket, asOf: Date, json = ticketJson(t, asOf)) => {
    const at = new Date(String(json.updated_at));
    byMonth.add(monthKey(at), { at, json });
  };
  let ticketId = 7_301;
  let ratingId = 61_000_101;
  for (const { index, month, contacts } of months) {
    for (const contact of contacts) {
      if (contact.channel !== 'freshdesk') continue;
      const t: FreshTicket = {
        id: ticketId++,
        contact,
        life: lifecycle(random, contact, horizon, 0.8),
        source: random.weighted([
          [1, 60],
          [2, 30],
          [9, 10],
        ]),
      };
      const monthEnd = new Date(nextMonthStart(contact.createdAt).getTime() - 1000);
      const final = ticketJson(t, horizon);
      if (new Date(String(final.updated_at)) > monthEnd) add(t, monthEnd);
      add(t, horizon, final);
      if (!t.life.solvedAt || !random.chance(0.3)) continue;
      const at = after(t.life.solvedAt, random.lognormal(4 * 3600, 0.9));
      if (at > horizon) continue;
      const latent = t.contact.satisfaction + random.normal(0, 0.08);
      const code = RATING_CODES[Math.min(6, Math.max(0, Math.round(latent * 6)))] ?? 100;
      ratings.add(monthKey(at), {
        at,
        json: {
          id: ratingId++,
          survey_id: 1,
          user_id: t.contact.customer.freshdeskId,
          agent_id: t.contact.agent.freshdeskId,
          feedback: commentFor(random, latent),
          group_id: t.contact.team.freshdeskGroupId,
          ticket_id: t.id,
          ratings: { default_question: code },
          created_at: iso(at),
          updated_at: iso(at),
        },
      });
    }
    const deliveredAt = new Date(
      Math.min(nextMonthStart(new Date(`${month}-01T00:00:00Z`)).getTime() - 60_000, horizon.getTime()),
    );
    const list = byMonth.take(month).sort((a, b) => a.at.getTime() - b.at.getTime());
    const lines: string[] = list.map((e) => JSON.stringify(e.json));
    const planted: PlantedReject[] = [];
    const sample = list[0]?.json;
    if (sample && index % 3 === 2) {
      lines.splice(1, 0, JSON.stringify({ ...sample, id: 990_000 + index, status: 6 }));
      planted.push({ problem: 'custom status code 6 that the source does not map' });
      lines.splice(
        3,
        0,
        JSON.stringify({
          ...sample,
          id: 990_100 + index,
          updated_at: String(sample.updated_at).replace('T', ' ').replace('Z', ''),
        }),
      );
      planted.push({ problem: 'updated_at without a time zone offset' });
      const truncated = JSON.stringify({ ...sample, id: 990_200 + index });
      lines.push(truncated.slice(0, Math.floor(truncated.length * 0.6)));
      planted.push({ problem: 'record truncated mid-line (interrupted dump)' });
    }
    if (lines.length > 0) {
      yield {
        source: FRESHDESK_SOURCE,
        key: `tickets/${month}/tickets.jsonl`,
        body: jsonLinesBody(lines),
        deliveredAt,
        planted,
      };
    }
    const monthRatings = ratings
      .take(month)
      .sort((a, b) => a.at.getTime() - b.at.getTime())
      .map((e) => e.json);
    const ratingPlanted: PlantedReject[] = [];
    if (monthRatings[0] && index % 4 === 1) {
      monthRatings.push({ ...monthRatings[0], id: 69_000_000 + index, ratings: { default_question: 104 } });
      ratingPlanted.push({ problem: 'rating code 104 that the survey does not publish' });
    }
    if (monthRatings.length > 0) {
      yield {
        source: FRESHDESK_SOURCE,
        key: `satisfaction-ratings/${month}/ratings.json`,
        body: textBody(JSON.stringify(monthRatings, null, 2)),
        deliveredAt,
        planted: ratingPlanted,
      };
    }
  }
}

function ticketJson(t: FreshTicket, asOf: Date): Record<string, unknown> {
  const c = t.contact;
  const upTo = (at: Date | null) => (at !== null && at <= asOf ? at : null);
  const replied = upTo(t.life.firstReplyAt);
  const resolved = upTo(t.life.solvedAt);
  const closed =
    resolved && resolved.getTime() + CLOSE_AFTER_MS <= asOf.getTime() ? after(resolved, CLOSE_AFTER_MS / 1000) : null;
  const reopened = upTo(t.life.reopenedAt);
  const status = closed ? 5 : resolved ? 4 : replied ? 3 : 2;
  const updated = [c.createdAt, replied, reopened, resolved, closed]
    .filter((d): d is Date => d !== null)
    .reduce((a, b) => (b.getTime() > a.getTime() ? b : a));
  const sla = SLA_HOURS[t.life.priority];
  return {
    cc_emails: [],
    fwd_emails: [],
    reply_cc_emails: [],
    ticket_cc_emails: [],
    fr_escalated: t.life.escalated && t.id % 2 === 0,
    spam: false,
    email_config_id: 60_000_000_001,
    group_id: c.team.freshdeskGroupId,
    priority: PRIORITY_CODES[t.life.priority],
    requester_id: c.customer.freshdeskId,
    responder_id: c.agent.freshdeskId,
    source: t.source,
    company_id: null,
    status,
    subject: `${c.category.replace(/_/g, ' ')} question`,
    association_type: null,
    support_email: 'help@example.ie',
    to_emails: ['help@example.ie'],
    product_id: null,
    id: t.id,
    type: c.category.replace(/_/g, ' ').replace(/^./, (ch) => ch.toUpperCase()),
    due_by: iso(new Date(c.createdAt.getTime() + sla.resolution * HOUR_MS)),
    fr_due_by: iso(new Date(c.createdAt.getTime() + sla.firstResponse * HOUR_MS)),
    is_escalated: t.life.escalated && t.id % 2 === 1,
    custom_fields: { cf_region: 'IE' },
    created_at: iso(c.createdAt),
    updated_at: iso(updated),
    associated_tickets_count: null,
    tags: [],
    internal_agent_id: null,
    internal_group_id: null,
    nr_due_by: null,
    nr_escalated: false,
    stats: {
      agent_responded_at: replied ? iso(replied) : null,
      requester_responded_at: null,
      first_responded_at: replied ? iso(replied) : null,
      status_updated_at: iso(updated),
      reopened_at: reopened ? iso(reopened) : null,
      resolved_at: resolved ? iso(resolved) : null,
      closed_at: closed ? iso(closed) : null,
      pending_since: status === 3 && replied ? iso(replied) : null,
    },
  };
}
