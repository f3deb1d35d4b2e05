/** `servicebench metrics`: the scorecard of one period, overall or by a dimension. */
import { METRIC_BY_ID } from '../../lambdas/core/metrics/catalogue.ts';
import type { Dimension, Grain, ScorecardRow } from '../../lambdas/core/metrics/scorecard.ts';
import { rangesOf, resolvePeriod } from '../../lambdas/core/time/periods.ts';
import { renderCsv } from '../../lambdas/report/csv.ts';
import { type CommandContext, progressLines, readConfig } from '../context.ts';
import { checkEngineTakes, noteEmptyScorecard, withQueryEngine } from '../engine.ts';
import { formatRows, type OutputFormat } from '../format.ts';
import { scorecardRows } from '../scorecard.ts';

export interface MetricsOptions {
  /** A period in one of its forms (lambdas/core/time/periods.ts), or none with `from` and `to`. */
  readonly period?: string;
  readonly grain?: Grain;
  readonly from?: string;
  readonly to?: string;
  readonly by: Dimension;
  readonly format: OutputFormat;
}

export async function metrics(context: CommandContext, options: MetricsOptions): Promise<void> {
  const { stdout, stderr } = context.io;
  const config = readConfig(context);
  const period = resolvePeriod(options, { timeZone: config.reporting.timeZone });
  checkEngineTakes(context.engine, period);
  const rows = await withQueryEngine(
    {
      choice: context.engine,
      lakeDir: context.lakeDir,
      config: () => config,
      ranges: rangesOf(period),
      onProgress: progressLines(context.io),
    },
    (engine) => scorecardRows(engine, { period, by: options.by }),
  );
  if (rows.length === 0) {
    stderr.write(`no metric has data for ${period.id} (by ${options.by})\n`);
    noteEmptyScorecard(context.io, context.engine);
  }
  if (options.format === 'json') stdout.write(formatRows(rows as unknown as Record<string, unknown>[], 'json'));
  else if (options.format === 'csv') stdout.write(renderCsv(rows));
  else {
    stdout.write(formatRows(scorecardTable(rows), 'table'));
    const labels = [...new Set(rows.map((r) => r.metric))].map((m) => `${m} = ${METRIC_BY_ID.get(m)?.label ?? m}`);
    if (labels.length > 0 && options.by === 'overall') stdout.write(`\n${labels.join('; ')}\n`);
  }
}

/** The people-facing columns of `metrics --format table`; csv and json carry every column. */
export function scorecardTable(rows: readonly ScorecardRow[]): Record<string, unknown>[] {
  const round = (v: number | null, digits = 1) => (v === null ? null : Number(v.toFixed(digits)));
  return rows.map((r) => ({
    metric: r.metric,
    [r.dimension]: r.dimension_value,
    value: round(r.value),
    unit: r.unit,
    n: r.n,
    '95% ci': r.ci_low === null || r.ci_high === null ? '' : `${round(r.ci_low)}–${round(r.ci_high)}`,
    sample: r.low_sample ? 'LOW' : '',
    target: r.target,
    rag: r.rag ?? '',
    bench: r.bench_position ?? '',
    peer_pct: round(r.peer_percentile, 0),
    prev: round(r.prev_value),
    delta: round(r.delta),
    significant: significance(r),
  }));
}

/** yes or no where a test ran; where none could, why (the scorecard's change_test), else blank. */
function significance(row: ScorecardRow): string {
  if (row.change_significant !== null) return row.change_significant ? 'yes' : 'no';
  return row.change_test === 'too_few_to_test' ? 'too few to test' : '';
}
