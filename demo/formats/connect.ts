/**
 * Amazon Connect contact records as Kinesis Data Firehose delivers them to S3: a few deliveries a
 * month under YYYY/MM/DD/HH/ keys, newline-delimited or concatenated JSON, some gzip. Connect
 * delivers at least once and re-delivers a contact when the post-call survey writes its attributes,
 * so a surveyed contact arrives twice with a later LastUpdateTimestamp, and now and then a record is
 * simply delivered again. Abandons, callbacks, transfers, holds and a supervisor's monitoring leg
 * appear as Connect records them.
 */
import { iso, nextMonthStart } from '../calendar.ts';
import type { Random } from '../random.ts';
import {
  type Agent,
  after,
  type Contact,
  type ContactMonth,
  inLunchDip,
  LUNCH_DIP,
  onScale,
  type Team,
  type World,
} from '../world.ts';
import { type DemoFile, gzip, joinedBody, type PlantedReject } from './files.ts';

export const CONNECT_SOURCE = 'demo-connect';
const ACCOUNT = '111122223333';
const INSTANCE = `arn:aws:connect:eu-west-2:${ACCOUNT}:instance/9f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`;
const SYSTEM_NUMBER = '+443300000000';
const STREAM = 'servicebench-ctr';
/** Delivery boundaries within a month (day of month a delivery starts). */
const DELIVERY_DAYS = [1, 8, 16, 24];

type Ctr = Record<string, unknown>;

/** A record as its JSON line: the pending records as objects would take several times the memory. */
interface Version {
  readonly line: string;
  readonly updatedAt: Date;
  /** An inbound call an agent answered: the kind of record a corrupted copy is made from. */
  readonly plantable: boolean;
}

const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-');

const json = JSON.stringify;
const jsonOrNull = (text: string | null) => (text === null ? 'null' : json(text));

/**
 * The JSON text around an agent's block that depends on the agent alone (ARN, hierarchy groups,
 * routing profile, username), and around a queue's block that depends on the team alone, made
 * once per agent or team.
 */
interface AgentText {
  readonly open: string;
  readonly groups: string;
  readonly close: string;
}

const agentTexts = new WeakMap<Agent, AgentText>();

function agentText(agent: Agent): AgentText {
  let text = agentTexts.get(agent);
  if (!text) {
    const team = agent.team.name;
    const groups = {
      Level1: { ARN: `${INSTANCE}/agent-group/customer-service`, GroupName: 'Customer Service' },
      Level2: { ARN: `${INSTANCE}/agent-group/${slug(team)}`, GroupName: team },
    };
    const profile = { ARN: `${INSTANCE}/routing-profile/${slug(team)}`, Name: `${team} Profile` };
    text = {
      open: `{"ARN":${json(`${INSTANCE}/agent/${agent.username}`)},"AfterContactWorkDuration":`,
      groups: `,"HierarchyGroups":${json(groups)},"LongestHoldDuration":`,
      close: `,"RoutingProfile":${json(profile)},"Username":${json(agent.username)}}`,
    };
    agentTexts.set(agent, text);
  }
  return text;
}

const queueTexts = new WeakMap<Team, { readonly open: string; readonly close: string }>();

function queueText(team: Team): { readonly open: string; readonly close: string } {
  let text = queueTexts.get(team);
  if (!text) {
    text = {
      open: `{"ARN":${json(`${INSTANCE}/queue/${slug(team.name)}`)},"DequeueTimestamp":"`,
      close: `,"Name":${json(team.name)}}`,
    };
    queueTexts.set(team, text);
  }
  return text;
}

/** The agent's block of a record, as JSON text (see `ctrLine`). */
function agentBlock(
  agent: Agent,
  connectedAt: Date,
  talkS: number,
  holdS: number,
  holds: number,
  acwS: number,
  endAt: Date,
): string {
  const text = agentText(agent);
  const longest = holds > 0 ? Math.round(holdS / holds) : 0;
  return `${text.open}${acwS},"AfterContactWorkEndTimestamp":"${iso(after(endAt, acwS))}","AfterContactWorkStartTimestamp":"${iso(endAt)}","AgentInteractionDuration":${talkS},"ConnectedToAgentTimestamp":"${iso(connectedAt)}","CustomerHoldDuration":${holdS}${text.groups}${longest},"NumberOfHolds":${holds}${text.close}`;
}

/** The queue's block of a record, as JSON text (see `ctrLine`). */
function queueBlock(team: Team, enqueuedAt: Date, waitS: number): string {
  const text = queueText(team);
  return `${text.open}${iso(after(enqueuedAt, waitS))}","Duration":${waitS},"EnqueueTimestamp":"${iso(enqueuedAt)}"${text.close}`;
}

interface Leg {
  contactId: string;
  method: 'INBOUND' | 'OUTBOUND' | 'CALLBACK' | 'TRANSFER' | 'MONITOR';
  phone: string;
  startedAt: Date;
  /** The queue's block as JSON text. */
  queue: string | null;
  /** The agent's block as JSON text. */
  agent: string | null;
  endedAt: Date;
  lastUpdate: Date;
  attributes: Record<string, string>;
  initialContactId: string | null;
  previousContactId: string | null;
  nextContactId: string | null;
  disconnectReason: string;
}

const HEAD = `{"AWSAccountId":${json(ACCOUNT)},"AWSContactTraceRecordFormatVersion":"2017-03-10","Agent":`;
const INSTANCE_FIELD = `,"InstanceARN":${json(INSTANCE)},"LastUpdateTimestamp":"`;
const TAIL = `,"Recording":null,"Recordings":null,"SystemEndpoint":${json({ Address: SYSTEM_NUMBER, Type: 'TELEPHONE_NUMBER' })},"TransferCompletedTimestamp":null,"TransferredToEndpoint":null}`;

/**
 * A contact trace record as its JSON line, written field by field: the text JSON.stringify makes of
 * the record object (Firehose writes Connect's field order), in a seventh of the time. V8 keeps a
 * template's result as a tree of its parts; reading a character of it makes V8 flatten it into one
 * string at once, so a line waiting for its delivery is one string, not seventy.
 */
function ctrLine(leg: Leg): string {
  const line = `${HEAD}${leg.agent ?? 'null'},"AgentConnectionAttempts":${leg.agent ? 1 : 0},"Attributes":${json(leg.attributes)},"Channel":"VOICE","ConnectedToSystemTimestamp":"${iso(leg.startedAt)}","ContactId":${json(leg.contactId)},"CustomerEndpoint":{"Address":${json(leg.phone)},"Type":"TELEPHONE_NUMBER"},"DisconnectReason":${json(leg.disconnectReason)},"DisconnectTimestamp":"${iso(leg.endedAt)}","InitialContactId":${jsonOrNull(leg.initialContactId)},"InitiationMethod":"${leg.method}","InitiationTimestamp":"${iso(leg.startedAt)}"${INSTANCE_FIELD}${iso(leg.lastUpdate)}","MediaStreams":[{"Type":"AUDIO"}],"NextContactId":${jsonOrNull(leg.nextContactId)},"PreviousContactId":${jsonOrNull(leg.previousContactId)},"Queue":${leg.queue ?? 'null'}${TAIL}`;
  line.charCodeAt(0);
  return line;
}

/** Talk, hold and after-contact work of one handled call: better agents are quicker and hold less. */
function handling(random: Random, team: Team, quality: number) {
  const talkS = Math.max(35, Math.round(random.lognormal(team.talkS * (1.4 - 0.65 * quality), 0.42)));
  const holds = random.chance(0.5 - 0.3 * quality) ? random.int(1, 2) : 0;
  const holdS = holds === 0 ? 0 : Math.round(random.lognormal(55 * holds, 0.5));
  const acwS = Math.max(5, Math.round(random.lognormal(50 * (1.3 - 0.5 * quality), 0.5)));
  return { talkS, holdS, holds, acwS };
}

export function* connectFiles(world: World, months: Iterable<ContactMonth>): Generator<DemoFile> {
  const random = world.random.fork('connect');
  const delivery = new Deliveries(world, random);
  const push = (leg: Leg) =>
    delivery.add({
      line: ctrLine(leg),
      updatedAt: leg.lastUpdate,
      plantable: leg.method === 'INBOUND' && leg.agent !== null,
    });
  const agentsOf = (team: Team) => world.agents.filter((a) => a.team === team);
  const retention = world.teams.find((t) => t.name === 'Retention');

  for (const { contacts } of months) {
    // A supervisor listening in creates a MONITOR record of its own (not a customer contact).
    const monitored = contacts.find((c) => c.channel === 'voice');
    for (const contact of contacts) {
      if (contact.channel === 'voice') call(contact);
      // Half of the retention team's e-mails (cancellation requests) get a win-back call a few
      // hours or days later; outbound calls never queue.
      else if (contact.team === retention && contact.channel === 'zendesk' && random.chance(0.5)) winBack(contact);
      if (contact === monitored) monitor(contact);
    }
    // Every later record is updated after its contact began, so windows up to the next month are complete.
    const first = contacts[0];
    if (first) yield* delivery.until(nextMonthStart(first.createdAt));
  }
  yield* delivery.rest();

  function call(contact: Contact) {
    const ivrS = random.int(12, 45);
    const hour = contact.createdAt.getUTCHours();
    const busy = hour >= 9 && hour <= 11 ? 1.35 : 1;
    // Half the agents lunch together on working days: a call queued then meets the dip's staffing.
    const staffing = contact.staffing * (inLunchDip(after(contact.createdAt, ivrS)) ? LUNCH_DIP.staffing : 1);
    // An agent is often free at once; otherwise the wait grows fast as staffing drops.
    const meanWaitS = (32 * busy) / staffing ** 2;
    let startedAt = contact.createdAt;
    let waitS = random.chance(0.55 * staffing ** 3) ? random.int(1, 4) : Math.round(random.exponential(meanWaitS));
    const patienceS = random.exponential(170);

    if (patienceS < waitS) {
      // The caller gives up (or asks for a callback); most try again a little later.
      const id = random.uuid();
      const enqueuedAt = after(startedAt, ivrS);
      const gaveUpS = Math.max(1, Math.round(patienceS));
      const wantsCallback = gaveUpS > 40 && random.chance(0.3);
      const callbackId = wantsCallback ? random.uuid() : null;
      push({
        contactId: id,
        method: 'INBOUND',
        phone: contact.customer.phone,
        startedAt,
        queue: queueBlock(contact.team, enqueuedAt, gaveUpS),
        agent: null,
        endedAt: after(enqueuedAt, gaveUpS),
        lastUpdate: after(enqueuedAt, gaveUpS + random.int(1, 20)),
        attributes: { reason: contact.category },
        initialContactId: null,
        previousContactId: null,
        nextContactId: callbackId,
        disconnectReason: wantsCallback ? 'CONTACT_FLOW_DISCONNECT' : 'CUSTOMER_DISCONNECT',
      });
      if (callbackId !== null) {
        const callbackAt = after(enqueuedAt, gaveUpS + 2);
        const callbackWaitS = Math.round(random.exponential(meanWaitS * 3));
        const answeredAt = after(callbackAt, callbackWaitS);
        pushHandled(contact, callbackId, 'CALLBACK', callbackAt, 0, callbackWaitS, answeredAt, id, id);
        return;
      }
      if (!random.chance(0.65)) return;
      startedAt = after(after(enqueuedAt, gaveUpS), random.int(300, 3600));
      waitS = Math.round(random.exponential(meanWaitS * 0.6));
    }
    const enqueuedAt = after(startedAt, ivrS);
    pushHandled(contact, random.uuid(), 'INBOUND', startedAt, ivrS, waitS, after(enqueuedAt, waitS), null, null);
  }

  function pushHandled(
    contact: Contact,
    contactId: string,
    method: 'INBOUND' | 'CALLBACK',
    startedAt: Date,
    ivrS: number,
    waitS: number,
    answeredAt: Date,
    initialContactId: string | null,
    previousContactId: string | null,
  ) {
    const enqueuedAt = after(startedAt, ivrS);
    const h = handling(random, contact.team, contact.quality);
    const transfers = random.chance(0.03 + 0.1 * (1 - contact.quality));
    const talkS = transfers ? Math.round(h.talkS * 0.4) : h.talkS;
    const endedAt = after(answeredAt, talkS + h.holdS);
    const transferId = transfers ? random.uuid() : null;
    const base: Leg = {
      contactId,
      method,
      phone: contact.customer.phone,
      startedAt,
      queue: queueBlock(contact.team, enqueuedAt, waitS),
      agent: agentBlock(contact.agent, answeredAt, talkS, h.holdS, h.holds, h.acwS, endedAt),
      endedAt,
      lastUpdate: after(endedAt, h.acwS + random.int(2, 30)),
      attributes: { reason: contact.category },
      initialContactId,
      previousContactId,
      nextContactId: transferId,
      disconnectReason: transfers
        ? 'AGENT_DISCONNECT'
        : random.chance(0.7)
          ? 'CUSTOMER_DISCONNECT'
          : 'AGENT_DISCONNECT',
    };
    push(base);
    let surveyed = base;
    if (transferId !== null) {
      const target = random.pick(world.teams.filter((t) => t !== contact.team));
      const agent = random.pick(agentsOf(target));
      const legStart = after(endedAt, 1);
      const legWaitS = Math.round(random.exponential(25));
      const legAnswered = after(legStart, legWaitS);
      const lh = handling(random, target, world.agentQuality(agent, legStart));
      const legEnd = after(legAnswered, lh.talkS + lh.holdS);
      const leg: Leg = {
        contactId: transferId,
        method: 'TRANSFER',
        phone: contact.customer.phone,
        startedAt: legStart,
        queue: queueBlock(target, legStart, legWaitS),
        agent: agentBlock(agent, legAnswered, lh.talkS, lh.holdS, lh.holds, lh.acwS, legEnd),
        endedAt: legEnd,
        lastUpdate: after(legEnd, lh.acwS + random.int(2, 30)),
        attributes: { reason: contact.category },
        initialContactId: initialContactId ?? contactId,
        previousContactId: contactId,
        nextContactId: null,
        disconnectReason: 'CUSTOMER_DISCONNECT',
      };
      push(leg);
      surveyed = leg;
    }
    if (!random.chance(0.34)) return;
    // The post-call survey writes contact attributes, so Connect delivers the contact again.
    const answered = random.chance(0.6);
    const latent = contact.satisfaction + random.normal(0, 0.06);
    const saysResolved = random.chance(0.92) ? contact.resolved : !contact.resolved;
    const attributes = answered
      ? {
          ...surveyed.attributes,
          survey_result_csat: String(onScale(latent, 1, 5)),
          survey_result_effort: String(onScale(1 - latent + random.normal(0, 0.08), 1, 5)),
          survey_result_resolved: saysResolved ? '1' : '2',
        }
      : { ...surveyed.attributes, survey_result_csat: '', survey_result_effort: '', survey_result_resolved: '' };
    push({ ...surveyed, attributes, lastUpdate: after(surveyed.lastUpdate, random.int(90, 420)) });
  }

  function winBack(contact: Contact) {
    if (!retention) return;
    const startedAt = after(contact.createdAt, random.int(3600, 4 * 86_400));
    const agent = random.pick(agentsOf(retention));
    const answeredAt = after(startedAt, random.int(8, 30));
    const h = handling(random, retention, world.agentQuality(agent, startedAt));
    const endedAt = after(answeredAt, h.talkS + h.holdS);
    push({
      contactId: random.uuid(),
      method: 'OUTBOUND',
      phone: contact.customer.phone,
      startedAt,
      queue: null,
      agent: agentBlock(agent, answeredAt, h.talkS, h.holdS, h.holds, h.acwS, endedAt),
      endedAt,
      lastUpdate: after(endedAt, h.acwS + 5),
      attributes: { reason: 'win_back' },
      initialContactId: null,
      previousContactId: null,
      nextContactId: null,
      disconnectReason: 'CUSTOMER_DISCONNECT',
    });
  }

  function monitor(contact: Contact) {
    const startedAt = after(contact.createdAt, 120);
    push({
      contactId: random.uuid(),
      method: 'MONITOR',
      phone: contact.customer.phone,
      startedAt,
      queue: null,
      agent: agentBlock(contact.agent, startedAt, 240, 0, 0, 0, after(startedAt, 240)),
      endedAt: after(startedAt, 240),
      lastUpdate: after(startedAt, 245),
      attributes: {},
      initialContactId: null,
      previousContactId: null,
      nextContactId: null,
      disconnectReason: 'AGENT_DISCONNECT',
    });
  }
}

/** Layouts Firehose produces, in turn: newline-delimited or not, compressed or not. */
const LAYOUTS = [
  { newline: true, gzip: false },
  { newline: false, gzip: false },
  { newline: true, gzip: true },
  { newline: false, gzip: true },
] as const;

/**
 * Firehose's deliveries: records by the window their last update falls in (four a month), a window
 * delivered once every record updated in it is known. Records updated after a delivered window wait
 * in `pending`; one that still belongs to a delivered window is a bug and fails the run.
 */
class Deliveries {
  private readonly bounds: Date[] = [];
  /** Index of the next window's end in `bounds`. */
  private next = 1;
  private pending: Version[] = [];
  private redeliver: string[] = [];

  constructor(
    world: World,
    private readonly random: Random,
  ) {
    for (const month of world.window.months) {
      const [y, m] = month.split('-').map(Number) as [number, number];
      for (const day of DELIVERY_DAYS) this.bounds.push(new Date(Date.UTC(y, m - 1, day)));
    }
    this.bounds.push(world.window.end);
  }

  add(version: Version) {
    const delivered = this.bounds[this.next - 1] as Date;
    if (version.updatedAt < delivered && this.next > 1) {
      throw new Error(
        `a Connect record updated at ${version.updatedAt.toISOString()} arrived after the delivery up to ${delivered.toISOString()}`,
      );
    }
    this.pending.push(version);
  }

  /** The deliveries of every window that ends by `end`. */
  *until(end: Date): Generator<DemoFile> {
    while (this.next < this.bounds.length - 1 && (this.bounds[this.next] as Date) <= end) yield* this.deliver(false);
  }

  /** The remaining deliveries; the last takes every record left, also one updated after the window. */
  *rest(): Generator<DemoFile> {
    while (this.next < this.bounds.length) yield* this.deliver(this.next === this.bounds.length - 1);
  }

  private *deliver(last: boolean): Generator<DemoFile> {
    const b = this.next++;
    const until = this.bounds[b] as Date;
    const random = this.random;
    this.pending.sort((x, y) => x.updatedAt.getTime() - y.updatedAt.getTime());
    const cut = last ? this.pending.length : this.pending.findIndex((v) => v.updatedAt >= until);
    const due = this.pending.slice(0, cut < 0 ? this.pending.length : cut);
    this.pending = this.pending.slice(due.length);
    const batch: string[] = this.redeliver;
    this.redeliver = [];
    let deliveredAt = until;
    for (const v of due) {
      batch.push(v.line);
      if (v.updatedAt > deliveredAt) deliveredAt = v.updatedAt;
      // At-least-once delivery: a record now and then comes again in the next delivery.
      if (random.chance(0.006)) this.redeliver.push(v.line);
    }
    if (batch.length === 0) return;
    const layout = LAYOUTS[(b - 1) % LAYOUTS.length] ?? LAYOUTS[0];
    const planted: PlantedReject[] = [];
    if (b % 3 === 1) plant(random, due, batch, planted, layout.newline);
    const bytes = layout.newline ? joinedBody(batch, '\n', '\n') : joinedBody(batch);
    const stamp = iso(deliveredAt)
      .replace(/[-:TZ]/g, '')
      .slice(0, 14);
    const [date, time] = [stamp.slice(0, 8), stamp.slice(8)];
    const path = `${date.slice(0, 4)}/${date.slice(4, 6)}/${date.slice(6, 8)}/${time.slice(0, 2)}`;
    const name = `${STREAM}-1-${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}-${time.slice(0, 2)}-${time.slice(2, 4)}-${time.slice(4, 6)}-${random.uuid()}`;
    yield {
      source: CONNECT_SOURCE,
      key: `${path}/${name}${layout.gzip ? '.gz' : ''}`,
      body: layout.gzip ? gzip(bytes) : bytes,
      deliveredAt: after(deliveredAt, 300),
      planted,
    };
  }
}

/**
 * Corrupted copies of real records, inserted at random places: the original stays intact, so the
 * rejects show up in quarantine without losing a contact.
 */
function plant(random: Random, batch: readonly Version[], lines: string[], planted: PlantedReject[], newline: boolean) {
  const candidates = batch.filter((v) => v.plantable);
  if (candidates.length === 0) return;
  const copy = JSON.parse(random.pick(candidates).line) as Ctr & { Agent: Record<string, unknown> };
  const kinds = newline ? ['timestamp', 'negative', 'channel', 'truncated'] : ['timestamp', 'negative', 'channel'];
  const kind = random.pick(kinds);
  let line: string;
  if (kind === 'timestamp') {
    copy.InitiationTimestamp = `${String(copy.InitiationTimestamp).slice(8, 10)}/${String(copy.InitiationTimestamp).slice(5, 7)}/${String(copy.InitiationTimestamp).slice(0, 4)} ${String(copy.InitiationTimestamp).slice(11, 16)}`;
    line = JSON.stringify(copy);
    planted.push({ problem: 'InitiationTimestamp in a local day/month/year form' });
  } else if (kind === 'negative') {
    copy.Agent.AgentInteractionDuration = -Math.abs(Number(copy.Agent.AgentInteractionDuration));
    line = JSON.stringify(copy);
    planted.push({ problem: 'negative Agent.AgentInteractionDuration' });
  } else if (kind === 'channel') {
    copy.Channel = 'FAX';
    line = JSON.stringify(copy);
    planted.push({ problem: 'unknown Channel "FAX"' });
  } else {
    const full = JSON.stringify(copy);
    line = full.slice(0, Math.floor(full.length / 2));
    planted.push({ problem: 'record truncated mid-line' });
  }
  lines.splice(random.int(0, lines.length), 0, line);
}
