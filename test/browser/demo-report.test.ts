/// <reference lib="dom" />
/** The report of the demo lake, as `servicebench demo` writes it, in headless Chromium. */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openLake } from '../../cli/lake.ts';
import { writeLakeReport } from '../../cli/report.ts';
import { runDemo } from '../../demo/index.ts';
import { loadConfig } from '../../lambdas/core/config/config.ts';
import { EXAMPLE_CONFIG_FILE } from '../../lambdas/core/config/locate.ts';
import { HEADLINE_METRICS } from '../../lambdas/report/data.ts';
import { CHROMIUM_ARGS, DEFAULT_CHROMIUM_PATH } from '../../lambdas/report/pdf.ts';
import { chartFigures, describeInChromium, kpiTiles, openRecorded } from './support.ts';

const ARTIFACTS = resolve('test-artifacts');
const config = loadConfig(EXAMPLE_CONFIG_FILE);

describeInChromium('the demo report in headless Chromium', () => {
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    const summary = await runDemo({ lakeDir: mkdtempSync(join(tmpdir(), 'sb-demo-report-')), config, scale: 0.2 });
    const written = await writeLakeReport(openLake(summary.lakeDir), summary.config, {
      period: summary.endMonth,
      grain: 'month',
      formats: ['html'],
    });
    url = pathToFileURL(written.paths[0] as string).href;
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath: DEFAULT_CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
  }, 180_000);
  afterAll(async () => browser?.close());

  it('loads with no console error and no request, shows a value in every KPI tile, and draws every chart', async () => {
    const { page, problems } = await openRecorded(browser, url, 1280);
    await page.screenshot({ path: join(ARTIFACTS, 'demo-report.png'), fullPage: true });
    const tiles = await kpiTiles(page);
    const figures = await chartFigures(page);
    await page.close();
    expect(problems).toEqual([]);
    expect(tiles.map((t) => t.metric).sort()).toEqual([...HEADLINE_METRICS].sort());
    for (const t of tiles) {
      expect(t.name, String(t.metric)).not.toBe('');
      // the demo has data for every headline metric: no tile may fall back to "No data"
      expect(t.value, String(t.metric)).not.toBe('No data');
      expect(t.visible, String(t.metric)).toBe(true);
    }
    expect(figures.length).toBeGreaterThanOrEqual(HEADLINE_METRICS.length);
    for (const f of figures) {
      expect(f.caption, f.id).toMatch(/^Figure \d+\. \S/);
      expect(f.label.length, f.id).toBeGreaterThan(20);
      expect(f.drawn, f.id).toBe(true);
    }
  }, 60_000);
});
