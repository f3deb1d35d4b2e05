import { describe, expect, it } from 'vitest';
import type { DuckDbEngine } from '../../../cli/duckdb.ts';
import { parseConfig } from '../../../lambdas/core/config/config.ts';
import { parsePeriod } from '../../../lambdas/core/time/periods.ts';
import { CHART_COLOURS, drawsBenchmarkBand, trendChart, trendLegend } from '../../../lambdas/report/charts.ts';
import { buildReportData } from '../../../lambdas/report/data.ts';
import { renderHtml } from '../../../lambdas/report/html.ts';
import type { Trend } from '../../../lambdas/report/model.ts';
import { emptyReportEngine, insertScorecard, scorecardRow } from '../../support/report.ts';

const BAND_LEGEND = 'industry 25th–75th percentile and median';

function trend(overrides: Partial<Trend> = {}): Trend {
  return {
    metric: 'nps',
    label: 'Net Promoter Score',
    unit: 'score',
    higherIsBetter: true,
    points: [
      { period_start: '2025-05-01', value: 30, n: 120, low_sample: false },
      { period_start: '2025-06-01', value: 35, n: 140, low_sample: false },
    ],
    target: null,
    bench: null,
    ...overrides,
  };
}

/** The filled rectangle of the band and the dashed median rule, both in the benchmark grey. */
const bandMarks = (svg: string) =>
  svg.match(new RegExp(`<(path|line)[^>]*${CHART_COLOURS.benchmark}[^>]*>`, 'g')) ?? [];

describe('trend chart industry band', () => {
  it('draws the 25th–75th percentile band and the median line where the benchmark has quartiles', async () => {
    const quartiles = trend({ bench: { p25: 0, median: 44, p75: 72 } });
    const { svg, description } = await trendChart(quartiles, 'month');
    const marks = bandMarks(svg);
    expect(marks.filter((m) => m.startsWith('<path') && m.includes('opacity="0.16"'))).toHaveLength(1);
    expect(marks.filter((m) => m.startsWith('<line') && m.includes('stroke-dasharray="2,2"'))).toHaveLength(1);
    expect(description).toContain('industry median +44');
  });

  it('draws the band for a lower-is-better metric, whose 25th percentile is the larger figure', async () => {
    const asa = trend({
      metric: 'asa_s',
      label: 'Average speed of answer',
      unit: 'seconds',
      higherIsBetter: false,
      points: [{ period_start: '2025-06-01', value: 40, n: 500, low_sample: false }],
      bench: { p25: 90, median: 45, p75: 20 },
    });
    const band = bandMarks((await trendChart(asa, 'month')).svg).find((m) => m.startsWith('<path'));
    const height = Number(/v(-?[\d.]+)h/.exec(band ?? '')?.[1]);
    expect(Math.abs(height)).toBeGreaterThan(0);
  });

  it('draws no band and no benchmark line without quartiles', async () => {
    const { svg, description } = await trendChart(trend(), 'month');
    expect(bandMarks(svg)).toEqual([]);
    expect(description).toContain('no industry benchmark');
  });
});

describe('trend legend', () => {
  it('mentions the industry band only when a chart draws one', () => {
    const withBand = [trend(), trend({ metric: 'csat_pct', bench: { p25: 70, median: 78, p75: 85 } })];
    expect(withBand.some(drawsBenchmarkBand)).toBe(true);
    expect(trendLegend(withBand)).toContain(BAND_LEGEND);
    expect(trendLegend([trend(), trend({ metric: 'csat_pct' })])).not.toContain(BAND_LEGEND);
  });

  it('names the target and the low-sample marker only when a chart shows them', () => {
    const plain = trendLegend([trend()]);
    expect(plain).toContain('actual');
    expect(plain).not.toContain('target');
    expect(plain).not.toContain('low sample');
    const low = trend({
      target: 40,
      points: [{ period_start: '2025-06-01', value: 35, n: 12, low_sample: true }],
    });
    expect(trendLegend([trend(), low])).toMatch(/actual[\s\S]*low sample[\s\S]*target/);
  });
});

describe('report trends', () => {
  async function reportHtml(bench: { bench_p25: number | null; bench_median: number; bench_p75: number | null }) {
    const engine: DuckDbEngine = await emptyReportEngine();
    try {
      await insertScorecard(engine, [
        scorecardRow({ metric: 'csat_pct', value: 81, n: 300, ...bench, bench_source: 'Published survey' }),
      ]);
      const data = await buildReportData(engine, {
        period: parsePeriod('2025-06'),
        config: parseConfig({}),
        generatedAt: new Date('2025-07-01T06:00:00Z'),
      });
      return renderHtml(data);
    } finally {
      await engine.close();
    }
  }

  it('draws and names the band when the chosen benchmark has quartiles', async () => {
    const html = await reportHtml({ bench_p25: 70, bench_median: 77, bench_p75: 84 });
    expect(html).toContain(BAND_LEGEND);
    expect(html).toMatch(new RegExp(`fill="${CHART_COLOURS.benchmark}" opacity="0.16"`));
  });

  it('neither draws nor promises a band when the benchmark is a single published figure', async () => {
    const html = await reportHtml({ bench_p25: null, bench_median: 77, bench_p75: null });
    expect(html).not.toContain(BAND_LEGEND);
    expect(html).not.toMatch(new RegExp(`fill="${CHART_COLOURS.benchmark}" opacity="0.16"`));
  });
});
