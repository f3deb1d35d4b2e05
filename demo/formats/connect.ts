/**
 * Amazon Connect contact records as Kinesis Data Firehose delivers them to S3: a few deliveries a
 * month under YYYY/MM/DD/HH/ keys, newline-delimited or concatenated JSON, some gzip. Connect
 * delivers at least once and re-delivers a contact when the post-call survey writes its attributes,
 * so a surveyed contact arrives twice with a later LastUpdateTimestamp, and now and then a record is
 * simply delivered again. Abandons, callbacks, transfers, holds and a supervisor's monitoring leg
 * appear as Connect records them.
 */
import { isoAt, nextMonthStart } from '../calendar.ts';
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
import { BodyWriter, type DemoFile, gzip, type PlantedReject } from './files.ts';

export const CONNECT_SOURCE = 'demo-connect';
const ACCOUNT = '111122223333';
const INSTANCE = `arn:aws:connect:eu-west-2:${ACCOUNT}:instance/9f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`;
const SYSTEM_NUMBER = '+443300000000';
const STREAM = 'servicebench-ctr';
/**
 * Bytes of a record's line and its newline, a little above their mean (2,051 at scale 10): a
 * delivery's body is sized from it, so that it seldom grows while it is written.
 */
const LINE_BYTES = 2100;
/** Delivery boundaries within a month (day of month a delivery starts). */
const DELIVERY_DAYS = [1, 8, 16, 24];

type Ctr = Record<string, unknown>;

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

/**
 * Times of a record that waits for its delivery are kept in epoch seconds: every time of the
 * simulation is a whole second, and as a number of seconds it is a small integer V8 stores in the
 * field itself, where a Date is an object of some 100 bytes.
 */
const secondsOf = (at: Date) => at.getTime() / 1000;
const isoOfSeconds = (seconds: number) => isoAt(seconds * 1000);

/** The agent's part in a record (its JSON is written at delivery, see `agentJson`). */
interface AgentStay {
  readonly agent: Agent;
  readonly connectedS: number;
  readonly talkS: number;
  readonly holdS: number;
  readonly holds: number;
  readonly acwS: number;
  /** When the call ended, and after-contact work began. */
  readonly endS: number;
}

/** The queue's part in a record (see `queueJson`). */
interface QueueStay {
  readonly team: Team;
  readonly enqueuedS: number;
  readonly waitS: number;
}

function agentStay(
  agent: Agent,
  connectedAt: Date,
  talkS: number,
  holdS: number,
  holds: number,
  acwS: number,
  endAt: Date,
): AgentStay {
  return { agent, connectedS: secondsOf(connectedAt), talkS, holdS, holds, acwS, endS: secondsOf(endAt) };
}

function queueStay(team: Team, enqueuedAt: Date, waitS: number): QueueStay {
  return { team, enqueuedS: secondsOf(enqueuedAt), waitS };
}

/** The agent's block of a record, as JSON text (see `ctrLine`). */
function agentJson(stay: AgentStay): string {
  const text = agentText(stay.agent);
  const longest = stay.holds > 0 ? Math.round(stay.holdS / stay.holds) : 0;
  return `${text.open}${stay.acwS},"AfterContactWorkEndTimestamp":"${isoOfSeconds(stay.endS + stay.acwS)}","AfterContactWorkStartTimestamp":"${isoOfSeconds(stay.endS)}","AgentInteractionDuration":${stay.talkS},"ConnectedToAgentTimestamp":"${isoOfSeconds(stay.connectedS)}","CustomerHoldDuration":${stay.holdS}${text.groups}${longest},"NumberOfHolds":${stay.holds}${text.close}`;
}

/** The queue's block of a record, as JSON text (see `ctrLine`). */
function queueJson(stay: QueueStay): string {
  const text = queueText(stay.team);
  return `${text.open}${isoOfSeconds(stay.enqueuedS + stay.waitS)}","Duration":${stay.waitS},"EnqueueTimestamp":"${isoOfSeconds(stay.enqueuedS)}"${text.close}`;
}

/** What a contact trace record says, as the simulation makes it. */
interface Leg {
  contactId: string;
  method: 'INBOUND' | 'OUTBOUND' | 'CALLBACK' | 'TRANSFER' | 'MONITOR';
  phone: string;
  startedAt: Date;
  queue: QueueStay | null;
  agent: AgentStay | null;
  endedAt: Date;
  lastUpdate: Date;
  attributes: Record<string, string>;
  initialContactId: string | null;
  previousContactId: string | null;
  nextContactId: string | null;
  disconnectReason: string;
}

/**
 * A record waiting for its delivery: the leg with its times in seconds, its JSON line written only
 * when it is delivered. A month's records wait while every other format reads the month (21,000 at
 * scale 10): as JSON lines they were 44 MB, a fifth of the generator's heap, copied by every young
 * collection they survived and marked by every full one; as these they are a seventh of that.
 */
interface PendingRecord extends Omit<Leg, 'startedAt' | 'endedAt' | 'lastUpdate'> {
  readonly startedS: number;
  readonly endedS: number;
  readonly updatedS: number;
}

function pendingRecord(leg: Leg): PendingRecord {
  return {
    contactId: leg.contactId,
    method: leg.method,
    phone: leg.phone,
    startedS: secondsOf(leg.startedAt),
    queue: leg.queue,
    agent: leg.agent,
    endedS: secondsOf(leg.endedAt),
    updatedS: secondsOf(leg.lastUpdate),
    attributes: leg.attributes,
    initialContactId: leg.initialContactId,
    previousContactId: leg.previousContactId,
    nextContactId: leg.nextContactId,
    disconnectReason: leg.disconnectReason,
  };
}

/** An inbound call an agent answered: the kind of record a corrupted copy is made from. */
const plantable = (record: PendingRecord) => record.method === 'INBOUND' && record.agent !== null;

const HEAD = `{"AWSAccountId":${json(ACCOUNT)},"AWSContactTraceRecordFormatVersion":"2017-03-10","Agent":`;
const INSTANCE_FIELD = `,"InstanceARN":${json(INSTANCE)},"LastUpdateTimestamp":"`;
const TAIL = `,"Recording":null,"Recordings":null,"SystemEndpoint":${json({ Address: SYSTEM_NUMBER, Type: 'TELEPHONE_NUMBER' })},"TransferCompletedTimestamp":null,"TransferredToEndpoint":null}`;

/**
 * A contact trace record as its JSON line, written field by field: the text JSON.stringify makes of
 * the record object (Firehose writes Connect's field order), in a seventh of the time.
 */
function ctrLine(record: PendingRecord): string {
  const started = isoOfSeconds(record.startedS);
  return `${HEAD}${record.agent ? agentJson(record.agent) : 'null'},"AgentConnectionAttempts":${record.agent ? 1 : 0},"Attributes":${json(record.attributes)},"Channel":"VOICE","ConnectedToSystemTimestamp":"${started}","ContactId":${json(record.contactId)},"CustomerEndpoint":{"Address":${json(record.phone)},"Type":"TELEPHONE_NUMBER"},"DisconnectReason":${json(record.disconnectReason)},"DisconnectTimestamp":"${isoOfSeconds(record.endedS)}","InitialContactId":${jsonOrNull(record.initialContactId)},"InitiationMethod":"${record.method}","InitiationTimestamp":"${started}"${INSTANCE_FIELD}${isoOfSeconds(record.updatedS)}","MediaStreams":[{"Type":"AUDIO"}],"NextContactId":${jsonOrNull(record.nextContactId)},"PreviousContactId":${jsonOrNull(record.previousContactId)},"Queue":${record.queue ? queueJson(record.queue) : 'null'}${TAIL}`;
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
  const push = (leg: Leg) => delivery.add(pendingRecord(leg));
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
        queue: queueStay(contact.team, enqueuedAt, gaveUpS),
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
      queue: queueStay(contact.team, enqueuedAt, waitS),
      agent: agentStay(contact.agent, answeredAt, talkS, h.holdS, h.holds, h.acwS, endedAt),
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
        queue: queueStay(target, legStart, legWaitS),
        agent: agentStay(agent, legAnswered, lh.talkS, lh.holdS, lh.holds, lh.acwS, legEnd),
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
      agent: agentStay(agent, answeredAt, h.talkS, h.holdS, h.holds, h.acwS, endedAt),
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
      agent: agentStay(contact.agent, startedAt, 240, 0, 0, 0, after(startedAt, 240)),
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
  private pending: PendingRecord[] = [];
  private redeliver: PendingRecord[] = [];

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

  add(record: PendingRecord) {
    const delivered = this.bounds[this.next - 1] as Date;
    if (record.updatedS * 1000 < delivered.getTime() && this.next > 1) {
      throw new Error(
        `a Connect record updated at ${new Date(record.updatedS * 1000).toISOString()} arrived after the delivery up to ${delivered.toISOString()}`,
      );
    }
    this.pending.push(record);
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
    const until = (this.bounds[b] as Date).getTime() / 1000;
    const random = this.random;
    this.pending.sort((x, y) => x.updatedS - y.updatedS);
    const cut = last ? this.pending.length : this.pending.findIndex((r) => r.updatedS >= until);
    const due = this.pending.slice(0, cut < 0 ? this.pending.length : cut);
    this.pending = this.pending.slice(due.length);
    /** The delivery's records, and a corrupted copy's line when one is planted. */
    const batch: (PendingRecord | string)[] = this.redeliver;
    this.redeliver = [];
    let deliveredS = until;
    for (const record of due) {
      batch.push(record);
      if (record.updatedS > deliveredS) deliveredS = record.updatedS;
      // At-least-once delivery: a record now and then comes again in the next delivery.
      if (random.chance(0.006)) this.redeliver.push(record);
    }
    if (batch.length === 0) return;
    const layout = LAYOUTS[(b - 1) % LAYOUTS.length] ?? LAYOUTS[0];
    const planted: PlantedReject[] = [];
    if (b % 3 === 1) plant(random, due, batch, planted, layout.newline);
    const body = new BodyWriter(batch.length * LINE_BYTES);
    for (const [i, item] of batch.entries()) {
      if (i > 0 && layout.newline) body.write('\n');
      body.write(typeof item === 'string' ? item : ctrLine(item));
    }
    if (layout.newline) body.write('\n');
    const bytes = body.bytes();
    const stamp = isoOfSeconds(deliveredS)
      .replace(/[-:TZ]/g, '')
      .slice(0, 14);
    const [date, time] = [stamp.slice(0, 8), stamp.slice(8)];
    const path = `${date.slice(0, 4)}/${date.slice(4, 6)}/${date.slice(6, 8)}/${time.slice(0, 2)}`;
    const name = `${STREAM}-1-${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}-${time.slice(0, 2)}-${time.slice(2, 4)}-${time.slice(4, 6)}-${random.uuid()}`;
    yield {
      source: CONNECT_SOURCE,
      key: `${path}/${name}${layout.gzip ? '.gz' : ''}`,
      body: layout.gzip ? gzip(bytes) : bytes,
      deliveredAt: new Date((deliveredS + 300) * 1000),
      planted,
    };
  }
}

/**
 * Corrupted copies of real records, inserted at random places: the original stays intact, so the
 * rejects show up in quarantine without losing a contact.
 */
function plant(
  random: Random,
  due: readonly PendingRecord[],
  batch: (PendingRecord | string)[],
  planted: PlantedReject[],
  newline: boolean,
) {
  const candidates = due.filter(plantable);
  if (candidates.length === 0) return;
  const copy = JSON.parse(ctrLine(random.pick(candidates))) as Ctr & { Agent: Record<string, unknown> };
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
  batch.splice(random.int(0, batch.length), 0, line);
}
