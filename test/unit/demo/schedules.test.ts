import { describe, expect, it } from 'vitest';
import { demoConfig } from '../../../demo/index.ts';
import { DEMO_SCHEDULES } from '../../../demo/schedules.ts';
import { DEMO_TEAMS } from '../../../demo/world.ts';
import { loadConfig, parseConfig } from '../../../lambdas/core/config/config.ts';
import { EXAMPLE_CONFIG_FILE } from '../../../lambdas/core/config/locate.ts';
import { scheduleSchema } from '../../../lambdas/core/time/config.ts';
import { scheduleAssignments, scheduleProblems } from '../../../lambdas/core/time/schedules.ts';

describe('the demo business hours', () => {
  it('give every demo team one schedule, and pass the config check', () => {
    const teams = scheduleAssignments(DEMO_SCHEDULES).map((a) => a.value);
    expect([...teams].sort()).toEqual(DEMO_TEAMS.map((t) => t.name).sort());
    const entries = DEMO_SCHEDULES.map((entry, index) => ({ index, entry: scheduleSchema.parse(entry) }));
    expect(scheduleProblems(entries)).toEqual([]);
  });

  it('are added to a config without schedules, and leave configured ones alone', () => {
    expect(demoConfig(parseConfig({})).schedules).toEqual(DEMO_SCHEDULES);
    const own = parseConfig({
      schedules: [{ name: 'own', timeZone: 'UTC', hours: [{ days: ['mon'], from: '09:00', to: '17:00' }] }],
    });
    expect(demoConfig(own).schedules.map((s) => s.name)).toEqual(['own']);
  });

  it('are the schedules the shipped example config carries', () => {
    expect(loadConfig(EXAMPLE_CONFIG_FILE).schedules).toEqual(DEMO_SCHEDULES);
  });
});
