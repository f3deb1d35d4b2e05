/**
 * HTML to PDF with the system Chromium driven by playwright-core. No browser is ever downloaded:
 * without a Chromium at the given path the PDF is skipped with a clear reason, never a failure.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Debian's chromium package, installed by scripts/install-chromium.sh. */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags measured to work for headless Debian Chromium in containers and Lambda-like sandboxes. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
] as const;

export class ChromiumNotFoundError extends Error {
  constructor(readonly chromiumPath: string) {
    super(`PDF skipped: no Chromium at ${chromiumPath} (run scripts/install-chromium.sh)`);
    this.name = 'ChromiumNotFoundError';
  }
}

export interface PdfOptions {
  /** Chromium executable; DEFAULT_CHROMIUM_PATH when absent. */
  readonly chromiumPath?: string;
}

/**
 * Prints the page to A4 with its print stylesheet. Every request other than the page itself is
 * aborted, so a report can never reach the network while it is rendered.
 * @throws ChromiumNotFoundError when there is no executable at the path.
 */
export async function renderPdf(html: string, options: PdfOptions = {}): Promise<Buffer> {
  const chromiumPath = options.chromiumPath ?? DEFAULT_CHROMIUM_PATH;
  if (!existsSync(chromiumPath)) throw new ChromiumNotFoundError(chromiumPath);
  // Loaded only when a PDF is printed, so HTML and CSV never pay for (or depend on) the driver.
  // Through require, not import(): in Lambda it comes from a layer, on NODE_PATH, which only
  // CommonJS resolution searches.
  const { chromium } = createRequire(import.meta.url)('playwright-core') as typeof import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath, args: [...CHROMIUM_ARGS] });
  try {
    const context = await browser.newContext({ offline: true, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    await page.emulateMedia({ media: 'print' });
    return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
  } finally {
    await browser.close();
  }
}
