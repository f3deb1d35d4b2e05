import { beforeAll, describe, expect, it } from 'vitest';
import type { DuckDbEngine } from '../../../cli/duckdb.ts';
import { parseConfig } from '../../../lambdas/core/config/config.ts';
import { parsePeriod } from '../../../lambdas/core/time/periods.ts';
import { buildReportData, HEADLINE_METRICS, type ReportData } from '../../../lambdas/report/data.ts';
import { figureOrder, PEER_RULE, renderHtml, SECTION_HEADINGS } from '../../../lambdas/report/html.ts';
import {
  emptyReportEngine,
  fullReportEngine,
  insertRows,
  insertScorecard,
  scorecardRow,
  surveyRow,
} from '../../support/report.ts';

const config = parseConfig({
  organisation: 'Acme <Retail> & Co',
  metrics: { shortAbandonS: 8, serviceLevelS: 30 },
  sources: [{ name: 'social', adapter: 'social' }],
});

async function reportFrom(
  open: () => Promise<DuckDbEngine>,
  seed?: (e: DuckDbEngine) => Promise<void>,
): Promise<ReportData> {
  const engine = await open();
  try {
    await seed?.(engine);
    return await buildReportData(engine, {
      period: parsePeriod('2025-06'),
      config,
      generatedAt: new Date('2025-07-01T06:00:00Z'),
    });
  } finally {
    await engine.close();
  }
}

describe('renderHtml with data', () => {
  let data: ReportData;
  let html: string;
  beforeAll(async () => {
    data = await reportFrom(fullReportEngine, (e) =>
      insertRows(e, 'survey_responses', [
        surveyRow('csat', 1, '<script>alert(1)</script> the refund never came back to me'),
      ]),
    );
    html = renderHtml(data);
  });

  it('is one self-contained page: no script, no external URL, a CSP that forbids network requests', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);
    expect(html.match(/(?:src|href)=/g) ?? []).toEqual([]);
    expect(html.replaceAll('http://www.w3.org/', '')).not.toMatch(/https?:\/\//);
  });

  it('shows every section heading in order', () => {
    const positions = Object.values(SECTION_HEADINGS).map((h) => html.indexOf(`>${h}`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('opens with the service index and the verdict before the tiles', () => {
    const index = html.indexOf('id="service-index"');
    expect(index).toBeGreaterThan(0);
    expect(html.indexOf(data.verdict)).toBeGreaterThan(index);
    expect(html.indexOf(data.verdict)).toBeLessThan(html.indexOf('id="key-metrics"'));
  });

  it('renders one tile per measured headline metric; RAG in words next to an icon, not colour alone', () => {
    for (const { metric } of data.kpis) expect(html).toContain(`data-kpi="${metric}"`);
    const abandonment = tile(html, 'abandonment_rate');
    expect(abandonment).toContain('Off target · goal 5.0%');
    expect(abandonment).toMatch(/<svg class="icon"/);
    expect(abandonment).toContain('+0.2 pts vs May · worse · <strong>significant</strong>');
    expect(abandonment).toContain('Second quartile, worse than median');
    // No period of the trend has eNPS: no tile, and one line names it instead.
    expect(html).not.toContain('data-kpi="enps"');
    expect(html).toContain(
      'Not measured: no source gave a value in the last 12 months for Customer effort: % easy, Net sentiment, Customer retention, Employee NPS.',
    );
  });

  it('numbers every chart and gives it a caption and an accessible description', () => {
    const ids = figureOrder(data);
    expect(ids.length).toBeGreaterThan(10);
    ids.forEach((id, i) => {
      expect(html).toContain(`<figure class="chart" id="chart-${id}" aria-labelledby="cap-${id}">`);
      expect(html).toContain(`Figure ${i + 1}.</span>`);
      expect(html).toContain(`· Fig. ${i + 1}</p>`);
    });
  });

  it('escapes organisation names and comments', () => {
    expect(html).toContain('Acme &lt;Retail&gt; &amp; Co');
    expect(html).not.toContain('<script>alert(1)</script>');
  });

  it('prints the metric options in force and the rejected rows', () => {
    expect(html).toContain('answered within 30 s');
    expect(html).toContain('abandons shorter than 8 s');
    expect(html).toContain('<strong>17 rejected</strong>');
    expect(html).toContain('missing required column &quot;Q1_NPS&quot;');
    expect(html).toContain('Configured sources with no ingested file: social.');
  });

  it('says what qualifies an agent for recognition or coaching, and marks the metrics that did', () => {
    const peers = html.slice(html.indexOf('id="peers"'), html.indexOf('id="voice"'));
    expect(peers).toContain(PEER_RULE);
    expect(PEER_RULE).toContain(
      '95% interval lies wholly above (recognise) or below (coach) the median of their peers',
    );
    const recognise = peers.slice(
      peers.indexOf('class="grid peers recognise"'),
      peers.indexOf('class="grid peers coach"'),
    );
    expect(recognise).toContain(
      'Quality assurance score: 93.5 <span class="muted">(p100)</span> <strong>above peers</strong>',
    );
    expect(recognise).not.toContain('below peers');
    const coach = peers.slice(peers.indexOf('class="grid peers coach"'));
    expect(coach).toContain('<li class="weak">CSAT');
    expect(coach).toContain('<strong>below peers</strong>');
  });

  it('keeps charts and tiles whole when printed', () => {
    expect(html).toMatch(
      /@media print[\s\S]*figure\.chart, \.kpi[^{]*\{ break-inside:avoid; page-break-inside:avoid; \}/,
    );
  });
});

describe('renderHtml with a section list', () => {
  let data: ReportData;
  beforeAll(async () => {
    data = await reportFrom(fullReportEngine);
  });

  it('shows only the listed sections, in the report order, numbering the figures it keeps from 1', () => {
    const html = renderHtml(data, { sections: ['voice', 'index'] });
    expect(html.indexOf('id="service-index"')).toBeLessThan(html.indexOf('id="voice"'));
    for (const hidden of ['key-metrics', 'trends', 'breakdowns', 'peers', 'scorecard', 'data-quality']) {
      expect(html).not.toContain(`id="${hidden}"`);
    }
    expect(html.match(/<figure /g)).toHaveLength(1);
    expect(html).toContain('Figure 1.</span> <strong>Comment themes</strong>');
  });

  it('fails when a section id is unknown, naming the valid ones', () => {
    expect(() => renderHtml(data, { sections: ['kpis', 'summary'] })).toThrow(
      'unknown report section(s) "summary": choose from index, kpis, trends, breakdowns, intervals, peers, voice, alerts, retention, scorecard, quality',
    );
  });
});

describe('the change line of a tile', () => {
  it('calls a change that rounds to zero unchanged, with no arrow up or down', async () => {
    const data = await reportFrom(emptyReportEngine, (e) =>
      insertScorecard(e, [scorecardRow({ metric: 'csat_pct', value: 84.21, prev_value: 84.2, target: 80 })]),
    );
    expect(tile(renderHtml(data), 'csat_pct')).toContain(
      '▶</span><span>±0.0 pts vs May · unchanged · significance not tested',
    );
  });
});

describe('a change too small a sample cannot test', () => {
  it('says "too few to test" on the tile and in the scorecard, never "not significant"', async () => {
    const data = await reportFrom(emptyReportEngine, (e) =>
      insertScorecard(e, [
        scorecardRow({
          metric: 'transfer_rate',
          value: 25,
          prev_value: 0,
          n: 4,
          change_significant: null,
          change_test: 'too_few_to_test',
        }),
      ]),
    );
    const html = renderHtml(data);
    const scorecard = html.slice(html.indexOf('id="scorecard"'));
    expect(scorecard).toContain('+25.0 pts <span class="muted">too few to test</span>');
    expect(html).toContain('else “too few to test”');
  });

  it('says "too few to test" on a headline tile', async () => {
    const data = await reportFrom(emptyReportEngine, (e) =>
      insertScorecard(e, [
        scorecardRow({ metric: 'csat_pct', value: 90, prev_value: 60, n: 5, change_test: 'too_few_to_test' }),
      ]),
    );
    expect(tile(renderHtml(data), 'csat_pct')).toContain('vs May · better · too few to test');
  });
});

describe('the benchmark line of a tile', () => {
  it('compares with a single published figure in the metric good direction when there are no quartiles', async () => {
    const data = await reportFrom(emptyReportEngine, (e) =>
      insertScorecard(e, [
        scorecardRow({ metric: 'csat_pct', value: 50.5, bench_median: 82, bench_position: null }),
        scorecardRow({ metric: 'asa_s', value: 68, bench_median: 29, bench_position: null, higher_is_better: false }),
        scorecardRow({
          metric: 'abandonment_rate',
          value: 4,
          bench_median: 12,
          bench_position: null,
          higher_is_better: false,
        }),
      ]),
    );
    const html = renderHtml(data);
    expect(tile(html, 'csat_pct')).toMatch(
      /Industry: <strong>[^<]+<\/strong> \(worse than the published figure\)<\/span>/,
    );
    expect(tile(html, 'asa_s')).toContain('worse than the published figure');
    expect(tile(html, 'abandonment_rate')).toContain('better than the published figure');
    expect(tile(html, 'csat_pct')).not.toContain('No industry benchmark');
  });
});

describe('renderHtml with no data', () => {
  it('shows clear "no data" states for the index, tiles, trends, people, comments and sources', async () => {
    const html = renderHtml(await reportFrom(emptyReportEngine));
    expect(html).toContain('<p class="hero-value">No data</p>');
    for (const metric of HEADLINE_METRICS) expect(html).not.toContain(`data-kpi="${metric}"`);
    expect(html).toContain('Not measured: no source gave a value in the last 12 months for CSAT');
    for (const message of [
      'No metric has data in the last twelve periods.',
      'No agent has enough data for a peer ranking.',
      'No QA evaluations in this period.',
      'No survey comments in this period.',
      'No file has been ingested yet.',
      'The scorecard has no rows for this period.',
    ]) {
      expect(html).toContain(message);
    }
    expect(html).not.toContain('<figure');
  });
});

function tile(html: string, metric: string): string {
  const start = html.indexOf(`data-kpi="${metric}"`);
  return html.slice(start, html.indexOf('</article>', start));
}
