import { describe, expect, it } from 'vitest';
import type { AlertRule } from '../../../lambdas/core/alerts/config.ts';
import {
  type AlertContact,
  type AlertMention,
  type AlertSurvey,
  alertId,
  evaluateAlerts,
  followUps,
  masked,
  NO_ROWS,
} from '../../../lambdas/core/alerts/engine.ts';

const at = (iso: string) => new Date(iso);

function survey(overrides: Partial<AlertSurvey> = {}): AlertSurvey {
  return {
    source: 'surveys',
    response_id: 'r1',
    survey_kind: 'nps',
    score: 6,
    scale_min: 0,
    scale_max: 10,
    higher_is_better: true,
    interaction_id: 'T-100',
    customer_key: 'k1',
    agent_id: 'ana',
    team: 'billing',
    responded_at: at('2025-06-02T09:00:00Z'),
    updated_at: at('2025-06-02T09:30:00Z'),
    comment: null,
    resolved: null,
    ...overrides,
  };
}

function mention(overrides: Partial<AlertMention> = {}): AlertMention {
  return {
    source: 'social',
    mention_id: 'm1',
    posted_at: at('2025-06-02T10:00:00Z'),
    author_key: 'k2',
    text: 'still waiting',
    sentiment_label: 'negative',
    sentiment_score: -0.6,
    is_brand_reply: false,
    ...overrides,
  };
}

function contact(overrides: Partial<AlertContact> = {}): AlertContact {
  return {
    source: 'desk',
    interaction_id: 'c1',
    customer_key: 'k1',
    agent_id: 'bo',
    team: 'billing',
    direction: 'inbound',
    created_at: at('2025-06-01T08:00:00Z'),
    category: null,
    ...overrides,
  };
}

const rule = (r: Partial<AlertRule> & Pick<AlertRule, 'kind'>): AlertRule => ({
  name: r.kind.replaceAll('_', '-'),
  followUp: { agentContact: true },
  ...r,
});

const surveysFiring = (r: AlertRule, surveys: AlertSurvey[]) =>
  evaluateAlerts([r], { ...NO_ROWS, surveys }).map((a) => a.score);

describe('alert rules', () => {
  it('nps_detractor fires at 6 and below, not at 7 nor on an unanswered survey, and follows maxScore', () => {
    const scores = [0, 6, 7, 10, null];
    const rows = scores.map((score, i) => survey({ score, customer_key: `k${i}`, response_id: `r${i}` }));
    expect(surveysFiring(rule({ kind: 'nps_detractor' }), rows)).toEqual([0, 6]);
    expect(surveysFiring(rule({ kind: 'nps_detractor', maxScore: 4 }), [...rows, survey({ score: 5 })])).toEqual([0]);
    // A CSAT answer of 3 is no NPS detractor.
    expect(surveysFiring(rule({ kind: 'nps_detractor' }), [survey({ survey_kind: 'csat', score: 3 })])).toEqual([]);
  });

  it("csat_bottom_box reads the bottom boxes of the survey's own scale", () => {
    const fivePoint = (score: number, key: string) =>
      survey({ survey_kind: 'csat', score, scale_min: 1, scale_max: 5, customer_key: key, response_id: key });
    const rows = [fivePoint(1, 'a'), fivePoint(2, 'b'), fivePoint(3, 'c')];
    expect(surveysFiring(rule({ kind: 'csat_bottom_box' }), rows)).toEqual([1]);
    expect(surveysFiring(rule({ kind: 'csat_bottom_box', boxes: 2 }), rows)).toEqual([1, 2]);
    const goodBad = (score: number, key: string) =>
      survey({ survey_kind: 'csat', score, scale_min: 0, scale_max: 1, customer_key: key, response_id: key });
    expect(surveysFiring(rule({ kind: 'csat_bottom_box' }), [goodBad(0, 'bad'), goodBad(1, 'good')])).toEqual([0]);
    // Where lower is better, the bottom box is the top answer.
    const reversed = (score: number, key: string) => ({ ...fivePoint(score, key), higher_is_better: false });
    expect(surveysFiring(rule({ kind: 'csat_bottom_box' }), [reversed(5, 'x'), reversed(4, 'y')])).toEqual([5]);
  });

  it('unresolved fires on a no, never on a yes or an unknown answer', () => {
    const rows = [false, true, null].map((resolved, i) =>
      survey({ survey_kind: 'csat', score: 4, resolved, customer_key: `k${i}`, response_id: `r${i}` }),
    );
    expect(
      evaluateAlerts([rule({ kind: 'unresolved' })], { ...NO_ROWS, surveys: rows }).map((a) => a.customer_key),
    ).toEqual(['k0']);
  });

  it("negative_social fires on a customer's negative post, by label or by a score threshold", () => {
    const rows = [
      mention(),
      mention({ mention_id: 'm2', author_key: 'k3', sentiment_label: 'neutral', sentiment_score: -0.04 }),
      mention({ mention_id: 'm3', author_key: 'brand', is_brand_reply: true }),
      mention({ mention_id: 'm4', author_key: 'k4', sentiment_score: -0.5 }),
      mention({ mention_id: 'm5', author_key: 'k5', sentiment_score: -0.49 }),
      mention({ mention_id: 'm6', author_key: 'k6', sentiment_label: 'negative', sentiment_score: null }),
    ];
    const byLabel = evaluateAlerts([rule({ kind: 'negative_social' })], { ...NO_ROWS, mentions: rows });
    expect(byLabel.map((a) => a.source_ref)).toEqual(['m1', 'm4', 'm5', 'm6']);
    const byScore = evaluateAlerts([rule({ kind: 'negative_social', maxScore: -0.5 })], { ...NO_ROWS, mentions: rows });
    expect(byScore.map((a) => a.source_ref)).toEqual(['m1', 'm4']);
    expect(byScore[0]).toMatchObject({ customer_key: 'k2', team: null, score: -0.6, comment: 'still waiting' });
  });

  it('repeat_contacts fires on the third inbound contact within seven days, not when the first is seven days old', () => {
    const third = contact({
      interaction_id: 'c3',
      created_at: at('2025-06-07T23:59:59Z'),
      agent_id: 'cy',
      team: 'tech',
    });
    const rows = [
      contact({ interaction_id: 'c1', created_at: at('2025-06-01T00:00:00Z') }),
      contact({ interaction_id: 'c2', created_at: at('2025-06-04T00:00:00Z') }),
      contact({ interaction_id: 'o1', created_at: at('2025-06-05T00:00:00Z'), direction: 'outbound' }),
      third,
    ];
    const alerts = evaluateAlerts([rule({ kind: 'repeat_contacts' })], { ...NO_ROWS, contacts: rows });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      source_ref: 'c3',
      score: 3,
      team: 'tech',
      agent_id: 'cy',
      alert_at: at('2025-06-07T23:59:59Z'),
    });
    const late = { ...third, created_at: at('2025-06-08T00:00:00Z') };
    expect(
      evaluateAlerts([rule({ kind: 'repeat_contacts' })], { ...NO_ROWS, contacts: [...rows.slice(0, 3), late] }),
    ).toEqual([]);
    // Two in four days: c2 three days after c1, c3 just under four after c2 and in the next week's window.
    expect(
      evaluateAlerts([rule({ kind: 'repeat_contacts', contacts: 2, days: 4 })], { ...NO_ROWS, contacts: rows }).map(
        (a) => a.source_ref,
      ),
    ).toEqual(['c2', 'c3']);
  });

  it('repeat_contacts counts history but raises alerts from the current rows only', () => {
    const history = [
      contact({ interaction_id: 'c1', created_at: at('2025-06-01T00:00:00Z') }),
      contact({ interaction_id: 'c2', created_at: at('2025-06-02T00:00:00Z') }),
    ];
    const current = [contact({ interaction_id: 'c3', created_at: at('2025-06-03T00:00:00Z') })];
    const r = rule({ kind: 'repeat_contacts' });
    expect(evaluateAlerts([r], { ...NO_ROWS, contacts: current }, history).map((a) => a.source_ref)).toEqual(['c3']);
    expect(evaluateAlerts([r], { ...NO_ROWS, contacts: history }, [])).toEqual([]);
    // A contact in both counts once.
    expect(evaluateAlerts([r], { ...NO_ROWS, contacts: [history[1] as AlertContact] }, history)).toEqual([]);
  });

  it("keeps to the rule's sources and teams", () => {
    const rows = [
      survey(),
      survey({ response_id: 'r2', customer_key: 'k2', team: 'sales' }),
      survey({ response_id: 'r3', customer_key: 'k3', team: null }),
    ];
    const teams = evaluateAlerts([rule({ kind: 'nps_detractor', teams: ['billing'] })], { ...NO_ROWS, surveys: rows });
    expect(teams.map((a) => a.customer_key)).toEqual(['k1']);
    expect(
      evaluateAlerts([rule({ kind: 'nps_detractor', sources: ['other'] })], { ...NO_ROWS, surveys: rows }),
    ).toEqual([]);
  });

  it('needs a customer: an anonymous detractor has nobody to call back', () => {
    expect(
      evaluateAlerts([rule({ kind: 'nps_detractor' })], { ...NO_ROWS, surveys: [survey({ customer_key: null })] }),
    ).toEqual([]);
  });
});

describe('alert identity and de-duplication', () => {
  const daily = rule({ kind: 'nps_detractor', name: 'detractors', dedupHours: 24 });

  it('carries the source reference, the team, the agent and the answer time, with a deterministic id', () => {
    const [alert] = evaluateAlerts([daily], { ...NO_ROWS, surveys: [survey({ comment: 'slow' })] });
    expect(alert).toEqual({
      alert_id: alertId('detractors', 'k1', Math.floor(Date.parse('2025-06-02T09:00:00Z') / 86_400_000)),
      rule: 'detractors',
      kind: 'nps_detractor',
      source: 'surveys',
      source_ref: 'T-100',
      team: 'billing',
      agent_id: 'ana',
      score: 6,
      comment: 'slow',
      alert_at: at('2025-06-02T09:00:00Z'),
      customer_key: 'k1',
    });
    expect(alert?.alert_id).toMatch(/^[0-9a-f]{32}$/);
    // A survey with no contact is referenced by its response.
    const [own] = evaluateAlerts([daily], { ...NO_ROWS, surveys: [survey({ interaction_id: null })] });
    expect(own?.source_ref).toBe('r1');
  });

  it('raises one alert per customer and rule within a window (the earliest), and a new one after it', () => {
    const rows = [
      survey({ response_id: 'late', responded_at: at('2025-06-02T17:00:00Z'), interaction_id: null }),
      survey({ response_id: 'early', responded_at: at('2025-06-02T09:00:00Z'), interaction_id: null }),
      survey({ response_id: 'next', responded_at: at('2025-06-03T08:00:00Z'), interaction_id: null }),
      survey({
        response_id: 'other',
        customer_key: 'k9',
        responded_at: at('2025-06-02T17:00:00Z'),
        interaction_id: null,
      }),
    ];
    const alerts = evaluateAlerts([daily], { ...NO_ROWS, surveys: rows });
    expect(alerts.map((a) => a.source_ref)).toEqual(['early', 'other', 'next']);
    // The same rows in any order, or evaluated twice, give the same alerts.
    expect(evaluateAlerts([daily], { ...NO_ROWS, surveys: [...rows].reverse() })).toEqual(alerts);
    // Another rule over the same rows de-duplicates on its own.
    const both = evaluateAlerts([daily, { ...daily, name: 'detractors-2' }], { ...NO_ROWS, surveys: rows });
    expect(both).toHaveLength(6);
  });

  it('takes the answer with the lowest id among answers at one instant about one contact, in any row order', () => {
    // Three questions of one survey: one time, one contact (the source_ref), one customer.
    const unresolved = rule({ kind: 'unresolved', dedupHours: 24 });
    const questions = [
      survey({ response_id: 'q2', score: 4, resolved: false }),
      survey({ response_id: 'q1', score: 2, resolved: false }),
      survey({ response_id: 'q3', score: 9, resolved: false }),
    ];
    for (const rows of [questions, [...questions].reverse(), [questions[2], questions[0], questions[1]]]) {
      const alerts = evaluateAlerts([unresolved], { ...NO_ROWS, surveys: rows as AlertSurvey[] });
      expect(alerts.map((a) => [a.source_ref, a.score])).toEqual([['T-100', 2]]);
      expect(Object.keys(alerts[0] ?? {})).not.toContain('record');
    }
  });

  it('counts default week-long windows from Thursday 1970-01-01', () => {
    const weekly = rule({ kind: 'nps_detractor' });
    const times = ['2025-06-04T23:00:00Z', '2025-06-05T01:00:00Z', '2025-06-11T23:59:59Z', '2025-06-12T00:00:00Z'];
    const rows = times.map((t, i) => survey({ response_id: `r${i}`, interaction_id: null, responded_at: at(t) }));
    expect(evaluateAlerts([weekly], { ...NO_ROWS, surveys: rows }).map((a) => a.source_ref)).toEqual([
      'r0',
      'r1',
      'r3',
    ]);
  });

  it('masks e-mail addresses and phone numbers in verbatims and posts', () => {
    expect(masked('call me on +44 20 7946 0958 or at jo.smith+cs@example.co.uk, order 12345')).toBe(
      'call me on [phone] or at [e-mail], order 12345',
    );
    expect(masked(null)).toBeNull();
  });
});

describe('follow-ups', () => {
  const r = rule({ kind: 'nps_detractor', name: 'detractors' });
  const [alert] = evaluateAlerts([r], { ...NO_ROWS, surveys: [survey()] });
  const alerts = alert ? [alert] : [];

  it('closes an alert with the first later agent contact of the same customer', () => {
    const contacts = [
      contact({ interaction_id: 'before', created_at: at('2025-06-02T08:00:00Z') }),
      contact({ interaction_id: 'other', customer_key: 'k2', created_at: at('2025-06-02T09:10:00Z') }),
      contact({ interaction_id: 'ivr', agent_id: null, created_at: at('2025-06-02T09:20:00Z') }),
      contact({ interaction_id: 'later', created_at: at('2025-06-02T11:30:00Z') }),
      contact({ interaction_id: 'latest', created_at: at('2025-06-03T11:30:00Z') }),
    ];
    expect(followUps(alerts, [r], contacts)[0]).toMatchObject({
      followed_up_at: at('2025-06-02T11:30:00Z'),
      follow_up_s: 9000,
    });
  });

  it('leaves it open (unknown time, never zero) with no later contact, or only one at the same instant', () => {
    const contacts = [contact({ created_at: at('2025-06-02T09:00:00Z') })];
    expect(followUps(alerts, [r], contacts)[0]).toMatchObject({ followed_up_at: null, follow_up_s: null });
  });

  it('recognises the configured tag when agent contacts do not count', () => {
    const tagged = { ...r, followUp: { agentContact: false, tag: 'loop-closed' } };
    const contacts = [
      contact({ interaction_id: 'agent', created_at: at('2025-06-02T10:00:00Z') }),
      contact({
        interaction_id: 'tag',
        agent_id: null,
        category: 'loop-closed',
        created_at: at('2025-06-02T12:00:00Z'),
      }),
    ];
    expect(followUps(alerts, [tagged], contacts)[0]).toMatchObject({ follow_up_s: 3 * 3600 });
    expect(followUps(alerts, [tagged], contacts.slice(0, 1))[0]?.followed_up_at).toBeNull();
  });
});
