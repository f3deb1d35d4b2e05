/**
 * Quality exports: the team leads' QA scorecards and the mystery-shop visits as a long-format CSV
 * (one row per criterion, N/A criteria, critical criteria that zero an evaluation when failed),
 * and the Zendesk QA reviews of e-mail tickets (JSON, ratings as percentages, skipped categories).
 */
import { iso, isoMillis, monthKey, nextMonthStart } from '../calendar.ts';
import type { Random } from '../random.ts';
import { type Agent, after, type ContactMonth, type World } from '../world.ts';
import { csvLine, type DemoFile, MonthBuckets, type PlantedReject, textBody } from './files.ts';
import { zendeskTicketId } from './zendesk.ts';

export const QA_SCORECARD_SOURCE = 'demo-qa';
export const ZENDESK_QA_SOURCE = 'demo-zendesk-qa';
const EVALUATIONS_PER_AGENT_MONTH = 4;
const MYSTERY_SHOPS_PER_MONTH = 8;

interface Criterion {
  readonly section: string;
  readonly name: string;
  readonly maxPoints: number;
  readonly weight: number;
  readonly critical: boolean;
  /** Probability that the criterion does not apply to the contact. */
  readonly naRate: number;
}

const SUPPORT_SCORECARD: readonly Criterion[] = [
  { section: 'Opening', name: 'Greeting and introduction', maxPoints: 2, weight: 1, critical: false, naRate: 0 },
  { section: 'Opening', name: 'Verified identity', maxPoints: 1, weight: 2, critical: true, naRate: 0.3 },
  { section: 'Discovery', name: 'Understood the need', maxPoints: 5, weight: 2, critical: false, naRate: 0 },
  { section: 'Resolution', name: 'Correct and complete answer', maxPoints: 5, weight: 3, critical: true, naRate: 0 },
  { section: 'Resolution', name: 'Followed the process', maxPoints: 3, weight: 2, critical: false, naRate: 0.1 },
  { section: 'Resolution', name: 'Offered further help', maxPoints: 2, weight: 1, critical: false, naRate: 0.15 },
  { section: 'Closing', name: 'Summarised next steps', maxPoints: 2, weight: 1, critical: false, naRate: 0.05 },
  { section: 'Soft skills', name: 'Tone and empathy', maxPoints: 3, weight: 2, critical: false, naRate: 0 },
];

const MYSTERY_SCORECARD: readonly Criterion[] = [
  { section: 'Access', name: 'Answered within 60 seconds', maxPoints: 1, weight: 1, critical: false, naRate: 0 },
  { section: 'Welcome', name: 'Greeted by name', maxPoints: 2, weight: 1, critical: false, naRate: 0 },
  { section: 'Advice', name: 'Accurate information', maxPoints: 5, weight: 3, critical: true, naRate: 0 },
  { section: 'Advice', name: 'Offered an alternative', maxPoints: 3, weight: 2, critical: false, naRate: 0.2 },
  { section: 'Closing', name: 'Closing courtesy', maxPoints: 2, weight: 1, critical: false, naRate: 0 },
];

/** Points for a criterion: better agents get more; a critical one is passed or failed outright. */
function points(random: Random, c: Criterion, quality: number): number {
  if (c.critical) return random.chance(0.01 + 0.05 * (1 - quality)) ? 0 : c.maxPoints;
  const share = Math.min(1, Math.max(0, quality + 0.22 + random.normal(0, 0.16)));
  return Math.round(share * c.maxPoints);
}

const leadOf = (agent: Agent) => `lead.${agent.team.name.toLowerCase().replace(/ /g, '')}`;

export function* qaScorecardFiles(world: World, months: Iterable<ContactMonth>): Generator<DemoFile> {
  const random = world.random.fork('qa-scorecard');
  const header = csvLine([
    'evaluation_id',
    'agent',
    'team',
    'evaluator',
    'scorecard',
    'section',
    'criterion',
    'points',
    'max_points',
    'weight',
    'critical',
    'na',
    'kind',
    'evaluated_at',
    'interaction_id',
  ]);
  let evaluation = 10_001;
  for (const { index, month } of months) {
    const start = new Date(`${month}-01T00:00:00Z`);
    const span = (nextMonthStart(start).getTime() - start.getTime()) / 1000;
    const rows: { at: Date; lines: string[] }[] = [];
    for (const agent of world.agents) {
      const n = Math.max(1, random.poisson(EVALUATIONS_PER_AGENT_MONTH * world.options.scale));
      for (let k = 0; k < n; k++) {
        const at = after(start, random.int(3 * 86_400, span - 3600));
        const quality = world.agentQuality(agent, at);
        const id = `QA-${evaluation++}`;
        rows.push({
          at,
          lines: SUPPORT_SCORECARD.map((c) => {
            const na = random.chance(c.naRate);
            return csvLine([
              id,
              agent.username,
              agent.team.name,
              leadOf(agent),
              'Support QA v4',
              c.section,
              c.name,
              na ? '' : points(random, c, quality),
              c.maxPoints,
              c.weight,
              c.critical ? 'yes' : 'no',
              na ? 'yes' : 'no',
              'internal_qa',
              iso(at),
              `CALL-${random.hex(8)}`,
            ]);
          }),
        });
      }
    }
    const shops = Math.max(2, random.poisson(MYSTERY_SHOPS_PER_MONTH * world.options.scale));
    for (let k = 0; k < shops; k++) {
      const agent = random.pick(world.agents);
      const at = after(start, random.int(86_400, span - 3600));
      const quality = world.agentQuality(agent, at) - (world.staffing(at) < 1 ? 0.1 : 0);
      const id = `MS-${evaluation++}`;
      const shopper = `shopper-${random.int(11, 29)}`;
      rows.push({
        at,
        lines: MYSTERY_SCORECARD.map((c) => {
          const na = random.chance(c.naRate);
          return csvLine([
            id,
            agent.username,
            agent.team.name,
            shopper,
            'Mystery shop: phone',
            c.section,
            c.name,
            na ? '' : points(random, c, quality),
            c.maxPoints,
            c.weight,
            c.critical ? 'yes' : 'no',
            na ? 'yes' : 'no',
            'mystery_shop',
            iso(at),
            '',
          ]);
        }),
      });
    }
    rows.sort((a, b) => a.at.getTime() - b.at.getTime());
    const lines = rows.flatMap((r) => r.lines);
    const planted: PlantedReject[] = [];
    if (index % 2 === 0) {
      const at = iso(after(start, 5 * 86_400));
      const agent = world.agents[index % world.agents.length] as Agent;
      const bad = (criterion: string, pts: string | number, critical: string, kind: string, when: string) =>
        csvLine([
          `QA-BAD-${index}`,
          agent.username,
          agent.team.name,
          leadOf(agent),
          'Support QA v4',
          'Resolution',
          criterion,
          pts,
          5,
          1,
          critical,
          'no',
          kind,
          when,
          '',
        ]);
      lines.splice(random.int(0, lines.length), 0, bad('Correct and complete answer', 7, 'yes', 'internal_qa', at));
      planted.push({ problem: '7 points on a 5-point criterion' });
      lines.splice(random.int(0, lines.length), 0, bad('Followed the process', 3, 'maybe', 'internal_qa', at));
      planted.push({ problem: 'critical flag "maybe"' });
      lines.splice(random.int(0, lines.length), 0, bad('Offered further help', 2, 'no', 'peer_review', at));
      planted.push({ problem: 'unknown evaluation kind "peer_review"' });
      lines.splice(
        random.int(0, lines.length),
        0,
        bad('Summarised next steps', 2, 'no', 'internal_qa', `${at.slice(8, 10)}/${at.slice(5, 7)}/${at.slice(0, 4)}`),
      );
      planted.push({ problem: 'evaluated_at in a day/month/year form' });
    }
    yield {
      source: QA_SCORECARD_SOURCE,
      key: `evaluations/${month}.csv`,
      body: textBody([header, ...lines].join('\n')),
      deliveredAt: new Date(
        Math.min(nextMonthStart(start).getTime() + 6 * 3600_000, world.window.end.getTime() + 6 * 3600_000),
      ),
      planted,
    };
  }
}

const ZQA_CATEGORIES = [
  { id: '301', name: 'Tone', group: 'Communication', weight: 1, critical: false, naRate: 0 },
  { id: '302', name: 'Solution', group: 'Resolution', weight: 2, critical: true, naRate: 0 },
  { id: '303', name: 'Empathy', group: 'Communication', weight: 1, critical: false, naRate: 0.1 },
  { id: '304', name: 'Internal process', group: 'Resolution', weight: 1, critical: false, naRate: 0.35 },
] as const;

/** Month by month: a review follows its ticket by two to six days, never before it. */
export function* zendeskQaFiles(world: World, months: Iterable<ContactMonth>): Generator<DemoFile> {
  const random = world.random.fork('zendesk-qa');
  const byMonth = new MonthBuckets<{ at: Date; json: Record<string, unknown> }>();
  let review = 880_001;
  let tickets = 0;
  for (const { index, month, contacts } of months) {
    for (const contact of contacts) {
      if (contact.channel !== 'zendesk') continue;
      const ticketId = zendeskTicketId(tickets++);
      if (!random.chance(0.06)) continue;
      const at = after(contact.createdAt, random.int(2 * 86_400, 6 * 86_400));
      if (at >= world.window.end) continue;
      const quality = contact.quality;
      const ratings = ZQA_CATEGORIES.map((c) => {
        const skipped = random.chance(c.naRate);
        const score = c.critical
          ? random.chance(0.02 + 0.1 * (1 - quality))
            ? 0
            : 100
          : Math.round(Math.min(1, Math.max(0, quality + 0.2 + random.normal(0, 0.18))) * 4) * 25;
        return {
          categoryId: c.id,
          categoryName: c.name,
          ...(skipped ? {} : { score }),
          weight: c.weight,
          critical: c.critical,
          groupName: c.group,
          groupId: c.group === 'Communication' ? '11' : '12',
        };
      });
      const lead = leadOf(contact.agent);
      const json = {
        externalId: String(ticketId),
        url: `https://example.zendesk.com/qa/conversations/${ticketId}`,
        externalUrl: `https://example.zendesk.com/agent/tickets/${ticketId}`,
        lastUpdated: iso(at),
        reviews: [
          {
            id: String(review++),
            reviewer: { email: `${lead}@example.com`, name: lead, avatar: '', groups: [] },
            reviewee: {
              email: contact.agent.email,
              name: contact.agent.fullName,
              avatar: '',
              groups: [{ id: String(contact.team.zendeskGroupId), name: contact.team.name }],
            },
            ratings,
            comment: '',
            thread: [],
            tags: [],
            created: iso(at),
            updated: iso(at),
            received: true,
            reviewTime: String(random.int(90, 600)),
            scorecard: { id: '7', name: 'E-mail scorecard' },
            createdISO: isoMillis(at),
            updatedISO: isoMillis(at),
          },
        ],
        comments: [],
        workspaceId: '11759',
        sourceType: 'zendesk',
        createdAt: iso(contact.createdAt),
        workspaceName: 'Support',
      };
      byMonth.add(monthKey(at), { at, json });
    }
    const conversations = byMonth
      .take(month)
      .sort((a, b) => a.at.getTime() - b.at.getTime())
      .map((e) => e.json);
    const planted: PlantedReject[] = [];
    const sample = conversations[0];
    if (sample && index % 3 === 1) {
      const reviews = structuredClone(sample.reviews) as Record<string, unknown>[];
      const first = reviews[0] as Record<string, unknown>;
      (first.ratings as Record<string, unknown>[])[0] = {
        categoryId: '301',
        categoryName: 'Tone',
        score: 120,
        weight: 1,
        critical: false,
      };
      conversations.push({ ...sample, externalId: `QA-BAD-${index}-1`, reviews });
      planted.push({ problem: 'rating score 120 on a percentage scale' });
      const undated = structuredClone(sample.reviews) as Record<string, unknown>[];
      const r = undated[0] as Record<string, unknown>;
      r.createdISO = undefined;
      r.created = String(r.created).replace('T', ' ').replace('Z', '');
      conversations.push({ ...sample, externalId: `QA-BAD-${index}-2`, reviews: undated });
      planted.push({ problem: 'review created without a time zone offset' });
    }
    if (conversations.length === 0) continue;
    yield {
      source: ZENDESK_QA_SOURCE,
      key: `reviews/${month}.json`,
      body: textBody(JSON.stringify({ conversations, pagination: { next: null } }, null, 1)),
      deliveredAt: new Date(
        Math.min(
          nextMonthStart(new Date(`${month}-01T00:00:00Z`)).getTime() + 5 * 3600_000,
          world.window.end.getTime() + 5 * 3600_000,
        ),
      ),
      planted,
    };
  }
}
