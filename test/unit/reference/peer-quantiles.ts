/**
 * Quartiles of a published peer group (benchmarks/peer-figures.csv: one figure per organisation),
 * computed the one way docs/benchmarks.md states, so that no quartile in benchmarks/industry.csv is
 * typed by hand: the test beside this file recomputes every derived row and fails on a difference.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { METRIC_BY_ID } from '../../../lambdas/core/metrics/catalogue.ts';

export const PEER_FIGURES_CSV = new URL('../../../benchmarks/peer-figures.csv', import.meta.url);
/** Fewer organisations than this give no quartiles worth the name. */
export const MIN_PEERS_FOR_QUARTILES = 8;
/** The 90th percentile is derived only from this many organisations on. */
export const MIN_PEERS_FOR_P90 = 20;
/** Derived percentiles are stored to two decimals. */
const DECIMALS = 2;

export interface PeerFigure {
  readonly metric: string;
  readonly industry: string;
  readonly region: string;
  readonly year: number;
  readonly organisation: string;
  readonly value: number;
  readonly unit: string;
  readonly source_name: string;
  readonly source_url: string;
  readonly note: string;
}

export interface PeerGroup {
  /** metric, industry, region, year and source_name: the row of industry.csv the group feeds. */
  readonly key: string;
  readonly figures: readonly PeerFigure[];
}

export interface DerivedPercentiles {
  readonly p25: number;
  readonly median: number;
  readonly p75: number;
  readonly p90: number | null;
}

export function loadPeerFigures(file: URL = PEER_FIGURES_CSV): PeerFigure[] {
  const records = parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true, trim: true }) as Record<
    string,
    string
  >[];
  return records.map((r) => ({
    metric: r.metric ?? '',
    industry: r.industry ?? '',
    region: r.region ?? '',
    year: Number(r.year),
    organisation: r.organisation ?? '',
    value: Number(r.value),
    unit: r.unit ?? '',
    source_name: r.source_name ?? '',
    source_url: r.source_url ?? '',
    note: r.note ?? '',
  }));
}

export function groupKey(row: {
  metric: string;
  industry: string;
  region: string;
  year: number | null;
  source_name: string;
}): string {
  return [row.metric, row.industry, row.region, row.year, row.source_name].join(' | ');
}

export function groupPeerFigures(figures: readonly PeerFigure[]): PeerGroup[] {
  const groups = new Map<string, PeerFigure[]>();
  for (const figure of figures) {
    const key = groupKey(figure);
    groups.set(key, [...(groups.get(key) ?? []), figure]);
  }
  return [...groups.entries()].map(([key, members]) => ({ key, figures: members }));
}

/**
 * Hyndman-Fan type 7 (linear interpolation between order statistics, the default of R's quantile()
 * and of numpy): with the n values sorted ascending as x[0..n-1], Q(p) = x[j] + (h - j)(x[j+1] - x[j])
 * where h = (n - 1)p and j = floor(h).
 */
export function quantileType7(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) throw new Error('quantile of no values');
  const h = (sorted.length - 1) * p;
  const j = Math.floor(h);
  const low = sorted[j] as number;
  const high = sorted[Math.min(j + 1, sorted.length - 1)] as number;
  return low + (h - j) * (high - low);
}

/**
 * p25, median, p75 (and p90 from MIN_PEERS_FOR_P90 organisations) in the metric's good direction,
 * as industry.csv orders them: for a lower-is-better metric the values are negated first, so p25 is
 * the larger number (the 75th percentile of the raw values).
 */
export function derivePercentiles(metricId: string, values: readonly number[]): DerivedPercentiles {
  const metric = METRIC_BY_ID.get(metricId);
  if (!metric) throw new Error(`metric "${metricId}" is not in the catalogue`);
  if (values.length < MIN_PEERS_FOR_QUARTILES) {
    throw new Error(`${values.length} organisations are too few for quartiles (at least ${MIN_PEERS_FOR_QUARTILES})`);
  }
  const sign = metric.higherIsBetter === false ? -1 : 1;
  const good = values.map((v) => sign * v);
  const at = (p: number) => round(sign * quantileType7(good, p));
  return {
    p25: at(0.25),
    median: at(0.5),
    p75: at(0.75),
    p90: values.length >= MIN_PEERS_FOR_P90 ? at(0.9) : null,
  };
}

function round(value: number): number {
  const factor = 10 ** DECIMALS;
  // Adding 0 turns the -0 of a negated zero into 0.
  return Math.round(value * factor) / factor + 0;
}
