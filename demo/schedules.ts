/**
 * The simulated company's business hours, so the demo report shows business-time response figures
 * beside calendar ones: the office teams work Monday to Friday 08:00-18:00 London time and close
 * on the fixed-date UK bank holidays (New Year's Day, Christmas Day, Boxing Day; the substitute
 * days of a weekend holiday and the movable ones change every year, so a real config lists them
 * as dates), and Technical Support adds a late shift that runs past midnight. The shipped example
 * config carries the same entries.
 */
import type { ScheduleConfig } from '../lambdas/core/time/config.ts';
import { DEMO_TEAMS } from './world.ts';

const OFFICE_TEAMS = DEMO_TEAMS.filter((t) => t.name !== 'Technical Support').map((t) => t.name);
const FIXED_UK_BANK_HOLIDAYS = ['01-01', '12-25', '12-26'];

export const DEMO_SCHEDULES: readonly ScheduleConfig[] = [
  {
    name: 'office',
    timeZone: 'Europe/London',
    hours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '18:00' }],
    holidays: FIXED_UK_BANK_HOLIDAYS,
    appliesTo: { teams: OFFICE_TEAMS },
    slaInBusinessHours: false,
  },
  {
    name: 'technical-support',
    timeZone: 'Europe/London',
    hours: [
      { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '07:00', to: '19:00' },
      { days: ['sun', 'mon', 'tue', 'wed', 'thu'], from: '22:00', to: '02:00' },
    ],
    holidays: FIXED_UK_BANK_HOLIDAYS,
    appliesTo: { teams: ['Technical Support'] },
    slaInBusinessHours: false,
  },
];
