import { describe, expect, it } from 'vitest';
import { ALERT_DEFAULTS, alertMarkerDays } from '../../../lambdas/core/alerts/config.ts';
import { ConfigError, parseConfig } from '../../../lambdas/core/config/config.ts';

function problemsOf(raw: unknown): readonly string[] {
  try {
    parseConfig(raw, 'test.json');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('alerts config', () => {
  it('pins every documented default', () => {
    expect(ALERT_DEFAULTS).toEqual({
      npsDetractorMax: 6,
      csatBottomBoxes: 1,
      repeatContacts: 3,
      repeatDays: 7,
      dedupHours: 168,
      publishWithinHours: 72,
    });
  });

  it('has no rules unless configured, and a rule follows up on a later agent contact by default', () => {
    expect(parseConfig({}).alerts.rules).toEqual([]);
    const config = parseConfig({ alerts: { rules: [{ name: 'detractors', kind: 'nps_detractor' }] } });
    expect(config.alerts.rules[0]).toEqual({
      name: 'detractors',
      kind: 'nps_detractor',
      followUp: { agentContact: true },
    });
  });

  it('fails, naming every problem at once, on a parameter the kind does not read, a bad range, a duplicate name and a rule nothing can close', () => {
    const problems = problemsOf({
      alerts: {
        rules: [
          { name: 'detractors', kind: 'nps_detractor', boxes: 2 },
          { name: 'detractors', kind: 'unresolved', followUp: { agentContact: false } },
          { name: 'angry', kind: 'negative_social', maxScore: -2 },
          { name: 'Bad Name', kind: 'repeat_contacts', contacts: 1, colour: 'red' },
        ],
      },
    });
    expect(problems).toHaveLength(7);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('alerts.rules.0.boxes: nps_detractor does not read boxes (got 2); it reads maxScore'),
        expect.stringContaining('alerts.rules.1.followUp: nothing would ever close'),
        expect.stringContaining('alerts.rules.1.name: duplicate rule name "detractors" (also rules.0)'),
        expect.stringContaining('alerts.rules.2.maxScore: must be a sentiment score from -1 to 1 (got -2)'),
        expect.stringContaining('alerts.rules.3.name: must be lower-case letters'),
        expect.stringContaining('alerts.rules.3.colour: unknown key'),
        expect.stringContaining('alerts.rules.3.contacts:'),
      ]),
    );
  });

  it('fails on an NPS threshold off the 0–10 scale', () => {
    expect(problemsOf({ alerts: { rules: [{ name: 'd', kind: 'nps_detractor', maxScore: 11 }] } })).toEqual([
      expect.stringContaining('alerts.rules.0.maxScore: must be an NPS answer from 0 to 10 (got 11)'),
    ]);
  });
});

describe('alertMarkerDays', () => {
  it('keeps a marker for the longest window plus the publishing age, and a day', () => {
    // Defaults: (168 h + 72 h) / 24 = 10 days, + 1.
    expect(alertMarkerDays(parseConfig({}).alerts)).toBe(11);
    const rules = [
      { name: 'detractors', kind: 'nps_detractor', dedupHours: 24 * 30 },
      { name: 'bottom', kind: 'csat_bottom_box', dedupHours: 6 },
    ];
    // (720 h + 12 h) / 24 = 30.5 → 31 days, + 1.
    expect(alertMarkerDays(parseConfig({ alerts: { rules, publishWithinHours: 12 } }).alerts)).toBe(32);
  });
});
