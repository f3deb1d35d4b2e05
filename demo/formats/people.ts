/**
 * The people around the contacts: the monthly anonymous employee pulse (eNPS and engagement by
 * team, moving with how well each team serves its customers), customer activity (signups, orders,
 * renewals, cancellations, with churn higher after bad service) and public social posts with the
 * brand's replies at varying delays.
 */
import { DAY_MS, iso, monthIndex, monthKey, nextMonthStart, twitterTime } from '../calendar.ts';
import { after, type ContactMonth, type Customer, onScale, type World } from '../world.ts';
import { csvLine, type DemoFile, jsonLinesBody, MonthBuckets, type PlantedReject, textBody } from './files.ts';

export const PULSE_SOURCE = 'demo-pulse';
export const ACTIVITY_SOURCE = 'demo-activity';
export const SOCIAL_SOURCE = 'demo-social';
export const BRAND_HANDLE = 'ExampleCoHelp';
/** Staff asked per team each month: agents on every shift, the team lead, a trainer and a QA analyst. */
const TEAM_HEADCOUNT = 11;

const monthEndDelivery = (world: World, month: string, hours: number) =>
  new Date(
    Math.min(
      nextMonthStart(new Date(`${month}-01T00:00:00Z`)).getTime() + hours * 3600_000,
      world.window.end.getTime() + hours * 3600_000,
    ),
  );

export function* pulseFiles(world: World, months: Iterable<ContactMonth>): Generator<DemoFile> {
  const random = world.random.fork('pulse');
  const header = csvLine(['response_id', 'team', 'period', 'question_kind', 'question', 'score']);
  for (const { index, month } of months) {
    const lines: string[] = [];
    for (const team of world.teams) {
      const mood = 0.3 + 0.7 * world.teamQuality(team, index) - (month === world.dipMonth ? 0.1 : 0);
      for (let person = 0; person < TEAM_HEADCOUNT; person++) {
        if (!random.chance(0.8)) continue;
        const latent = mood + random.normal(0, 0.14);
        const id = `P-${month}-${random.hex(8)}`;
        lines.push(csvLine([id, team.name, month, 'enps', 'recommend_as_workplace', onScale(latent + 0.1, 0, 10)]));
        for (const question of ['proud_to_work_here', 'motivated_to_go_beyond', 'see_myself_here_in_a_year']) {
          lines.push(
            csvLine([id, team.name, month, 'engagement', question, onScale(latent + random.normal(0, 0.08), 1, 5)]),
          );
        }
        lines.push(
          csvLine([
            id,
            team.name,
            month,
            'satisfaction',
            'tools_to_do_the_job',
            onScale(latent + random.normal(0.05, 0.12), 1, 5),
          ]),
        );
      }
    }
    const planted: PlantedReject[] = [];
    if (index % 4 === 3) {
      const team = world.teams[index % world.teams.length]?.name ?? '';
      lines.splice(
        random.int(0, lines.length),
        0,
        csvLine([`P-${month}-bad1`, team, month, 'engagement', 'proud_to_work_here', 6]),
      );
      planted.push({ problem: 'engagement answer 6 on a 1-5 scale' });
      lines.splice(
        random.int(0, lines.length),
        0,
        csvLine([`P-${month}-bad2`, team, month, 'wellbeing', 'sleep_well', 4]),
      );
      planted.push({ problem: 'unknown question kind "wellbeing"' });
      lines.splice(
        random.int(0, lines.length),
        0,
        csvLine([`P-${month}-bad3`, team, `${month.slice(0, 4)}-13`, 'enps', 'recommend_as_workplace', 7]),
      );
      planted.push({ problem: 'period month 13' });
    }
    yield {
      source: PULSE_SOURCE,
      key: `pulse/${month}.csv`,
      body: textBody([header, ...lines].join('\n')),
      deliveredAt: monthEndDelivery(world, month, 8),
      planted,
    };
  }
}

/** How long a bad experience makes a customer more likely to leave. */
const CHURN_MEMORY_MS = 60 * DAY_MS;

/** Chance that an account is cancelled at a renewal, whatever the service. */
const BASE_CHURN = 0.012;
/** Added to the chance at a renewal by each of up to three unhappy contacts (satisfaction < 0.4) of the last 60 days. */
const UNHAPPY_CHURN = 0.05;
/** Added by each of up to two contacts of the last 60 days about an issue an earlier contact did not solve. */
const REPEAT_CHURN = 0.025;

/** A customer's account, renewed (or cancelled) every 30 days from when it joined. */
interface Account {
  readonly customer: Customer;
  readonly monthlyFee: number;
  active: boolean;
  /** The next renewal. */
  at: Date;
}

/**
 * A customer's contacts as the churn remembers them: each contact's time (epoch ms), satisfaction
 * and whether it followed up an unsolved issue (1 or 0), in turn, in one array of numbers. Two
 * months of contacts as small objects were kept alive; numbers in an array are not objects.
 */
type Experiences = number[];

/**
 * The chance that an account is cancelled at a renewal, given the customer's contacts of the last
 * 60 days: detractors and repeat contacters churn about twice as often as promoters within 90 days
 * (demo/README.md). `unhappy` contacts had a satisfaction under 0.4; `repeats` followed up an
 * issue an earlier contact did not solve.
 */
export function churnChance(unhappy: number, repeats: number): number {
  return BASE_CHURN + UNHAPPY_CHURN * Math.min(unhappy, 3) + REPEAT_CHURN * Math.min(repeats, 2);
}

/**
 * Month by month, every account's renewals of the month once its contacts are read. A cancellation
 * is dated up to ten days before its renewal date, so a month's events are delivered a month later.
 */
export function* activityFiles(world: World, months: Iterable<ContactMonth>): Generator<DemoFile> {
  const random = world.random.fork('activity');
  const { start, end } = world.window;
  /** Per customer, their contacts of the last 60 days. */
  const experiences = new Map<Customer, Experiences>();
  const events = new MonthBuckets<{ at: Date; line: string }>();
  const add = (customer: Customer, at: Date, kind: string, amount: number | null) => {
    if (at < start || at >= end) return;
    events.add(monthKey(at), {
      at,
      line: csvLine([customer.phone, iso(at), kind, amount === null ? '' : amount.toFixed(2), customer.region]),
    });
  };
  const accounts: Account[] = world.customers.map((customer) => {
    const existing = random.chance(0.72);
    const joined = existing
      ? after(start, random.int(0, 20 * 86_400))
      : after(start, random.int(0, Math.round((end.getTime() - start.getTime()) / 1000)));
    const monthlyFee = random.pick([19.99, 29.99, 44.99]);
    add(customer, joined, existing ? 'renewal' : 'signup', existing ? monthlyFee : null);
    return { customer, monthlyFee, active: true, at: new Date(joined.getTime() + 30 * DAY_MS) };
  });
  const renew = (account: Account) => {
    const { customer, at, monthlyFee } = account;
    if (account.active) {
      // Customers leave more often after bad experiences in the last two months.
      const list = experiences.get(customer) ?? [];
      let unhappy = 0;
      let repeats = 0;
      for (let i = 0; i < list.length; i += 3) {
        const contactAt = list[i] as number;
        if (contactAt < at.getTime() && at.getTime() - contactAt < CHURN_MEMORY_MS) {
          if ((list[i + 1] as number) < 0.4) unhappy++;
          if (list[i + 2] === 1) repeats++;
        }
      }
      if (random.chance(churnChance(unhappy, repeats))) {
        add(customer, after(at, -random.int(0, 10 * 86_400)), 'cancellation', null);
        account.active = false;
        return;
      }
      add(customer, at, 'renewal', monthlyFee);
      for (let k = random.poisson(0.3); k > 0; k--) {
        add(
          customer,
          after(at, random.int(0, 29 * 86_400)),
          'order',
          Math.round(random.lognormal(35, 0.6) * 100) / 100,
        );
      }
    } else if (random.chance(0.04)) {
      add(customer, after(at, random.int(0, 20 * 86_400)), 'order', Math.round(random.lognormal(35, 0.6) * 100) / 100);
      account.active = true;
    }
  };
  const header = csvLine(['customer_id', 'event_at', 'kind', 'amount', 'region']);
  const file = (index: number, month: string): DemoFile => {
    const lines = events
      .take(month)
      .sort((a, b) => a.at.getTime() - b.at.getTime() || a.line.localeCompare(b.line))
      .map((e) => e.line);
    const planted: PlantedReject[] = [];
    if (index % 3 === 2) {
      const when = iso(after(new Date(`${month}-01T00:00:00Z`), 9 * 86_400));
      lines.splice(random.int(0, lines.length), 0, csvLine(['CUST-100003', when, 'order', '€25.00', 'GB']));
      planted.push({ problem: 'amount with a currency sign' });
      lines.splice(random.int(0, lines.length), 0, csvLine(['CUST-100004', when, 'churned', '', 'GB']));
      planted.push({ problem: 'unknown kind "churned"' });
      lines.splice(random.int(0, lines.length), 0, csvLine(['', when, 'order', '12.50', 'GB']));
      planted.push({ problem: 'missing customer_id' });
      lines.splice(
        random.int(0, lines.length),
        0,
        csvLine(['CUST-100005', `31/${month.slice(5, 7)}/${month.slice(0, 4)} 25:00`, 'order', '9.99', 'IE']),
      );
      planted.push({ problem: 'event_at that is not a date-time' });
    }
    return {
      source: ACTIVITY_SOURCE,
      key: `events/${month}.csv`,
      body: textBody([header, ...lines].join('\n')),
      deliveredAt: monthEndDelivery(world, month, 4),
      planted,
    };
  };
  let previous: { index: number; month: string } | null = null;
  for (const { index, month, contacts } of months) {
    for (const c of contacts) {
      const list = experiences.get(c.customer);
      const followUp = c.followUp ? 1 : 0;
      if (list) list.push(c.createdAt.getTime(), c.satisfaction, followUp);
      else experiences.set(c.customer, [c.createdAt.getTime(), c.satisfaction, followUp]);
    }
    const monthStart = new Date(`${month}-01T00:00:00Z`);
    const since = monthStart.getTime() - CHURN_MEMORY_MS;
    for (const [customer, list] of experiences) {
      const kept: Experiences = [];
      for (let i = 0; i < list.length; i += 3) {
        if ((list[i] as number) >= since) kept.push(list[i] as number, list[i + 1] as number, list[i + 2] as number);
      }
      if (kept.length === 0) experiences.delete(customer);
      else if (kept.length < list.length) experiences.set(customer, kept);
    }
    const until = nextMonthStart(monthStart);
    for (const account of accounts) {
      for (; account.at < until && account.at < end; account.at = new Date(account.at.getTime() + 30 * DAY_MS)) {
        renew(account);
      }
    }
    if (previous) yield file(previous.index, previous.month);
    previous = { index, month };
  }
  if (previous) yield file(previous.index, previous.month);
}

const POSITIVE = [
  'Huge thanks to @ExampleCoHelp, sorted my bill in minutes. Brilliant service!',
  'Really impressed with @ExampleCoHelp today, friendly and fast :)',
  '@ExampleCoHelp love the new app, great job',
  'Shout out to the @ExampleCoHelp team, excellent help with my router',
];
const NEUTRAL = [
  '@ExampleCoHelp what time does the shop open on Sunday?',
  '@ExampleCoHelp is there a way to change my billing date?',
  'Does @ExampleCoHelp deliver to Cork?',
  '@ExampleCoHelp how do I update my address',
];
const NEGATIVE = [
  '@ExampleCoHelp been on hold for 40 minutes, this is terrible',
  '@ExampleCoHelp my internet is down AGAIN, awful service',
  'Still waiting for my refund @ExampleCoHelp, really disappointed',
  '@ExampleCoHelp worst support ever, nobody answers',
];
const REPLIES = [
  "Sorry to hear that! Please DM us your account number and we'll look into it.",
  'Thanks for reaching out, we have sent you a DM.',
  'Glad we could help, have a great day!',
  "We're on it, an update will follow shortly.",
];

/**
 * Day by day, each day once the week it falls in is read (the mood of a week's contacts drives its
 * posts); a month is delivered once its last day is simulated, since replies only come later.
 */
export function* socialFiles(world: World, months: Iterable<ContactMonth>): Generator<DemoFile> {
  const random = world.random.fork('social');
  const { start } = world.window;
  const weekOf = (at: Date) => Math.floor((at.getTime() - start.getTime()) / (7 * DAY_MS));
  /** Satisfaction summed and counted by week of the window. */
  const weeks = new Map<number, { sum: number; n: number }>();
  const posts = new MonthBuckets<{ at: Date; json: Record<string, unknown> }>();
  let id = 1_800_000_000_000_000_000n;
  /** Days simulated so far; months delivered so far. */
  let days = 0;
  let delivered = 0;
  const dayOf = (at: Date) => Math.round((at.getTime() - start.getTime()) / DAY_MS);
  const lastIndex = world.window.months.length - 1;
  for (const { index, month, contacts } of months) {
    for (const c of contacts) {
      const week = weeks.get(weekOf(c.createdAt));
      if (week) {
        week.sum += c.satisfaction;
        week.n++;
      } else weeks.set(weekOf(c.createdAt), { sum: c.satisfaction, n: 1 });
    }
    const read = dayOf(nextMonthStart(new Date(`${month}-01T00:00:00Z`)));
    const simulable = index === lastIndex ? world.window.days : Math.floor(read / 7) * 7;
    for (; days < simulable; days++) {
      simulateDay(days);
      weeks.delete(Math.floor(days / 7) - 1);
    }
    for (; delivered <= lastIndex; delivered++) {
      const next = world.window.months[delivered] ?? '';
      if (dayOf(nextMonthStart(new Date(`${next}-01T00:00:00Z`))) > days) break;
      const file = monthFile(delivered, next);
      if (file) yield file;
    }
  }

  function simulateDay(d: number) {
    const day = new Date(start.getTime() + d * DAY_MS);
    const week = weeks.get(Math.floor(d / 7));
    const mood = week ? week.sum / week.n : 0.6;
    const n = random.poisson(14 * world.options.scale);
    for (let k = 0; k < n; k++) {
      const at = after(day, random.int(6 * 3600, 23 * 3600));
      const tone = random.next();
      const negative = 0.75 - 0.8 * mood;
      const text =
        tone < negative ? random.pick(NEGATIVE) : tone < negative + 0.35 ? random.pick(NEUTRAL) : random.pick(POSITIVE);
      const screenName = `user_${random.hex(6)}`;
      const postId = String(id);
      id += BigInt(random.int(1000, 90_000));
      posts.add(monthKey(at), {
        at,
        json: {
          id_str: postId,
          created_at: twitterTime(at),
          text,
          in_reply_to_status_id_str: null,
          user: { id_str: String(random.int(10_000, 99_999_999)), screen_name: screenName },
          lang: 'en',
        },
      });
      const staffing = world.staffing(at);
      // The social team answers less when the centre is short of staff, and was still being set
      // up in the first two months of the window.
      if (random.chance(0.55 + 0.3 * staffing - (monthIndex(world.window, at) < 2 ? 0.1 : 0))) {
        const replyAt = after(at, random.lognormal(1500 / staffing ** 3, 1.1));
        posts.add(monthKey(replyAt), {
          at: replyAt,
          json: {
            id_str: String(id),
            created_at: twitterTime(replyAt),
            text: `@${screenName} ${random.pick(REPLIES)}`,
            in_reply_to_status_id_str: postId,
            user: { id_str: '7100200', screen_name: BRAND_HANDLE },
            lang: 'en',
          },
        });
        id += BigInt(random.int(1000, 90_000));
      }
    }
  }

  function monthFile(index: number, month: string): DemoFile | null {
    const list = posts.take(month).sort((a, b) => a.at.getTime() - b.at.getTime());
    const lines: string[] = list.map((p) => JSON.stringify(p.json));
    const planted: PlantedReject[] = [];
    const sample = list.find((p) => p.json.in_reply_to_status_id_str === null);
    if (sample && index % 2 === 0) {
      const broken = JSON.stringify({ ...sample.json, id_str: `${String(sample.json.id_str)}7` });
      lines.splice(random.int(0, lines.length), 0, broken.slice(0, Math.floor(broken.length / 2)));
      planted.push({ problem: 'post truncated mid-line' });
      lines.splice(
        random.int(0, lines.length),
        0,
        JSON.stringify({ ...sample.json, id_str: `${String(sample.json.id_str)}8`, created_at: iso(sample.at) }),
      );
      planted.push({ problem: 'created_at in ISO form in a Twitter-format feed' });
    }
    if (lines.length === 0) return null;
    return {
      source: SOCIAL_SOURCE,
      key: `mentions/${month}.jsonl`,
      body: jsonLinesBody(lines),
      deliveredAt: monthEndDelivery(world, month, 1),
      planted,
    };
  }
}
