/// <reference lib="dom" />
/** Opening a report page the way the browser tests check it, in Debian's Chromium when it is installed. */
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { describe } from 'vitest';
import { DEFAULT_CHROMIUM_PATH } from '../../lambdas/report/pdf.ts';

export const hasChromium = existsSync(DEFAULT_CHROMIUM_PATH);

/** `describe` of a suite that needs Chromium: skipped, saying why, where it is not installed. */
export function describeInChromium(title: string, body: () => void): void {
  if (hasChromium) describe(title, body);
  else
    describe.skip(`${title} (skipped: no Chromium at ${DEFAULT_CHROMIUM_PATH}; run scripts/install-chromium.sh)`, body);
}

/** Opens a page, recording console errors and warnings, page errors and every request beyond the page itself. */
export async function openRecorded(
  browser: Browser,
  url: string,
  width: number,
): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('request', (r) => {
    if (r.url() !== url) problems.push(`unexpected request: ${r.url()}`);
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems };
}

/** Every KPI tile: its metric, accessible name, shown value and whether it is drawn. */
export function kpiTiles(page: Page) {
  return page.locator('article.kpi').evaluateAll((nodes) =>
    nodes.map((n) => ({
      metric: n.getAttribute('data-kpi'),
      name: document.getElementById(n.getAttribute('aria-labelledby') ?? '')?.textContent?.trim() ?? '',
      value: n.querySelector('.kpi-value')?.textContent?.trim() ?? '',
      visible: (n as HTMLElement).offsetHeight > 0,
    })),
  );
}

/** Every chart figure: its id, caption, the SVG's accessible label and whether it is drawn. */
export function chartFigures(page: Page) {
  return page.locator('figure.chart').evaluateAll((nodes) =>
    nodes.map((n) => {
      const svg = n.querySelector('svg[role="img"]');
      const box = svg?.getBoundingClientRect();
      return {
        id: n.id,
        caption: document.getElementById(n.getAttribute('aria-labelledby') ?? '')?.textContent?.trim() ?? '',
        label: svg?.getAttribute('aria-label') ?? '',
        drawn: (box?.width ?? 0) > 100 && (box?.height ?? 0) > 50,
      };
    }),
  );
}
