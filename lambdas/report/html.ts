/**
 * The executive report as one self-contained HTML page: inline CSS and SVG only, and a Content
 * Security Policy that forbids every network request, so it reads the same offline, in a mail
 * client, and when printed to PDF.
 */
import { REPORT_SECTIONS, type ReportSection } from '../core/config/reports.ts';
import { METRIC_BY_ID, type MetricId } from '../core/metrics/catalogue.ts';
import type { Rag, ScorecardRow } from '../core/metrics/scorecard.ts';
import { TREND_PERIODS } from '../core/time/periods.ts';
import { CHART_COLOURS, type ChartSvg, trendLegend } from './charts.ts';
import { CLOSED_LOOP_HEADING, closedLoopSection } from './closed-loop.ts';
import type { Breakdown, Kpi, PeerEntry, ReportData } from './data.ts';
import { escapeHtml } from './escape.ts';
import { BENCHMARK_TEXT, formatDelta, formatValue, GRAIN_NOUNS, previousPeriodName, RAG_TEXT } from './format.ts';
import { INTERVALS_HEADING, intervalsSection } from './intervals.ts';
import { RETENTION_HEADING, retentionSection } from './retention.ts';
import type { Quote } from './themes.ts';

/** Section headings, in order; the PDF test checks the printed text carries each of them. */
export const SECTION_HEADINGS = {
  index: 'Service index',
  kpis: 'Key metrics',
  trends: 'Trends',
  breakdowns: 'By channel and team',
  intervals: INTERVALS_HEADING,
  peers: 'Recognition and coaching',
  voice: 'Voice of the customer',
  alerts: CLOSED_LOOP_HEADING,
  retention: RETENTION_HEADING,
  scorecard: 'Full scorecard',
  quality: 'Data quality and method',
} as const satisfies Record<ReportSection, string>;

export type SectionId = ReportSection;
export const SECTION_IDS: SectionId[] = [...REPORT_SECTIONS];

export interface HtmlOptions {
  /** Sections to show (ids of SECTION_HEADINGS, e.g. the config's `reports[].sections`); all when absent. */
  readonly sections?: readonly string[];
}

const RENDERERS: Readonly<Record<SectionId, (data: ReportData) => string>> = {
  index: (d) => indexSection(d),
  kpis: (d) => kpiSection(d),
  trends: (d) => trendSection(d),
  breakdowns: (d) => breakdownSection(d),
  intervals: (d) => intervalsSection(d.intervals),
  peers: (d) => peerSection(d),
  voice: (d) => voiceSection(d),
  alerts: (d) => closedLoopSection(d.closedLoop),
  retention: (d) => retentionSection(d.retention),
  scorecard: (d) => scorecardSection(d),
  quality: (d) => qualitySection(d),
};

/** The section a chart belongs to, so hidden sections take their charts (and figure numbers) along. */
function sectionOfChart(id: string): SectionId {
  if (id.startsWith('trend-')) return 'trends';
  if (id.startsWith('breakdown-')) return 'breakdowns';
  return 'voice';
}

/** Validates a section list; throws naming the unknown ids and the valid ones. */
export function selectSections(sections: readonly string[] | undefined): SectionId[] {
  if (sections === undefined) return SECTION_IDS;
  const unknown = sections.filter((s) => !(SECTION_IDS as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new Error(
      `unknown report section(s) ${unknown.map((s) => `"${s}"`).join(', ')}: choose from ${SECTION_IDS.join(', ')}`,
    );
  }
  return SECTION_IDS.filter((id) => sections.includes(id));
}

export function renderHtml(report: ReportData, options: HtmlOptions = {}): string {
  const shown = selectSections(options.sections);
  const data: ReportData = {
    ...report,
    charts: Object.fromEntries(Object.entries(report.charts).filter(([id]) => shown.includes(sectionOfChart(id)))),
  };
  const title = `${data.organisation}: customer service report, ${data.period.label}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header class="masthead">
  <p class="org">${escapeHtml(data.organisation)}</p>
  <h1>Customer service benchmark report</h1>
  <p class="meta"><strong>${escapeHtml(data.period.label)}</strong>${data.scope ? ` · ${escapeHtml(capitalise(data.scope.dimension))}: <strong>${escapeHtml(data.scope.value)}</strong>` : ' · All channels and teams'} · generated ${escapeHtml(formatStamp(data.generatedAt))}</p>
</header>
<main>
${shown.map((id) => RENDERERS[id](data)).join('\n')}
</main>
</body>
</html>
`;
}

function indexSection(data: ReportData): string {
  const index = data.index;
  const rags = countRags(data.kpis);
  const body =
    index === null
      ? `<div class="hero-score nodata"><p class="hero-value">No data</p><p class="hint">The service index needs enough data in the weighted metrics.</p></div>`
      : `<div class="hero-score rag-${index.rag ?? 'none'}">
      <p class="hero-label">Composite service index <span class="hint">(0–100)</span></p>
      <p class="hero-value">${escapeHtml(formatValue(index.value, 'index'))}</p>
      ${ragBadge(index.rag, index.target, index)}
      ${deltaLine(index, previousName(data))}
    </div>`;
  return `<section id="service-index" class="hero" aria-labelledby="h-index">
  <h2 id="h-index">${SECTION_HEADINGS.index}</h2>
  <div class="hero-body">
    ${body}
    <div class="hero-verdict">
      <p class="verdict">${escapeHtml(data.verdict)}</p>
      <ul class="rag-summary" aria-label="Targets">
        <li class="rag-green">${RAG_ICONS.green}<span><strong>${rags.green}</strong> on target</span></li>
        <li class="rag-amber">${RAG_ICONS.amber}<span><strong>${rags.amber}</strong> near target</span></li>
        <li class="rag-red">${RAG_ICONS.red}<span><strong>${rags.red}</strong> off target</span></li>
        <li class="rag-none"><span><strong>${rags.none}</strong> without target or data</span></li>
      </ul>
    </div>
  </div>
</section>`;
}

function countRags(kpis: readonly Kpi[]): Record<Rag | 'none', number> {
  const counts = { green: 0, amber: 0, red: 0, none: 0 };
  for (const k of kpis) counts[k.row?.rag ?? 'none']++;
  return counts;
}

function kpiSection(data: ReportData): string {
  const withData = data.kpis.filter((k) => k.row !== null);
  const without = data.kpis.filter((k) => k.row === null);
  return `<section id="key-metrics" aria-labelledby="h-kpis">
  <h2 id="h-kpis">${SECTION_HEADINGS.kpis}</h2>
  <p class="section-lede">Each tile shows the ${GRAIN_NOUNS[data.period.grain].one}'s value against its target (icon and words, not colour alone), the change since the previous ${GRAIN_NOUNS[data.period.grain].one} and whether it is statistically significant, and where the value sits among industry peers.</p>
  <div class="kpis">
${[...withData, ...without].map((k) => kpiTile(k, previousName(data))).join('\n')}
  </div>${businessTimeLine(data)}${
    data.unfedMetrics.length > 0
      ? `\n  <p class="muted small">Not measured: no source gave a value in the last ${TREND_PERIODS} ${GRAIN_NOUNS[data.period.grain].many} for ${escapeHtml(data.unfedMetrics.join(', '))}.</p>`
      : ''
  }
</section>`;
}

/**
 * The business-time medians of first response and resolution beside the calendar ones, for the
 * report's focus, when a schedule gives the contacts business hours (docs/metrics.md#business-time).
 */
export function businessTimeLine(data: Pick<ReportData, 'scope' | 'rows'>): string {
  const focus = data.scope ?? { dimension: 'overall', value: 'all' };
  const focusValue = (metric: MetricId) =>
    data.rows.find((r) => r.metric === metric && r.dimension === focus.dimension && r.dimension_value === focus.value)
      ?.value ?? null;
  const pairs = [
    ['First response', 'first_response_business_median_s', 'first_response_median_s'],
    ['Resolution', 'resolution_business_median_s', 'resolution_median_s'],
  ] as const;
  const shown = pairs.flatMap(([label, business, calendar]) => {
    const value = focusValue(business);
    if (value === null) return [];
    const calendarValue = focusValue(calendar);
    return [
      `<span data-metric="${business}">${label}: <strong>${escapeHtml(formatValue(value, 'seconds', business))}</strong> in business hours${calendarValue === null ? '' : `, ${escapeHtml(formatValue(calendarValue, 'seconds', calendar))} in calendar time`}</span>`,
    ];
  });
  if (shown.length === 0) return '';
  return `\n  <p class="muted small" data-business-time>Medians counting only the hours the configured schedules are open: ${shown.join(' · ')}.</p>`;
}

function kpiTile(kpi: Kpi, previous: string): string {
  const id = `kpi-${kpi.metric}`;
  const row = kpi.row;
  if (row === null) {
    return `<article class="kpi nodata" data-kpi="${kpi.metric}" aria-labelledby="${id}">
  <h3 id="${id}">${escapeHtml(kpi.label)}</h3>
  <p class="kpi-value">No data</p>
  <p class="kpi-line">No data for this period.</p>
</article>`;
  }
  const bench =
    row.bench_position !== null
      ? `<p class="kpi-line bench">${BENCH_ICON}<span>Industry: <strong>${escapeHtml(BENCHMARK_TEXT[row.bench_position])}</strong>${row.bench_median !== null ? ` (median ${escapeHtml(formatValue(row.bench_median, kpi.unit, kpi.metric))})` : ''}</span></p>${benchmarkStrip(row)}`
      : row.bench_median !== null
        ? `<p class="kpi-line bench">${BENCH_ICON}<span>Industry: <strong>${escapeHtml(formatValue(row.bench_median, kpi.unit, kpi.metric))}</strong> (${escapeHtml(comparedWithFigure(row.value, row.bench_median, kpi.higherIsBetter))})</span></p>`
        : `<p class="kpi-line bench muted">No industry benchmark</p>`;
  return `<article class="kpi rag-${row.rag ?? 'none'}" data-kpi="${kpi.metric}" aria-labelledby="${id}">
  <h3 id="${id}">${escapeHtml(kpi.label)}</h3>
  <p class="kpi-value">${escapeHtml(formatValue(row.value, kpi.unit, kpi.metric))}</p>
  ${ragBadge(row.rag, row.target, row)}
  ${deltaLine(row, previous)}
  ${bench}
  <p class="kpi-line muted">n = ${row.n.toLocaleString('en-GB')}${row.low_sample ? ' · <strong class="flag">low sample</strong>' : ''}</p>
</article>`;
}

/**
 * A small bullet graph of the industry quartiles, worse on the left and better on the right
 * whatever the metric's direction, with the value as a marker. It repeats the words beside it.
 */
export function benchmarkStrip(row: ScorecardRow): string {
  const { value, bench_p25: p25, bench_median: median, bench_p75: p75, bench_p90: p90 } = row;
  if (value === null || p25 === null || median === null || p75 === null || p90 === null) return '';
  const sign = row.higher_is_better ? 1 : -1;
  const points = [p25, median, p75, p90, value].map((v) => v * sign);
  const span = Math.max(...points) - Math.min(...points) || 1;
  const low = Math.min(...points) - span * 0.08;
  const high = Math.max(...points) + span * 0.08;
  const width = 200;
  const x = (v: number) => (((v * sign - low) / (high - low)) * width).toFixed(1);
  const band = (from: number, to: number, shade: string) =>
    `<rect x="${x(from)}" y="3" width="${(Number(x(to)) - Number(x(from))).toFixed(1)}" height="8" fill="${shade}"/>`;
  const worst = (row.higher_is_better ? Math.min : Math.max)(p25, value) - sign * span * 0.08;
  const best = (row.higher_is_better ? Math.max : Math.min)(p90, value) + sign * span * 0.08;
  return `<svg class="bench-strip" viewBox="0 0 ${width} 14" width="100%" height="14" preserveAspectRatio="none" aria-hidden="true">${band(worst, p25, '#eceef2')}${band(p25, median, '#d5d9e0')}${band(median, p75, '#b9c0cb')}${band(p75, p90, '#9aa3b1')}${band(p90, best, '#7d8796')}<rect x="${x(median)}" y="1" width="1.5" height="12" fill="#1d2433"/><circle cx="${x(value)}" cy="7" r="4.5" fill="${CHART_COLOURS.actual}" stroke="#fff" stroke-width="1.5"/></svg>`;
}

function ragBadge(rag: Rag | null, target: number | null, row: ScorecardRow): string {
  if (rag === null || target === null) return `<p class="badge rag-none">No target set</p>`;
  return `<p class="badge rag-${rag}">${RAG_ICONS[rag]}<span>${RAG_TEXT[rag]} · goal ${escapeHtml(formatValue(target, row.unit, row.metric))}</span></p>`;
}

/** Change since the previous period: arrow for the direction, words for better/worse and significance. */
function deltaLine(row: ScorecardRow, previous: string): string {
  if (row.delta === null || row.prev_value === null)
    return `<p class="kpi-line delta muted">No value for ${escapeHtml(previous)} to compare</p>`;
  const shown = formatDelta(row.delta, row.unit, row.metric);
  // A change that rounds to nothing on the page is written as unchanged, whatever its sign.
  const moved = !shown.startsWith('±');
  const better = moved ? row.delta > 0 === row.higher_is_better : null;
  const arrow = !moved ? '▶' : row.delta > 0 ? '▲' : '▼';
  const verdict = better === null ? 'unchanged' : better ? 'better' : 'worse';
  const significance =
    row.change_significant === true
      ? '<strong>significant</strong>'
      : row.change_significant === false
        ? 'not significant'
        : row.change_test === 'too_few_to_test'
          ? 'too few to test'
          : 'significance not tested';
  const tone = row.change_significant === true && better !== null ? (better ? 'up' : 'down') : 'flat';
  return `<p class="kpi-line delta ${tone}"><span class="arrow" aria-hidden="true">${arrow}</span><span>${escapeHtml(shown)} vs ${escapeHtml(previous)} · ${verdict} · ${significance}</span></p>`;
}

/** The previous period as people say it: "May", "Q1 2025", "previous week". */
function previousName(data: ReportData): string {
  return previousPeriodName(data.period);
}

function trendSection(data: ReportData): string {
  const unitWord = GRAIN_NOUNS[data.period.grain].many;
  const figures = data.trends
    .map((t) => {
      const chart = data.charts[`trend-${t.metric}`];
      const latest = [...t.points].reverse().find((p) => p.value !== null);
      const n = latest
        ? `latest n = ${latest.n.toLocaleString('en-GB')}${latest.low_sample ? ' (low sample)' : ''}`
        : 'no data';
      return chart
        ? figure(
            data,
            chart,
            `${formatValue(latest?.value ?? null, t.unit, t.metric)} latest`,
            `${t.points.length} ${unitWord}; ${n}`,
          )
        : '';
    })
    .join('\n');
  return `<section id="trends" aria-labelledby="h-trends">
  <h2 id="h-trends">${SECTION_HEADINGS.trends} <span class="hint">last ${data.trends[0]?.points.length ?? TREND_PERIODS} ${unitWord}</span></h2>
  ${data.trends.length === 0 ? noData('No metric has data in the last twelve periods.') : `${trendLegend(data.trends)}\n<div class="charts">\n${figures}\n</div>`}
</section>`;
}

/**
 * Charts are numbered in reading order; the caption opens with "Figure N." and the last line
 * ends "Fig. N", so a printed chart can be checked to sit on one page.
 */
function figure(data: ReportData, chart: ChartSvg, subtitle: string, note: string): string {
  const number = figureOrder(data).indexOf(chart.id) + 1;
  return `<figure class="chart" id="chart-${chart.id}" aria-labelledby="cap-${chart.id}">
  <figcaption id="cap-${chart.id}"><span class="fig">Figure ${number}.</span> <strong>${escapeHtml(chart.title)}</strong> <span class="hint">${escapeHtml(subtitle)}</span></figcaption>
  ${chart.svg}
  <p class="chart-note">${escapeHtml(note)} · Fig. ${number}</p>
</figure>`;
}

/** Chart ids in the order the report shows them. */
export function figureOrder(data: ReportData): string[] {
  const ids = [
    ...data.trends.map((t) => `trend-${t.metric}`),
    ...data.breakdowns.map((b) => `breakdown-${b.dimension}`),
    'themes',
  ];
  return ids.filter((id) => data.charts[id] !== undefined);
}

function breakdownSection(data: ReportData): string {
  if (data.breakdowns.length === 0) {
    return `<section id="breakdowns" aria-labelledby="h-breakdowns">
  <h2 id="h-breakdowns">${SECTION_HEADINGS.breakdowns}</h2>
  ${noData('Breakdowns are shown in the organisation-wide report; this report covers one scope.')}
</section>`;
  }
  return `<section id="breakdowns" aria-labelledby="h-breakdowns">
  <h2 id="h-breakdowns">${SECTION_HEADINGS.breakdowns}</h2>
  ${data.breakdowns.map((b) => breakdownBlock(data, b)).join('\n')}
</section>`;
}

function breakdownBlock(data: ReportData, b: Breakdown): string {
  const chart = data.charts[`breakdown-${b.dimension}`];
  const heading = `By ${b.dimension}`;
  if (b.rows.length === 0) return `<h3>${heading}</h3>${noData(`No ${b.dimension} breakdown for this period.`)}`;
  const head = b.metrics.map((m) => `<th scope="col">${escapeHtml(label(m))}</th>`).join('');
  const body = b.rows
    .map(
      (r) =>
        `<tr><th scope="row">${escapeHtml(r.value)}</th>${b.metrics.map((m) => `<td>${cell(r.cells[m])}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<div class="breakdown">
  <h3>${heading}</h3>
  <div class="breakdown-body">
    ${chart ? figure(data, chart, 'best first; dashed line = target', 'n per value in the table') : ''}
    <div class="table-wrap"><table class="grid"><thead><tr><th scope="col">${escapeHtml(capitalise(b.dimension))}</th>${head}</tr></thead><tbody>
${body}
    </tbody></table></div>
  </div>
</div>`;
}

function cell(row: ScorecardRow | undefined): string {
  if (!row || row.value === null) return '<span class="muted">no data</span>';
  const rag = row.rag
    ? `<span class="cell-rag rag-${row.rag}" title="${RAG_TEXT[row.rag]}">${RAG_ICONS[row.rag]}<span class="sr">${RAG_TEXT[row.rag]}</span></span>`
    : '';
  return `${rag}${escapeHtml(formatValue(row.value, row.unit, row.metric))}${row.low_sample ? ' <span class="flag" title="fewer observations than the minimum sample">low n</span>' : ''}`;
}

function peerSection(data: ReportData): string {
  const { peers } = data;
  const top =
    peers.agents === 0
      ? noData('No agent has enough data for a peer ranking.')
      : peers.top.length === 0
        ? noData('No agent is clearly above the peer median on any metric.')
        : peerTable(peers.top, 'Recognise');
  const coach =
    peers.agents === 0
      ? noData('No agent has enough data for a peer ranking.')
      : peers.coaching.length === 0
        ? noData('No agent is clearly below the peer median on any metric.')
        : peerTable(peers.coaching, 'Coach');
  const criteria =
    peers.qaCriteria.length === 0
      ? noData('No QA evaluations in this period.')
      : `<div class="table-wrap"><table class="grid"><thead><tr><th scope="col">Criterion</th><th scope="col">Section</th><th scope="col">Score</th><th scope="col">Evaluations</th><th scope="col">Critical misses</th></tr></thead><tbody>
${peers.qaCriteria.map((c) => `<tr><th scope="row">${escapeHtml(c.criterion)}</th><td>${escapeHtml(c.section ?? '—')}</td><td>${escapeHtml(formatValue(c.score_pct, 'pct'))}</td><td>${c.evaluations}</td><td>${c.critical_misses}</td></tr>`).join('\n')}
</tbody></table></div>`;
  return `<section id="peers" aria-labelledby="h-peers">
  <h2 id="h-peers">${SECTION_HEADINGS.peers}</h2>
  <p class="section-lede">Agents are ranked among ${peers.agents} peers with enough data on ${PEER_LABELS}; percentile 100 is the best of the group. ${PEER_RULE}</p>
  <div class="two-col">
    <div><h3>Top performers to recognise</h3>${top}</div>
    <div><h3>Agents who need coaching</h3>${coach}</div>
  </div>
  <h3>QA criteria that need coaching <span class="hint">lowest scores first</span></h3>
  ${criteria}
</section>`;
}

const PEER_LABELS = 'QA score, CSAT, first-contact resolution and handle time';
/** What qualifies an agent for either list (lambdas/report/data.ts, peerRanking). */
export const PEER_RULE =
  'An agent is listed only for a metric whose 95% interval lies wholly above (recognise) or below (coach) the median of their peers; an interval that contains the median cannot tell the agent apart from the peers, whatever the rank or target.';

function peerTable(entries: readonly PeerEntry[], kind: 'Recognise' | 'Coach'): string {
  const rows = entries
    .map((e) => {
      const metrics = e.rows
        .map((r) => {
          const weak = e.weakMetrics.includes(r.metric);
          const mark = weak
            ? ' <strong>below peers</strong>'
            : e.strongMetrics.includes(r.metric)
              ? ' <strong>above peers</strong>'
              : '';
          return `<li${weak ? ' class="weak"' : ''}>${escapeHtml(label(r.metric))}: ${escapeHtml(formatValue(r.value, r.unit, r.metric))}${r.peer_percentile !== null ? ` <span class="muted">(p${Math.round(r.peer_percentile)})</span>` : ''}${mark}</li>`;
        })
        .join('');
      return `<tr><th scope="row">${escapeHtml(e.agent)}</th><td>${Math.round(e.percentile)}</td><td><ul class="plain">${metrics}</ul></td></tr>`;
    })
    .join('\n');
  return `<div class="table-wrap"><table class="grid peers ${kind === 'Coach' ? 'coach' : 'recognise'}"><thead><tr><th scope="col">Agent</th><th scope="col">Peer percentile</th><th scope="col">Metrics</th></tr></thead><tbody>
${rows}
</tbody></table></div>`;
}

function voiceSection(data: ReportData): string {
  const { voice } = data;
  if (voice.commented === 0) {
    return `<section id="voice" aria-labelledby="h-voice">
  <h2 id="h-voice">${SECTION_HEADINGS.voice}</h2>
  ${noData('No survey comments in this period.')}
</section>`;
  }
  const share = (n: number) => `${Math.round((100 * n) / voice.commented)}%`;
  const chart = data.charts.themes;
  const themeLabels = new Map(voice.themes.map((t) => [t.id, t.label]));
  return `<section id="voice" aria-labelledby="h-voice">
  <h2 id="h-voice">${SECTION_HEADINGS.voice}</h2>
  <p class="section-lede"><strong>${voice.commented.toLocaleString('en-GB')}</strong> commented answers${voice.answered !== null ? ` (survey answers: ${voice.answered.toLocaleString('en-GB')})` : ''}: ${share(voice.sentiment.positive)} from satisfied customers, ${share(voice.sentiment.negative)} from dissatisfied ones. Sentiment comes from the score given (promoters and top-two box are positive; detractors and bottom-two box negative); themes from a published keyword list.</p>
  <div class="voice-body">
    ${chart ? figure(data, chart, 'comments per theme, by score given', `${voice.commented.toLocaleString('en-GB')} commented answers; a comment can touch several themes`) : ''}
    <div class="quotes">
      <h3>What satisfied customers say</h3>
      ${quoteList(voice.quotes.positive, 'positive', themeLabels)}
      <h3>What dissatisfied customers say</h3>
      ${quoteList(voice.quotes.negative, 'negative', themeLabels)}
    </div>
  </div>
</section>`;
}

function quoteList(
  quotes: readonly Quote[],
  side: 'positive' | 'negative',
  themeLabels: ReadonlyMap<string, string>,
): string {
  if (quotes.length === 0) return noData(`No quotable ${side} comment this period.`);
  return quotes
    .map(
      (q) =>
        `<blockquote class="quote ${side}"><p>“${escapeHtml(q.text)}”</p><footer>${escapeHtml(q.survey_kind.toUpperCase())} score ${q.score}${q.themes.length > 0 ? ` · ${escapeHtml(q.themes.map((t) => themeLabels.get(t) ?? t).join('; '))}` : ''}</footer></blockquote>`,
    )
    .join('\n');
}

function scorecardSection(data: ReportData): string {
  const focus = data.scope ?? { dimension: 'overall', value: 'all' };
  const rows = data.rows.filter((r) => r.dimension === focus.dimension && r.dimension_value === focus.value);
  const present = new Set(rows.map((r) => r.metric));
  const missing = [...METRIC_BY_ID.values()].filter((d) => !present.has(d.id as MetricId)).map((d) => d.label);
  const table =
    rows.length === 0
      ? noData('The scorecard has no rows for this period.')
      : `<div class="table-wrap"><table class="grid scorecard"><thead><tr><th scope="col">Metric</th><th scope="col">Value</th><th scope="col">95% interval</th><th scope="col">Target</th><th scope="col">Status</th><th scope="col">Change</th><th scope="col">Industry</th><th scope="col">n</th></tr></thead><tbody>
${rows
  .map(
    (r) =>
      `<tr><th scope="row">${escapeHtml(label(r.metric))}</th><td>${escapeHtml(formatValue(r.value, r.unit, r.metric))}${r.low_sample ? ' <span class="flag">low n</span>' : ''}</td><td>${r.ci_low !== null && r.ci_high !== null ? `${escapeHtml(formatValue(r.ci_low, r.unit, r.metric))} – ${escapeHtml(formatValue(r.ci_high, r.unit, r.metric))}` : '—'}</td><td>${escapeHtml(formatValue(r.target, r.unit, r.metric))}</td><td>${r.rag ? `<span class="cell-rag rag-${r.rag}">${RAG_ICONS[r.rag]}</span>${RAG_TEXT[r.rag]}` : '—'}</td><td>${escapeHtml(formatDelta(r.delta, r.unit, r.metric))}${r.change_significant ? ' <strong>sig.</strong>' : r.change_test === 'too_few_to_test' ? ' <span class="muted">too few to test</span>' : ''}</td><td>${r.bench_position ? escapeHtml(BENCHMARK_TEXT[r.bench_position]) : '—'}</td><td>${r.n.toLocaleString('en-GB')}</td></tr>`,
  )
  .join('\n')}
</tbody></table></div>`;
  return `<section id="scorecard" aria-labelledby="h-scorecard">
  <h2 id="h-scorecard">${SECTION_HEADINGS.scorecard}</h2>
  ${table}
  ${missing.length > 0 ? `<p class="muted small">No data this period: ${escapeHtml(missing.join(', '))}.</p>` : ''}
</section>`;
}

function qualitySection(data: ReportData): string {
  const q = data.quality;
  const opts = q.metricOptions;
  const lowSample = data.kpis.filter((k) => k.row?.low_sample).map((k) => k.label);
  const responseRate = data.rows.find(
    (r) =>
      r.metric === 'survey_response_rate' &&
      r.dimension === (data.scope?.dimension ?? 'overall') &&
      r.dimension_value === (data.scope?.value ?? 'all'),
  );
  const rejected = q.sources.reduce((s, x) => s + x.rows_rejected, 0);
  const read = q.sources.reduce((s, x) => s + x.rows_read, 0);
  const sources =
    q.sources.length === 0
      ? noData('No file has been ingested yet.')
      : `<div class="table-wrap"><table class="grid small"><thead><tr><th scope="col">Source</th><th scope="col">Files</th><th scope="col">Rows read</th><th scope="col">Accepted</th><th scope="col">Rejected</th><th scope="col">Files rejected whole</th><th scope="col">Last ingested</th></tr></thead><tbody>
${q.sources.map((s) => `<tr><th scope="row">${escapeHtml(s.source)}</th><td>${s.files}</td><td>${s.rows_read.toLocaleString('en-GB')}</td><td>${s.rows_accepted.toLocaleString('en-GB')}</td><td>${s.rows_rejected.toLocaleString('en-GB')}</td><td>${s.files_rejected}</td><td>${escapeHtml(s.last_ingested ? formatStamp(s.last_ingested) : '—')}</td></tr>`).join('\n')}
</tbody></table></div>`;
  const files =
    q.recentFiles.length === 0
      ? ''
      : `<details open><summary>Most recent files (${q.recentFiles.length} of ${q.totalFiles})</summary><ul class="files">${q.recentFiles
          .map(
            (f) =>
              `<li><code>${escapeHtml(f.object_key)}</code> — ${f.file_error ? `<strong>rejected:</strong> ${escapeHtml(f.file_error)}` : `${f.rows_accepted.toLocaleString('en-GB')} rows${f.rows_rejected > 0 ? `, ${f.rows_rejected.toLocaleString('en-GB')} rejected` : ''}`}</li>`,
          )
          .join('')}</ul></details>`;
  const weights = q.compositeWeights
    ? Object.entries(q.compositeWeights)
        .map(([m, w]) => `${label(m)} ×${w}`)
        .join(', ')
    : 'default weights';
  return `<section id="data-quality" class="quality" aria-labelledby="h-quality">
  <h2 id="h-quality">${SECTION_HEADINGS.quality}</h2>
  <div class="two-col">
    <div>
      <h3>Sources and files</h3>
      <p class="small">${q.totalFiles.toLocaleString('en-GB')} files ingested; ${read.toLocaleString('en-GB')} rows read, <strong>${rejected.toLocaleString('en-GB')} rejected</strong> (kept in quarantine with a reason).</p>
      ${sources}
      ${q.sourcesWithoutData.length > 0 ? noData(`Configured sources with no ingested file: ${q.sourcesWithoutData.join(', ')}.`) : ''}
      ${files}
    </div>
    <div>
      <h3>Method</h3>
      <dl class="options small">
        <dt>Survey response rate</dt><dd>${responseRate && responseRate.value !== null ? `${escapeHtml(formatValue(responseRate.value, 'pct'))} (n = ${responseRate.n.toLocaleString('en-GB')})` : 'no data'}</dd>
        <dt>Minimum sample</dt><dd>${opts.minSample} observations; smaller samples are flagged “low sample”${lowSample.length > 0 ? ` (this ${GRAIN_NOUNS[data.period.grain].one}: ${escapeHtml(lowSample.join(', '))})` : ''}</dd>
        <dt>Service level</dt><dd>answered within ${opts.serviceLevelS} s ÷ (answered + abandoned after ${opts.serviceLevelS} s)</dd>
        <dt>Abandonment</dt><dd>abandons shorter than ${opts.shortAbandonS} s excluded from numerator and denominator</dd>
        <dt>First-contact resolution</dt><dd>survey answer, then source flag, then no repeat contact within ${opts.fcrWindowDays} days</dd>
        <dt>Significance</dt><dd>changes are called significant at the 95% level: rates by a two-proportion z-test, means and NPS by a z-test from their intervals, only where that test holds (every expected count of a rate at least 5, a mean over at least 30 observations in each period), else “too few to test”; medians and the service index are not tested</dd>
        <dt>Benchmarks</dt><dd>industry “${escapeHtml(q.benchmarkIndustry)}”, quartiles from the cited benchmark table</dd>
        <dt>Service index</dt><dd>${escapeHtml(weights)}; only metrics with enough data count</dd>
      </dl>
    </div>
  </div>
</section>`;
}

function noData(message: string): string {
  return `<p class="nodata-note" role="note"><span class="nodata-tag">No data</span> ${escapeHtml(message)}</p>`;
}

function label(metric: string): string {
  return METRIC_BY_ID.get(metric)?.label ?? metric;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function formatStamp(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Distinct shapes per status (circle + tick, triangle + !, octagon + cross) so colour is never the only cue. */
const RAG_ICONS: Readonly<Record<Rag, string>> = {
  green:
    '<svg class="icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><circle cx="8" cy="8" r="7" fill="currentColor"/><path d="M4.5 8.2l2.3 2.3 4.7-4.9" stroke="#fff" stroke-width="2" fill="none"/></svg>',
  amber:
    '<svg class="icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M8 1l7 13H1z" fill="currentColor"/><path d="M8 5.5v4.2" stroke="#fff" stroke-width="1.8"/><circle cx="8" cy="11.8" r="1" fill="#fff"/></svg>',
  red: '<svg class="icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M5 1h6l4 4v6l-4 4H5l-4-4V5z" fill="currentColor"/><path d="M5.5 5.5l5 5m0-5l-5 5" stroke="#fff" stroke-width="1.8"/></svg>',
};

const BENCH_ICON =
  '<svg class="icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><rect x="1" y="9" width="3" height="6" fill="currentColor"/><rect x="6.5" y="5" width="3" height="10" fill="currentColor"/><rect x="12" y="1" width="3" height="14" fill="currentColor"/></svg>';

const CSS = `
:root { --ink:#1d2433; --muted:#5b6473; --line:#d9dee7; --paper:#fff; --wash:#f4f6fa; --navy:#0b2545;
  --green:#1b7a3a; --amber:#9a5b00; --red:#b3261e; --blue:#0b4f8a; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin:0; background:var(--wash); color:var(--ink); font: 14px/1.45 "Liberation Sans","DejaVu Sans",Arial,Helvetica,sans-serif; }
.masthead { background:var(--navy); color:#fff; padding:22px 32px 18px; }
.masthead h1 { margin:2px 0 6px; font-size:24px; font-weight:700; letter-spacing:-.01em; }
.masthead .org { margin:0; text-transform:uppercase; letter-spacing:.12em; font-size:11px; color:#b8c4d6; }
.masthead .meta { margin:0; color:#dbe3ef; }
main { max-width:1100px; margin:0 auto; padding:8px 24px 32px; }
section { background:var(--paper); border:1px solid var(--line); border-radius:8px; padding:16px 20px 18px; margin:16px 0; }
h2 { font-size:17px; margin:0 0 10px; color:var(--navy); break-after:avoid; }
h3 { font-size:14px; margin:14px 0 6px; break-after:avoid; }
.hint { font-weight:400; color:var(--muted); font-size:12px; }
.muted { color:var(--muted); }
.small { font-size:12px; }
.section-lede { margin:-4px 0 12px; color:var(--muted); font-size:12.5px; max-width:80ch; }
.retention-summary { margin:0 0 8px; font-size:15px; max-width:80ch; }
.retention-families { display:grid; grid-template-columns:repeat(auto-fit, minmax(460px, 1fr)); gap:4px 20px; }
.retention-family h3 { margin:10px 0 4px; }
.icon { vertical-align:-2px; flex:none; }
.rag-green { --rag:var(--green); } .rag-amber { --rag:var(--amber); } .rag-red { --rag:var(--red); } .rag-none { --rag:#8a93a3; }
.hero-body { display:flex; gap:28px; align-items:stretch; flex-wrap:wrap; }
.hero-score { flex:0 1 260px; border-left:6px solid var(--rag,#8a93a3); padding:4px 0 4px 16px; }
.hero-label { margin:0; color:var(--muted); font-size:12.5px; }
.hero-value { margin:0; font-size:54px; font-weight:700; line-height:1.05; color:var(--navy); }
.hero-verdict { flex:1 1 360px; display:flex; flex-direction:column; justify-content:center; }
.verdict { font-size:19px; line-height:1.35; margin:0 0 12px; font-weight:600; }
.rag-summary { list-style:none; margin:0; padding:0; display:flex; gap:18px; flex-wrap:wrap; font-size:13px; }
.rag-summary li { display:flex; gap:6px; align-items:center; color:var(--ink); }
.rag-summary li .icon { color:var(--rag); }
.kpis { display:grid; grid-template-columns:repeat(auto-fill,minmax(min(240px,100%),1fr)); gap:12px; }
.kpi { border:1px solid var(--line); border-top:5px solid var(--rag,#8a93a3); border-radius:6px; padding:10px 12px; break-inside:avoid; background:#fff; }
.kpi h3 { margin:0 0 2px; font-size:12.5px; font-weight:600; color:var(--muted); }
.kpi-value { margin:0 0 4px; font-size:28px; font-weight:700; color:var(--navy); line-height:1.15; }
.kpi-line { margin:3px 0 0; font-size:12px; display:flex; gap:5px; align-items:baseline; }
.kpi.nodata { background:var(--wash); border-top-color:#c3c9d4; border-style:dashed; }
.kpi.nodata .kpi-value { color:#8a93a3; font-size:18px; }
.badge { display:inline-flex; gap:6px; align-items:center; margin:2px 0; padding:2px 8px 2px 6px; border-radius:12px; font-size:12px; font-weight:600; color:var(--rag); background:color-mix(in srgb, var(--rag) 10%, white); border:1px solid color-mix(in srgb, var(--rag) 45%, white); }
.badge.rag-none { font-weight:400; color:var(--muted); }
.delta .arrow { font-size:10px; }
.delta.up { color:var(--green); } .delta.down { color:var(--red); } .delta.flat { color:var(--ink); }
.bench { color:var(--ink); } .bench .icon { color:#6b7687; }
.bench-strip { display:block; margin:3px 0 0 19px; width:calc(100% - 19px); max-width:220px; }
.flag { color:var(--amber); font-weight:700; font-size:11px; }
.legend { display:flex; flex-wrap:wrap; gap:18px; font-size:12px; color:var(--muted); margin:0 0 8px; }
.legend span { display:inline-flex; gap:6px; align-items:center; }
.charts { display:grid; grid-template-columns:repeat(auto-fill,minmax(min(310px,100%),1fr)); gap:14px; }
figure.chart { margin:0; padding:8px 8px 4px; border:1px solid var(--line); border-radius:6px; break-inside:avoid; page-break-inside:avoid; background:#fff; }
figure.chart figcaption { font-size:12.5px; margin:0 0 4px; }
figure.chart .fig { color:var(--muted); font-size:11px; }
.chart-note { margin:2px 0 0; font-size:10.5px; color:var(--muted); text-align:right; }
figure.chart svg { display:block; max-width:100%; height:auto; }
.breakdown-body, .voice-body { display:flex; flex-wrap:wrap; gap:16px; align-items:flex-start; }
.breakdown-body figure.chart, .voice-body figure.chart { flex:0 1 auto; }
.breakdown-body .table-wrap { flex:1 1 380px; }
.table-wrap { max-width:100%; overflow-x:auto; }
@media (max-width: 600px) { main { padding:4px 8px 16px; } section { padding:12px; } .masthead { padding:16px; } }
.quotes { flex:1 1 320px; }
table.grid { border-collapse:collapse; width:100%; font-size:12.5px; }
table.grid th, table.grid td { text-align:left; padding:5px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
table.grid thead th { font-size:11.5px; color:var(--muted); font-weight:600; border-bottom:2px solid var(--line); }
table.grid tbody th { font-weight:600; }
table.grid tr { break-inside:avoid; }
.cell-rag { color:var(--rag); margin-right:4px; }
.sr { position:absolute; width:1px; height:1px; overflow:hidden; clip:rect(0 0 0 0); white-space:nowrap; }
.two-col { display:grid; grid-template-columns:repeat(auto-fit,minmax(min(320px,100%),1fr)); gap:20px; }
ul.plain { list-style:none; margin:0; padding:0; }
li.weak { color:var(--red); }
blockquote.quote { margin:0 0 8px; padding:6px 12px; border-left:4px solid; background:var(--wash); border-radius:0 6px 6px 0; break-inside:avoid; }
blockquote.quote.positive { border-color:${CHART_COLOURS.positive}; }
blockquote.quote.negative { border-color:${CHART_COLOURS.negative}; border-left-style:double; border-left-width:6px; }
blockquote.quote p { margin:0; font-style:italic; }
blockquote.quote footer { font-size:11px; color:var(--muted); margin-top:2px; }
.nodata-note { margin:4px 0; padding:8px 12px; border:1px dashed #c3c9d4; border-radius:6px; background:var(--wash); color:var(--muted); font-size:12.5px; }
.nodata-tag { font-weight:700; color:var(--ink); margin-right:4px; }
.quality { font-size:12.5px; }
dl.options { display:grid; grid-template-columns:max-content 1fr; gap:4px 12px; margin:0; }
dl.options dt { font-weight:600; } dl.options dd { margin:0; }
ul.files { margin:4px 0 0; padding-left:18px; font-size:11.5px; }
code { font-size:11px; word-break:break-all; }
@media print {
  @page { size:A4; margin:11mm 10mm; }
  body { background:#fff; font-size:10.5px; }
  .masthead { padding:10px 14px; }
  .masthead h1 { font-size:19px; }
  main { padding:0; max-width:none; }
  section { border:none; padding:0; margin:0 0 10px; border-radius:0; }
  h2 { font-size:15px; margin-bottom:6px; }
  .section-lede { font-size:10px; margin-bottom:6px; }
  .hero-value { font-size:42px; }
  .verdict { font-size:15px; }
  #trends, #scorecard { break-before:page; }
  .kpis { grid-template-columns:repeat(4,1fr); gap:6px; }
  .kpi { padding:6px 8px; }
  .kpi h3 { font-size:10px; }
  .kpi-value { font-size:20px; }
  .kpi-line, .badge { font-size:9px; }
  .charts { grid-template-columns:repeat(3,1fr); gap:6px; }
  figure.chart { padding:4px; }
  figure.chart figcaption { font-size:10px; }
  table.grid { font-size:10px; }
  table.grid th, table.grid td { padding:3px 6px; }
  .quality .two-col { grid-template-columns:1fr; }
  figure.chart, .kpi, blockquote.quote, table.grid tr, .hero-body { break-inside:avoid; page-break-inside:avoid; }
  details > summary { list-style:none; }
}
`;

/** A single published figure (no quartiles) still tells which side of it the value is on. */
function comparedWithFigure(value: number | null, figure: number, higherIsBetter: boolean): string {
  if (value === null || value === figure) return 'published figure';
  return value > figure === higherIsBetter ? 'better than the published figure' : 'worse than the published figure';
}
