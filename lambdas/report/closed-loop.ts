/**
 * The report's closed-loop section: per team, how many of the period's alerts (the configured
 * alerts.rules, evaluated from the lake by the rule engine the deployed normaliser runs) were
 * followed up, the median time it took, and the alerts still open, newest first.
 */
import { ALERT_KIND_LABELS } from '../core/alerts/config.ts';
import type { FollowedAlert } from '../core/alerts/engine.ts';
import { lakeAlerts } from '../core/alerts/lake.ts';
import type { ServiceBenchConfig } from '../core/config/config.ts';
import type { Scope } from '../core/metrics/scorecard.ts';
import type { QueryEngine } from '../core/query/engine.ts';
import { periodInstants, type ReportPeriod, reportingZone } from '../core/time/periods.ts';
import { escapeHtml } from './escape.ts';

export const CLOSED_LOOP_HEADING = 'Closing the loop';
/** Open alerts listed in the section (newest first); the count says how many more there are. */
export const OPEN_ALERTS_LISTED = 10;
/** Characters of a verbatim shown in the list of open alerts. */
const COMMENT_CHARS = 140;
/** The team row of alerts without a team (social posts, surveys that name none). */
export const NO_TEAM = '(no team)';

export interface TeamLoop {
  readonly team: string;
  readonly alerts: number;
  readonly followedUp: number;
  /** followedUp / alerts, 0–100. */
  readonly closedLoopPct: number;
  /** Median seconds from alert to follow-up among the followed-up; null when none was. */
  readonly medianFollowUpS: number | null;
}

export interface OpenAlert {
  readonly alertAt: string;
  readonly rule: string;
  readonly kind: FollowedAlert['kind'];
  readonly source: string;
  readonly sourceRef: string;
  readonly team: string | null;
  readonly score: number | null;
  readonly comment: string | null;
}

export interface ClosedLoopFacts {
  /** Teams by alerts (most first), then name. */
  readonly teams: readonly TeamLoop[];
  readonly total: TeamLoop;
  /** At most OPEN_ALERTS_LISTED, newest first. */
  readonly open: readonly OpenAlert[];
  readonly openCount: number;
}

/**
 * The period's alerts with their follow-ups, narrowed to a team, agent or source scope; null when
 * the config has no rules (the section then says how to add them).
 */
export async function queryClosedLoop(
  engine: QueryEngine,
  period: ReportPeriod,
  config: ServiceBenchConfig,
  scope: Scope | null,
): Promise<ClosedLoopFacts | null> {
  const rules = config.alerts.rules;
  if (rules.length === 0) return null;
  // The period's local days, in the scoped team's own zone when it has one.
  const zone = reportingZone(config.reporting, scope?.dimension === 'team' ? scope.value : undefined);
  // The report reads after a refresh: the period's survey answers come from their period table.
  const alerts = await lakeAlerts(engine, rules, { ...periodInstants(period, zone), refreshed: true });
  const inScope = alerts.filter((a) => {
    if (scope?.dimension === 'team') return a.team === scope.value;
    if (scope?.dimension === 'agent') return a.agent_id === scope.value;
    if (scope?.dimension === 'source') return a.source === scope.value;
    return true;
  });
  return closedLoopFacts(inScope);
}

export function closedLoopFacts(alerts: readonly FollowedAlert[], listed = OPEN_ALERTS_LISTED): ClosedLoopFacts {
  const byTeam = new Map<string, FollowedAlert[]>();
  for (const alert of alerts) {
    const team = alert.team ?? NO_TEAM;
    byTeam.set(team, [...(byTeam.get(team) ?? []), alert]);
  }
  const teams = [...byTeam.entries()]
    .map(([team, list]) => teamLoop(team, list))
    .sort((a, b) => b.alerts - a.alerts || (a.team < b.team ? -1 : a.team > b.team ? 1 : 0));
  const open = alerts
    .filter((a) => a.followed_up_at === null)
    .sort((a, b) => b.alert_at.getTime() - a.alert_at.getTime());
  return {
    teams,
    total: teamLoop('All teams', alerts),
    open: open.slice(0, listed).map((a) => ({
      alertAt: a.alert_at.toISOString(),
      rule: a.rule,
      kind: a.kind,
      source: a.source,
      sourceRef: a.source_ref,
      team: a.team,
      score: a.score,
      comment: a.comment,
    })),
    openCount: open.length,
  };
}

function teamLoop(team: string, alerts: readonly FollowedAlert[]): TeamLoop {
  const times = alerts.flatMap((a) => (a.follow_up_s === null ? [] : [a.follow_up_s]));
  return {
    team,
    alerts: alerts.length,
    followedUp: times.length,
    closedLoopPct: alerts.length === 0 ? 0 : (100 * times.length) / alerts.length,
    medianFollowUpS: median(times),
  };
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Hours under two days, days beyond: how a team reads a callback delay. */
export function formatFollowUp(seconds: number | null): string {
  if (seconds === null) return '—';
  const hours = seconds / 3600;
  return hours < 48 ? `${hours.toFixed(1)} h` : `${(hours / 24).toFixed(1)} days`;
}

export function closedLoopSection(facts: ClosedLoopFacts | null, headingId = 'h-alerts'): string {
  const open = `<section id="alerts" aria-labelledby="${headingId}">
  <h2 id="${headingId}">${CLOSED_LOOP_HEADING}</h2>`;
  if (facts === null) {
    return `${open}
  <p class="nodata-note" role="note"><span class="nodata-tag">No rules</span> Closed-loop alerts are raised by the rules in the config's <code>alerts.rules</code> (detractors, bottom-box CSAT, unresolved issues, negative posts, repeat contacts); none is configured.</p>
</section>`;
  }
  if (facts.total.alerts === 0) {
    return `${open}
  <p class="nodata-note" role="note"><span class="nodata-tag">No alerts</span> No configured rule raised an alert this period.</p>
</section>`;
  }
  const row = (t: TeamLoop, header = false) =>
    `<tr${header ? ' class="total"' : ''}><th scope="row">${escapeHtml(t.team)}</th><td>${t.alerts}</td><td>${t.followedUp}</td><td>${t.closedLoopPct.toFixed(0)}%</td><td>${escapeHtml(formatFollowUp(t.medianFollowUpS))}</td></tr>`;
  const openRows = facts.open
    .map((a) => {
      const comment =
        a.comment === null
          ? ''
          : a.comment.length > COMMENT_CHARS
            ? `${a.comment.slice(0, COMMENT_CHARS - 1)}…`
            : a.comment;
      return `<tr><td>${escapeHtml(a.alertAt.slice(0, 16).replace('T', ' '))}</td><td>${escapeHtml(ALERT_KIND_LABELS[a.kind])}${a.score === null ? '' : ` (${a.score})`}</td><td>${escapeHtml(a.source)} ${escapeHtml(a.sourceRef)}</td><td>${escapeHtml(a.team ?? '—')}</td><td>${escapeHtml(comment)}</td></tr>`;
    })
    .join('\n');
  const more = facts.openCount > facts.open.length ? ` (the ${facts.open.length} newest of ${facts.openCount})` : '';
  return `${open}
  <p class="section-lede">An alert is raised by a configured rule on a bad experience (one per customer and rule within its de-duplication window) and is followed up when an agent next handles a contact from that customer, or a contact carries the rule's follow-up tag. Closed-loop rate = alerts followed up ÷ alerts of the period; time to follow-up is the median among those followed up.</p>
  <div class="table-wrap"><table class="grid closed-loop"><thead><tr><th scope="col">Team</th><th scope="col">Alerts</th><th scope="col">Followed up</th><th scope="col">Closed-loop rate</th><th scope="col">Median time to follow-up</th></tr></thead><tbody>
${facts.teams.map((t) => row(t)).join('\n')}
${row(facts.total, true)}
</tbody></table></div>
  <h3>Open alerts${more}</h3>
  ${
    facts.open.length === 0
      ? '<p class="muted">Every alert of the period was followed up.</p>'
      : `<div class="table-wrap"><table class="grid open-alerts"><thead><tr><th scope="col">Raised (UTC)</th><th scope="col">Why</th><th scope="col">Record</th><th scope="col">Team</th><th scope="col">Customer's words</th></tr></thead><tbody>
${openRows}
</tbody></table></div>`
  }
</section>`;
}
