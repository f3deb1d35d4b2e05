/**
 * Charts as static SVG, rendered at build time with Vega-Lite compiled to Vega and Vega's headless
 * SVG renderer (no canvas, no network, no script at view time). The palette is Okabe-Ito based,
 * every series also differs by line style or shade, so charts survive grayscale and colour-blind
 * reading; values are written as text where it matters.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { METRIC_BY_ID, type MetricUnit } from '../core/metrics/catalogue.ts';
import type { PeriodGrain } from '../core/time/periods.ts';
import { escapeHtml } from './escape.ts';
import { formatValue, GRAIN_NOUNS, periodTick } from './format.ts';
import type { Breakdown, ChartSvg, ReportFacts, Trend } from './model.ts';
import type { ThemeCount } from './themes.ts';

export type { ChartSvg } from './model.ts';

export const CHART_COLOURS = {
  actual: '#0b4f8a',
  target: '#1a1a1a',
  benchmark: '#8a8a8a',
  positive: '#0b4f8a',
  neutral: '#c9c9c9',
  negative: '#d55e00',
  bar: '#3b7dbf',
} as const;

const FONT = 'Liberation Sans, DejaVu Sans, Arial, Helvetica, sans-serif';
const BASE_CONFIG = {
  font: FONT,
  background: 'white',
  view: { stroke: null },
  axis: {
    labelFontSize: 10,
    titleFontSize: 10,
    labelColor: '#333',
    titleColor: '#333',
    gridColor: '#e6e6e6',
    domainColor: '#999',
    tickColor: '#999',
  },
  legend: { labelFontSize: 10, titleFontSize: 10, orient: 'bottom' },
} as const;

/** Bars at least this share of the longest one are labelled inside. */
const LABEL_INSIDE_SHARE = 0.3;

/** Reference marks (target, benchmark) are drawn once, from a single empty datum. */
const ONE_ROW = { values: [{}] };

/** Every chart of the report, keyed by id. */
export async function renderCharts(facts: ReportFacts): Promise<Record<string, ChartSvg>> {
  const charts: ChartSvg[] = [];
  for (const trend of facts.trends) charts.push(await trendChart(trend, facts.period.grain));
  for (const b of facts.breakdowns) {
    const chart = await breakdownChart(b);
    if (chart) charts.push(chart);
  }
  if (facts.voice.themes.length > 0) charts.push(await themesChart(facts.voice.themes));
  return Object.fromEntries(charts.map((c) => [c.id, c]));
}

/** Durations are plotted in the unit that keeps axis numbers short. */
export function displayScale(unit: MetricUnit, values: readonly number[]): { factor: number; axis: string } {
  if (unit === 'pct') return { factor: 1, axis: '%' };
  if (unit !== 'seconds') return { factor: 1, axis: '' };
  const max = Math.max(0, ...values);
  if (max >= 3 * 86_400) return { factor: 86_400, axis: 'days' };
  if (max >= 3 * 3600) return { factor: 3600, axis: 'hours' };
  if (max >= 180) return { factor: 60, axis: 'minutes' };
  return { factor: 1, axis: 'seconds' };
}

/**
 * Whether a trend chart draws the industry band (25th to 75th percentile, with the median line):
 * only when the chosen benchmark publishes both quartiles. A single published figure is shown
 * next to the value instead (see the KPI tiles), never stretched into a band.
 */
export function drawsBenchmarkBand(trend: Trend): boolean {
  return trend.bench !== null;
}

const LEGEND_ITEMS = {
  actual: `<span><svg width="28" height="10" aria-hidden="true"><line x1="0" y1="5" x2="28" y2="5" stroke="${CHART_COLOURS.actual}" stroke-width="2.5"/><circle cx="14" cy="5" r="3" fill="${CHART_COLOURS.actual}"/></svg> actual</span>`,
  lowSample: `<span><svg width="28" height="10" aria-hidden="true"><circle cx="14" cy="5" r="3" fill="#fff" stroke="${CHART_COLOURS.actual}" stroke-width="1.5"/></svg> low sample</span>`,
  target: `<span><svg width="28" height="10" aria-hidden="true"><line x1="0" y1="5" x2="28" y2="5" stroke="${CHART_COLOURS.target}" stroke-width="1.5" stroke-dasharray="6 3"/></svg> target</span>`,
  band: `<span><svg width="28" height="10" aria-hidden="true"><rect x="0" y="0" width="28" height="10" fill="${CHART_COLOURS.benchmark}" fill-opacity="0.16"/><line x1="0" y1="5" x2="28" y2="5" stroke="${CHART_COLOURS.benchmark}" stroke-dasharray="2 2"/></svg> industry 25th–75th percentile and median</span>`,
} as const;

/**
 * The legend shared by the trend charts. It names a mark only when at least one chart draws it,
 * so the industry band is promised only where a benchmark with quartiles exists.
 */
export function trendLegend(trends: readonly Trend[]): string {
  const items: string[] = [LEGEND_ITEMS.actual];
  if (trends.some((t) => t.points.some((p) => p.value !== null && p.low_sample))) items.push(LEGEND_ITEMS.lowSample);
  if (trends.some((t) => t.target !== null)) items.push(LEGEND_ITEMS.target);
  if (trends.some(drawsBenchmarkBand)) items.push(LEGEND_ITEMS.band);
  return `<p class="legend" aria-label="Chart legend">\n  ${items.join('\n  ')}\n</p>`;
}

export async function trendChart(trend: Trend, grain: PeriodGrain): Promise<ChartSvg> {
  const observed = trend.points.filter((p) => p.value !== null).map((p) => p.value as number);
  const references = [trend.target, trend.bench?.p25, trend.bench?.p75].filter((v): v is number => v != null);
  const scale = displayScale(trend.unit, [...observed, ...references]);
  const points = trend.points.map((p, i) => ({
    period: periodTick(p.period_start, grain, i === 0),
    order: i,
    value: p.value === null ? null : p.value / scale.factor,
    low: p.low_sample,
  }));
  const periods = points.map((p) => p.period);
  const x = {
    field: 'period',
    type: 'ordinal',
    sort: periods,
    axis: { title: null, labelAngle: 0, labelOverlap: 'parity' },
  } as const;
  const layers: unknown[] = [];
  if (trend.bench && drawsBenchmarkBand(trend)) {
    layers.push(
      {
        data: ONE_ROW,
        mark: { type: 'rect', color: CHART_COLOURS.benchmark, opacity: 0.16 },
        encoding: { y: { datum: trend.bench.p25 / scale.factor }, y2: { datum: trend.bench.p75 / scale.factor } },
      },
      {
        data: ONE_ROW,
        mark: { type: 'rule', color: CHART_COLOURS.benchmark, strokeDash: [2, 2], strokeWidth: 1 },
        encoding: { y: { datum: trend.bench.median / scale.factor } },
      },
    );
  }
  if (trend.target !== null) {
    layers.push({
      data: ONE_ROW,
      mark: { type: 'rule', color: CHART_COLOURS.target, strokeDash: [6, 3], strokeWidth: 1.5 },
      encoding: { y: { datum: trend.target / scale.factor } },
    });
  }
  layers.push(
    {
      data: { values: points },
      mark: { type: 'line', color: CHART_COLOURS.actual, strokeWidth: 2.5, interpolate: 'monotone' },
      encoding: {
        x,
        y: {
          field: 'value',
          type: 'quantitative',
          scale: { zero: false, nice: true },
          axis: { title: scale.axis || null, tickCount: 4, grid: true },
        },
      },
    },
    {
      data: { values: points },
      mark: { type: 'point', size: 36, filled: true, strokeWidth: 1.5, color: CHART_COLOURS.actual },
      encoding: {
        x,
        y: { field: 'value', type: 'quantitative' },
        fill: { condition: { test: 'datum.low', value: 'white' }, value: CHART_COLOURS.actual },
      },
    },
  );
  const latest = [...trend.points].reverse().find((p) => p.value !== null);
  const first = trend.points.find((p) => p.value !== null);
  const description =
    `${trend.label} over the last ${trend.points.length} ${GRAIN_NOUNS[grain].many}: ` +
    `${first ? `from ${formatValue(first.value, trend.unit, trend.metric)}` : 'no data'}` +
    `${latest ? ` to ${formatValue(latest.value, trend.unit, trend.metric)}` : ''}` +
    `${trend.target !== null ? `; target ${formatValue(trend.target, trend.unit, trend.metric)}` : '; no target'}` +
    `${trend.bench ? `; industry median ${formatValue(trend.bench.median, trend.unit, trend.metric)}` : '; no industry benchmark'}.`;
  const spec = {
    width: 250,
    height: 110,
    description,
    config: BASE_CONFIG,
    layer: layers,
  };
  return {
    id: `trend-${trend.metric}`,
    title: trend.label,
    description,
    svg: await toSvg(spec as TopLevelSpec, description),
  };
}

export async function breakdownChart(b: Breakdown): Promise<ChartSvg | null> {
  const metric = b.chartMetric;
  if (metric === null) return null;
  const rows = b.rows.flatMap((r) => {
    const cell = r.cells[metric];
    return cell && cell.value !== null ? [{ name: r.value, cell }] : [];
  });
  const first = rows[0];
  if (!first) return null;
  const unit = first.cell.unit;
  const scale = displayScale(
    unit,
    rows.map((r) => r.cell.value as number),
  );
  const higherIsBetter = first.cell.higher_is_better;
  const ordered = [...rows].sort(
    (a, b2) => ((b2.cell.value as number) - (a.cell.value as number)) * (higherIsBetter ? 1 : -1),
  );
  const longest = Math.max(...ordered.map((r) => r.cell.value as number));
  const values = ordered.map((r) => ({
    name: r.name,
    value: (r.cell.value as number) / scale.factor,
    label: `${formatValue(r.cell.value, unit, metric)}${r.cell.low_sample ? ' (low n)' : ''}`,
    // Long bars carry their label inside, clear of the target line drawn across them.
    inside: (r.cell.value as number) >= LABEL_INSIDE_SHARE * longest,
  }));
  const target = first.cell.target;
  const y = {
    field: 'name',
    type: 'nominal',
    sort: ordered.map((r) => r.name),
    axis: { title: null, labelLimit: 140 },
  } as const;
  const xValue = { field: 'value', type: 'quantitative' } as const;
  const layers: unknown[] = [
    {
      mark: { type: 'bar', color: CHART_COLOURS.bar, height: { band: 0.7 } },
      encoding: {
        y,
        x: {
          ...xValue,
          scale: { zero: true, nice: true },
          axis: { title: scale.axis || null, tickCount: 4, grid: true },
        },
      },
    },
  ];
  if (target !== null)
    layers.push({
      data: ONE_ROW,
      mark: { type: 'rule', color: CHART_COLOURS.target, strokeDash: [6, 3], strokeWidth: 1.5 },
      encoding: { x: { datum: target / scale.factor } },
    });
  layers.push(
    {
      transform: [{ filter: 'datum.inside' }],
      mark: { type: 'text', align: 'left', dx: 6, fontSize: 10, fontWeight: 'bold', color: 'white' },
      encoding: { y, x: { datum: 0 }, text: { field: 'label' } },
    },
    {
      transform: [{ filter: '!datum.inside' }],
      mark: { type: 'text', align: 'left', dx: 4, fontSize: 10, color: '#222' },
      encoding: { y, x: xValue, text: { field: 'label' } },
    },
  );
  const label = METRIC_BY_ID.get(metric)?.label ?? metric;
  const description =
    `${label} by ${b.dimension}: ` +
    values.map((v) => `${v.name} ${v.label}`).join(', ') +
    (target !== null ? `; target ${formatValue(target, unit, metric)}.` : '.');
  const spec = {
    width: 300,
    height: { step: 22 },
    description,
    config: BASE_CONFIG,
    data: { values },
    layer: layers,
  };
  return {
    id: `breakdown-${b.dimension}`,
    title: `${label} by ${b.dimension}`,
    description,
    svg: await toSvg(spec as TopLevelSpec, description),
  };
}

export async function themesChart(themes: readonly ThemeCount[]): Promise<ChartSvg> {
  const order = themes.map((t) => t.label);
  const sentiments = ['positive', 'neutral', 'negative'] as const;
  const values = themes.flatMap((t) =>
    sentiments.map((s, i) => ({ theme: t.label, sentiment: s, count: t[s], order: i })),
  );
  const totals = themes.map((t) => ({ theme: t.label, total: t.total }));
  const y = { field: 'theme', type: 'nominal', sort: order, axis: { title: null, labelLimit: 260 } } as const;
  const description =
    'Comment themes by number of comments, split by the sentiment of the score given: ' +
    themes
      .map((t) => `${t.label} ${t.total} (${t.positive} positive, ${t.neutral} neutral, ${t.negative} negative)`)
      .join('; ') +
    '.';
  const spec = {
    width: 340,
    height: { step: 22 },
    description,
    config: BASE_CONFIG,
    layer: [
      {
        data: { values },
        mark: { type: 'bar', stroke: 'white', strokeWidth: 0.5, height: { band: 0.7 } },
        encoding: {
          y,
          x: {
            field: 'count',
            type: 'quantitative',
            stack: 'zero',
            axis: { title: 'comments', tickCount: 4, grid: true },
          },
          color: {
            field: 'sentiment',
            type: 'nominal',
            scale: {
              domain: [...sentiments],
              range: [CHART_COLOURS.positive, CHART_COLOURS.neutral, CHART_COLOURS.negative],
            },
            legend: { title: 'Score given', orient: 'bottom', direction: 'horizontal' },
          },
          order: { field: 'order', type: 'quantitative' },
        },
      },
      {
        data: { values: totals },
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 10, color: '#222' },
        encoding: { y, x: { field: 'total', type: 'quantitative' }, text: { field: 'total', type: 'quantitative' } },
      },
    ],
  };
  return { id: 'themes', title: 'Comment themes', description, svg: await toSvg(spec as TopLevelSpec, description) };
}

/** Compiles and renders headlessly; the SVG root carries the text alternative as its accessible name. */
async function toSvg(spec: TopLevelSpec, description: string): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return svg.replace(/^<svg /, `<svg role="img" aria-label="${escapeHtml(description)}" focusable="false" `);
  } finally {
    view.finalize();
  }
}
