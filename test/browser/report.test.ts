/// <reference lib="dom" />
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/core/config/config.ts';
import { parsePeriod } from '../../lambdas/core/time/periods.ts';
import { buildReportData, HEADLINE_METRICS, type ReportData } from '../../lambdas/report/data.ts';
import { figureOrder, renderHtml } from '../../lambdas/report/html.ts';
import { CHROMIUM_ARGS, DEFAULT_CHROMIUM_PATH } from '../../lambdas/report/pdf.ts';
import { fullReportEngine } from '../support/report.ts';
import { chartFigures, describeInChromium, kpiTiles, openRecorded } from './support.ts';

const ARTIFACTS = resolve('test-artifacts');
describeInChromium('the report in headless Chromium', () => {
  let browser: Browser;
  let data: ReportData;
  let url: string;
  beforeAll(async () => {
    const engine = await fullReportEngine();
    try {
      data = await buildReportData(engine, {
        period: parsePeriod('2025-06'),
        config: parseConfig({ organisation: 'Acme Retail' }),
        generatedAt: new Date('2025-07-01T06:00:00Z'),
      });
    } finally {
      await engine.close();
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, 'report.html');
    writeFileSync(file, renderHtml(data));
    url = pathToFileURL(file).href;
    browser = await chromium.launch({ executablePath: DEFAULT_CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
  });
  afterAll(async () => browser?.close());

  const open = (width: number) => openRecorded(browser, url, width);

  it('loads with no console error, no failed request and no request beyond the page', async () => {
    const { page, problems } = await open(1200);
    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    await page.close();
    expect(problems).toEqual([]);
  });

  it('shows a KPI tile for every measured headline metric, with an accessible name and a value or a "No data" state', async () => {
    const { page } = await open(1200);
    const tiles = await kpiTiles(page);
    await page.close();
    expect(tiles.map((t) => t.metric).sort()).toEqual(data.kpis.map((k) => k.metric).sort());
    expect(tiles.length + data.unfedMetrics.length).toBe(HEADLINE_METRICS.length);
    for (const t of tiles) {
      expect(t.name, String(t.metric)).not.toBe('');
      expect(t.value, String(t.metric)).not.toBe('');
      expect(t.visible, String(t.metric)).toBe(true);
    }
  });

  it('shows every chart as a named image inside a captioned figure', async () => {
    const { page } = await open(1200);
    const snapshot = await page.locator('main').ariaSnapshot();
    const figures = await chartFigures(page);
    await page.close();
    expect(figures.map((f) => f.id)).toEqual(figureOrder(data).map((id) => `chart-${id}`));
    for (const f of figures) {
      expect(f.caption, f.id).toMatch(/^Figure \d+\. \S/);
      expect(f.label.length, f.id).toBeGreaterThan(20);
      expect(f.drawn, f.id).toBe(true);
      expect(snapshot, f.id).toContain(`img "${f.label.slice(0, 30)}`);
    }
  });

  it('fits a phone screen without sideways scrolling of the page', async () => {
    const { page } = await open(390);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await page.screenshot({ path: join(ARTIFACTS, 'report-phone.png'), fullPage: false });
    await page.close();
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
