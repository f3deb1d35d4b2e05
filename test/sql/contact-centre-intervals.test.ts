import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDbEngine } from '../../cli/duckdb.ts';
import type { Interaction } from '../../lambdas/core/schema/canonical.ts';
import { createTestLake, interaction, plus, type TestLake, utc } from '../support/lake.ts';

/** A call that started ten seconds before it queued at `queuedAt` (UTC). */
const call = (id: string, queuedAt: Date, o: Partial<Interaction> = {}): Interaction =>
  interaction({
    interaction_id: id,
    created_at: plus(queuedAt, -10),
    queued_at: queuedAt,
    queue: 'sales',
    team: 'north',
    ...o,
  });
const answered = (id: string, queuedAt: Date, o: Partial<Interaction> = {}): Interaction =>
  call(id, queuedAt, { answered_at: plus(queuedAt, o.queue_s ?? 1), agent_id: 'A1', ...o });
const abandon = (id: string, queuedAt: Date, o: Partial<Interaction> = {}): Interaction =>
  call(id, queuedAt, { is_abandoned: true, ...o });

// Tuesday 2025-06-10, 11:10 UTC = 12:10 in London (BST, UTC+1): the 12:00-12:30 interval.
const noon = utc('2025-06-10 11:10:00');
const definitions: Interaction[] = [
  answered('a1', noon, { queue_s: 10, talk_s: 300, hold_s: 60, acw_s: 40 }), // handle 400
  answered('a2', noon, { answered_at: plus(noon, 30), talk_s: 200, acw_s: 20 }), // wait from timestamps, handle 220
  answered('a3', noon, { queue_s: 20, talk_s: 100, hold_s: 0, acw_s: 0 }), // on the threshold; handle 100
  answered('a4', noon, { answered_at: plus(noon, -5) }), // answered before it queued: wait unknown, no talk time
  abandon('b1', noon, { queue_s: 3 }), // short abandon (< 5 s)
  abandon('b2', noon, { queue_s: 12 }), // abandoned before the 20 s threshold
  abandon('b3', noon), // wait unknown: counts as abandoned after the threshold
  abandon('b4', noon, { queue_s: 45 }),
  call('c1', noon, { is_callback: true }), // offered, never abandoned
  // Never queued (an outbound call with talk time): not offered, not in this view's AHT.
  interaction({ interaction_id: 'o1', created_at: noon, answered_at: noon, agent_id: 'A2', talk_s: 50, team: 'north' }),
];

describe('contact_centre_intervals', () => {
  let lake: TestLake;
  let engine: DuckDbEngine;
  const config = { reporting: { timeZone: 'Europe/London', teams: { ny: { timeZone: 'America/New_York' } } } };
  const rows = async (where: string, params: Record<string, string | number> = {}, on = engine) =>
    on.query(
      `SELECT CAST(interval_start AS VARCHAR) AS interval_start, CAST(local_date AS VARCHAR) AS local_date,
         iso_weekday, minute_of_day, interval_minutes, dimension, dimension_value, CAST(dt AS VARCHAR) AS dt,
         offered, answered, abandoned, short_abandons, answered_with_wait, wait_sum_s, answered_within_threshold,
         abandoned_after_threshold, service_level_base, service_level_threshold_s, handled_timed, handle_sum_s,
         abandonment_rate, asa_s, service_level_pct, aht_s
       FROM contact_centre_intervals WHERE ${where} ORDER BY interval_start, dimension, dimension_value, dt`,
      params,
    );

  beforeAll(async () => {
    lake = createTestLake();
    lake.write('interactions', definitions);
    // An older export of b4, before it was abandoned: the latest version wins.
    lake.write('interactions', [
      { ...(definitions[7] as Interaction), is_abandoned: false, updated_at: plus(noon, -60) },
    ]);
    lake.write('interactions', [
      // Monday 2025-06-30 23:40 UTC is Tuesday 2025-07-01 00:40 in London: July's first interval, from June's dt.
      answered('m1', utc('2025-06-30 23:40:00'), { queue_s: 15 }),
      // London springs forward on Sunday 2025-03-30 at 01:00 UTC (01:00 GMT -> 02:00 BST).
      answered('s1', utc('2025-03-30 00:59:30'), { queue_s: 5 }), // 00:59:30 GMT
      answered('s2', utc('2025-03-30 01:00:10'), { queue_s: 5 }), // 02:00:10 BST
      // And falls back on Sunday 2025-10-26 at 01:00 UTC (02:00 BST -> 01:00 GMT): 01:45 BST and 01:40 GMT.
      answered('f1', utc('2025-10-26 00:45:00'), { queue_s: 5 }),
      answered('f2', utc('2025-10-26 01:40:00'), { queue_s: 30 }),
      // A team in its own zone: 16:10 UTC is 12:10 in New York (EDT, UTC-4).
      answered('e1', utc('2025-06-11 16:10:00'), { queue_s: 5, team: 'ny', queue: 'us' }),
      // Started on Wednesday 11 June (UTC), queued on Thursday: one interval, two dt.
      answered('d1', utc('2025-06-12 00:00:05'), { created_at: utc('2025-06-11 23:59:50'), queue_s: 5 }),
      answered('d2', utc('2025-06-12 00:10:00'), { queue_s: 5 }),
      // Friday 2025-06-13 14:05 UTC = 15:05 BST: only an abandon whose wait is unknown.
      abandon('x1', utc('2025-06-13 14:05:00')),
    ]);
    engine = await lake.engine(config);
  });
  afterAll(async () => {
    await engine.close();
    lake.remove();
  });

  it("counts one interval's queued contacts as contact_centre_stats defines them", async () => {
    expect(await rows(`dimension = 'overall' AND local_date = DATE '2025-06-10'`)).toEqual([
      {
        interval_start: '2025-06-10 12:00:00',
        local_date: '2025-06-10',
        iso_weekday: 2,
        minute_of_day: 720,
        interval_minutes: 30,
        dimension: 'overall',
        dimension_value: 'all',
        dt: '2025-06-10',
        offered: 9, // a1-a4, b1-b4, c1
        answered: 4,
        abandoned: 4,
        short_abandons: 1,
        answered_with_wait: 3, // a1 10 s, a2 30 s, a3 20 s
        wait_sum_s: 60,
        answered_within_threshold: 2, // a1, a3 (on the threshold)
        abandoned_after_threshold: 2, // b3 (unknown), b4 (45 s)
        service_level_base: 5,
        service_level_threshold_s: 20,
        handled_timed: 3,
        handle_sum_s: 720, // 400 + 220 + 100
        abandonment_rate: 37.5, // (4 - 1) / (9 - 1)
        asa_s: 20, // 60 / 3
        service_level_pct: 40, // 2 / 5
        aht_s: 240, // 720 / 3
      },
    ]);
  });

  it('cuts the interval by channel, team, queue and source, never by agent', async () => {
    const cut = await rows(`local_date = DATE '2025-06-10'`);
    expect(cut.map((r) => `${r.dimension}=${r.dimension_value}:${r.offered}`)).toEqual([
      'channel=voice:9',
      'overall=all:9',
      'queue=sales:9',
      'source=connect:9',
      'team=north:9',
    ]);
  });

  it('dates a contact in the local month it queued in: 23:40 UTC on 30 June is 1 July in London', async () => {
    const [row] = await rows(`dimension = 'overall' AND local_date = DATE '2025-07-01'`);
    expect(row).toMatchObject({
      interval_start: '2025-07-01 00:30:00',
      iso_weekday: 2,
      minute_of_day: 30,
      dt: '2025-06-30',
      offered: 1,
      service_level_pct: 100,
    });
  });

  it('follows London across spring-forward: 00:59:30 GMT, then 02:00:10 BST, and no 01:00 hour', async () => {
    const spring = await rows(`dimension = 'overall' AND local_date = DATE '2025-03-30'`);
    expect(spring.map((r) => [r.interval_start, r.iso_weekday, r.offered])).toEqual([
      ['2025-03-30 00:30:00', 7, 1],
      ['2025-03-30 02:00:00', 7, 1],
    ]);
  });

  it('puts both passes of the repeated hour in one wall-clock interval on fall-back night (01:45 BST and 01:40 GMT)', async () => {
    const autumn = await rows(`dimension = 'overall' AND local_date = DATE '2025-10-26'`);
    expect(autumn).toHaveLength(1);
    expect(autumn[0]).toMatchObject({
      interval_start: '2025-10-26 01:30:00',
      offered: 2,
      answered_within_threshold: 1, // f1 5 s; f2 waited 30 s
      service_level_pct: 50,
      asa_s: 17.5,
    });
  });

  it("uses the team's own zone: 16:10 UTC is the 12:00 interval of a New York team", async () => {
    const ny = await rows(`dimension = 'team' AND dimension_value = 'ny'`);
    expect(ny.map((r) => [r.interval_start, r.local_date, r.minute_of_day])).toEqual([
      ['2025-06-11 12:00:00', '2025-06-11', 720],
    ]);
  });

  it('keeps a row per dt where an interval holds contacts started on two UTC dates; the counts add up', async () => {
    const split = await rows(`dimension = 'overall' AND interval_start = TIMESTAMP '2025-06-12 01:00:00'`);
    expect(split.map((r) => [r.dt, r.offered, r.wait_sum_s])).toEqual([
      ['2025-06-11', 1, 5],
      ['2025-06-12', 1, 5],
    ]);
  });

  it('leaves ASA and AHT unknown, not zero, where no contact was answered', async () => {
    const [row] = await rows(`dimension = 'overall' AND local_date = DATE '2025-06-13'`);
    expect(row).toMatchObject({
      interval_start: '2025-06-13 15:00:00',
      iso_weekday: 5,
      offered: 1,
      answered: 0,
      answered_with_wait: 0,
      wait_sum_s: null,
      asa_s: null,
      handled_timed: 0,
      handle_sum_s: null,
      aht_s: null,
      service_level_base: 1,
      service_level_pct: 0,
      abandonment_rate: 100,
    });
  });

  it('reads only the dt partitions a query asks for', async () => {
    const plan = (await engine.query(
      `EXPLAIN SELECT sum(offered) AS offered FROM contact_centre_intervals
       WHERE dt BETWEEN '2025-06-30' AND '2025-07-01' AND dimension = 'overall'`,
    )) as Record<string, unknown>[];
    const text = plan.map((r) => Object.values(r).join('\n')).join('\n');
    const scanning = /Scanning Files: (\d+)\/(\d+)/.exec(text);
    // m1 is the only contact whose dt (2025-06-30) is in range: one file of the lake's eight (two
    // writes of 2025-06-10, then one file per dt: 03-30, 06-11, 06-12, 06-13, 06-30, 10-26).
    expect(scanning?.slice(1)).toEqual(['1', '8']);
  });

  it('takes its interval length from reporting.intervalMinutes: 12:50 BST is 12:45, 12:30 or 12:00', async () => {
    const other = createTestLake();
    other.write('interactions', [answered('q1', utc('2025-06-13 11:50:00'), { queue_s: 5 })]);
    try {
      for (const [minutes, start] of [
        [15, '2025-06-13 12:45:00'],
        [30, '2025-06-13 12:30:00'],
        [60, '2025-06-13 12:00:00'],
      ] as const) {
        const e = await other.engine({ reporting: { timeZone: 'Europe/London', intervalMinutes: minutes } });
        try {
          const [row] = await rows(`dimension = 'overall'`, {}, e);
          expect(row, String(minutes)).toMatchObject({ interval_start: start, interval_minutes: minutes });
        } finally {
          await e.close();
        }
      }
    } finally {
      other.remove();
    }
  });
});
