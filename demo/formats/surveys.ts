/**
 * Survey tool exports: the quarterly Qualtrics relationship survey (NPS 0-10 and overall
 * satisfaction 1-10, three header rows, previews and unfinished responses included as Qualtrics
 * exports them), the SurveyMonkey customer-effort survey after digital contacts (CES 2.0, 1-7, two
 * header rows) and Delighted's transactional NPS and CSAT after calls (JSON).
 */
import { DAY_MS, epochSeconds, monthKey, nextMonthStart, usDateTime, wallClockIn } from '../calendar.ts';
import { after, type ContactMonth, type Customer, onScale, type World } from '../world.ts';
import { commentFor } from './comments.ts';
import { csvLine, type DemoFile, MonthBuckets, type PlantedReject, textBody } from './files.ts';

export const QUALTRICS_SOURCE = 'demo-qualtrics';
export const SURVEYMONKEY_SOURCE = 'demo-surveymonkey';
export const DELIGHTED_SOURCE = 'demo-delighted';
/** Time zone of the survey accounts (Qualtrics names it per date column; SurveyMonkey implies it). */
export const SURVEY_TIME_ZONE = 'Europe/London';
export const SURVEYMONKEY_CES_HEADING = 'The company made it easy for me to handle my issue.';
export const SURVEYMONKEY_COMMENT_HEADING = 'What could we have done better?';
const RELATIONSHIP_RESPONSES_PER_DAY = 7;
/** Satisfaction of a customer who has not contacted support recently. */
const QUIET_CUSTOMER_SATISFACTION = 0.76;

/** How far back a relationship answer remembers the customer's contacts. */
const EXPERIENCE_MEMORY_MS = 90 * DAY_MS;

/**
 * A customer's past contacts as the relationship survey remembers them: each contact's time (epoch
 * ms) and satisfaction, in turn, in one array of numbers. A month of contacts as small objects
 * stayed alive for three months; numbers in an array are not objects of their own.
 */
type Experiences = number[];

/** A customer's average satisfaction with their contacts in the 90 days before `at`. */
function recentExperience(history: ReadonlyMap<Customer, Experiences>, customer: Customer, at: Date): number {
  const since = at.getTime() - EXPERIENCE_MEMORY_MS;
  const until = at.getTime();
  const list = history.get(customer) ?? [];
  let sum = 0;
  let count = 0;
  for (let i = 0; i < list.length; i += 2) {
    const contactAt = list[i] as number;
    if (contactAt >= since && contactAt < until) {
      sum += list[i + 1] as number;
      count++;
    }
  }
  return count === 0 ? QUIET_CUSTOMER_SATISFACTION : sum / count;
}

/** The experiences from `since` on (all of them: the same array). */
function experiencesSince(list: Experiences, since: number): Experiences {
  const kept: Experiences = [];
  for (let i = 0; i < list.length; i += 2) {
    if ((list[i] as number) >= since) kept.push(list[i] as number, list[i + 1] as number);
  }
  return kept.length === list.length ? list : kept;
}

const npsGroup = (score: number) => (score >= 9 ? 3 : score >= 7 ? 2 : 1);

/** Quarter by quarter, remembering only the last 90 days of each customer's contacts. */
export function* qualtricsFiles(world: World, contactMonths: Iterable<ContactMonth>): Generator<DemoFile> {
  const random = world.random.fork('qualtrics');
  const history = new Map<Customer, Experiences>();
  const columns = [
    ['StartDate', 'Start Date', '{"ImportId":"startDate","timeZone":"Europe/London"}'],
    ['EndDate', 'End Date', '{"ImportId":"endDate","timeZone":"Europe/London"}'],
    ['Status', 'Response Type', '{"ImportId":"status"}'],
    ['IPAddress', 'IP Address', '{"ImportId":"ipAddress"}'],
    ['Progress', 'Progress', '{"ImportId":"progress"}'],
    ['Duration (in seconds)', 'Duration (in seconds)', '{"ImportId":"duration"}'],
    ['Finished', 'Finished', '{"ImportId":"finished"}'],
    ['RecordedDate', 'Recorded Date', '{"ImportId":"recordedDate","timeZone":"Europe/London"}'],
    ['ResponseId', 'Response ID', '{"ImportId":"_recordId"}'],
    ['RecipientLastName', 'Recipient Last Name', '{"ImportId":"recipientLastName"}'],
    ['RecipientFirstName', 'Recipient First Name', '{"ImportId":"recipientFirstName"}'],
    ['RecipientEmail', 'Recipient Email', '{"ImportId":"recipientEmail"}'],
    ['ExternalReference', 'External Data Reference', '{"ImportId":"externalDataReference"}'],
    ['LocationLatitude', 'Location Latitude', '{"ImportId":"locationLatitude"}'],
    ['LocationLongitude', 'Location Longitude', '{"ImportId":"locationLongitude"}'],
    ['DistributionChannel', 'Distribution Channel', '{"ImportId":"distributionChannel"}'],
    ['UserLanguage', 'User Language', '{"ImportId":"userLanguage"}'],
    [
      'Q1_NPS_GROUP',
      'How likely are you to recommend Example Co to a friend or colleague? - Group',
      '{"ImportId":"QID1_NPS_GROUP"}',
    ],
    ['Q1', 'How likely are you to recommend Example Co to a friend or colleague?', '{"ImportId":"QID1"}'],
    ['Q2', 'Overall, how satisfied are you with Example Co? (1 = not at all, 10 = extremely)', '{"ImportId":"QID2"}'],
    ['Q3', 'What is the main reason for your score?', '{"ImportId":"QID3_TEXT"}'],
  ] as const;
  const header = [columns.map((c) => c[0]), columns.map((c) => c[1]), columns.map((c) => c[2])].map((row) =>
    row.map((cell) => `"${cell.replace(/"/g, '""')}"`).join(','),
  );
  const lastIndex = world.window.months.length - 1;
  let rows: string[] = [];
  let months: string[] = [];
  for (const { index, month, contacts } of contactMonths) {
    const start = new Date(`${month}-01T00:00:00Z`);
    for (const c of contacts) {
      const list = history.get(c.customer);
      if (list) list.push(c.createdAt.getTime(), c.satisfaction);
      else history.set(c.customer, [c.createdAt.getTime(), c.satisfaction]);
    }
    const forgotten = start.getTime() - EXPERIENCE_MEMORY_MS;
    for (const [customer, list] of history) {
      const kept = experiencesSince(list, forgotten);
      if (kept.length === 0) history.delete(customer);
      else if (kept !== list) history.set(customer, kept);
    }
    if (index % 3 === 0) {
      rows = [];
      months = [];
    }
    months.push(month);
    const days = Math.round((nextMonthStart(start).getTime() - start.getTime()) / DAY_MS);
    const n = Math.max(3, random.poisson(RELATIONSHIP_RESPONSES_PER_DAY * days * world.options.scale));
    const stamps = Array.from({ length: n }, () => after(start, random.int(0, days * 86_400 - 3600))).sort(
      (a, b) => a.getTime() - b.getTime(),
    );
    for (const startedAt of stamps) {
      const customer = random.pick(world.customers);
      const latent = 0.2 + 0.8 * recentExperience(history, customer, startedAt) + random.normal(0, 0.13);
      const nps = onScale(latent, 0, 10);
      const overall = onScale(latent + random.normal(0, 0.05), 1, 10);
      const durationS = random.int(45, 400);
      const endedAt = after(startedAt, durationS);
      rows.push(
        csvLine([
          wallClockIn(startedAt, SURVEY_TIME_ZONE),
          wallClockIn(endedAt, SURVEY_TIME_ZONE),
          '0',
          `203.0.113.${random.int(1, 254)}`,
          '100',
          durationS,
          '1',
          wallClockIn(after(endedAt, 1), SURVEY_TIME_ZONE),
          `R_${random.hex(15)}`,
          '',
          '',
          customer.email,
          customer.phone,
          '',
          '',
          'email',
          'EN',
          npsGroup(nps),
          nps,
          overall,
          commentFor(random, latent, 0.3) ?? '',
        ]),
      );
    }
    if (index % 3 !== 2 && index !== lastIndex) continue;
    const q = Math.floor(index / 3);
    const planted: PlantedReject[] = [];
    // Qualtrics exports keep the survey owner's preview and responses closed before the end.
    const at = after(new Date(`${months[0]}-01T00:00:00Z`), 3 * 86_400 + 36_000);
    const insert = (line: string, problem: string) => {
      rows.splice(random.int(0, rows.length), 0, line);
      planted.push({ problem });
    };
    insert(
      csvLine([
        wallClockIn(at, SURVEY_TIME_ZONE),
        wallClockIn(after(at, 70), SURVEY_TIME_ZONE),
        '1',
        '203.0.113.16',
        '100',
        70,
        '1',
        wallClockIn(after(at, 71), SURVEY_TIME_ZONE),
        `R_preview${String(q).padStart(6, '0')}`,
        '',
        '',
        '',
        '',
        '',
        '',
        'preview',
        'EN',
        3,
        10,
        10,
        'test',
      ]),
      'a survey preview (Status 1)',
    );
    insert(
      csvLine([
        wallClockIn(at, SURVEY_TIME_ZONE),
        wallClockIn(after(at, 1200), SURVEY_TIME_ZONE),
        '0',
        '203.0.113.40',
        '40',
        1200,
        '0',
        wallClockIn(after(at, 86_400), SURVEY_TIME_ZONE),
        `R_partial${String(q).padStart(6, '0')}`,
        '',
        '',
        'someone@example.net',
        'CUST-100007',
        '',
        '',
        'email',
        'EN',
        1,
        3,
        '',
        '',
      ]),
      'an unfinished response (Finished 0, Progress 40%)',
    );
    if (q % 2 === 1) {
      insert(
        csvLine([
          wallClockIn(at, SURVEY_TIME_ZONE),
          `04/${months[0]?.slice(5, 7)}/${months[0]?.slice(0, 4)} 10:03`,
          '0',
          '203.0.113.41',
          '100',
          200,
          '1',
          '',
          `R_baddate${String(q).padStart(5, '0')}`,
          '',
          '',
          'someone@example.net',
          'CUST-100008',
          '',
          '',
          'email',
          'EN',
          3,
          9,
          9,
          '',
        ]),
        'EndDate in a day/month/year form',
      );
    } else {
      insert(
        csvLine([
          wallClockIn(at, SURVEY_TIME_ZONE),
          wallClockIn(after(at, 90), SURVEY_TIME_ZONE),
          '0',
          '203.0.113.42',
          '100',
          90,
          '1',
          wallClockIn(after(at, 91), SURVEY_TIME_ZONE),
          `R_shifted${String(q).padStart(5, '0')}`,
          '',
          '',
          'someone@example.net',
          'CUST-100009',
          '',
          '',
          'email',
          'EN',
          3,
          11,
          8,
          '',
        ]),
        'NPS answer 11: the question exported with 1-11 recodes',
      );
    }
    const last = months[months.length - 1] ?? months[0] ?? '';
    yield {
      source: QUALTRICS_SOURCE,
      key: `relationship-nps/${months[0]}_${last}.csv`,
      body: Buffer.from(`\ufeff${[...header, ...rows].join('\r\n')}\r\n`),
      deliveredAt: new Date(
        Math.min(
          nextMonthStart(new Date(`${last}-01T00:00:00Z`)).getTime() + 2 * 3600_000,
          world.window.end.getTime() + 2 * 3600_000,
        ),
      ),
      planted,
    };
  }
}

/** Quarter by quarter: a survey follows its contact by a few days, into the next quarter at most. */
export function* surveyMonkeyFiles(world: World, contactMonths: Iterable<ContactMonth>): Generator<DemoFile> {
  const random = world.random.fork('surveymonkey');
  const header1 = [
    'Respondent ID',
    'Collector ID',
    'Start Date',
    'End Date',
    'IP Address',
    'Email Address',
    'First Name',
    'Last Name',
    'Custom Data 1',
    'Custom Data 2',
    SURVEYMONKEY_CES_HEADING,
    'Which channels did you use to contact us?',
    '',
    '',
    '',
    SURVEYMONKEY_COMMENT_HEADING,
  ];
  const header2 = [
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    'Response',
    'Phone',
    'Email',
    'Chat',
    'Other (please specify)',
    'Open-Ended Response',
  ];
  /** Responses by the first month of their quarter. */
  const byQuarter = new MonthBuckets<{ at: Date; line: string }>();
  const quarterOf = (month: string) => {
    const quarter = Math.floor(world.window.months.indexOf(month) / 3);
    return world.window.months[quarter * 3] ?? month;
  };
  const lastIndex = world.window.months.length - 1;
  let respondent = 114_151_092_873;
  for (const { index, month, contacts } of contactMonths) {
    for (const c of contacts) {
      if ((c.channel !== 'zendesk' && c.channel !== 'intercom') || !random.chance(0.09)) continue;
      const startedAt = after(c.createdAt, random.int(86_400, 3 * 86_400));
      if (startedAt >= world.window.end) continue;
      const endedAt = after(startedAt, random.int(30, 240));
      const latent = c.satisfaction + random.normal(0, 0.08);
      const line = csvLine([
        respondent++,
        c.channel === 'zendesk' ? 431_234_567 : 431_234_568,
        usDateTime(startedAt, SURVEY_TIME_ZONE),
        usDateTime(endedAt, SURVEY_TIME_ZONE),
        `198.51.100.${random.int(1, 254)}`,
        c.customer.email,
        '',
        '',
        c.channel === 'zendesk' ? `ZD-${c.seq}` : `IC-${c.seq}`,
        c.team.name,
        onScale(latent, 1, 7),
        '',
        c.channel === 'zendesk' ? 'Email' : '',
        c.channel === 'intercom' ? 'Chat' : '',
        '',
        commentFor(random, latent, 0.25) ?? '',
      ]);
      byQuarter.add(quarterOf(monthKey(startedAt)), { at: startedAt, line });
    }
    if (index % 3 !== 2 && index !== lastIndex) continue;
    const quarter = Math.floor(index / 3);
    const list = byQuarter.take(quarterOf(month));
    if (list.length === 0) continue;
    list.sort((a, b) => a.at.getTime() - b.at.getTime());
    const lines = list.map((e) => e.line);
    const planted: PlantedReject[] = [];
    const at = list[0]?.at ?? world.window.start;
    lines.splice(
      random.int(0, lines.length),
      0,
      csvLine([
        respondent++,
        431_234_567,
        usDateTime(at, SURVEY_TIME_ZONE),
        usDateTime(after(at, 60), SURVEY_TIME_ZONE),
        '198.51.100.9',
        'x@example.net',
        '',
        '',
        'ZD-0',
        'Billing',
        8,
        '',
        'Email',
        '',
        '',
        '',
      ]),
    );
    planted.push({ problem: 'effort answer 8 on the 1-7 scale' });
    lines.splice(
      random.int(0, lines.length),
      0,
      csvLine([
        respondent++,
        431_234_568,
        usDateTime(at, SURVEY_TIME_ZONE),
        `${at.toISOString().slice(8, 10)}.${at.toISOString().slice(5, 7)}.${at.toISOString().slice(0, 4)}`,
        '198.51.100.10',
        'y@example.net',
        '',
        '',
        'IC-0',
        'Sales',
        6,
        '',
        '',
        'Chat',
        '',
        '',
      ]),
    );
    planted.push({ problem: 'End Date in a day.month.year form' });
    const months = world.window.months.slice(quarter * 3, quarter * 3 + 3);
    const last = months[months.length - 1] ?? '';
    yield {
      source: SURVEYMONKEY_SOURCE,
      key: `customer-effort/${months[0]}_${last}.csv`,
      body: textBody([csvLine(header1), csvLine(header2), ...lines].join('\r\n'), '\r\n'),
      deliveredAt: new Date(
        Math.min(
          nextMonthStart(new Date(`${last}-01T00:00:00Z`)).getTime() + 3 * 3600_000,
          world.window.end.getTime() + 3 * 3600_000,
        ),
      ),
      planted,
    };
  }
}

/** Month by month: a response follows its call by two days at most, never before it. */
export function* delightedFiles(world: World, months: Iterable<ContactMonth>): Generator<DemoFile> {
  const random = world.random.fork('delighted');
  const byMonth = new MonthBuckets<Record<string, unknown>>();
  let id = 5_435;
  let person = 3_423;
  for (const { index, month, contacts } of months) {
    for (const c of contacts) {
      if (c.channel !== 'voice' || !random.chance(0.07)) continue;
      const at = after(c.createdAt, random.int(3600, 2 * 86_400));
      if (at >= world.window.end) continue;
      const nps = random.chance(0.6);
      const latent = c.satisfaction + random.normal(0, 0.09);
      const updated = random.chance(0.1) ? after(at, random.int(3600, 86_400)) : at;
      const json = {
        id: String(id++),
        person: String(person++),
        survey_type: nps ? 'nps' : 'csat',
        score: nps ? onScale(0.2 + 0.85 * latent, 0, 10) : onScale(latent, 1, 5),
        comment: commentFor(random, latent, 0.3),
        permalink: `https://delighted.com/r/${id}`,
        created_at: epochSeconds(at),
        updated_at: epochSeconds(updated < world.window.end ? updated : at),
        person_properties: {
          'Delighted Source': 'Email',
          customer_id: c.customer.phone,
          team: c.team.name,
          channel: 'Voice',
          agent: c.agent.username,
        },
        notes: [],
        tags: [],
        additional_answers: [],
      };
      byMonth.add(monthKey(at), json);
    }
    const list = byMonth.take(month).sort((a, b) => Number(a.created_at) - Number(b.created_at));
    const planted: PlantedReject[] = [];
    const sample = list[0];
    if (sample && index % 3 === 0) {
      list.push({ ...sample, id: `9${index}001`, survey_type: 'thumbs', score: 1 });
      planted.push({ problem: 'a thumbs survey the source does not map' });
      list.push({ ...sample, id: `9${index}002`, score: null, comment: 'Left the score blank' });
      planted.push({ problem: 'a response without a score' });
      list.push({
        ...sample,
        id: `9${index}003`,
        created_at: new Date(Number(sample.created_at) * 1000).toISOString(),
      });
      planted.push({ problem: 'created_at as an ISO string instead of Unix seconds' });
    }
    if (list.length === 0) continue;
    yield {
      source: DELIGHTED_SOURCE,
      key: `survey-responses/${month}.json`,
      body: textBody(JSON.stringify(list, null, 2)),
      deliveredAt: new Date(
        Math.min(
          nextMonthStart(new Date(`${month}-01T00:00:00Z`)).getTime() + 3600_000,
          world.window.end.getTime() + 3600_000,
        ),
      ),
      planted,
    };
  }
}
