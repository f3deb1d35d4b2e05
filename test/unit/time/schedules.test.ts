import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, validateConfig } from '../../../lambdas/core/config/config.ts';
import { type ScheduleConfig, scheduleSchema } from '../../../lambdas/core/time/config.ts';
import {
  businessCalendar,
  scheduleAssignments,
  scheduleAssignmentsTable,
  scheduleProblems,
} from '../../../lambdas/core/time/schedules.ts';

const schedule = (raw: Record<string, unknown>): ScheduleConfig =>
  scheduleSchema.parse({ name: 'support', timeZone: 'Europe/London', ...raw });

const WEEKDAYS_9_TO_5 = [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' }];

/** Rows as compact tuples: [utc_date, open time, close time, open_s_before]. */
const rows = (schedules: ScheduleConfig[], from: string, to: string) =>
  businessCalendar(schedules, { from, to }).map((r) => [
    r.utc_date,
    r.open_at?.slice(5, 16) ?? null,
    r.close_at?.slice(5, 16) ?? null,
    r.open_s_before,
  ]);

describe('businessCalendar', () => {
  it('gives every UTC date a row, with the business seconds before it', () => {
    // London is on GMT (UTC) in January; 2025-01-03 is a Friday. 8 h = 28,800 s a weekday.
    expect(rows([schedule({ hours: WEEKDAYS_9_TO_5 })], '2025-01-03', '2025-01-07')).toEqual([
      ['2025-01-03', '01-03 09:00', '01-03 17:00', 0],
      ['2025-01-04', null, null, 28_800],
      ['2025-01-05', null, null, 28_800],
      ['2025-01-06', '01-06 09:00', '01-06 17:00', 28_800],
      ['2025-01-07', '01-07 09:00', '01-07 17:00', 57_600],
    ]);
  });

  it('keeps rows in UTC: a Paris day opens an hour earlier in UTC in winter and two in summer', () => {
    const paris = schedule({ timeZone: 'Europe/Paris', hours: [{ days: ['mon'], from: '09:00', to: '17:00' }] });
    // Monday 2025-01-06 is CET (UTC+1): 08:00-16:00 UTC; Monday 2025-07-07 is CEST (UTC+2): 07:00-15:00 UTC.
    expect(rows([paris], '2025-01-06', '2025-01-06')).toEqual([['2025-01-06', '01-06 08:00', '01-06 16:00', 0]]);
    expect(rows([paris], '2025-07-07', '2025-07-07')).toEqual([['2025-07-07', '07-07 07:00', '07-07 15:00', 0]]);
  });

  it('counts one hour for 01:00-03:00 on the spring-forward night and three on the fall-back night', () => {
    const night = schedule({ hours: [{ days: ['sun'], from: '01:00', to: '03:00' }] });
    // 2025-03-30: clocks go from 01:00 GMT to 02:00 BST. 01:00 local does not exist and reads as
    // 01:00 UTC (moved forward by the gap); 03:00 BST is 02:00 UTC: 3,600 s.
    expect(rows([night], '2025-03-30', '2025-03-31')).toEqual([
      ['2025-03-30', '03-30 01:00', '03-30 02:00', 0],
      ['2025-03-31', null, null, 3_600],
    ]);
    // 2025-10-26: clocks go from 02:00 BST back to 01:00 GMT. 01:00 is its first occurrence (BST,
    // 00:00 UTC); 03:00 GMT is 03:00 UTC: 10,800 s.
    expect(rows([night], '2025-10-26', '2025-10-27')).toEqual([
      ['2025-10-26', '10-26 00:00', '10-26 03:00', 0],
      ['2025-10-27', null, null, 10_800],
    ]);
  });

  it('opens nothing for an interval that lies wholly in the spring-forward gap', () => {
    // 01:00-02:00 London on 2025-03-30 does not exist: both ends are 01:00 UTC.
    const gap = schedule({ hours: [{ days: ['sun'], from: '01:00', to: '02:00' }] });
    expect(rows([gap], '2025-03-30', '2025-03-30')).toEqual([['2025-03-30', null, null, 0]]);
  });

  it('cuts an overnight interval at UTC midnight and lets a shift opened before a holiday run into it', () => {
    // Monday 2025-01-06 22:00 to Tuesday 06:00 (GMT = UTC); Tuesday is a holiday, so its own
    // evening shift does not open, but Monday's runs to 06:00 Tuesday. Wednesday's opens at 22:00.
    const overnight = schedule({
      hours: [{ days: ['mon', 'tue', 'wed'], from: '22:00', to: '06:00' }],
      holidays: ['2025-01-07'],
    });
    expect(rows([overnight], '2025-01-06', '2025-01-09')).toEqual([
      ['2025-01-06', '01-06 22:00', '01-07 00:00', 0],
      ['2025-01-07', '01-07 00:00', '01-07 06:00', 7_200],
      ['2025-01-08', '01-08 22:00', '01-09 00:00', 7_200 + 21_600],
      ['2025-01-09', '01-09 00:00', '01-09 06:00', 28_800 + 7_200],
    ]);
  });

  it('includes the overnight interval that opened the evening before the range', () => {
    // Sunday 2025-01-05 22:00 opens before the range; its 00:00-06:00 on Monday is in it.
    const overnight = schedule({ hours: [{ days: ['sun'], from: '22:00', to: '06:00' }] });
    expect(rows([overnight], '2025-01-06', '2025-01-06')).toEqual([['2025-01-06', '01-06 00:00', '01-06 06:00', 0]]);
  });

  it('closes on dated and yearly holidays', () => {
    const holidays = schedule({ hours: WEEKDAYS_9_TO_5, holidays: ['12-25', '12-26', '2025-12-29'] });
    // Wed 24 open, Thu 25 and Fri 26 yearly holidays, weekend, Mon 29 dated holiday, Tue 30 open.
    expect(rows([holidays], '2025-12-24', '2025-12-30')).toEqual([
      ['2025-12-24', '12-24 09:00', '12-24 17:00', 0],
      ['2025-12-25', null, null, 28_800],
      ['2025-12-26', null, null, 28_800],
      ['2025-12-27', null, null, 28_800],
      ['2025-12-28', null, null, 28_800],
      ['2025-12-29', null, null, 28_800],
      ['2025-12-30', '12-30 09:00', '12-30 17:00', 28_800],
    ]);
  });

  it('applies the version in force on the local day an interval opens', () => {
    const before = schedule({ hours: WEEKDAYS_9_TO_5 });
    const after = schedule({
      effectiveFrom: '2025-01-08',
      hours: [{ days: ['wed', 'thu'], from: '08:00', to: '20:00' }],
    });
    // Mon and Tue 8 h each; from Wednesday 12 h (43,200 s).
    expect(rows([after, before], '2025-01-06', '2025-01-09')).toEqual([
      ['2025-01-06', '01-06 09:00', '01-06 17:00', 0],
      ['2025-01-07', '01-07 09:00', '01-07 17:00', 28_800],
      ['2025-01-08', '01-08 08:00', '01-08 20:00', 57_600],
      ['2025-01-09', '01-09 08:00', '01-09 20:00', 100_800],
    ]);
  });

  it('starts the calendar on the UTC date the first version begins: before it, business time is unknown', () => {
    // Paris midnight of 2025-01-06 is 2025-01-05 23:00 UTC, so the calendar starts on 2025-01-05.
    const late = schedule({ timeZone: 'Europe/Paris', effectiveFrom: '2025-01-06', hours: WEEKDAYS_9_TO_5 });
    expect(rows([late], '2025-01-01', '2025-01-06')).toEqual([
      ['2025-01-05', null, null, 0],
      ['2025-01-06', '01-06 08:00', '01-06 16:00', 0],
    ]);
  });

  it('merges intervals that meet, so no second counts twice', () => {
    // Monday's interval ends at 24:00 where Tuesday's begins: one interval, 18:00 to 02:00.
    const meeting = schedule({
      hours: [
        { days: ['mon'], from: '18:00', to: '24:00' },
        { days: ['tue'], from: '00:00', to: '02:00' },
      ],
    });
    expect(rows([meeting], '2025-01-06', '2025-01-07')).toEqual([
      ['2025-01-06', '01-06 18:00', '01-07 00:00', 0],
      ['2025-01-07', '01-07 00:00', '01-07 02:00', 21_600],
    ]);
    // A new version whose first interval overlaps the old version's overnight one: Monday 22:00 to
    // Tuesday 06:00 (old) and Tuesday 04:00-08:00 (new, from Tuesday): 22:00 to 08:00, once.
    const old = schedule({ hours: [{ days: ['mon'], from: '22:00', to: '06:00' }] });
    const next = schedule({ effectiveFrom: '2025-01-07', hours: [{ days: ['tue'], from: '04:00', to: '08:00' }] });
    expect(rows([old, next], '2025-01-07', '2025-01-07')).toEqual([['2025-01-07', '01-07 00:00', '01-07 08:00', 0]]);
  });

  it('writes dates and timestamps in the reference forms', () => {
    const [row] = businessCalendar([schedule({ hours: WEEKDAYS_9_TO_5 })], { from: '2025-01-06', to: '2025-01-06' });
    expect(row).toEqual({
      schedule: 'support',
      utc_date: '2025-01-06',
      open_at: '2025-01-06 09:00:00.000',
      close_at: '2025-01-06 17:00:00.000',
      open_s_before: 0,
    });
  });
});

describe('scheduleAssignments', () => {
  it('lists each assignment with its specificity, and an unassigned schedule for every other contact', () => {
    const vip = schedule({
      name: 'vip',
      hours: WEEKDAYS_9_TO_5,
      appliesTo: { priorities: ['urgent'], teams: ['Tier 2'] },
      slaInBusinessHours: true,
    });
    const rest = schedule({ name: 'rest', hours: WEEKDAYS_9_TO_5 });
    expect(scheduleAssignments([vip, rest])).toEqual([
      { schedule: 'vip', dimension: 'priority', value: 'urgent', sla_in_business_hours: true },
      { schedule: 'vip', dimension: 'team', value: 'Tier 2', sla_in_business_hours: true },
      { schedule: 'rest', dimension: 'any', value: null, sla_in_business_hours: false },
    ]);
  });

  it('lists a value given twice once, so no contact joins two rows', () => {
    const twice = schedule({ hours: WEEKDAYS_9_TO_5, appliesTo: { teams: ['Billing', 'Billing'] } });
    expect(scheduleAssignments([twice])).toEqual([
      { schedule: 'support', dimension: 'team', value: 'Billing', sla_in_business_hours: false },
    ]);
  });

  it('refuses schedules that claim the same team, also in a config assembled in code', () => {
    const config = parseConfig({});
    const a = schedule({ name: 'a', hours: WEEKDAYS_9_TO_5, appliesTo: { teams: ['Billing'] } });
    const b = schedule({ name: 'b', hours: WEEKDAYS_9_TO_5, appliesTo: { teams: ['Billing'] } });
    expect(() => scheduleAssignmentsTable({ ...config, schedules: [a, b] })).toThrow(
      'schedules.1.appliesTo: team "Billing" is already assigned to schedule "a" (schedules.0)',
    );
  });

  it('lists a schedule of several versions once', () => {
    const v1 = schedule({ hours: WEEKDAYS_9_TO_5, appliesTo: { sources: ['zendesk'] } });
    const v2 = schedule({ effectiveFrom: '2025-06-01', hours: WEEKDAYS_9_TO_5, appliesTo: { sources: ['zendesk'] } });
    expect(scheduleAssignments([v1, v2])).toEqual([
      { schedule: 'support', dimension: 'source', value: 'zendesk', sla_in_business_hours: false },
    ]);
  });
});

describe('scheduleProblems', () => {
  const problems = (schedules: Record<string, unknown>[]) =>
    scheduleProblems(schedules.map((raw, index) => ({ index, entry: schedule(raw) })));

  it('accepts disjoint intervals, an overnight one and versions with their own dates', () => {
    expect(
      problems([
        { hours: [...WEEKDAYS_9_TO_5, { days: ['fri'], from: '22:00', to: '06:00' }] },
        { effectiveFrom: '2025-06-01', hours: WEEKDAYS_9_TO_5 },
      ]),
    ).toEqual([]);
  });

  it('fails when two versions of one name share an effectiveFrom', () => {
    expect(
      problems([
        { effectiveFrom: '2025-06-01', hours: WEEKDAYS_9_TO_5 },
        { effectiveFrom: '2025-06-01', hours: WEEKDAYS_9_TO_5 },
      ]),
    ).toEqual([
      'schedules.1.effectiveFrom: schedule "support" already has a version effective from 2025-06-01 (schedules.0); give each version its own effectiveFrom',
    ]);
  });

  it('fails when intervals of one version overlap, an overnight one into the next morning included', () => {
    expect(
      problems([
        {
          hours: [
            { days: ['mon'], from: '09:00', to: '17:00' },
            { days: ['mon'], from: '16:00', to: '18:00' },
            { days: ['sun'], from: '22:00', to: '10:00' },
          ],
        },
      ]),
    ).toEqual([
      'schedules.0: hours.0 and hours.1 overlap within one week; make the intervals of one version disjoint',
      // Sunday 22:00 to Monday 10:00 wraps past the end of the week into Monday 09:00-17:00.
      'schedules.0: hours.0 and hours.2 overlap within one week; make the intervals of one version disjoint',
    ]);
  });

  it('fails when an interval opens and closes at the same time', () => {
    expect(problems([{ hours: [{ days: ['mon'], from: '09:00', to: '09:00' }] }])).toEqual([
      'schedules.0.hours.0: opens and closes at 09:00; use 00:00 to 24:00 for a whole day, or a "to" earlier than "from" for an overnight interval',
    ]);
  });

  it('fails when a team is assigned to two schedules, or two schedules take every other contact', () => {
    expect(
      problems([
        { name: 'a', hours: WEEKDAYS_9_TO_5, appliesTo: { teams: ['Billing'] } },
        { name: 'b', hours: WEEKDAYS_9_TO_5, appliesTo: { teams: ['Billing'], queues: ['Billing'] } },
        { name: 'c', hours: WEEKDAYS_9_TO_5 },
        { name: 'd', hours: WEEKDAYS_9_TO_5 },
      ]),
    ).toEqual([
      'schedules.1.appliesTo: team "Billing" is already assigned to schedule "a" (schedules.0); assign it to one schedule',
      'schedules.3.appliesTo: schedules "c" (schedules.2) and "d" both take every unassigned contact; give one of them an appliesTo',
    ]);
  });

  it('fails when versions of one schedule measure different contacts', () => {
    expect(
      problems([
        { hours: WEEKDAYS_9_TO_5, appliesTo: { teams: ['Billing'] } },
        { effectiveFrom: '2025-06-01', hours: WEEKDAYS_9_TO_5, appliesTo: { teams: ['Sales'] } },
      ]),
    ).toEqual([
      'schedules.1.appliesTo: versions of schedule "support" must measure the same contacts with the same SLA rule (see schedules.0); give the other contacts a schedule of their own',
    ]);
  });

  it('is part of the config check, reported with every other problem', () => {
    const raw = {
      schedules: [
        { name: 'support', timeZone: 'Europe/London', hours: WEEKDAYS_9_TO_5 },
        { name: 'support', timeZone: 'Europe/London', hours: WEEKDAYS_9_TO_5 },
      ],
    };
    expect(() => validateConfig(raw)).toThrow(ConfigError);
    expect(() => validateConfig(raw)).toThrow(
      'schedules.1.effectiveFrom: schedule "support" already has a version effective from always (schedules.0)',
    );
  });
});
