/**
 * The report page "When service slips": service level by hour of day and weekday over the period
 * (a heatmap), and the intervals of the day that failed the most callers, each with the agents
 * Erlang C says it needed. Read from contact_centre_intervals (one query, the period's dt
 * partitions only), derived and rendered here; the report's shared modules only call in.
 */
import type { ServiceBenchConfig } from '../core/config/config.ts';
import { metricOptions } from '../core/config/config.ts';
import { agentsNeeded, type Staffing } from '../core/metrics/erlang.ts';
import { parseScope, type Scope } from '../core/metrics/scorecard.ts';
import type { QueryEngine, SqlValue } from '../core/query/engine.ts';
import { TIME_DEFAULTS } from '../core/time/config.ts';
import type { ReportPeriod } from '../core/time/periods.ts';
import { escapeHtml } from './escape.ts';
import { formatDuration, formatValue } from './format.ts';

/** The page's heading (the report's section `intervals`). */
export const INTERVALS_HEADING = 'When service slips';

/** Intervals named as the worst, most failed callers first. */
export const WORST_INTERVALS_LISTED = 5;

/** The dimensions contact_centre_intervals cuts by; a report scoped to another (an agent) has no interval figures. */
const INTERVAL_DIMENSIONS = ['channel', 'team', 'queue', 'source'] as const;

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
const DAY_MS = 86_400_000;

/** One weekday's interval of the day, pooled over the period (e.g. every Monday 12:00–12:30). */
export interface IntervalCell {
  /** 1 = Monday … 7 = Sunday. */
  readonly isoWeekday: number;
  /** Minutes from local midnight to the interval's start. */
  readonly minuteOfDay: number;
  readonly intervalMinutes: number;
  readonly offered: number;
  readonly answered: number;
  readonly abandoned: number;
  readonly answeredWithWait: number;
  readonly waitSumS: number | null;
  readonly answeredWithinThreshold: number;
  /** Contacts service level is judged on: answered with a known wait + abandoned after the threshold. */
  readonly serviceLevelBase: number;
  readonly thresholdS: number;
  readonly handledTimed: number;
  readonly handleSumS: number | null;
}

/** A cell with its ratios, as the page shows it. */
export interface IntervalFigures extends IntervalCell {
  readonly serviceLevelPct: number | null;
  readonly asaS: number | null;
  readonly ahtS: number | null;
  /** Callers the interval failed: judged, and not answered within the threshold. */
  readonly missed: number;
}

/** One of the worst intervals, staffed by Erlang C for its average volume. */
export interface WorstInterval extends IntervalFigures {
  /** How many times the interval occurred in the period (the period's days of that weekday). */
  readonly occurrences: number;
  /** Offered contacts in an average occurrence of the interval. */
  readonly offeredPerInterval: number;
  /** Erlang C's answer for that volume and the interval's AHT; null when the AHT is unknown. */
  readonly staffing: Staffing | null;
}

/** A heatmap cell: one weekday and hour of the day over the period. */
export interface HeatmapCell {
  readonly isoWeekday: number;
  readonly hour: number;
  readonly offered: number;
  readonly answeredWithinThreshold: number;
  readonly serviceLevelBase: number;
  readonly serviceLevelPct: number | null;
}

/** What the page shows for one period. */
export interface IntervalFacts {
  readonly period: ReportPeriod;
  /** The scope the figures are cut by: overall, or the report's channel, team, queue or source. */
  readonly scope: { readonly dimension: string; readonly value: string };
  /** Set when the report's scope has no interval figures (an agent): the page says why and shows none. */
  readonly unscoped: string | null;
  readonly timeZone: string;
  readonly intervalMinutes: number;
  readonly thresholdS: number;
  readonly targetPct: number;
  /** Where the target came from, for the page's note. */
  readonly targetFrom: 'reporting.serviceLevelTargetPct' | 'service_level_pct target' | 'default';
  readonly offered: number;
  /** Hours of the day shown, from the first to the last with an offered contact. */
  readonly hours: readonly number[];
  /** Every (weekday, hour) of `hours`, weekday-major. */
  readonly heatmap: readonly HeatmapCell[];
  /** Service level of each hour over the whole week, for the heatmap's last column. */
  readonly hourTotals: readonly HeatmapCell[];
  readonly worst: readonly WorstInterval[];
}

/**
 * The period's intervals of the scope, summed over its dt partitions and local days by weekday and
 * interval of the day. The view's rows (one per local interval and dt: at most about twice the
 * period's days times the intervals of a day) are read as they are, as every report read is, and
 * summed here: counts and sums add up across rows, and intervalFacts recomputes the ratios.
 */
export async function queryIntervals(
  engine: QueryEngine,
  period: ReportPeriod,
  scope: { readonly dimension: string; readonly value: string },
): Promise<IntervalCell[]> {
  const raw = await engine.query(
    `SELECT iso_weekday, minute_of_day, interval_minutes, offered, answered, abandoned, answered_with_wait,
       wait_sum_s, answered_within_threshold, service_level_base, service_level_threshold_s, handled_timed,
       handle_sum_s
     FROM contact_centre_intervals
     WHERE dt BETWEEN :dt_from AND :dt_to
       AND local_date >= CAST(:period_start AS DATE) AND local_date < CAST(:period_end AS DATE)
       AND dimension = :dimension AND dimension_value = :dimension_value
     ORDER BY iso_weekday, minute_of_day, dt`,
    {
      dt_from: period.dtRange.from,
      dt_to: period.dtRange.to,
      period_start: period.start,
      period_end: period.end,
      dimension: scope.dimension,
      dimension_value: scope.value,
    },
  );
  const cells = new Map<string, IntervalCell>();
  for (const r of raw) {
    const key = `${r.iso_weekday} ${r.minute_of_day}`;
    const seen = cells.get(key);
    const add = (a: number | null | undefined, b: SqlValue | undefined) => {
      const value = numberOrNull(b);
      return value === null ? (a ?? null) : (a ?? 0) + value;
    };
    cells.set(key, {
      isoWeekday: Number(r.iso_weekday),
      minuteOfDay: Number(r.minute_of_day),
      intervalMinutes: Number(r.interval_minutes),
      offered: (seen?.offered ?? 0) + Number(r.offered),
      answered: (seen?.answered ?? 0) + Number(r.answered),
      abandoned: (seen?.abandoned ?? 0) + Number(r.abandoned),
      answeredWithWait: (seen?.answeredWithWait ?? 0) + Number(r.answered_with_wait),
      waitSumS: add(seen?.waitSumS, r.wait_sum_s),
      answeredWithinThreshold: (seen?.answeredWithinThreshold ?? 0) + Number(r.answered_within_threshold),
      serviceLevelBase: (seen?.serviceLevelBase ?? 0) + Number(r.service_level_base),
      thresholdS: Number(r.service_level_threshold_s),
      handledTimed: (seen?.handledTimed ?? 0) + Number(r.handled_timed),
      handleSumS: add(seen?.handleSumS, r.handle_sum_s),
    });
  }
  return [...cells.values()];
}

/**
 * The page's facts for a report: the period's cells of the report's scope, read only when the view
 * cuts by that scope (an agent's report reads nothing), then derived.
 */
export async function readIntervalFacts(
  engine: QueryEngine,
  period: ReportPeriod,
  config: ServiceBenchConfig,
  scope: Scope | null,
): Promise<IntervalFacts> {
  const cut = intervalScope(scope);
  const cells = cut.unscoped === null ? await queryIntervals(engine, period, cut) : [];
  return intervalFacts(cells, period, config, scope);
}

/** The interval figures' scope: the report's own when the view cuts by it, else overall. */
export function intervalScope(scope: Scope | null): { dimension: string; value: string; unscoped: string | null } {
  if (scope === null) return { dimension: 'overall', value: 'all', unscoped: null };
  if ((INTERVAL_DIMENSIONS as readonly string[]).includes(scope.dimension)) {
    return { dimension: scope.dimension, value: scope.value, unscoped: null };
  }
  return {
    dimension: scope.dimension,
    value: scope.value,
    unscoped: `Interval figures are kept per channel, team, queue and source: a queued contact waits for the queue, not for one ${scope.dimension}.`,
  };
}

/**
 * The service-level target staffing aims at: reporting.serviceLevelTargetPct, else the
 * service_level_pct target of the scope (else of the whole service), else 80%.
 */
export function staffingTarget(
  config: ServiceBenchConfig,
  scope: Scope | null,
): { pct: number; from: IntervalFacts['targetFrom'] } {
  if (config.reporting.serviceLevelTargetPct !== undefined) {
    return { pct: config.reporting.serviceLevelTargetPct, from: 'reporting.serviceLevelTargetPct' };
  }
  const targets = config.targets.filter((t) => t.metric === 'service_level_pct');
  const scoped =
    scope === null
      ? undefined
      : targets.find((t) => {
          const s = parseScope(t.scope);
          return s !== undefined && s.dimension === scope.dimension && s.value === scope.value;
        });
  const overall = targets.find((t) => parseScope(t.scope) === undefined);
  const goal = (scoped ?? overall)?.goal;
  // A goal of 0 or 100 cannot be staffed for (100% needs infinitely many agents).
  if (goal !== undefined && goal > 0 && goal < 100) return { pct: goal, from: 'service_level_pct target' };
  return { pct: TIME_DEFAULTS.serviceLevelTargetPct, from: 'default' };
}

/** Derives the heatmap and the worst intervals of the period from its cells. */
export function intervalFacts(
  cells: readonly IntervalCell[],
  period: ReportPeriod,
  config: ServiceBenchConfig,
  scope: Scope | null,
): IntervalFacts {
  const { unscoped, ...cut } = intervalScope(scope);
  const target = staffingTarget(config, scope);
  const figures = unscoped === null ? cells.map(withRatios) : [];
  const offered = figures.reduce((sum, c) => sum + c.offered, 0);
  const occurrences = weekdayCounts(period.start, period.end);
  const worst = figures
    .filter((c) => c.missed > 0)
    .sort(
      (a, b) =>
        b.missed - a.missed ||
        (a.serviceLevelPct ?? 100) - (b.serviceLevelPct ?? 100) ||
        a.isoWeekday - b.isoWeekday ||
        a.minuteOfDay - b.minuteOfDay,
    )
    .slice(0, WORST_INTERVALS_LISTED)
    .map((c) => staffed(c, occurrences[c.isoWeekday - 1] ?? 0, target.pct));
  const byHour = new Map<string, HeatmapCell>();
  for (const c of figures) {
    const hour = Math.floor(c.minuteOfDay / 60);
    for (const key of [`${c.isoWeekday} ${hour}`, `0 ${hour}`]) {
      const [weekday] = key.split(' ');
      const seen = byHour.get(key);
      byHour.set(key, {
        isoWeekday: Number(weekday),
        hour,
        offered: (seen?.offered ?? 0) + c.offered,
        answeredWithinThreshold: (seen?.answeredWithinThreshold ?? 0) + c.answeredWithinThreshold,
        serviceLevelBase: (seen?.serviceLevelBase ?? 0) + c.serviceLevelBase,
        serviceLevelPct: null,
      });
    }
  }
  const withLevel = (cell: HeatmapCell): HeatmapCell => ({
    ...cell,
    serviceLevelPct: cell.serviceLevelBase > 0 ? (100 * cell.answeredWithinThreshold) / cell.serviceLevelBase : null,
  });
  const active = figures.filter((c) => c.offered > 0).map((c) => Math.floor(c.minuteOfDay / 60));
  const hours =
    active.length === 0
      ? []
      : Array.from({ length: Math.max(...active) - Math.min(...active) + 1 }, (_, i) => Math.min(...active) + i);
  const empty = (isoWeekday: number, hour: number): HeatmapCell => ({
    isoWeekday,
    hour,
    offered: 0,
    answeredWithinThreshold: 0,
    serviceLevelBase: 0,
    serviceLevelPct: null,
  });
  const cellAt = (weekday: number, hour: number) => withLevel(byHour.get(`${weekday} ${hour}`) ?? empty(weekday, hour));
  return {
    period,
    scope: cut,
    unscoped,
    timeZone: config.reporting.timeZone,
    intervalMinutes: config.reporting.intervalMinutes,
    thresholdS: metricOptions(config).serviceLevelS,
    targetPct: target.pct,
    targetFrom: target.from,
    offered,
    hours,
    heatmap: [1, 2, 3, 4, 5, 6, 7].flatMap((weekday) => hours.map((hour) => cellAt(weekday, hour))),
    hourTotals: hours.map((hour) => cellAt(0, hour)),
    worst,
  };
}

function withRatios(c: IntervalCell): IntervalFigures {
  return {
    ...c,
    serviceLevelPct: c.serviceLevelBase > 0 ? (100 * c.answeredWithinThreshold) / c.serviceLevelBase : null,
    asaS: c.answeredWithWait > 0 && c.waitSumS !== null ? c.waitSumS / c.answeredWithWait : null,
    ahtS: c.handledTimed > 0 && c.handleSumS !== null ? c.handleSumS / c.handledTimed : null,
    missed: c.serviceLevelBase - c.answeredWithinThreshold,
  };
}

function staffed(c: IntervalFigures, occurrences: number, targetPct: number): WorstInterval {
  const offeredPerInterval = occurrences > 0 ? c.offered / occurrences : c.offered;
  return {
    ...c,
    occurrences,
    offeredPerInterval,
    staffing: agentsNeeded({
      offered: offeredPerInterval,
      ahtS: c.ahtS,
      intervalS: c.intervalMinutes * 60,
      thresholdS: c.thresholdS,
      targetPct,
    }),
  };
}

/** How many of each weekday (Monday first) the local days from `start` to `end` (exclusive) hold. */
export function weekdayCounts(start: string, end: string): number[] {
  const counts = [0, 0, 0, 0, 0, 0, 0];
  for (let day = Date.parse(`${start}T00:00:00Z`); day < Date.parse(`${end}T00:00:00Z`); day += DAY_MS) {
    const weekday = (new Date(day).getUTCDay() + 6) % 7;
    counts[weekday] = (counts[weekday] ?? 0) + 1;
  }
  return counts;
}

/** Bands of the heatmap, relative to the target: the colour says how far below it, the number says how much. */
export interface HeatBand {
  readonly id: 'met' | 'near' | 'below' | 'far';
  readonly label: string;
  readonly background: string;
  readonly ink: string;
}

export function heatBands(targetPct: number): readonly HeatBand[] {
  const t = Math.round(targetPct);
  return [
    { id: 'met', label: `${t}% or more (on target)`, background: '#d7eadb', ink: '#123d22' },
    { id: 'near', label: `${t - 10}–${t}%`, background: '#f6e3b4', ink: '#4d3200' },
    { id: 'below', label: `${t - 25}–${t - 10}%`, background: '#ef9f6c', ink: '#3b1400' },
    { id: 'far', label: `below ${t - 25}%`, background: '#9f1f17', ink: '#ffffff' },
  ];
}

/** The band of a service level against the target; null when no contact was judged. */
export function heatBand(serviceLevelPct: number | null, targetPct: number): HeatBand['id'] | null {
  if (serviceLevelPct === null) return null;
  if (serviceLevelPct >= targetPct) return 'met';
  if (serviceLevelPct >= targetPct - 10) return 'near';
  if (serviceLevelPct >= targetPct - 25) return 'below';
  return 'far';
}

/** The page: a sentence on the worst interval, the heatmap with its legend, the worst intervals' table. */
export function intervalsSection(facts: IntervalFacts | null, headingId = 'h-intervals'): string {
  const open = `<section id="intervals" aria-labelledby="${headingId}">
  <h2 id="${headingId}">${INTERVALS_HEADING}</h2>`;
  if (facts === null) {
    return `${open}
  <p class="nodata-note" role="note"><span class="nodata-tag">Not read</span> Interval figures were not read for this report.</p>
</section>`;
  }
  if (facts.unscoped !== null || facts.offered === 0) {
    const why =
      facts.unscoped ??
      `No contact queued in ${facts.period.label}: interval figures need queue times (queued_at), which telephony and chat platforms record.`;
    return `${open}
  <p class="nodata-note" role="note"><span class="nodata-tag">No data</span> ${escapeHtml(why)}</p>
</section>`;
  }
  const threshold = formatDuration(facts.thresholdS);
  const targetNote =
    facts.targetFrom === 'default'
      ? `${facts.targetPct}% (no target is set, so the usual 80%)`
      : `${facts.targetPct}% (${facts.targetFrom})`;
  const lede = `<p class="section-lede">Service level: contacts answered within ${escapeHtml(threshold)} out of those answered or abandoned after it, by hour of the day and weekday over ${escapeHtml(facts.period.label)}, in local time (${escapeHtml(facts.timeZone)}${facts.scope.dimension === 'overall' ? '' : `; ${escapeHtml(facts.scope.dimension)} ${escapeHtml(facts.scope.value)}`}). Target ${escapeHtml(targetNote)}. The worst ${facts.intervalMinutes}-minute intervals are those that failed the most callers; Erlang C gives the agents an average occurrence needed to reach the target.</p>`;
  return `${open}
  ${summary(facts)}
  ${lede}
  ${heatmap(facts)}
  ${worstTable(facts)}
</section>`;
}

function summary(facts: IntervalFacts): string {
  const worst = facts.worst[0];
  if (worst === undefined) {
    return `<p class="retention-summary">Every interval of ${escapeHtml(facts.period.label)} answered its callers within ${escapeHtml(formatDuration(facts.thresholdS))}.</p>`;
  }
  const need =
    worst.staffing === null
      ? 'its handle time is not known, so no staffing need is computed'
      : `Erlang C puts the need at ${worst.staffing.agents} agent${worst.staffing.agents === 1 ? '' : 's'} for its average ${worst.offeredPerInterval.toFixed(1)} contacts of ${formatDuration(worst.ahtS ?? 0)}`;
  return `<p class="retention-summary">Service slips most on ${escapeHtml(WEEKDAYS[worst.isoWeekday - 1] ?? '')}s ${escapeHtml(intervalLabel(worst.minuteOfDay, worst.intervalMinutes))}: ${escapeHtml(formatValue(worst.serviceLevelPct, 'pct'))} answered within ${escapeHtml(formatDuration(worst.thresholdS))} against a target of ${facts.targetPct}%, ${worst.missed} caller${worst.missed === 1 ? '' : 's'} failed; ${escapeHtml(need)}.</p>`;
}

function heatmap(facts: IntervalFacts): string {
  const bands = heatBands(facts.targetPct);
  const style = (cell: HeatmapCell) => {
    const band = bands.find((b) => b.id === heatBand(cell.serviceLevelPct, facts.targetPct));
    return band === undefined ? 'background:#f4f6fa;color:#5b6473' : `background:${band.background};color:${band.ink}`;
  };
  const td = (cell: HeatmapCell, day: string) => {
    const hours = `${clock(cell.hour * 60)}–${clock(cell.hour * 60 + 60)}`;
    const title =
      cell.serviceLevelPct === null
        ? `${day} ${hours}: ${cell.offered === 0 ? 'no contacts' : `${cell.offered} offered, none judged`}`
        : `${day} ${hours}: ${formatValue(cell.serviceLevelPct, 'pct')} of ${cell.serviceLevelBase} within the threshold, ${cell.offered} offered`;
    const text = cell.serviceLevelPct === null ? '—' : `${Math.round(cell.serviceLevelPct)}%`;
    const band = heatBand(cell.serviceLevelPct, facts.targetPct) ?? 'none';
    return `<td class="heat" data-weekday="${cell.isoWeekday}" data-hour="${cell.hour}" data-band="${band}" data-offered="${cell.offered}" data-judged="${cell.serviceLevelBase}" data-within="${cell.answeredWithinThreshold}"${cell.serviceLevelPct === null ? '' : ` data-sl="${cell.serviceLevelPct.toFixed(2)}"`} title="${escapeHtml(title)}" style="${style(cell)};text-align:center;font-variant-numeric:tabular-nums">${text}</td>`;
  };
  const rows = facts.hours
    .map((hour, h) => {
      const cells = [1, 2, 3, 4, 5, 6, 7]
        .map((weekday) => {
          const cell = facts.heatmap[(weekday - 1) * facts.hours.length + h];
          return cell === undefined ? '<td></td>' : td(cell, WEEKDAYS[weekday - 1] ?? '');
        })
        .join('');
      const total = facts.hourTotals[h];
      return `<tr><th scope="row">${clock(hour * 60)}</th>${cells}${total === undefined ? '<td></td>' : td(total, 'All week')}</tr>`;
    })
    .join('\n');
  const legend = bands
    .map(
      (b) =>
        `<span data-band="${b.id}"><i aria-hidden="true" style="display:inline-block;width:14px;height:14px;border-radius:3px;background:${b.background}"></i>${escapeHtml(b.label)}</span>`,
    )
    .join('');
  return `<div class="legend" role="note" aria-label="Heatmap legend">${legend}<span data-band="none"><i aria-hidden="true" style="display:inline-block;width:14px;height:14px;border-radius:3px;background:#f4f6fa;border:1px solid #d9dee7"></i>— no contact judged</span></div>
  <div class="table-wrap"><table class="grid heatmap" aria-label="Service level by hour of day and weekday, ${escapeHtml(facts.period.label)}"><thead><tr><th scope="col">Hour</th>${WEEKDAYS.map((d) => `<th scope="col" style="text-align:center">${d.slice(0, 3)}</th>`).join('')}<th scope="col" style="text-align:center">All week</th></tr></thead><tbody>
${rows}
  </tbody></table></div>`;
}

function worstTable(facts: IntervalFacts): string {
  if (facts.worst.length === 0) return '';
  const rows = facts.worst
    .map((w) => {
      const need =
        w.staffing === null
          ? '<span class="muted">AHT unknown</span>'
          : `${w.staffing.agents} <span class="muted">(${w.staffing.trafficErlangs.toFixed(1)} Erlangs)</span>`;
      return `<tr data-weekday="${w.isoWeekday}" data-minute="${w.minuteOfDay}"><th scope="row">${escapeHtml(WEEKDAYS[w.isoWeekday - 1] ?? '')} ${escapeHtml(intervalLabel(w.minuteOfDay, w.intervalMinutes))}</th><td>${w.offered} <span class="muted">(${w.offeredPerInterval.toFixed(1)} per interval, ${w.occurrences} ${w.occurrences === 1 ? 'day' : 'days'})</span></td><td>${escapeHtml(formatValue(w.serviceLevelPct, 'pct'))}</td><td>${w.missed}</td><td>${escapeHtml(formatValue(w.asaS, 'seconds'))}</td><td>${escapeHtml(formatValue(w.ahtS, 'seconds'))}</td><td>${need}</td></tr>`;
    })
    .join('\n');
  return `<h3>The worst intervals</h3>
  <div class="table-wrap"><table class="grid worst-intervals"><thead><tr><th scope="col">Interval</th><th scope="col">Offered</th><th scope="col">Service level</th><th scope="col">Callers failed</th><th scope="col">ASA</th><th scope="col">AHT</th><th scope="col">Agents needed (Erlang C)</th></tr></thead><tbody>
${rows}
  </tbody></table></div>
  <p class="small muted">Erlang C assumes random arrivals, callers who never hang up and agents on calls all the interval: it is the floor of the staffing the interval needed, before breaks, other work and absence (docs/metrics.md).</p>`;
}

/** "12:00–12:30". */
export function intervalLabel(minuteOfDay: number, intervalMinutes: number): string {
  return `${clock(minuteOfDay)}–${clock(minuteOfDay + intervalMinutes)}`;
}

function clock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

function numberOrNull(value: SqlValue | undefined): number | null {
  return value === null || value === undefined ? null : Number(value);
}
