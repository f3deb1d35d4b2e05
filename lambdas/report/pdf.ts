/**
 * HTML to PDF with the system Chromium driven by playwright-core. No browser is ever downloaded:
 * without a Chromium at the given path the PDF is skipped with a clear reason, never a failure.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser } from 'playwright-core';

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

/** A Chromium launched before the page it prints exists, so its start overlaps other work. */
export interface PdfPrinter {
  /**
   * Prints the page to A4 with its print stylesheet. Every request other than the page itself is
   * aborted, so a report can never reach the network while it is rendered.
   * @throws ChromiumNotFoundError when there is no executable at the path.
   */
  print(html: string): Promise<Buffer>;
  /** Closes the browser, once launched; a launch that failed leaves nothing to close. */
  close(): Promise<void>;
}

/**
 * Starts launching Chromium at once. The report asks for its printer before its queries, so the
 * browser's start (0.3-0.7 s on the 2-core machine the demo is measured on) runs while they do,
 * locally beside DuckDB and on Lambda while Athena answers. A launch that fails is told by print,
 * never as an unhandled rejection.
 */
export function startPdfPrinter(options: PdfOptions = {}): PdfPrinter {
  const chromiumPath = options.chromiumPath ?? DEFAULT_CHROMIUM_PATH;
  const launched: Promise<Browser> = existsSync(chromiumPath)
    ? // Loaded only when a PDF is printed, so HTML and CSV never pay for (or depend on) the driver.
      // Through require, not import(): in Lambda it comes from a layer, on NODE_PATH, which only
      // CommonJS resolution searches.
      (createRequire(import.meta.url)('playwright-core') as typeof import('playwright-core')).chromium.launch({
        executablePath: chromiumPath,
        args: [...CHROMIUM_ARGS],
      })
    : Promise.reject(new ChromiumNotFoundError(chromiumPath));
  launched.catch(() => {});
  return {
    async print(html) {
      const browser = await launched;
      const context = await browser.newContext({ offline: true, javaScriptEnabled: false });
      try {
        const page = await context.newPage();
        await page.route('**/*', (route) => route.abort());
        await page.setContent(html, { waitUntil: 'load' });
        await page.emulateMedia({ media: 'print' });
        return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
      } finally {
        await context.close();
      }
    },
    async close() {
      const browser = await launched.catch(() => undefined);
      await browser?.close();
    },
  };
}

/**
 * One page printed by a Chromium of its own (see PdfPrinter.print).
 * @throws ChromiumNotFoundError when there is no executable at the path.
 */
export async function renderPdf(html: string, options: PdfOptions = {}): Promise<Buffer> {
  const printer = startPdfPrinter(options);
  try {
    return await printer.print(html);
  } finally {
    await printer.close();
  }
}
