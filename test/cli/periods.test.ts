/**
 * `metrics` and `report` over every form of a period, on calls whose handle times make each
 * period's mean distinct: quarter, year, a custom range, a single day.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RANGES_ARE_LOCAL } from '../../lambdas/core/time/periods.ts';
import { runCli as run } from '../support/cli.ts';
import { createCliFolder } from './support.ts';

/** Answered calls, UTC (the config's reporting zone): talk seconds are the handle time (no hold, no wrap-up). */
const CALLS = [
  'call,started,wait,talk,outcome,agent,phone',
  'c7,2024-11-05 09:00:00,10,700,answered,ann,+15550007',
  'c6,2025-02-20 09:00:00,10,600,answered,ann,+15550006',
  'c1,2025-04-10 09:00:00,10,100,answered,ann,+15550001',
  'c2,2025-04-20 09:00:00,10,200,answered,bob,+15550002',
  'c3,2025-05-20 09:00:00,10,300,answered,bob,+15550003',
  'c4,2025-06-04 09:00:00,10,700,answered,ann,+15550004',
  'c5,2025-06-20 09:00:00,10,1000,answered,bob,+15550005',
].join('\n');

let dir: string;
let previousDir: string;
beforeAll(async () => {
  dir = createCliFolder();
  writeFileSync(join(dir, 'calls.csv'), CALLS);
  previousDir = process.cwd();
  process.chdir(dir);
  expect((await run(['ingest', '--jobs', '1', '--source', 'calls', 'calls.csv'])).code).toBe(0);
});
afterAll(() => process.chdir(previousDir));

/** The overall aht_s row of `metrics` for a period, with the run's stderr. */
async function aht(...period: string[]) {
  const result = await run(['metrics', ...period, '--format', 'json']);
  expect(result.code, result.stderr).toBe(0);
  const rows = JSON.parse(result.stdout) as { metric: string; value: number; n: number; prev_value: number | null }[];
  return { row: rows.find((r) => r.metric === 'aht_s'), stderr: result.stderr };
}

describe('metrics of every form of period', () => {
  it('reads a quarter and a year, each compared with the one before', async () => {
    // Q2 2025: 100, 200, 300, 700 and 1000 s; Q1: the 600 s call alone.
    expect((await aht('--period', '2025-Q2')).row).toMatchObject({ value: 460, n: 5, prev_value: 600 });
    // 2025: Q1's 600 s and Q2's 2,300 s over six calls; 2024: the 700 s call.
    const year = (await aht('--period', '2025')).row;
    expect(year).toMatchObject({ n: 6, prev_value: 700 });
    expect(year?.value).toBeCloseTo(2900 / 6, 6);
  });

  it('computes a range on demand beside the cached metrics, compared with the equal-length range before it', async () => {
    const warm = await aht('--period', '2025-06');
    expect(warm.row).toMatchObject({ value: 850, n: 2 });
    // 15 April to 15 June: 200, 300 and 700 s. The 62 days before (12 February to 14 April): 600 and 100 s.
    const range = await aht('--from', '2025-04-15', '--to', '2025-06-15');
    expect(range.row).toMatchObject({ value: 400, n: 3, prev_value: 350 });
    expect(range.stderr).not.toContain('refreshing metrics');
    expect(range.stderr).toContain("computing the range's metrics");
    // The range did not replace the cache: the next period reads it as it was.
    const after = await aht('--period', '2025-Q2');
    expect(after.stderr).not.toContain('refreshing metrics');
    expect(after.row).toMatchObject({ value: 460, n: 5 });
  });

  it('reads a date as that day, compared with the day before (no call: no previous value)', async () => {
    expect((await aht('--period', '2025-06-04')).row).toMatchObject({ value: 700, n: 1, prev_value: null });
  });

  it('reads --ytd as the year to date, today included (no call this year)', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const id = today.endsWith('-01-01') ? today : `${today.slice(0, 4)}-01-01_${today}`;
    const ytd = await run(['metrics', '--ytd']);
    expect(ytd.code).toBe(0);
    expect(ytd.stderr).toContain(`no metric has data for ${id} (by overall)`);
    const both = await run(['metrics', '--ytd', '--period', '2025']);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('give either --ytd or --period 2025, not both');
  });

  it('fails with exit 1 and the forms expected when the period is missing, half a range or malformed', async () => {
    const none = await run(['metrics']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('give --period (YYYY-MM (a month)');
    const half = await run(['metrics', '--from', '2025-04-15']);
    expect(half.code).toBe(1);
    expect(half.stderr).toContain('a range needs both --from and --to');
    const quarter = await run(['report', '--period', '2025-Q5']);
    expect(quarter.code).toBe(1);
    expect(quarter.stderr).toContain('period "2025-Q5": a year has quarters Q1 to Q4');
  });

  it('refuses a range on Trino before connecting: ranges are computed on the local engine', async () => {
    for (const command of ['metrics', 'report']) {
      const result = await run(['--engine', 'trino', '--server', 'http://127.0.0.1:9', command, '--period', 'ytd']);
      expect(result.code, command).toBe(1);
      expect(result.stderr).toContain(RANGES_ARE_LOCAL);
    }
  });
});

describe('report of every form of period', () => {
  it.each([
    [['--period', '2025-Q2'], '2025-Q2', 'Q2 2025', 'last 12 quarters'],
    // Years from the first with data: 2024 and 2025.
    [['--period', '2025'], '2025', '2025', 'last 2 years'],
    [
      ['--from', '2025-04-15', '--to', '2025-06-15'],
      '2025-04-15_2025-06-15',
      '15 April – 15 June 2025',
      'last 2 periods',
    ],
    [['--period', '2025-06-04'], '2025-06-04', 'Wednesday 4 June 2025', 'last 2 periods'],
  ])('writes the report of %j under its period id, labelled as people say it', async (period, id, label, trend) => {
    const result = await run(['report', ...period, '--format', 'html,csv']);
    expect(result.code, result.stderr).toBe(0);
    const html = join(dir, 'lake', 'exports', 'executive', id, `executive-${id}.html`);
    expect(result.stdout).toContain(`wrote ${html}`);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain(`<strong>${label}</strong>`);
    expect(page).toContain(`<span class="hint">${trend}</span>`);
    expect(existsSync(html.replace(/\.html$/, '.csv'))).toBe(true);
  });
});

describe('the cache of a lake asked for a range', () => {
  it('is refreshed once when the lake changed, and keeps no range row for the next process', async () => {
    writeFileSync(
      join(dir, 'more.csv'),
      'call,started,wait,talk,outcome,agent,phone\nc8,2025-06-05 09:00:00,10,400,answered,ann,+15550008',
    );
    expect((await run(['ingest', '--jobs', '1', '--source', 'calls', 'more.csv'])).code).toBe(0);
    const range = await aht('--from', '2025-04-15', '--to', '2025-06-15');
    expect(range.stderr).toContain('refreshing metrics');
    // 200, 300, 700 and now 400 s.
    expect(range.row).toMatchObject({ value: 400, n: 4 });
    const cached = await run([
      'query',
      '--format',
      'json',
      "SELECT count(*) AS n FROM metric_values WHERE grain = 'range'",
    ]);
    expect(cached.stderr).not.toContain('refreshing metrics');
    expect(JSON.parse(cached.stdout)).toEqual([{ n: 0 }]);
  });
});
