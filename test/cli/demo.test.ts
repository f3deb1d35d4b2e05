import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLakeEngine } from '../../cli/duckdb.ts';
import { scorecardRows } from '../../cli/scorecard.ts';
import { type DemoSummary, runDemo } from '../../demo/index.ts';
import { parseDemoScale } from '../../demo/options.ts';
import { LUNCH_DIP } from '../../demo/world.ts';
import { parseConfig } from '../../lambdas/core/config/config.ts';
import { METRIC_IDS } from '../../lambdas/core/metrics/catalogue.ts';
import type { ScorecardRow } from '../../lambdas/core/metrics/scorecard.ts';
import { parsePeriod } from '../../lambdas/core/time/periods.ts';

const root = mkdtempSync(join(tmpdir(), 'sb-demo-run-'));
const lakeDir = join(root, 'lake');
let summary: DemoSummary;
let lastMonth: ScorecardRow[];
let agentsBySource: { source: string; agents: number }[];
let monthly: {
  period_start: string;
  dimension: string;
  dimension_value: string;
  metric: string;
  value: number;
  n: number;
}[];
let weekdayHours: { hour_start: number; judged: number; within: number; offered: number; abandoned: number }[];

beforeAll(async () => {
  // A stale file from an earlier run must not survive: the demo empties the data zones.
  mkdirSync(join(lakeDir, 'landing', 'demo-zendesk'), { recursive: true });
  writeFileSync(join(lakeDir, 'landing', 'demo-zendesk', 'stale.json'), '{"tickets": []}');
  summary = await runDemo({ lakeDir, config: parseConfig({}), scale: parseDemoScale('small') });
  const engine = await openLakeEngine({ lakeDir, config: summary.config });
  try {
    lastMonth = await scorecardRows(engine, { period: parsePeriod(summary.period.to) });
    agentsBySource = await engine.query(
      `SELECT source, count(DISTINCT agent_id) AS agents FROM (
         SELECT source, agent_id FROM interactions_latest
         UNION ALL SELECT source, agent_id FROM survey_responses_latest
         UNION ALL SELECT source, agent_id FROM qa_evaluations_latest
         UNION ALL SELECT 'all', agent_id FROM interactions_latest
         UNION ALL SELECT 'all', agent_id FROM qa_evaluations_latest)
       WHERE agent_id IS NOT NULL GROUP BY source ORDER BY source`,
    );
    monthly = await engine.query(
      `SELECT CAST(period_start AS VARCHAR) AS period_start, dimension, dimension_value, metric, value, n
       FROM scorecard
       WHERE grain = 'month' AND value IS NOT NULL
         AND ((dimension = 'overall' AND metric = 'asa_s') OR (dimension = 'team' AND metric = 'csat_pct'))`,
    );
    weekdayHours = await engine.query(
      `SELECT minute_of_day - minute_of_day % 60 AS hour_start, sum(service_level_base) AS judged,
         sum(answered_within_threshold) AS within, sum(offered) AS offered, sum(abandoned) AS abandoned
       FROM contact_centre_intervals
       WHERE dimension = 'overall' AND iso_weekday <= 5
       GROUP BY minute_of_day - minute_of_day % 60`,
    );
  } finally {
    await engine.close();
  }
}, 300_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** CSAT % of a team over some months, pooled from the monthly counts (never an average of %). */
function pooledCsat(team: string, months: readonly string[]): number {
  const rows = monthly.filter(
    (r) => r.metric === 'csat_pct' && r.dimension_value === team && months.includes(r.period_start.slice(0, 7)),
  );
  const n = rows.reduce((sum, r) => sum + Number(r.n), 0);
  const top = rows.reduce((sum, r) => sum + (r.value * Number(r.n)) / 100, 0);
  expect(n).toBeGreaterThan(30);
  return (100 * top) / n;
}

const months = () => {
  const list: string[] = [];
  const [y, m] = summary.period.from.split('-').map(Number) as [number, number];
  for (let i = 0; i < summary.months; i++) list.push(new Date(Date.UTC(y, m - 1 + i, 1)).toISOString().slice(0, 7));
  return list;
};

describe('runDemo on a small scale', () => {
  it('covers the default window of twelve months ending 2025-06', () => {
    expect(summary.period).toEqual({ from: '2024-07', to: '2025-06' });
    expect(summary.sources.length).toBe(12);
    expect(summary.timings.totalMs).toBeGreaterThan(0);
  });

  it('ingests every file with exactly the planted rejects, and every count reconciles', () => {
    expect(summary.ingested.length).toBe(summary.files);
    for (const file of summary.ingested) {
      const label = `${file.source}/${file.key}`;
      expect(file.fileError, label).toBeNull();
      expect(file.rowsRejected, label).toBe(file.planted);
      expect(file.rowsRead, label).toBe(file.rowsAccepted + file.rowsRejected);
    }
    for (const source of summary.sources) {
      expect(source.rowsRejected, source.source).toBe(source.plantedRejects);
      expect(source.plantedRejects, source.source).toBeGreaterThan(0);
    }
    expect(summary.rowsRead).toBe(summary.rowsAccepted + summary.rowsRejected);
  });

  it('quarantines each planted record with the reason the adapter gave', () => {
    const file = summary.ingested.find((f) => f.source === 'demo-connect' && f.planted > 0);
    expect(file).toBeDefined();
    const rejects = readFileSync(join(lakeDir, 'quarantine', 'demo-connect', `${file?.key}.rejects.jsonl`), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { reason: string; row_number: number });
    expect(rejects).toHaveLength(file?.planted ?? -1);
    for (const reject of rejects) {
      expect(reject.reason.length).toBeGreaterThan(5);
      expect(reject.row_number).toBeGreaterThan(0);
    }
  });

  it('removed what an earlier run left in the landing zone', () => {
    expect(existsSync(join(lakeDir, 'landing', 'demo-zendesk', 'stale.json'))).toBe(false);
  });

  it('names each agent the same way in every source, through the agent directory', () => {
    const bySource = new Map(agentsBySource.map((r) => [r.source, r.agents]));
    // 4 teams of 6 agents
    expect(bySource.get('all')).toBe(24);
    for (const source of ['demo-connect', 'demo-zendesk', 'demo-intercom', 'demo-zendesk-qa']) {
      expect(bySource.get(source), source).toBe(24);
    }
  });

  it('gives every metric of the catalogue a value for the last month, overall', () => {
    const missing = METRIC_IDS.filter((id) => {
      const row = lastMonth.find((r) => r.metric === id && r.dimension === 'overall');
      return row === undefined || row.value === null;
    });
    expect(missing).toEqual([]);
  });

  it("shows the improving team's CSAT rising and the worsening team's falling", () => {
    const all = months();
    const first = all.slice(0, 3);
    const last = all.slice(-3);
    const { improvingTeam, worseningTeam } = summary.plot;
    expect(pooledCsat(improvingTeam, last)).toBeGreaterThan(pooledCsat(improvingTeam, first) + 5);
    expect(pooledCsat(worseningTeam, last)).toBeLessThan(pooledCsat(worseningTeam, first) - 5);
  });

  it('shows the weekday lunchtime under-staffing as the hour that fails the most callers', () => {
    const rate = (r: { within: number; judged: number }) => Number(r.within) / Number(r.judged);
    const lunch = weekdayHours.find((r) => Number(r.hour_start) === LUNCH_DIP.fromHour * 60);
    const others = weekdayHours.filter((r) => r !== lunch && Number(r.judged) >= 50);
    expect(lunch).toBeDefined();
    expect(others.length).toBeGreaterThan(8);
    // Small demo, default seed: 12:00-13:00 answers 76 of 287 judged calls in time (26.5%) against
    // 57-75% in every other weekday hour, and loses 89 of 328 callers (27%) against 7-10%.
    expect(rate(lunch as (typeof weekdayHours)[number])).toBeLessThan(0.6 * Math.min(...others.map(rate)));
    const abandonment = (r: (typeof weekdayHours)[number]) => Number(r.abandoned) / Number(r.offered);
    expect(abandonment(lunch as (typeof weekdayHours)[number])).toBeGreaterThan(
      2 * Math.max(...others.map(abandonment)),
    );
  });

  it('shows the staffing dip as the slowest month to answer', () => {
    const asa = monthly.filter((r) => r.metric === 'asa_s');
    const dip = asa.find((r) => r.period_start.startsWith(summary.plot.dipMonth));
    expect(dip).toBeDefined();
    const others = asa.filter((r) => r !== dip).map((r) => r.value);
    expect(others.length).toBe(summary.months - 1);
    expect(dip?.value).toBeGreaterThan(1.5 * Math.max(...others));
  });
});

describe('runDemo', () => {
  it('fails when the lake folder holds anything but a lake, and deletes nothing', async () => {
    const dir = join(root, 'not-a-lake');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'thesis.docx'), 'precious');
    mkdirSync(join(dir, 'landing'));
    await expect(runDemo({ lakeDir: dir, config: parseConfig({}), months: 1, scale: 0.1 })).rejects.toThrow(
      /refusing to use .* thesis\.docx/,
    );
    expect(readFileSync(join(dir, 'thesis.docx'), 'utf8')).toBe('precious');
    expect(existsSync(join(dir, 'landing'))).toBe(true);
  });

  it('fails on a mistyped end month before it empties anything', async () => {
    const dir = join(root, 'kept-lake');
    mkdirSync(join(dir, 'curated', 'interactions'), { recursive: true });
    writeFileSync(join(dir, 'curated', 'interactions', 'keep.parquet'), 'x');
    await expect(runDemo({ lakeDir: dir, config: parseConfig({}), endMonth: '2025-6' })).rejects.toThrow(/not a month/);
    expect(existsSync(join(dir, 'curated', 'interactions', 'keep.parquet'))).toBe(true);
  });

  it('fails when the lake path is a file', async () => {
    const file = join(root, 'lake.txt');
    writeFileSync(file, 'x');
    await expect(runDemo({ lakeDir: file, config: parseConfig({}), months: 1, scale: 0.1 })).rejects.toThrow(
      /not a folder/,
    );
  });
});
