import { describe, expect, it } from 'vitest';
import type { FollowedAlert } from '../../../lambdas/core/alerts/engine.ts';
import { closedLoopFacts, closedLoopSection, formatFollowUp } from '../../../lambdas/report/closed-loop.ts';

const HOUR = 3600;

function alert(
  id: string,
  team: string | null,
  at: string,
  followUpS: number | null,
  comment: string | null = null,
): FollowedAlert {
  const alertAt = new Date(at);
  return {
    alert_id: id,
    rule: 'detractors',
    kind: 'nps_detractor',
    source: 'surveys',
    source_ref: `T-${id}`,
    team,
    agent_id: null,
    score: 3,
    comment,
    alert_at: alertAt,
    customer_key: `k-${id}`,
    followed_up_at: followUpS === null ? null : new Date(alertAt.getTime() + followUpS * 1000),
    follow_up_s: followUpS,
  };
}

const ALERTS = [
  alert('b1', 'billing', '2025-06-02T09:00:00Z', 2 * HOUR),
  alert('b2', 'billing', '2025-06-03T09:00:00Z', 6 * HOUR),
  alert('b3', 'billing', '2025-06-04T09:00:00Z', 30 * HOUR),
  alert('b4', 'billing', '2025-06-05T09:00:00Z', null, 'Nobody <b>called</b> back'),
  alert('t1', 'tech', '2025-06-06T09:00:00Z', null),
  alert('s1', null, '2025-06-07T09:00:00Z', 72 * HOUR),
];

describe('closed-loop facts', () => {
  const facts = closedLoopFacts(ALERTS, 2);

  it('gives each team its alerts, those followed up, the closed-loop rate and the median time to follow-up', () => {
    expect(facts.teams).toEqual([
      // Three of four followed up; median of 2, 6 and 30 hours is 6.
      { team: 'billing', alerts: 4, followedUp: 3, closedLoopPct: 75, medianFollowUpS: 6 * HOUR },
      { team: '(no team)', alerts: 1, followedUp: 1, closedLoopPct: 100, medianFollowUpS: 72 * HOUR },
      // None followed up: the rate is 0, the time unknown.
      { team: 'tech', alerts: 1, followedUp: 0, closedLoopPct: 0, medianFollowUpS: null },
    ]);
    // Four of six; median of 2, 6, 30 and 72 hours is (6 + 30) / 2 = 18.
    expect(facts.total).toEqual({
      team: 'All teams',
      alerts: 6,
      followedUp: 4,
      closedLoopPct: (100 * 4) / 6,
      medianFollowUpS: 18 * HOUR,
    });
  });

  it('lists the open alerts newest first, at most the number asked for, and counts them all', () => {
    expect(facts.open.map((a) => a.sourceRef)).toEqual(['T-t1', 'T-b4']);
    expect(facts.openCount).toBe(2);
    expect(closedLoopFacts(ALERTS, 1).open.map((a) => a.sourceRef)).toEqual(['T-t1']);
  });

  it('renders the team table, the open list with escaped verbatims, and says when there are no rules or alerts', () => {
    const html = closedLoopSection(closedLoopFacts(ALERTS, 1));
    expect(html).toContain('<th scope="row">billing</th><td>4</td><td>3</td><td>75%</td><td>6.0 h</td>');
    expect(html).toContain('<th scope="row">All teams</th><td>6</td><td>4</td><td>67%</td><td>18.0 h</td>');
    expect(html).toContain('Open alerts (the 1 newest of 2)');
    expect(closedLoopSection(closedLoopFacts([ALERTS[3] as FollowedAlert]))).toContain(
      'Nobody &lt;b&gt;called&lt;/b&gt; back',
    );
    expect(closedLoopSection(null)).toContain('none is configured');
    expect(closedLoopSection(closedLoopFacts([]))).toContain('No configured rule raised an alert this period');
  });

  it('writes follow-up times in hours under two days, in days beyond, and a dash when unknown', () => {
    expect(formatFollowUp(47 * HOUR)).toBe('47.0 h');
    expect(formatFollowUp(72 * HOUR)).toBe('3.0 days');
    expect(formatFollowUp(null)).toBe('—');
  });
});
