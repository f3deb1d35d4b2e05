import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METRIC_BY_ID, METRIC_IDS } from '../../../lambdas/core/metrics/catalogue.ts';
import {
  BENCHMARKED_METRICS,
  hasPercentiles,
  loadBenchmarks,
  RECENT_FROM_YEAR,
  UNBENCHMARKED_METRICS,
} from '../../../lambdas/core/reference/benchmarks.ts';

/** What the shipped file must hold (docs/benchmarks.md states the same figures). */
const MIN_ROWS = 60;
const MIN_RECENT_SHARE = 0.8;
/**
 * Rows with quartiles or a 90th percentile: published by the source, or computed from a peer group of
 * published per-organisation figures in benchmarks/peer-figures.csv (peer-figures.test.ts recomputes them).
 */
const MIN_ROWS_WITH_PERCENTILES = 15;
/** No customer-service benchmark predates the first call-centre studies; none can describe a future year. */
const FIRST_PLAUSIBLE_YEAR = 1990;

const rows = loadBenchmarks();
const docs = readFileSync(new URL('../../../docs/benchmarks.md', import.meta.url), 'utf8');
const thisYear = new Date().getUTCFullYear();

describe('benchmarks/industry.csv', () => {
  it(`has at least ${MIN_ROWS} rows, ${MIN_RECENT_SHARE * 100} % of them from ${RECENT_FROM_YEAR} on`, () => {
    expect(rows.length).toBeGreaterThanOrEqual(MIN_ROWS);
    const recent = rows.filter((r) => (r.year ?? 0) >= RECENT_FROM_YEAR).length;
    expect(recent / rows.length).toBeGreaterThanOrEqual(MIN_RECENT_SHARE);
    expect(rows.filter(hasPercentiles).length).toBeGreaterThanOrEqual(MIN_ROWS_WITH_PERCENTILES);
  });

  it.each(rows.map((r, i) => [i + 2, r] as const))(
    'line %i names a catalogue metric in its unit, a year, a source and a sample',
    (_line, row) => {
      const metric = METRIC_BY_ID.get(row.metric);
      expect(metric, row.metric).toBeDefined();
      expect(row.unit).toBe(metric?.unit);
      expect(row.year).not.toBeNull();
      expect(row.year).toBeGreaterThanOrEqual(FIRST_PLAUSIBLE_YEAR);
      expect(row.year).toBeLessThanOrEqual(thisYear);
      expect(new URL(row.source_url).protocol).toBe('https:');
      expect(row.source_name.trim()).not.toBe('');
      expect(row.sample?.trim() ?? '').not.toBe('');
      expect(row.note?.trim() ?? '').not.toBe('');
      expect(row.median).not.toBeNull();
    },
  );

  it("runs every row from worst to best: p25, median, p75, p90 in the metric's good direction", () => {
    for (const row of rows) {
      const sign = METRIC_BY_ID.get(row.metric)?.higherIsBetter === false ? -1 : 1;
      const figures = [row.p25, row.median, row.p75, row.p90].filter((v): v is number => v !== null);
      const inGoodDirection = figures.map((v) => sign * v);
      expect(inGoodDirection, `${row.metric} ${row.source_name}`).toEqual([...inGoodDirection].sort((a, b) => a - b));
    }
  });

  it('has a row for every metric with a published figure, and only for those', () => {
    const covered = new Set(rows.map((r) => r.metric));
    for (const metric of BENCHMARKED_METRICS) expect(covered.has(metric), metric).toBe(true);
    for (const metric of covered) expect(BENCHMARKED_METRICS, metric).toContain(metric);
  });

  it('classifies every catalogue metric once: benchmarked, or not with a reason', () => {
    const unbenchmarked = Object.keys(UNBENCHMARKED_METRICS);
    expect(unbenchmarked.filter((m) => BENCHMARKED_METRICS.includes(m as never))).toEqual([]);
    expect([...BENCHMARKED_METRICS, ...unbenchmarked].sort()).toEqual([...METRIC_IDS].sort());
    for (const reason of Object.values(UNBENCHMARKED_METRICS)) expect(reason?.length).toBeGreaterThan(20);
  });

  it('is described in docs/benchmarks.md: every source, and every metric without a row', () => {
    for (const source of new Set(rows.map((r) => r.source_name))) expect(docs, source).toContain(`| ${source} |`);
    for (const metric of Object.keys(UNBENCHMARKED_METRICS)) expect(docs, metric).toContain(`\`${metric}\``);
  });
});
