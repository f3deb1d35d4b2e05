/**
 * What `servicebench metrics` prints: the scorecard rows of one period and dimension, read from the
 * `scorecard` view of any QueryEngine (the local DuckDB or a Trino cluster). The report reads the
 * scorecard itself, every dimension of the period at once (lambdas/report/data.ts).
 */

import { METRIC_IDS } from '../lambdas/core/metrics/catalogue.ts';
import type { Dimension, Grain, ScorecardRow } from '../lambdas/core/metrics/scorecard.ts';
import type { QueryEngine } from '../lambdas/core/query/engine.ts';

export const PERIOD_FORMATS =
  'YYYY-MM (a month), YYYY-Www (an ISO week, e.g. 2025-W23) or YYYY-MM-DD (a day in the period)';

export interface ScorecardQuery {
  /** 'YYYY-MM', 'YYYY-Www' or 'YYYY-MM-DD' (the period containing that day). */
  readonly period: string;
  /** @default the grain the period names: month for YYYY-MM and YYYY-MM-DD, week for YYYY-Www */
  readonly grain?: Grain;
  /** @default 'overall' */
  readonly by?: Dimension;
}

export interface ResolvedPeriod {
  readonly grain: Grain;
  /** First day of the period, YYYY-MM-DD (UTC). */
  readonly start: string;
}

/** Resolves a period argument to its grain and first day; throws naming the expected formats. */
export function resolvePeriod(period: string, grain?: Grain): ResolvedPeriod {
  const month = /^(\d{4})-(\d{2})$/.exec(period);
  const week = /^(\d{4})-W(\d{2})$/.exec(period);
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(period);
  if (month) {
    const [year, mon] = [Number(month[1]), Number(month[2])];
    if (mon < 1 || mon > 12)
      throw new Error(`period "${period}": month ${mon} does not exist; expected ${PERIOD_FORMATS}`);
    if (grain === 'week')
      throw new Error(`period "${period}" is a month but the grain is week; give YYYY-Www or YYYY-MM-DD`);
    return { grain: 'month', start: isoDate(new Date(Date.UTC(year, mon - 1, 1))) };
  }
  if (week) {
    const [year, number] = [Number(week[1]), Number(week[2])];
    if (grain === 'month')
      throw new Error(`period "${period}" is a week but the grain is month; give YYYY-MM or YYYY-MM-DD`);
    const monday = isoWeekMonday(year, number);
    if (number < 1 || isoWeekYear(monday) !== year) {
      throw new Error(`period "${period}": ${year} has no ISO week ${number}; expected ${PERIOD_FORMATS}`);
    }
    return { grain: 'week', start: isoDate(monday) };
  }
  if (day) {
    const date = new Date(`${period}T00:00:00Z`);
    if (Number.isNaN(date.getTime()) || isoDate(date) !== period) {
      throw new Error(`period "${period}" is not a valid date; expected ${PERIOD_FORMATS}`);
    }
    const resolvedGrain = grain ?? 'month';
    const start =
      resolvedGrain === 'month'
        ? new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1))
        : new Date(date.getTime() - ((date.getUTCDay() + 6) % 7) * 86_400_000);
    return { grain: resolvedGrain, start: isoDate(start) };
  }
  throw new Error(`period "${period}" is not recognised; expected ${PERIOD_FORMATS}`);
}

/** Scorecard rows of one period and dimension, in catalogue order, then by dimension value. */
export async function scorecardRows(engine: QueryEngine, query: ScorecardQuery): Promise<ScorecardRow[]> {
  const { grain, start } = resolvePeriod(query.period, query.grain);
  const rows = await engine.query<ScorecardRow>(
    `SELECT * FROM scorecard
     WHERE period_start = CAST(:period_start AS DATE) AND grain = :grain AND dimension = :dimension`,
    { period_start: start, grain, dimension: query.by ?? 'overall' },
  );
  const order = new Map<string, number>(METRIC_IDS.map((id, i) => [id, i]));
  return rows.sort(
    (a, b) =>
      (order.get(a.metric) ?? order.size) - (order.get(b.metric) ?? order.size) ||
      a.dimension_value.localeCompare(b.dimension_value),
  );
}

function isoWeekMonday(year: number, week: number): Date {
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const week1Monday = jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * 86_400_000;
  return new Date(week1Monday + (week - 1) * 7 * 86_400_000);
}

/** The ISO week-numbering year of a Monday: the year of its Thursday. */
function isoWeekYear(monday: Date): number {
  return new Date(monday.getTime() + 3 * 86_400_000).getUTCFullYear();
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}
