/**
 * What `servicebench metrics` prints: the scorecard rows of one period and dimension, read from the
 * `scorecard` view of any QueryEngine (the local DuckDB or a Trino cluster). The report reads the
 * scorecard itself, every dimension of the period at once (lambdas/report/data.ts).
 */
import { METRIC_IDS } from '../lambdas/core/metrics/catalogue.ts';
import type { Dimension, ScorecardRow } from '../lambdas/core/metrics/scorecard.ts';
import type { QueryEngine } from '../lambdas/core/query/engine.ts';
import type { ReportPeriod } from '../lambdas/core/time/periods.ts';

export interface ScorecardQuery {
  readonly period: ReportPeriod;
  /** @default 'overall' */
  readonly by?: Dimension;
}

/** Scorecard rows of one period and dimension, in catalogue order, then by dimension value. */
export async function scorecardRows(engine: QueryEngine, query: ScorecardQuery): Promise<ScorecardRow[]> {
  const { grain, start } = query.period;
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
