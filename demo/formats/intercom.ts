/**
 * Intercom Messenger conversations: pages of the Search conversations API (150 a page, the API's
 * maximum) by month of last update, with statistics as Unix seconds and the customer's
 * conversation rating when one was given.
 */
import { epochSeconds, monthKey, nextMonthStart } from '../calendar.ts';
import { type Agent, after, type ContactMonth, onScale, type World } from '../world.ts';
import { commentFor } from './comments.ts';
import { type DemoFile, MonthBuckets, type PlantedReject, pages, textBody } from './files.ts';
import { lifecycle } from './lifecycle.ts';

export const INTERCOM_SOURCE = 'demo-intercom';
const PER_PAGE = 150;
/** Chats move in minutes where e-mail moves in hours. */
const CHAT_PACE = 0.05;

/**
 * The parts of a conversation that are the same for many conversations, made once and shared by
 * every conversation that holds them until its month's pages are written. JSON.stringify writes a
 * shared part as it would a copy, and a planted copy replaces top-level fields only.
 */
const NO_TAGS = { type: 'tag.list', tags: [] };
const NO_PARTS = { type: 'conversation_part.list', conversation_parts: [], total_count: 0 };
const NO_ATTACHMENTS: readonly unknown[] = [];
const openingLines = new Map<string, string>();
const teammatesOf = new WeakMap<Agent, { teammate: object; list: object }>();

function openingLine(category: string): string {
  let line = openingLines.get(category);
  if (line === undefined) {
    line = `<p>Hi, I need help with ${category.replace(/_/g, ' ')}</p>`;
    openingLines.set(category, line);
  }
  return line;
}

function teammates(agent: Agent): { teammate: object; list: object } {
  let parts = teammatesOf.get(agent);
  if (!parts) {
    const teammate = { type: 'admin', id: String(agent.intercomId) };
    parts = { teammate, list: { type: 'admin.list', teammates: [teammate] } };
    teammatesOf.set(agent, parts);
  }
  return parts;
}

/**
 * A conversation held until its month's pages, its JSON object made only then: a month's
 * conversations as objects (some twenty each) were kept alive while every other format read the
 * month, and copied by each young collection they survived.
 */
interface Conversation {
  readonly at: Date;
  json(): Record<string, unknown>;
}

/** Month by month: a conversation is updated only after it began, so a month is complete once its contacts are read. */
export function* intercomFiles(world: World, months: Iterable<ContactMonth>): Generator<DemoFile> {
  const random = world.random.fork('intercom');
  const horizon = new Date(world.window.end.getTime() - 1000);
  const byMonth = new MonthBuckets<Conversation>();
  let id = 1_911_149_811;
  for (const { index, month, contacts } of months) {
    for (const contact of contacts) {
      if (contact.channel !== 'intercom') continue;
      const life = lifecycle(random, contact, horizon, CHAT_PACE);
      const c = contact;
      const closedAt = life.solvedAt;
      const rated = closedAt !== null && random.chance(0.38);
      const ratedAt = rated && closedAt ? after(closedAt, random.int(20, 900)) : null;
      const latent = c.satisfaction + random.normal(0, 0.07);
      const updatedAt = [c.createdAt, life.firstReplyAt, closedAt, ratedAt]
        .filter((d): d is Date => d !== null && d <= horizon)
        .reduce((a, b) => (b.getTime() > a.getTime() ? b : a));
      const conversationId = id++;
      const state = closedAt ? 'closed' : life.firstReplyAt ? (conversationId % 4 === 0 ? 'snoozed' : 'open') : 'open';
      const rating =
        ratedAt && ratedAt <= horizon
          ? {
              rating: onScale(latent, 1, 5),
              remark: commentFor(random, latent, 0.3),
              created_at: epochSeconds(ratedAt),
            }
          : null;
      const json = () => {
        const contactRef = { type: 'contact', id: c.customer.intercomId, external_id: c.customer.id };
        return {
          type: 'conversation',
          id: String(conversationId),
          title: null,
          created_at: epochSeconds(c.createdAt),
          updated_at: epochSeconds(updatedAt),
          waiting_since: state === 'closed' ? null : epochSeconds(updatedAt),
          snoozed_until: null,
          open: state !== 'closed',
          state,
          read: true,
          priority: life.priority === 'urgent' ? 'priority' : 'not_priority',
          admin_assignee_id: c.agent.intercomId,
          team_assignee_id: c.team.intercomTeamId,
          tags: NO_TAGS,
          conversation_rating: rating && { ...rating, contact: contactRef, teammate: teammates(c.agent).teammate },
          source: {
            type: 'conversation',
            id: String(4_032_811 + conversationId + 1),
            delivered_as: 'customer_initiated',
            subject: '',
            body: openingLine(c.category),
            author: { type: 'user', id: c.customer.intercomId, name: '', email: c.customer.email },
            attachments: NO_ATTACHMENTS,
            url: null,
            redacted: false,
          },
          contacts: { type: 'contact.list', contacts: [contactRef] },
          teammates: teammates(c.agent).list,
          custom_attributes: { Topic: c.category },
          first_contact_reply: { created_at: epochSeconds(c.createdAt), type: 'conversation', url: null },
          sla_applied: null,
          statistics: {
            type: 'conversation_statistics',
            time_to_assignment: 30,
            time_to_admin_reply: life.firstReplyAt ? epochSeconds(life.firstReplyAt) - epochSeconds(c.createdAt) : null,
            time_to_first_close: closedAt ? epochSeconds(closedAt) - epochSeconds(c.createdAt) : null,
            time_to_last_close: closedAt ? epochSeconds(closedAt) - epochSeconds(c.createdAt) : null,
            median_time_to_reply: null,
            first_contact_reply_at: epochSeconds(c.createdAt),
            first_assignment_at: epochSeconds(c.createdAt) + 30,
            first_admin_reply_at: life.firstReplyAt ? epochSeconds(life.firstReplyAt) : null,
            first_close_at: closedAt ? epochSeconds(closedAt) : null,
            last_assignment_at: null,
            last_assignment_admin_reply_at: null,
            last_contact_reply_at: epochSeconds(c.createdAt),
            last_admin_reply_at: life.firstReplyAt ? epochSeconds(life.firstReplyAt) : null,
            last_close_at: closedAt ? epochSeconds(closedAt) : null,
            last_closed_by_id: closedAt ? String(c.agent.intercomId) : null,
            count_reopens: life.reopens,
            count_assignments: life.handedOver ? 2 : 1,
            count_conversation_parts: 2 + life.replies * 2,
          },
          conversation_parts: NO_PARTS,
        };
      };
      byMonth.add(monthKey(updatedAt), { at: updatedAt, json });
    }
    const list = byMonth.take(month).sort((a, b) => a.at.getTime() - b.at.getTime());
    const deliveredAt = new Date(
      Math.min(nextMonthStart(new Date(`${month}-01T00:00:00Z`)).getTime() - 60_000, horizon.getTime()),
    );
    const chunks = pages(list, PER_PAGE);
    for (const [p, chunk] of chunks.entries()) {
      const conversations: Record<string, unknown>[] = chunk.map((e) => e.json());
      const planted: PlantedReject[] = [];
      const sample = conversations[0];
      if (p === 0 && sample && index % 2 === 1) {
        conversations.push({
          ...sample,
          id: `99${index}01`,
          created_at: new Date(Number(sample.created_at) * 1000).toISOString(),
        });
        planted.push({ problem: 'created_at as an ISO string instead of Unix seconds' });
        conversations.push({
          ...sample,
          id: `99${index}02`,
          source: { ...(sample.source as object), type: 'carrier_pigeon' },
        });
        planted.push({ problem: 'unknown source.type "carrier_pigeon"' });
        const stats = sample.statistics as Record<string, unknown>;
        conversations.push({
          ...sample,
          id: `99${index}03`,
          state: 'closed',
          statistics: { ...stats, last_close_at: Number(sample.created_at) - 3600 },
        });
        planted.push({ problem: 'closed an hour before it was created (clock skew)' });
      }
      const document = {
        type: 'conversation.list',
        pages: {
          type: 'pages',
          page: p + 1,
          per_page: PER_PAGE,
          total_pages: chunks.length,
          ...(p < chunks.length - 1 ? { next: { page: p + 2, starting_after: `WzE3MDk1${p}XQ==` } } : {}),
        },
        total_count: list.length,
        conversations,
      };
      yield {
        source: INTERCOM_SOURCE,
        key: `conversations/${month}/page-${String(p + 1).padStart(3, '0')}.json`,
        body: textBody(JSON.stringify(document)),
        deliveredAt,
        planted,
      };
    }
  }
}
