/// <reference lib="dom" />
/**
 * The demo report shows business-time response figures beside the calendar ones: the demo's teams
 * have business hours (demo/schedules.ts, the example config's schedules), and the key metrics
 * name the business-time medians of first response and resolution with the calendar medians, the
 * same figures the metric views give.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openLakeEngine } from '../../cli/duckdb.ts';
import { openLake } from '../../cli/lake.ts';
import { writeLakeReport } from '../../cli/report.ts';
import { runDemo } from '../../demo/index.ts';
import { loadConfig } from '../../lambdas/core/config/config.ts';
import { EXAMPLE_CONFIG_FILE } from '../../lambdas/core/config/locate.ts';
import { parsePeriod } from '../../lambdas/core/time/periods.ts';
import { formatValue } from '../../lambdas/report/format.ts';
import { CHROMIUM_ARGS, DEFAULT_CHROMIUM_PATH } from '../../lambdas/report/pdf.ts';
import { describeInChromium, openRecorded } from './support.ts';

const PAIRS = [
  ['first_response_business_median_s', 'first_response_median_s'],
  ['resolution_business_median_s', 'resolution_median_s'],
] as const;

describeInChromium('business time in the demo report', () => {
  let browser: Browser;
  let url: string;
  const values = new Map<string, number>();

  beforeAll(async () => {
    const summary = await runDemo({
      lakeDir: mkdtempSync(join(tmpdir(), 'sb-business-report-')),
      config: loadConfig(EXAMPLE_CONFIG_FILE),
      scale: 0.2,
    });
    const written = await writeLakeReport(openLake(summary.lakeDir), summary.config, {
      period: parsePeriod(summary.endMonth),
      formats: ['html'],
    });
    url = pathToFileURL(written.paths[0] as string).href;
    const engine = await openLakeEngine({ lakeDir: summary.lakeDir, config: summary.config });
    try {
      const rows = await engine.query(
        `SELECT metric, value FROM metric_values WHERE grain = 'month' AND dimension = 'overall'
         AND period_start = CAST(:start AS DATE) AND metric IN (${PAIRS.flat()
           .map((m) => `'${m}'`)
           .join(', ')})`,
        { start: `${summary.endMonth}-01` },
      );
      for (const row of rows) values.set(String(row.metric), Number(row.value));
    } finally {
      await engine.close();
    }
    browser = await chromium.launch({ executablePath: DEFAULT_CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
  }, 240_000);
  afterAll(async () => browser?.close());

  it('names the business-time medians of first response and resolution beside the calendar ones', async () => {
    const { page, problems } = await openRecorded(browser, url, 1280);
    const line = page.locator('#key-metrics [data-business-time]');
    const shown = await line
      .locator('[data-metric]')
      .evaluateAll((nodes) =>
        nodes.map((n) => ({ metric: n.getAttribute('data-metric'), text: n.textContent?.trim() ?? '' })),
      );
    const visible = await line.isVisible();
    await page.close();
    expect(problems).toEqual([]);
    expect(visible).toBe(true);
    expect(shown.map((s) => s.metric)).toEqual(PAIRS.map(([business]) => business));
    for (const [business, calendar] of PAIRS) {
      const businessValue = values.get(business);
      const calendarValue = values.get(calendar);
      expect(businessValue, business).toBeDefined();
      // Business time only leaves out closed hours: never longer than calendar time.
      expect(businessValue as number).toBeLessThanOrEqual(calendarValue as number);
      const text = shown.find((s) => s.metric === business)?.text ?? '';
      expect(text).toContain(formatValue(businessValue as number, 'seconds', business));
      expect(text).toContain(formatValue(calendarValue as number, 'seconds', calendar));
    }
  }, 60_000);
});
