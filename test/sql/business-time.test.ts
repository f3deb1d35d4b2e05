/**
 * Business time on DuckDB with the real views: each contact's schedule, its business first-response
 * and resolution seconds (B(end) - B(start) over business_calendar) and SLAs judged in business
 * time. Every expected figure is worked out by hand beside its test. London is on GMT (UTC+0)
 * until 2025-03-30 01:00 UTC and from 2025-10-26 01:00 UTC, on BST (UTC+1) between.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDbEngine } from '../../cli/duckdb.ts';
import type { Interaction } from '../../lambdas/core/schema/canonical.ts';
import { createTestLake, interaction, type TestLake, utc } from '../support/lake.ts';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'];
const LONDON = 'Europe/London';

const config = {
  schedules: [
    {
      name: 'office',
      timeZone: LONDON,
      hours: [{ days: WEEKDAYS, from: '09:00', to: '17:00' }],
      holidays: ['12-25', '2025-05-05'],
      appliesTo: { sources: ['office'] },
    },
    {
      name: 'vip',
      timeZone: 'UTC',
      hours: [{ days: [...WEEKDAYS, 'sat', 'sun'], from: '00:00', to: '24:00' }],
      appliesTo: { priorities: ['urgent'] },
    },
    {
      name: 'night',
      timeZone: LONDON,
      hours: [{ days: WEEKDAYS, from: '22:00', to: '06:00' }],
      appliesTo: { sources: ['night'] },
    },
    {
      name: 'changing',
      timeZone: LONDON,
      hours: [{ days: WEEKDAYS, from: '09:00', to: '17:00' }],
      appliesTo: { sources: ['changing'] },
      slaInBusinessHours: true,
    },
    {
      name: 'changing',
      timeZone: LONDON,
      effectiveFrom: '2025-06-16',
      hours: [{ days: WEEKDAYS, from: '08:00', to: '20:00' }],
      appliesTo: { sources: ['changing'] },
      slaInBusinessHours: true,
    },
    {
      name: 'sundays',
      timeZone: LONDON,
      hours: [{ days: ['sun'], from: '00:00', to: '24:00' }],
      appliesTo: { sources: ['sundays'] },
    },
  ],
};

/** A ticket answered at `answered` (UTC), still open unless `resolved` is given. */
const ticket = (
  id: string,
  source: string,
  created: string,
  answered: string | null,
  o: Partial<Interaction> = {},
): Interaction =>
  interaction({
    interaction_id: id,
    source,
    channel: 'email',
    created_at: utc(created),
    agent_id: 'A1',
    agent_replies: answered === null ? 0 : 1,
    first_response_at: answered === null ? null : utc(answered),
    status: 'open',
    ...o,
  });

const resolvedAt = (at: string): Partial<Interaction> => ({ status: 'resolved', resolved_at: utc(at) });

const tickets: Interaction[] = [
  // Friday 2025-06-06 17:55 BST (16:55 UTC) to Monday 09:05 BST (08:05 UTC): Friday is closed
  // after 17:00, Monday gives 09:00-09:05: 300 s. Calendar: 2 d 15 h 10 min = 227,400 s.
  ticket('after-close', 'office', '2025-06-06 16:55:00', '2025-06-09 08:05:00'),
  // Friday 16:55 BST to Monday 09:05 BST: 16:55-17:00 and 09:00-09:05, 600 s. Calendar 2 d 16 h
  // 10 min = 231,000 s. With a business-hours SLA of 3,600 s it is met in business time though
  // 231,000 s of calendar time breach it.
  ticket('ten-minutes', 'office', '2025-06-06 15:55:00', '2025-06-09 08:05:00', {
    sla_first_response_target_s: 3600,
    sla_in_business_hours: true,
  }),
  // The same ticket, its source saying nothing and its schedule judging in calendar time: breached.
  ticket('ten-minutes-calendar', 'office', '2025-06-06 15:55:00', '2025-06-09 08:05:00', {
    sla_first_response_target_s: 3600,
  }),
  // Holiday Monday 2025-05-05: Friday 2025-05-02 16:00-17:00 BST and Tuesday 09:00-10:00 BST,
  // 7,200 s; calendar 2025-05-02 15:00 to 2025-05-06 09:00 UTC = 90 h = 324,000 s.
  ticket('holiday', 'office', '2025-05-02 15:00:00', '2025-05-06 09:00:00'),
  // Three weekends: Friday 2025-06-06 16:00 BST to Monday 2025-06-23 10:00 BST. Friday 1 h, two
  // full weeks 2 × 5 × 8 h = 80 h, Monday 1 h: 82 h = 295,200 s. Calendar 2025-06-06 15:00 to
  // 2025-06-23 09:00 UTC = 16 d 18 h = 1,447,200 s.
  ticket('three-weekends', 'office', '2025-06-06 15:00:00', '2025-06-06 15:30:00', {
    ...resolvedAt('2025-06-23 09:00:00'),
  }),
  // Spring forward: Friday 2025-03-28 16:00 GMT (16:00 UTC) to Monday 2025-03-31 10:00 BST
  // (09:00 UTC). Business 1 h + 1 h = 7,200 s; calendar 65 h = 234,000 s (wall clocks say 66 h).
  ticket('spring-office', 'office', '2025-03-28 16:00:00', '2025-03-31 09:00:00'),
  // Fall back: Friday 2025-10-24 16:00 BST (15:00 UTC) to Monday 2025-10-27 10:00 GMT (10:00 UTC).
  // Business 7,200 s; calendar 67 h = 241,200 s (wall clocks say 66 h).
  ticket('fall-office', 'office', '2025-10-24 15:00:00', '2025-10-27 10:00:00'),
  // Most specific wins: an urgent ticket of the office source is on the 24/7 vip schedule, so its
  // business time is its calendar time, 65 h = 234,000 s, over the same weekend.
  ticket('urgent', 'office', '2025-03-28 16:00:00', '2025-03-31 09:00:00', { priority: 'urgent' }),
  // Overnight 22:00-06:00: Friday 2025-06-06 05:00 BST (Thursday's shift) to Friday 23:00 BST
  // (Friday's shift): 05:00-06:00 and 22:00-23:00, 7,200 s; calendar 18 h = 64,800 s.
  ticket('night-1', 'night', '2025-06-06 04:00:00', '2025-06-06 22:00:00'),
  // Saturday 03:00-04:00 BST is still Friday's shift, which runs to 06:00: 3,600 s of 3,600 s.
  ticket('night-2', 'night', '2025-06-07 02:00:00', '2025-06-07 03:00:00'),
  // Monday 2025-06-09 22:00-22:30 BST: 1,800 s of 1,800 s.
  ticket('night-3', 'night', '2025-06-09 21:00:00', '2025-06-09 21:30:00'),
  // Saturday 07:00 BST to Sunday 12:00 BST: no shift opens at the weekend, 0 s of 29 h = 104,400 s.
  ticket('night-weekend', 'night', '2025-06-07 06:00:00', null, { ...resolvedAt('2025-06-08 11:00:00') }),
  // The schedule changes on Monday 2025-06-16: Friday 16:00-17:00 BST under the old hours and
  // Monday 08:00-09:00 BST under the new, 7,200 s (the old hours alone would give 3,600 s);
  // calendar 2025-06-13 15:00 to 2025-06-16 08:00 UTC = 65 h = 234,000 s. The schedule judges SLAs
  // in business time: met against 7,200 s.
  ticket('changing', 'changing', '2025-06-13 15:00:00', '2025-06-16 08:00:00', { sla_first_response_target_s: 7200 }),
  // The source says its target is calendar time, which the schedule does not override: breached.
  ticket('changing-calendar', 'changing', '2025-06-13 15:00:00', '2025-06-16 08:00:00', {
    sla_first_response_target_s: 7200,
    sla_in_business_hours: false,
  }),
  // Sunday 2025-03-30 is 23 hours long in London: from Saturday 23:00 GMT (23:00 UTC) to Monday
  // 00:00 BST (Sunday 23:00 UTC), business 82,800 s of 86,400 s of calendar time.
  ticket('spring-sunday', 'sundays', '2025-03-29 23:00:00', '2025-03-30 23:00:00'),
  // Sunday 2025-10-26 is 25 hours long: from Saturday 23:00 BST (22:00 UTC) to Monday 00:00 GMT
  // (00:00 UTC), business 90,000 s of 26 h = 93,600 s.
  ticket('fall-sunday', 'sundays', '2025-10-25 22:00:00', '2025-10-27 00:00:00'),
  // Open and unanswered at the office source's horizon, its newest contact (fall-office, Friday
  // 2025-10-24 16:00 BST): Thursday 16:30-17:00 and Friday 09:00-16:00 BST, 27,000 s of business
  // time waited (84,600 s of calendar time). Against 8 business hours (28,800 s) it is still active;
  // against one (3,600 s) it is already breached.
  ticket('waiting-active', 'office', '2025-10-23 15:30:00', null, {
    sla_first_response_target_s: 28_800,
    sla_in_business_hours: true,
  }),
  ticket('waiting-breached', 'office', '2025-10-23 15:30:00', null, {
    sla_first_response_target_s: 3_600,
    sla_in_business_hours: true,
  }),
  // No schedule claims this source and none takes every other contact: no business figure.
  ticket('unscheduled', 'elsewhere', '2025-06-06 15:55:00', '2025-06-09 08:05:00', {
    sla_first_response_target_s: 3600,
    sla_in_business_hours: true,
  }),
];

describe('business time in the views', () => {
  let lake: TestLake;
  let engine: DuckDbEngine;
  let facts: Map<string, Record<string, unknown>>;

  beforeAll(async () => {
    lake = createTestLake();
    lake.write('interactions', tickets);
    engine = await lake.engine(config);
    const rows = await engine.query(
      `SELECT interaction_id, schedule, first_response_s, first_response_business_s, resolution_s,
              resolution_business_s, sla_in_business_time, sla_first_response_met
       FROM interaction_facts`,
    );
    facts = new Map(rows.map((r) => [String(r.interaction_id), r]));
  });
  afterAll(async () => {
    await engine.close();
    lake.remove();
  });

  const fact = (id: string) => facts.get(id);

  it('counts only the open hours between two instants, across a weekend', () => {
    expect(fact('after-close')).toMatchObject({
      schedule: 'office',
      first_response_s: 227_400,
      first_response_business_s: 300,
    });
    expect(fact('ten-minutes')).toMatchObject({ first_response_s: 231_000, first_response_business_s: 600 });
  });

  it('closes on a holiday', () => {
    expect(fact('holiday')).toMatchObject({ first_response_s: 324_000, first_response_business_s: 7_200 });
  });

  it('times a resolution that spans three weekends', () => {
    expect(fact('three-weekends')).toMatchObject({
      first_response_business_s: 1_800,
      resolution_s: 1_447_200,
      resolution_business_s: 295_200,
    });
  });

  it('measures business and calendar time across the DST weekends', () => {
    expect(fact('spring-office')).toMatchObject({ first_response_s: 234_000, first_response_business_s: 7_200 });
    expect(fact('fall-office')).toMatchObject({ first_response_s: 241_200, first_response_business_s: 7_200 });
    expect(fact('spring-sunday')).toMatchObject({ first_response_s: 86_400, first_response_business_s: 82_800 });
    expect(fact('fall-sunday')).toMatchObject({ first_response_s: 93_600, first_response_business_s: 90_000 });
  });

  it('gives the most specific assignment: a priority before a source', () => {
    expect(fact('urgent')).toMatchObject({
      schedule: 'vip',
      first_response_s: 234_000,
      first_response_business_s: 234_000,
    });
  });

  it('runs an overnight shift past midnight, and is zero, not unknown, when nothing was open', () => {
    expect(fact('night-1')).toMatchObject({ first_response_s: 64_800, first_response_business_s: 7_200 });
    expect(fact('night-2')).toMatchObject({ first_response_business_s: 3_600 });
    expect(fact('night-3')).toMatchObject({ first_response_business_s: 1_800 });
    expect(fact('night-weekend')).toMatchObject({ resolution_s: 104_400, resolution_business_s: 0 });
  });

  it('uses the version of the schedule in force on each day', () => {
    expect(fact('changing')).toMatchObject({ first_response_s: 234_000, first_response_business_s: 7_200 });
  });

  it('judges an SLA in business time when the source or the schedule says so, the source first', () => {
    expect(fact('ten-minutes')).toMatchObject({ sla_in_business_time: true, sla_first_response_met: true });
    expect(fact('ten-minutes-calendar')).toMatchObject({ sla_in_business_time: false, sla_first_response_met: false });
    expect(fact('changing')).toMatchObject({ sla_in_business_time: true, sla_first_response_met: true });
    expect(fact('changing-calendar')).toMatchObject({ sla_in_business_time: false, sla_first_response_met: false });
  });

  it('decides an open SLA at the horizon by the business time waited', () => {
    expect(fact('waiting-active')).toMatchObject({ sla_in_business_time: true, sla_first_response_met: null });
    expect(fact('waiting-breached')).toMatchObject({ sla_in_business_time: true, sla_first_response_met: false });
  });

  it('has no business figure, and no business-time SLA verdict, without a schedule', () => {
    expect(fact('unscheduled')).toMatchObject({
      schedule: null,
      first_response_s: 231_000,
      first_response_business_s: null,
      sla_in_business_time: true,
      sla_first_response_met: null,
    });
  });

  it('reports business-time medians and 90th percentiles beside the calendar ones', async () => {
    const metric = async (name: string) =>
      (
        await engine.query(
          `SELECT value, n FROM metrics_tickets WHERE metric = :name AND grain = 'month'
           AND period_start = DATE '2025-06-01' AND dimension = 'source' AND dimension_value = 'night'`,
          { name },
        )
      )[0];
    // June's night first responses: business 1,800, 3,600, 7,200 s; calendar 1,800, 3,600, 64,800 s.
    // Median: the middle value. p90: rank 0.9 × 2 = 1.8, 3,600 + 0.8 × (7,200 − 3,600) = 6,480 s in
    // business time, 3,600 + 0.8 × (64,800 − 3,600) = 52,560 s in calendar time.
    expect(await metric('first_response_business_median_s')).toEqual({ value: 3_600, n: 3 });
    expect((await metric('first_response_business_p90_s'))?.value).toBeCloseTo(6_480, 9);
    expect(await metric('first_response_median_s')).toEqual({ value: 3_600, n: 3 });
    expect((await metric('first_response_p90_s'))?.value).toBeCloseTo(52_560, 9);
    // The one resolution: 0 s of business time, 104,400 s of calendar time.
    expect(await metric('resolution_business_median_s')).toEqual({ value: 0, n: 1 });
    expect(await metric('resolution_median_s')).toEqual({ value: 104_400, n: 1 });
  });

  it('has no business-time metric for a source without a schedule', async () => {
    const rows = await engine.query(
      `SELECT metric FROM metrics_tickets WHERE dimension = 'source' AND dimension_value = 'elsewhere'
       AND metric LIKE '%business%'`,
    );
    expect(rows).toEqual([]);
  });
});
