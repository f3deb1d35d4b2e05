/**
 * The config of time as the business sees it: the reporting time zone that periods, days and
 * intervals of the day are computed in, and the business-hours schedules that business-time
 * durations and business-hours SLAs are measured against.
 */
import { z } from 'zod';
import { isTimeZone } from '../parse/zone.ts';

export const TIME_ZONE = z.string().refine(isTimeZone, { message: 'must be an IANA time zone such as "Europe/Paris"' });

/** Lengths of an interval of the day, in minutes (Amazon Connect's historical reports use 15 and 30). */
export const INTERVAL_MINUTES = [15, 30, 60] as const;
export type IntervalMinutes = (typeof INTERVAL_MINUTES)[number];

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** `HH:MM`, 00:00 to 24:00 (24:00 is the end of the day). */
const CLOCK = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;
/** A holiday: one date (`2025-12-25`) or the same day every year (`12-25`). */
const HOLIDAY = /^(?:\d{4}-)?(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$/;

export const TIME_DEFAULTS = {
  timeZone: 'UTC',
  intervalMinutes: 30 as IntervalMinutes,
  /** Share of offered contacts to answer within metrics.serviceLevelS when no target is set, for staffing. */
  serviceLevelTargetPct: 80,
} as const;

export const reportingSchema = z
  .strictObject({
    timeZone: TIME_ZONE.default(TIME_DEFAULTS.timeZone).describe(
      'IANA time zone periods (day, ISO week, month, quarter, year), days and intervals of the day are computed in.',
    ),
    teams: z
      .record(
        z.string().min(1),
        z.strictObject({ timeZone: TIME_ZONE.describe("The team's own reporting time zone.") }),
      )
      .default({})
      .describe("Teams that report in their own time zone, by team name (the rows' `team`)."),
    intervalMinutes: z
      .number()
      .refine((m): m is IntervalMinutes => (INTERVAL_MINUTES as readonly number[]).includes(m), {
        message: 'must be 15, 30 or 60',
      })
      .default(TIME_DEFAULTS.intervalMinutes)
      .describe('Length of an interval of the day for the contact-centre interval metrics: 15, 30 or 60 minutes.'),
    serviceLevelTargetPct: z
      .number()
      .gt(0)
      .lt(100)
      .optional()
      .describe(
        'Share of contacts to answer within metrics.serviceLevelS that staffing (Erlang C) aims at (default: the overall service_level_pct target, else 80).',
      ),
  })
  .default({ timeZone: TIME_DEFAULTS.timeZone, teams: {}, intervalMinutes: TIME_DEFAULTS.intervalMinutes })
  .describe('Time as the business sees it: the reporting time zone and intervals of the day (docs/metrics.md).');

const openingSchema = z
  .strictObject({
    days: z.array(z.enum(WEEKDAYS)).min(1).describe('Weekdays the interval opens on (`mon` … `sun`).'),
    from: z.string().regex(CLOCK, 'must be HH:MM').describe('Opening time, local (HH:MM).'),
    to: z
      .string()
      .regex(CLOCK, 'must be HH:MM or 24:00')
      .describe('Closing time, local (HH:MM, 24:00 for midnight); earlier than `from` runs past midnight (overnight).'),
  })
  .describe('One weekly opening interval.');

export const scheduleSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes')
      .describe('Schedule name.'),
    timeZone: TIME_ZONE.describe('IANA time zone the opening hours are in.'),
    effectiveFrom: z.iso
      .date('must be a yyyy-MM-dd date')
      .optional()
      .describe(
        'First local day this version of the schedule applies; several entries of one name with different dates make a schedule that changes (default: always).',
      ),
    hours: z.array(openingSchema).min(1).describe('Weekly opening intervals.'),
    holidays: z
      .array(z.string().regex(HOLIDAY, 'must be yyyy-MM-dd or MM-dd (every year)'))
      .default([])
      .describe('Closed days: a date, or MM-dd for the same day every year.'),
    appliesTo: z
      .strictObject({
        sources: z.array(z.string()).optional().describe('Source names.'),
        teams: z.array(z.string()).optional().describe('Teams.'),
        queues: z.array(z.string()).optional().describe('Queues.'),
        priorities: z.array(z.string()).optional().describe('Priorities, as the source labels them.'),
      })
      .default({})
      .describe(
        'Which contacts the schedule measures: the most specific match wins (priority, queue, team, source); a schedule with no assignment applies to every contact no other schedule claims.',
      ),
    slaInBusinessHours: z
      .boolean()
      .default(false)
      .describe(
        "Judge these contacts' SLA targets in business time even when the source does not say so (Zendesk's `in_business_hours` and Freshdesk's business-hours SLAs say so themselves).",
      ),
  })
  .describe('Business hours: weekly opening intervals in a time zone, with holidays.');

export type ReportingConfig = z.infer<typeof reportingSchema>;
export type ScheduleConfig = z.infer<typeof scheduleSchema>;
