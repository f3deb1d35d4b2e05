/**
 * The simulated company behind the demo: four teams of agents with different skill, customers who
 * come back when their issue was not solved, and the plot the scorecard should reveal (one team
 * improving over the year, one getting worse, a month short of staff). The vendor formats
 * (formats/*.ts) only dress these contacts in each tool's export shape.
 */
import { offsetAt } from '../lambdas/core/parse/zone.ts';
import { DAY_MS, type DemoWindow, demoWindow, HOUR_MS, HOURLY_TRAFFIC, monthIndex, seasonality } from './calendar.ts';
import { Random } from './random.ts';

export interface WorldOptions {
  readonly seed: number;
  readonly months: number;
  /** YYYY-MM of the last month. */
  readonly endMonth: string;
  /** Multiplies every volume. */
  readonly scale: number;
}

export type Trend = 'improving' | 'worsening' | 'steady';

export interface Team {
  readonly name: string;
  readonly trend: Trend;
  readonly zendeskGroupId: number;
  readonly intercomTeamId: string;
  readonly freshdeskGroupId: number;
  /** Median talk time of a call, in seconds, before skill. */
  readonly talkS: number;
  /** New contacts per average day, by channel. */
  readonly perDay: Readonly<Record<ContactChannel, number>>;
  readonly categories: readonly string[];
}

export interface Agent {
  readonly username: string;
  readonly fullName: string;
  readonly email: string;
  readonly team: Team;
  /** 0..1: drives handle time, resolution, satisfaction and QA. */
  readonly skill: number;
  readonly zendeskId: number;
  readonly intercomId: number;
  readonly freshdeskId: number;
}

export interface Customer {
  readonly id: string;
  readonly phone: string;
  readonly email: string;
  readonly zendeskId: number;
  readonly intercomId: string;
  readonly freshdeskId: number;
  /** Irish customers are served by the regional Freshdesk help desk. */
  readonly region: 'GB' | 'IE';
}

export type ContactChannel = 'voice' | 'zendesk' | 'intercom' | 'freshdesk';

export interface Contact {
  readonly seq: number;
  readonly channel: ContactChannel;
  readonly customer: Customer;
  readonly team: Team;
  readonly agent: Agent;
  readonly category: string;
  readonly createdAt: Date;
  /** 0..1 quality of the handling agent on that day (skill, team trend, staffing). */
  readonly quality: number;
  /** Solved on this contact; when not, the customer often comes back. */
  readonly resolved: boolean;
  /**
   * The customer came back about an issue an earlier contact did not solve. A flag, not the earlier
   * contact: a reference would keep every contact of a chain alive after its month is done.
   */
  readonly followUp: boolean;
  /** Staffing on the day, 1 = fully staffed. */
  readonly staffing: number;
  /** 0..1 satisfaction of the customer with this contact (before survey noise). */
  readonly satisfaction: number;
}

/** One month of the window and its contacts. */
export interface ContactMonth {
  /** Index of the month in the window (0 = first). */
  readonly index: number;
  /** YYYY-MM. */
  readonly month: string;
  /** The month's contacts, oldest first. */
  readonly contacts: readonly Contact[];
}

export interface World {
  readonly options: WorldOptions;
  readonly window: DemoWindow;
  readonly random: Random;
  readonly teams: readonly Team[];
  readonly agents: readonly Agent[];
  readonly customers: readonly Customer[];
  /**
   * The contacts month by month, simulated afresh from the seed on every call: only a month (and
   * the come-backs it sends into the next) is held, never the year, and every call gives the same.
   */
  contactMonths(): Generator<ContactMonth>;
  readonly improvingTeam: string;
  readonly worseningTeam: string;
  /** YYYY-MM of the month short of staff. */
  readonly dipMonth: string;
  /** Quality of a team's average agent in a month (drives engagement and QA too). */
  teamQuality(team: Team, month: number): number;
  /** Quality of one agent at an instant. */
  agentQuality(agent: Agent, at: Date): number;
  staffing(at: Date): number;
}

const TEAM_SPECS: readonly Omit<Team, 'zendeskGroupId' | 'intercomTeamId' | 'freshdeskGroupId'>[] = [
  {
    name: 'Billing',
    trend: 'steady',
    talkS: 290,
    perDay: { voice: 14, zendesk: 12, intercom: 4, freshdesk: 3 },
    categories: ['invoice', 'refund', 'payment_failed', 'direct_debit', 'price_change'],
  },
  {
    name: 'Technical Support',
    trend: 'improving',
    talkS: 420,
    perDay: { voice: 15, zendesk: 14, intercom: 10, freshdesk: 4 },
    categories: ['login', 'outage', 'device_setup', 'app_error', 'connectivity'],
  },
  {
    name: 'Sales',
    trend: 'worsening',
    talkS: 330,
    perDay: { voice: 8, zendesk: 4, intercom: 8, freshdesk: 0 },
    categories: ['new_plan', 'upgrade', 'quote', 'availability'],
  },
  {
    name: 'Retention',
    trend: 'steady',
    talkS: 380,
    perDay: { voice: 6, zendesk: 4, intercom: 2, freshdesk: 0 },
    categories: ['cancel_request', 'contract_end', 'complaint', 'loyalty_offer'],
  },
];

/** The teams with the ids each tool knows them by (the source options name them from these). */
export const DEMO_TEAMS: readonly Team[] = TEAM_SPECS.map((spec, i) => ({
  ...spec,
  zendeskGroupId: 360_000_123_401 + i * 7,
  intercomTeamId: String(5_017_691 + i * 13),
  freshdeskGroupId: 80_000_021_000 + i * 11,
}));

const FIRST_NAMES = [
  'Amy',
  'Ben',
  'Chloe',
  'Dev',
  'Ella',
  'Farid',
  'Grace',
  'Hugo',
  'Isla',
  'Jon',
  'Kira',
  'Liam',
  'Maya',
  'Nate',
  'Olu',
  'Priya',
  'Quinn',
  'Rosa',
  'Sam',
  'Tariq',
  'Uma',
  'Vik',
  'Wren',
  'Yusuf',
];
const LAST_NAMES = [
  'Chen',
  'Okafor',
  'Novak',
  'Patel',
  'Murphy',
  'Haddad',
  'Lindqvist',
  'Moreau',
  'Byrne',
  'Silva',
  'Tanaka',
  'Walsh',
  'Kowalski',
  'Ahmed',
  'Brennan',
  'Costa',
  'Dubois',
  'Evans',
  'Fischer',
  'Gupta',
  'Hughes',
  'Ivanova',
  'Jensen',
  'Khan',
];

/** Skill levels of a team's six agents, from new starter to expert. */
const SKILL_LADDER = [0.3, 0.45, 0.55, 0.65, 0.78, 0.9];
const CUSTOMERS_AT_FULL_SCALE = 1800;
/** Probability that a customer whose issue was not solved comes back about it. */
const COME_BACK_PROBABILITY = 0.75;

/**
 * The phones' weekly under-staffing: on working days half of each team takes lunch at 12:00, so
 * calls queued in that hour meet half the usual staffing: waits grow fourfold and more callers give
 * up. Only calls feel it: tickets and chats wait for the afternoon unnoticed. The hour is read on
 * the demo's clock, UTC, as its opening hours (HOURLY_TRAFFIC) are, so a report in the default
 * reporting zone shows the dip at 12:00-13:00 every weekday of the year.
 */
export const LUNCH_DIP = {
  timeZone: 'UTC',
  /** Days of the week (getUTCDay of the local time: 1 = Monday … 5 = Friday). */
  weekdays: [1, 2, 3, 4, 5],
  fromHour: 12,
  toHour: 13,
  /** Staffing in that hour, 1 = fully staffed (the month short of staff has 0.7 all day). */
  staffing: 0.5,
} as const;

/** True when a call queued at `at` falls in the weekly lunchtime dip. */
export function inLunchDip(at: Date): boolean {
  const local = new Date(at.getTime() + offsetAt(LUNCH_DIP.timeZone, at.getTime()));
  const hour = local.getUTCHours();
  return (
    (LUNCH_DIP.weekdays as readonly number[]).includes(local.getUTCDay()) &&
    hour >= LUNCH_DIP.fromHour &&
    hour < LUNCH_DIP.toHour
  );
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Satisfaction 0..1 of one contact: the agent's quality, whether it was solved, and waiting. */
export function satisfactionOf(random: Random, quality: number, resolved: boolean, waitPenalty = 0): number {
  return clamp(0.38 + 0.5 * quality + (resolved ? 0.16 : -0.1) - waitPenalty + random.normal(0, 0.13), 0, 1);
}

/** A 0..1 latent answer on a min..max scale. */
export function onScale(latent: number, min: number, max: number): number {
  return clamp(Math.round(min + clamp(latent, 0, 1) * (max - min)), min, max);
}

export function buildWorld(options: WorldOptions): World {
  const window = demoWindow(options.endMonth, options.months);
  const random = new Random(options.seed);
  const people = random.fork('people');

  const teams = DEMO_TEAMS;

  const names = [...FIRST_NAMES];
  const surnames = [...LAST_NAMES];
  const agents: Agent[] = [];
  for (const team of teams) {
    const skills = [...SKILL_LADDER].sort(() => people.next() - 0.5);
    for (const skill of skills) {
      const first = names.splice(people.int(0, names.length - 1), 1)[0] ?? 'Alex';
      const last = surnames.splice(people.int(0, surnames.length - 1), 1)[0] ?? 'Smith';
      const n = agents.length;
      agents.push({
        username: `${first}.${last}`.toLowerCase(),
        fullName: `${first} ${last}`,
        email: `${first}.${last}@example.com`.toLowerCase(),
        team,
        skill: clamp(skill + people.normal(0, 0.03), 0.1, 0.97),
        zendeskId: 381_200_000_100 + n * 17,
        intercomId: 814_860 + n * 3,
        freshdeskId: 43_000_000_500 + n * 9,
      });
    }
  }

  const customerCount = Math.max(150, Math.round(CUSTOMERS_AT_FULL_SCALE * options.scale));
  const customers: Customer[] = [];
  for (let i = 0; i < customerCount; i++) {
    const first = people.pick(FIRST_NAMES).toLowerCase();
    const last = people.pick(LAST_NAMES).toLowerCase();
    customers.push({
      id: `CUST-${String(100_001 + i)}`,
      phone: `+4477009${String(people.int(0, 99_999)).padStart(5, '0')}`,
      email: `${first}.${last}${i}@example.net`,
      zendeskId: 27_100_000_000 + i * 31,
      intercomId: people.hex(24),
      freshdeskId: 43_100_000_000 + i * 7,
      region: people.chance(0.18) ? 'IE' : 'GB',
    });
  }
  const irish = customers.filter((c) => c.region === 'IE');

  const span = window.end.getTime() - window.start.getTime();
  const progress = (at: Date) => (at.getTime() - window.start.getTime()) / span;
  const dipIndex = options.months >= 3 ? Math.floor((options.months * 2) / 3) : 0;
  const dipMonth = window.months[dipIndex] ?? window.months[0] ?? options.endMonth;
  const drift = (team: Team, t: number) =>
    team.trend === 'improving' ? -0.24 + 0.44 * t : team.trend === 'worsening' ? 0.14 - 0.42 * t : 0;
  const staffing = (at: Date) => (monthIndex(window, at) === dipIndex ? 0.7 : 1);
  const agentQuality = (agent: Agent, at: Date) =>
    clamp(agent.skill + drift(agent.team, progress(at)) - (staffing(at) < 1 ? 0.08 : 0), 0.05, 0.98);
  const teamQuality = (team: Team, month: number) => {
    const members = agents.filter((a) => a.team === team);
    const mid = new Date(Date.UTC(window.start.getUTCFullYear(), window.start.getUTCMonth() + month, 15));
    return members.reduce((sum, a) => sum + agentQuality(a, mid), 0) / members.length;
  };

  const membersOf = new Map(teams.map((team) => [team, agents.filter((a) => a.team === team)]));
  const hourWeights = HOURLY_TRAFFIC.map(([h, w]) => [h, w] as const);

  function* contactMonths(): Generator<ContactMonth> {
    const flow = random.fork('contacts');
    /** Contacts not solved whose customer comes back, by the window's day index of the return. */
    const comeBacks = new Map<number, Contact[]>();
    /** Heavy users contact more often: index drawn with a skew toward the start of the list. */
    const someCustomer = (pool: readonly Customer[]) =>
      pool[Math.floor(pool.length * flow.next() ** 1.7)] ?? (pool[0] as Customer);
    let seq = 0;
    let day: Contact[] = [];

    const addContact = (
      dayStart: Date,
      channel: ContactChannel,
      team: Team,
      customer: Customer,
      category: string,
      previous: Contact | null,
    ) => {
      const hour = flow.weighted(hourWeights);
      const createdAt = new Date(dayStart.getTime() + hour * HOUR_MS + flow.int(0, 3599) * 1000);
      const agent = flow.pick(membersOf.get(team) ?? []);
      const quality = clamp(agentQuality(agent, createdAt) + flow.normal(0, 0.05), 0.02, 0.99);
      const resolved = flow.chance(clamp(0.5 + 0.4 * quality + (previous ? 0.1 : 0), 0.05, 0.97));
      const contact: Contact = {
        seq: ++seq,
        channel,
        customer,
        team,
        agent,
        category,
        createdAt,
        quality,
        resolved,
        followUp: previous !== null,
        staffing: staffing(createdAt),
        satisfaction: satisfactionOf(flow, quality, resolved, staffing(createdAt) < 1 ? 0.06 : 0),
      };
      day.push(contact);
      if (!resolved && flow.chance(COME_BACK_PROBABILITY)) {
        const delayDays = Math.floor(flow.exponential(2.2)) + (flow.chance(0.3) ? 0 : 1);
        const dayIndex = Math.round((dayStart.getTime() - window.start.getTime()) / DAY_MS) + delayDays;
        const list = comeBacks.get(dayIndex) ?? [];
        list.push(contact);
        comeBacks.set(dayIndex, list);
      }
    };

    let month: Contact[] = [];
    let index = 0;
    for (let d = 0; d < window.days; d++) {
      const dayStart = new Date(window.start.getTime() + d * DAY_MS);
      if (monthIndex(window, dayStart) !== index) {
        yield { index, month: window.months[index] ?? '', contacts: month };
        month = [];
        index = monthIndex(window, dayStart);
      }
      const volume = seasonality(dayStart) * options.scale;
      day = [];
      for (const channel of ['voice', 'zendesk', 'intercom', 'freshdesk'] as const) {
        for (const team of teams) {
          const n = flow.poisson(team.perDay[channel] * volume);
          for (let k = 0; k < n; k++) {
            const customer = someCustomer(channel === 'freshdesk' ? irish : customers);
            addContact(dayStart, channel, team, customer, flow.pick(team.categories), null);
          }
        }
      }
      for (const previous of comeBacks.get(d) ?? []) {
        // Customers who were not helped often switch to the phone the second time.
        const channel: ContactChannel =
          previous.channel !== 'freshdesk' && flow.chance(0.35) ? 'voice' : previous.channel;
        addContact(dayStart, channel, previous.team, previous.customer, previous.category, previous);
      }
      comeBacks.delete(d);
      // Every contact falls within its day's opening hours, so sorting each day sorts the window.
      day.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.seq - b.seq);
      for (const contact of day) month.push(contact);
    }
    yield { index, month: window.months[index] ?? '', contacts: month };
  }

  return {
    options,
    window,
    random,
    teams,
    agents,
    customers,
    contactMonths,
    improvingTeam: teams.find((t) => t.trend === 'improving')?.name ?? '',
    worseningTeam: teams.find((t) => t.trend === 'worsening')?.name ?? '',
    dipMonth,
    teamQuality,
    agentQuality,
    staffing,
  };
}

/** `seconds` (rounded to whole seconds) after `at`. */
export function after(at: Date, seconds: number): Date {
  return new Date(at.getTime() + Math.round(seconds) * 1000);
}
