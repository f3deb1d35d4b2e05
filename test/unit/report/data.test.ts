import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDbEngine } from '../../../cli/duckdb.ts';
import { parseConfig } from '../../../lambdas/core/config/config.ts';
import type { ScorecardRow } from '../../../lambdas/core/metrics/scorecard.ts';
import { parsePeriod } from '../../../lambdas/core/time/periods.ts';
import {
  buildReportData,
  HEADLINE_METRICS,
  peerRanking,
  type ReportData,
  verdictOf,
} from '../../../lambdas/report/data.ts';
import { emptyReportEngine, fullReportEngine, insertScorecard, scorecardRow } from '../../support/report.ts';

const config = parseConfig({
  organisation: 'Acme Retail',
  sources: [
    { name: 'connect', adapter: 'amazon-connect' },
    { name: 'social', adapter: 'social' },
  ],
});

describe('buildReportData over the scorecard and the dedup views', () => {
  let engine: DuckDbEngine;
  let data: ReportData;
  beforeAll(async () => {
    engine = await fullReportEngine();
    data = await buildReportData(engine, {
      period: parsePeriod('2025-06'),
      config,
      generatedAt: new Date('2025-07-01T06:00:00Z'),
    });
  });
  afterAll(async () => engine.close());

  it('opens with the service index of the period and a verdict naming the misses', () => {
    expect(data.index?.value).toBe(71.4);
    expect(data.verdict).toBe(
      'Service improved; 4 of 10 targets met; off target: Abandonment rate, Average speed of answer.',
    );
  });

  it('has one tile per headline metric that some period of the trend has a value for, and names the others', () => {
    const unfed = ['ces_easy_pct', 'net_sentiment', 'retention_rate', 'enps'];
    expect(data.kpis.map((k) => k.metric)).toEqual(HEADLINE_METRICS.filter((m) => !unfed.includes(m)));
    expect(data.unfedMetrics).toEqual([
      'Customer effort: % easy',
      'Net sentiment',
      'Customer retention',
      'Employee NPS',
    ]);
    expect(data.kpis.find((k) => k.metric === 'csat_pct')?.row).toMatchObject({ value: 84.2, rag: 'amber', n: 435 });
  });

  it('keeps a "no data" tile for a metric that had a value earlier in the trend but none this period', async () => {
    const withEarlier = await fullReportEngine();
    try {
      await insertScorecard(withEarlier, [
        scorecardRow({ metric: 'enps', value: 12, n: 40, period_start: '2025-03-01' }),
      ]);
      const report = await buildReportData(withEarlier, { period: parsePeriod('2025-06'), config });
      expect(report.kpis.find((k) => k.metric === 'enps')).toMatchObject({ row: null });
      expect(report.unfedMetrics).not.toContain('Employee NPS');
    } finally {
      await withEarlier.close();
    }
  });

  it('builds twelve-month trends with target and benchmark band, oldest first', () => {
    const csat = data.trends.find((t) => t.metric === 'csat_pct');
    expect(csat?.points.map((p) => p.period_start)).toEqual([
      '2024-07-01',
      '2024-08-01',
      '2024-09-01',
      '2024-10-01',
      '2024-11-01',
      '2024-12-01',
      '2025-01-01',
      '2025-02-01',
      '2025-03-01',
      '2025-04-01',
      '2025-05-01',
      '2025-06-01',
    ]);
    expect(csat?.points.at(-1)?.value).toBe(84.2);
    expect(csat).toMatchObject({ target: 85, bench: { p25: 74, median: 79, p75: 84 } });
    expect(data.trends.map((t) => t.metric)).not.toContain('enps');
  });

  it('breaks down by channel and team with only the metrics that have data', () => {
    const channel = data.breakdowns.find((b) => b.dimension === 'channel');
    expect(channel?.rows.map((r) => r.value)).toEqual(['chat', 'email', 'voice']);
    expect(channel?.metrics).toEqual(['csat_pct', 'fcr_rate', 'service_level_pct', 'aht_s', 'first_response_median_s']);
    expect(channel?.rows.find((r) => r.value === 'email')?.cells.fcr_rate?.low_sample).toBe(true);
  });

  it('recognises and coaches only agents whose interval excludes the peer median, coaching needs worst first', () => {
    expect(data.peers.agents).toBe(8);
    // QA peer median (85.1 + 81.3) / 2 = 83.2 with ±4 intervals: amelie, bruno, chloe lie above it.
    // david (85.1 ± 4) contains it, so a 57th-percentile agent is no longer recognised.
    expect(data.peers.top.map((e) => e.agent)).toEqual(['agent-amelie', 'agent-bruno', 'agent-chloe']);
    expect(data.peers.coaching.map((e) => e.agent)).toEqual(['agent-hugo', 'agent-gaelle', 'agent-farid']);
    expect(data.peers.coaching[0]?.weakMetrics).toEqual(['qa_score', 'csat_pct', 'fcr_rate']);
  });

  it('leaves low-sample agents out of the ranking', () => {
    expect([...data.peers.top, ...data.peers.coaching].map((e) => e.agent)).not.toContain('agent-new');
  });

  it('lists QA criteria below the coaching threshold or with a missed critical item, excluding N/A and other months', () => {
    expect(data.peers.qaCriteria).toEqual([
      {
        criterion: 'Explained next steps',
        section: 'Resolution',
        evaluations: 4,
        score_pct: 31.25,
        critical_misses: 0,
      },
      { criterion: 'Empathy', section: 'Soft skills', evaluations: 4, score_pct: 60, critical_misses: 0 },
      {
        criterion: 'Verified the customer identity',
        section: 'Compliance',
        evaluations: 4,
        score_pct: 75,
        critical_misses: 1,
      },
    ]);
  });

  it('reads the comments of the period only', () => {
    expect(data.voice.commented).toBe(13);
    expect(data.voice.answered).toBe(435);
    const quoted = [...data.voice.quotes.positive, ...data.voice.quotes.negative].map((q) => q.text).join('\n');
    expect(quoted).not.toContain('Nothing to say');
    expect(quoted).not.toContain('Smith');
    expect(quoted).not.toMatch(/@example|12345678|7946/);
  });

  it('summarises ingestion per source and names configured sources without files', () => {
    expect(data.quality.sources.map((s) => [s.source, s.files, s.rows_rejected, s.files_rejected])).toEqual([
      ['connect', 2, 12, 0],
      ['surveys', 1, 0, 1],
      ['zendesk', 1, 5, 0],
    ]);
    expect(data.quality.recentFiles[0]?.object_key).toBe('connect/2025/06/ctr-01.jsonl.gz');
    expect(data.quality.sourcesWithoutData).toEqual(['social']);
    expect(data.quality.metricOptions).toEqual({
      minSample: 30,
      shortAbandonS: 5,
      serviceLevelS: 20,
      fcrWindowDays: 7,
    });
  });

  it('keeps every scorecard row of the period for the CSV, in catalogue order', () => {
    expect(data.rows.every((r) => r.period_start === '2025-06-01')).toBe(true);
    expect(
      data.rows
        .filter((r) => r.dimension === 'overall')
        .slice(0, 3)
        .map((r) => r.metric),
    ).toEqual(['csat_pct', 'nps', 'survey_response_rate']);
  });

  it('renders a chart for each trend, each breakdown and the themes', () => {
    expect(Object.keys(data.charts)).toHaveLength(data.trends.length + 3);
    for (const chart of Object.values(data.charts)) {
      expect(chart.svg).toMatch(/^<svg role="img" aria-label="[^"]+"/);
      expect(chart.svg).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    }
  });

  it('scopes tiles, trends, comments and QA to one team and drops organisation breakdowns', async () => {
    const team = await buildReportData(engine, {
      period: parsePeriod('2025-06'),
      config,
      scope: { dimension: 'team', value: 'Technical' },
    });
    expect(team.kpis.find((k) => k.metric === 'csat_pct')?.row?.value).toBe(86.1);
    expect(team.index).toBeNull();
    expect(team.breakdowns).toEqual([]);
    expect(team.voice.commented).toBe(1);
    expect(team.peers.qaCriteria).toEqual([]);
  });

  it('binds scope values as parameters, so quotes in them are data, not SQL', async () => {
    const odd = await buildReportData(engine, {
      period: parsePeriod('2025-06'),
      config,
      scope: { dimension: 'team', value: "x' OR '1'='1" },
    });
    expect(odd.kpis.every((k) => k.row === null)).toBe(true);
    expect(odd.voice.commented).toBe(0);
  });

  it('fails when the scope value is empty', async () => {
    await expect(
      buildReportData(engine, { period: parsePeriod('2025-06'), config, scope: { dimension: 'team', value: ' ' } }),
    ).rejects.toThrow(/scope value/);
  });
});

describe('buildReportData with no data', () => {
  it('returns no index, empty tiles, no trends, no comments and no sources', async () => {
    const engine = await emptyReportEngine();
    try {
      const data = await buildReportData(engine, { period: parsePeriod('2025-W23'), config });
      expect(data.index).toBeNull();
      expect(data.kpis.every((k) => k.row === null)).toBe(true);
      expect(data.trends).toEqual([]);
      expect(data.voice.commented).toBe(0);
      expect(data.quality.sources).toEqual([]);
      expect(data.charts).toEqual({});
      expect(data.verdict).toBe('Not enough data for a service index this period; no metric has data for this period.');
    } finally {
      await engine.close();
    }
  });

  it("reads the period's interval figures for a report that shows them, and none for one that does not", async () => {
    const engine = await emptyReportEngine();
    try {
      // Tuesday 3 June 2025, 12:00-12:30: ten calls offered; one on 3 July, outside June.
      for (const [dt, offered] of [
        ['2025-06-03', 10],
        ['2025-07-03', 7],
      ] as const) {
        await engine.query(
          `INSERT INTO contact_centre_intervals VALUES (:dt, CAST(:dt AS DATE), 'overall', 'all', 2, 720, 30, :offered,
             8, 2, 8, 160, 6, 10, 20, 8, 1600)`,
          { dt, offered },
        );
      }
      const shown = await buildReportData(engine, { period: parsePeriod('2025-06'), config });
      expect(shown.intervals).toMatchObject({ offered: 10, intervalMinutes: 30 });
      const hidden = await buildReportData(engine, { period: parsePeriod('2025-06'), config, sections: ['kpis'] });
      expect(hidden.intervals).toBeNull();
    } finally {
      await engine.close();
    }
  });

  it('reads weekly rows by the Monday of the ISO week', async () => {
    const engine = await emptyReportEngine();
    try {
      await insertScorecard(engine, [
        scorecardRow({ metric: 'csat_pct', value: 90, grain: 'week', period_start: '2025-06-02' }),
      ]);
      const data = await buildReportData(engine, { period: parsePeriod('2025-W23'), config });
      expect(data.kpis[0]?.row?.value).toBe(90);
    } finally {
      await engine.close();
    }
  });
});

describe('verdictOf', () => {
  const kpi = (rag: 'green' | 'red' | null, label: string) => ({
    metric: 'csat_pct' as const,
    label,
    unit: 'pct' as const,
    higherIsBetter: true,
    row: scorecardRow({ metric: 'csat_pct', value: 80, target: rag === null ? null : 85, rag }),
  });

  it('calls a decline only when it is significant', () => {
    const index = scorecardRow({ metric: 'service_index', value: 60, prev_value: 65, change_significant: true });
    expect(verdictOf(index, [kpi('red', 'CSAT')])).toBe('Service declined; 0 of 1 targets met; off target: CSAT.');
    expect(verdictOf({ ...index, change_significant: false }, [kpi('green', 'CSAT')])).toBe(
      'Service held steady; 1 of 1 targets met.',
    );
  });

  it('states an untested movement of the index without calling it an improvement', () => {
    const index = scorecardRow({ metric: 'service_index', value: 68, prev_value: 65, change_significant: null });
    expect(verdictOf(index, [kpi(null, 'CSAT')])).toBe('Service index up 3.0 points.');
    expect(verdictOf({ ...index, prev_value: null, delta: null }, [kpi(null, 'CSAT')])).toBe(
      'First period with a service index.',
    );
  });
});

describe('peerRanking', () => {
  /** An agent's row with its 95% interval; the percentile is the mid-rank the scorecard would give. */
  const agentRow = (
    agent: string,
    metric: 'csat_pct' | 'aht_s' | 'qa_score',
    value: number,
    ci: readonly [number, number] | null,
    peer_percentile: number | null,
    extra: Partial<ScorecardRow> = {},
  ) =>
    scorecardRow({
      dimension: 'agent',
      dimension_value: agent,
      metric,
      value,
      n: 160,
      ci_low: ci?.[0] ?? null,
      ci_high: ci?.[1] ?? null,
      peer_percentile,
      ...extra,
    });
  // CSAT of five agents at n = 160 against a 90 % target: peer median 80 (cy).
  const csat = [
    agentRow('ana', 'csat_pct', 90, [84.4, 93.8], 90, { target: 90 }),
    agentRow('ben', 'csat_pct', 84, [77.6, 88.6], 70, { target: 90 }), // red, but contains 80
    agentRow('cy', 'csat_pct', 80, [73.1, 85.4], 50, { target: 90 }),
    agentRow('dee', 'csat_pct', 77, [69.9, 82.8], 30, { target: 90 }), // bottom half, contains 80
    agentRow('eve', 'csat_pct', 70, [62.5, 76.5], 10, { target: 90 }),
  ];

  it('recognises an interval wholly above the peer median and coaches one wholly below it', () => {
    const ranking = peerRanking(csat);
    expect(ranking.agents).toBe(5);
    expect(ranking.top.map((e) => [e.agent, e.strongMetrics])).toEqual([['ana', ['csat_pct']]]);
    expect(ranking.coaching.map((e) => [e.agent, e.weakMetrics])).toEqual([['eve', ['csat_pct']]]);
  });

  it('lists neither an agent off target nor one low in the ranks whose interval contains the peer median', () => {
    const listed = peerRanking(csat);
    const names = [...listed.top, ...listed.coaching].map((e) => e.agent);
    expect(names).not.toContain('ben');
    expect(names).not.toContain('dee');
    expect(names).not.toContain('cy');
  });

  it('reads the interval in the good direction for a lower-is-better metric', () => {
    const ranking = peerRanking([
      agentRow('fast', 'aht_s', 250, [230, 270], 83.3), // wholly below the median 300: better
      agentRow('mid', 'aht_s', 300, [280, 320], 50),
      agentRow('slow', 'aht_s', 360, [340, 380], 16.7), // wholly above it: worse
    ]);
    expect(ranking.top.map((e) => e.agent)).toEqual(['fast']);
    expect(ranking.coaching.map((e) => [e.agent, e.weakMetrics])).toEqual([['slow', ['aht_s']]]);
  });

  it('takes the median over ranked peers only and judges no row without an interval', () => {
    const ranking = peerRanking([
      agentRow('ana', 'qa_score', 90, [86, 94], 83.3),
      agentRow('ben', 'qa_score', 80, null, 50), // far from nobody, but no interval: not judged
      agentRow('cy', 'qa_score', 70, [62, 78], 16.7),
      // Below the minimum sample: no percentile, so it neither moves the median nor is listed.
      agentRow('new', 'qa_score', 20, [0, 60], null, { n: 4, low_sample: true }),
    ]);
    // Median of 90, 80, 70 is 80, above cy's interval; with "new" counted it would be 75, inside it.
    expect(ranking.agents).toBe(3);
    expect(ranking.top.map((e) => e.agent)).toEqual(['ana']);
    expect(ranking.coaching.map((e) => e.agent)).toEqual(['cy']);
  });

  it('keeps an agent with one metric above and one below the peers off the recognition list', () => {
    const ranking = peerRanking([
      ...csat,
      agentRow('ana', 'aht_s', 400, [380, 420], 10),
      agentRow('ben', 'aht_s', 300, [280, 320], 50),
      agentRow('cy', 'aht_s', 200, [180, 220], 90),
    ]);
    expect(ranking.top.map((e) => e.agent)).toEqual(['cy']);
    expect(ranking.coaching.map((e) => [e.agent, e.strongMetrics, e.weakMetrics])).toEqual([
      ['eve', [], ['csat_pct']],
      ['ana', ['csat_pct'], ['aht_s']],
    ]);
  });
});
