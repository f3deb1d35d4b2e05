import { TrinoSQL } from 'dt-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDbEngine } from '../../../cli/duckdb.ts';
import { parseConfig } from '../../../lambdas/core/config/config.ts';
import type { QueryEngine, SqlValue } from '../../../lambdas/core/query/engine.ts';
import { resolvePeriod } from '../../../lambdas/core/time/periods.ts';
import {
  heatBand,
  type IntervalCell,
  intervalFacts,
  intervalsSection,
  queryIntervals,
  readIntervalFacts,
  staffingTarget,
  weekdayCounts,
} from '../../../lambdas/report/intervals.ts';
import { createTestLake, interaction, plus, type TestLake, utc } from '../../support/lake.ts';

const june = resolvePeriod({ period: '2025-06' }, { timeZone: 'UTC' });
const config = parseConfig({ targets: [{ metric: 'service_level_pct', goal: 80 }] });

const cell = (o: Partial<IntervalCell> & Pick<IntervalCell, 'isoWeekday' | 'minuteOfDay'>): IntervalCell => ({
  intervalMinutes: 30,
  offered: 0,
  answered: 0,
  abandoned: 0,
  answeredWithWait: 0,
  waitSumS: null,
  answeredWithinThreshold: 0,
  serviceLevelBase: 0,
  thresholdS: 20,
  handledTimed: 0,
  handleSumS: null,
  ...o,
});

const cells: IntervalCell[] = [
  // Mondays 12:00-12:30: 20 offered, 14 answered after 60 s on average, 4 of the 18 judged in time.
  cell({
    isoWeekday: 1,
    minuteOfDay: 720,
    offered: 20,
    answered: 14,
    abandoned: 6,
    answeredWithWait: 14,
    waitSumS: 840,
    answeredWithinThreshold: 4,
    serviceLevelBase: 18,
    handledTimed: 14,
    handleSumS: 4200,
  }),
  // Mondays 10:00-10:30: 20 of 28 in time.
  cell({
    isoWeekday: 1,
    minuteOfDay: 600,
    offered: 30,
    answered: 28,
    answeredWithWait: 28,
    waitSumS: 280,
    answeredWithinThreshold: 20,
    serviceLevelBase: 28,
    handledTimed: 28,
    handleSumS: 8400,
  }),
  // Tuesdays 12:30-13:00: all 5 in time, so never among the worst.
  cell({
    isoWeekday: 2,
    minuteOfDay: 750,
    offered: 5,
    answered: 5,
    answeredWithWait: 5,
    waitSumS: 25,
    answeredWithinThreshold: 5,
    serviceLevelBase: 5,
    handledTimed: 5,
    handleSumS: 1500,
  }),
  // Wednesdays 09:00-09:30: 3 callers gave up after an unknown wait; nobody answered, so no AHT.
  cell({ isoWeekday: 3, minuteOfDay: 540, offered: 3, abandoned: 3, serviceLevelBase: 3 }),
];

describe('intervals: derived facts', () => {
  it('counts the weekdays of a period: June 2025 starts on a Sunday and has five Mondays and Sundays', () => {
    expect(weekdayCounts('2025-06-01', '2025-07-01')).toEqual([5, 4, 4, 4, 4, 4, 5]);
    // 2024-02 of a leap year: 29 days from a Thursday.
    expect(weekdayCounts('2024-02-01', '2024-03-01')).toEqual([4, 4, 4, 5, 4, 4, 4]);
  });

  it('names the intervals that failed the most callers, staffed by Erlang C for an average occurrence', () => {
    const facts = intervalFacts(cells, june, config, null);
    expect(facts.offered).toBe(58);
    expect(facts.worst.map((w) => [w.isoWeekday, w.minuteOfDay, w.missed])).toEqual([
      [1, 720, 14],
      [1, 600, 8],
      [3, 540, 3],
    ]);
    const [monday, , wednesday] = facts.worst;
    expect(monday?.serviceLevelPct).toBeCloseTo((100 * 4) / 18, 12);
    expect(monday?.asaS).toBe(60);
    expect(monday?.ahtS).toBe(300);
    // Five Mondays in June: 20 / 5 = 4 calls of 300 s in 1,800 s = 0.667 Erlangs. One agent answers
    // 1 − 0.667·e^(−0.333·20/300) = 34.8% in 20 s; two: P(wait) = 1/6, 1 − e^(−1.333·20/300)/6 = 84.7%.
    expect(monday?.occurrences).toBe(5);
    expect(monday?.offeredPerInterval).toBe(4);
    expect(monday?.staffing?.trafficErlangs).toBeCloseTo(2 / 3, 12);
    expect(monday?.staffing?.agents).toBe(2);
    expect(monday?.staffing?.waitProbability).toBeCloseTo(1 / 6, 12);
    expect(monday?.staffing?.serviceLevelPct).toBeCloseTo(100 * (1 - Math.exp((-(4 / 3) * 20) / 300) / 6), 10);
    // Nobody answered on Wednesday morning: no handle time, so no staffing answer (not 0 agents).
    expect(wednesday?.serviceLevelPct).toBe(0);
    expect(wednesday?.ahtS).toBeNull();
    expect(wednesday?.asaS).toBeNull();
    expect(wednesday?.staffing).toBeNull();
  });

  it('draws the heatmap by hour from the first to the last hour with a contact, with a whole-week column', () => {
    const facts = intervalFacts(cells, june, config, null);
    expect(facts.hours).toEqual([9, 10, 11, 12]);
    expect(facts.heatmap).toHaveLength(7 * 4);
    const at = (weekday: number, hour: number) =>
      facts.heatmap.find((c) => c.isoWeekday === weekday && c.hour === hour);
    expect(at(1, 12)?.serviceLevelPct).toBeCloseTo((100 * 4) / 18, 12);
    expect(at(1, 11)).toMatchObject({ offered: 0, serviceLevelPct: null });
    // 12:00 over the week: Monday 4 of 18 and Tuesday 5 of 5 = 9 of 23.
    expect(facts.hourTotals.find((c) => c.hour === 12)?.serviceLevelPct).toBeCloseTo((100 * 9) / 23, 12);
  });

  it('bands service level by its distance below the target', () => {
    expect([80, 79.9, 70, 69.9, 55, 54.9, null].map((v) => heatBand(v, 80))).toEqual([
      'met',
      'near',
      'near',
      'below',
      'below',
      'far',
      null,
    ]);
  });

  it("aims at reporting.serviceLevelTargetPct, else the scope's or the overall service-level target, else 80%", () => {
    expect(staffingTarget(parseConfig({ reporting: { serviceLevelTargetPct: 90 } }), null)).toEqual({
      pct: 90,
      from: 'reporting.serviceLevelTargetPct',
    });
    const targets = parseConfig({
      targets: [
        { metric: 'service_level_pct', goal: 80 },
        { metric: 'service_level_pct', scope: 'queue:sales', goal: 70 },
      ],
    });
    expect(staffingTarget(targets, { dimension: 'queue', value: 'sales' }).pct).toBe(70);
    expect(staffingTarget(targets, { dimension: 'queue', value: 'billing' }).pct).toBe(80);
    expect(staffingTarget(parseConfig({}), null)).toEqual({ pct: 80, from: 'default' });
  });
});

describe('intervals: the page', () => {
  it('says where service slips, draws the heatmap with its legend and lists the worst intervals', () => {
    const html = intervalsSection(intervalFacts(cells, june, config, null));
    expect(html).toContain('<h2 id="h-intervals">When service slips</h2>');
    expect(html).toContain(
      'Service slips most on Mondays 12:00–12:30: 22.2% answered within 20 s against a target of 80%, 14 callers failed; Erlang C puts the need at 2 agents for its average 4.0 contacts of 5m 00s.',
    );
    expect(html.match(/<td class="heat"/g)).toHaveLength(4 * 8);
    expect(html).toContain(
      'data-weekday="1" data-hour="12" data-band="far" data-offered="20" data-judged="18" data-within="4" data-sl="22.22"',
    );
    expect(html).toContain('data-weekday="2" data-hour="12" data-band="met"');
    expect(html).toContain('data-band="none"');
    for (const label of ['80% or more (on target)', '70–80%', '55–70%', 'below 55%', '— no contact judged'])
      expect(html).toContain(label);
    const rows = [...html.matchAll(/<tr data-weekday="(\d)" data-minute="(\d+)"><th scope="row">([^<]+)<\/th>/g)];
    expect(rows.map((r) => r[3])).toEqual(['Monday 12:00–12:30', 'Monday 10:00–10:30', 'Wednesday 09:00–09:30']);
    expect(html).toContain('<td>3 <span class="muted">(0.8 per interval, 4 days)</span></td>');
    expect(html).toContain('<span class="muted">AHT unknown</span>');
  });

  it('shows no figures for an agent, whose contacts are queued for a team, and says so', () => {
    const html = intervalsSection(intervalFacts(cells, june, config, { dimension: 'agent', value: 'A1' }));
    expect(html).toContain('a queued contact waits for the queue, not for one agent');
    expect(html).not.toContain('table class="grid heatmap"');
  });

  it('says there was nothing to show when no contact queued in the period, and when the section was not read', () => {
    expect(intervalsSection(intervalFacts([], june, config, null))).toContain(
      'No contact queued in June 2025: interval figures need queue times (queued_at)',
    );
    expect(intervalsSection(null)).toContain('Interval figures were not read for this report.');
  });

  it('escapes what the data and the config say', () => {
    const scoped = intervalFacts(cells, june, config, { dimension: 'team', value: '<b>north</b>' });
    expect(intervalsSection(scoped)).toContain('team &lt;b&gt;north&lt;/b&gt;');
  });
});

describe('intervals: the read', () => {
  let lake: TestLake;
  let engine: DuckDbEngine;
  const call = (id: string, queuedAt: Date, queueS: number) =>
    interaction({
      interaction_id: id,
      created_at: plus(queuedAt, -20),
      queued_at: queuedAt,
      answered_at: plus(queuedAt, queueS),
      queue_s: queueS,
      agent_id: 'A1',
      talk_s: 200,
      team: 'north',
    });

  beforeAll(async () => {
    lake = createTestLake();
    lake.write('interactions', [
      // Mondays 2 and 9 June at 12:10 and 12:40 London time (BST): two 30-minute intervals.
      call('a', utc('2025-06-02 11:10:00'), 10),
      call('b', utc('2025-06-09 11:15:00'), 40),
      call('c', utc('2025-06-09 11:40:00'), 5),
      // Sunday 1 June 00:20 BST was Saturday 31 May 23:20 UTC: in June, from May's dt.
      call('d', utc('2025-05-31 23:20:00'), 30),
      // Tuesday 1 July 00:20 BST: July, not June, though its dt is 30 June.
      call('e', utc('2025-06-30 23:20:00'), 5),
    ]);
    engine = await lake.engine({ reporting: { timeZone: 'Europe/London' } });
  });
  afterAll(async () => {
    await engine.close();
    lake.remove();
  });

  it("sums the period's local days by weekday and interval, reading a day of dt either side", async () => {
    const period = resolvePeriod({ period: '2025-06' }, { timeZone: 'Europe/London' });
    expect(period.dtRange).toEqual({ from: '2025-05-31', to: '2025-07-01' });
    const read = await queryIntervals(engine, period, { dimension: 'overall', value: 'all' });
    expect(read.map((c) => [c.isoWeekday, c.minuteOfDay, c.offered, c.answeredWithinThreshold, c.waitSumS])).toEqual([
      [1, 720, 2, 1, 50],
      [1, 750, 1, 1, 5],
      [7, 0, 1, 0, 30],
    ]);
    const team = await queryIntervals(engine, period, { dimension: 'team', value: 'north' });
    expect(team.reduce((sum, c) => sum + c.offered, 0)).toBe(4);
  });

  it('sends one statement over the view alone, as Trino SQL, with every value bound', async () => {
    const sent: string[] = [];
    const recording: QueryEngine = {
      query: <T = Record<string, SqlValue>>(sql: string, params?: Readonly<Record<string, SqlValue>>) => {
        sent.push(sql);
        return engine.query<T>(sql, params);
      },
      close: () => engine.close(),
    };
    const period = resolvePeriod({ period: '2025-06' }, { timeZone: 'Europe/London' });
    await queryIntervals(recording, period, { dimension: 'queue', value: "o'brien" });
    expect(sent).toHaveLength(1);
    const sql = sent[0] ?? '';
    expect(sql).not.toMatch(/\b(JOIN|GROUP BY|HAVING)\b|\(\s*SELECT|o'brien/i);
    expect([...sql.matchAll(/\bFROM\s+(\w+)/gi)].map((m) => m[1])).toEqual(['contact_centre_intervals']);
    expect(new TrinoSQL().validate(sql.replace(/:([A-Za-z_]\w*)/g, '?'))).toEqual([]);
  });

  it("reads a report's facts for its scope, and none for an agent", async () => {
    const london = parseConfig({ reporting: { timeZone: 'Europe/London' } });
    const period = resolvePeriod({ period: '2025-06' }, { timeZone: 'Europe/London' });
    const facts = await readIntervalFacts(engine, period, london, { dimension: 'team', value: 'north' });
    expect(facts.offered).toBe(4);
    // One caller failed in each: Sunday 00:00 (d, 30 s: 0 of 1 in time) before Monday 12:00 (a 10 s
    // and b 40 s: 1 of 2), the lower service level first. June has five Sundays and five Mondays.
    expect(facts.worst.map((w) => [w.isoWeekday, w.minuteOfDay, w.missed, w.occurrences])).toEqual([
      [7, 0, 1, 5],
      [1, 720, 1, 5],
    ]);
    const agent = await readIntervalFacts(engine, period, london, { dimension: 'agent', value: 'A1' });
    expect(agent.offered).toBe(0);
    expect(agent.unscoped).toContain('not for one agent');
  });
});
