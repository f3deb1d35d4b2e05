import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/core/config/config.ts';
import { LocalObjectStore } from '../../lambdas/core/store/local.ts';
import { parsePeriod } from '../../lambdas/core/time/periods.ts';
import { buildReportData, type ReportData } from '../../lambdas/report/data.ts';
import { figureOrder, renderHtml, SECTION_HEADINGS } from '../../lambdas/report/html.ts';
import { ChromiumNotFoundError, DEFAULT_CHROMIUM_PATH, renderPdf } from '../../lambdas/report/pdf.ts';
import { writeReport } from '../../lambdas/report/write.ts';
import { fullReportEngine } from '../support/report.ts';
import { describeInChromium, hasChromium } from './support.ts';

const hasPdftotext = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasChromium || !hasPdftotext) {
  console.warn(`PDF tests skipped: need ${DEFAULT_CHROMIUM_PATH} and pdftotext (run scripts/install-chromium.sh)`);
}

describe('renderPdf without Chromium', () => {
  it('fails with a clear "PDF skipped" reason instead of downloading a browser', async () => {
    const missing = '/nonexistent/chromium';
    await expect(renderPdf('<p>x</p>', { chromiumPath: missing })).rejects.toThrow(ChromiumNotFoundError);
    await expect(renderPdf('<p>x</p>', { chromiumPath: missing })).rejects.toThrow(
      `PDF skipped: no Chromium at ${missing}`,
    );
  });
});

describe.skipIf(!hasChromium || !hasPdftotext)('renderPdf with Debian Chromium', () => {
  let dir: string;
  let data: ReportData;
  let html: string;
  let pages: string[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-pdf-'));
    const engine = await fullReportEngine();
    try {
      data = await buildReportData(engine, {
        period: parsePeriod('2025-06'),
        config: parseConfig({ organisation: 'Acme Retail' }),
      });
    } finally {
      await engine.close();
    }
    html = renderHtml(data);
    pages = pdfPages(await renderPdf(html), 'report');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function pdfPages(pdf: Buffer, name: string): string[] {
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const file = join(dir, `${name}.pdf`);
    writeFileSync(file, pdf);
    execFileSync('pdftotext', ['-layout', file, join(dir, `${name}.txt`)]);
    return readFileSync(join(dir, `${name}.txt`), 'utf8')
      .split('\f')
      .filter((p) => p.trim() !== '');
  }

  /** Charts whose caption ("Figure N.") and last line ("Fig. N") print on different pages. */
  function splitFigures(text: readonly string[], count: number): number[] {
    const pageOf = (needle: RegExp) => text.findIndex((page) => needle.test(page));
    return Array.from({ length: count }, (_, i) => i + 1).filter(
      (n) => pageOf(new RegExp(`Figure ${n}\\.`)) !== pageOf(new RegExp(`Fig\\. ${n}(?!\\d)`)),
    );
  }

  it('prints A4 pages carrying every section heading, in order', () => {
    expect(pages.length).toBeGreaterThan(2);
    const text = pages.join('\n').replace(/\s+/g, ' ');
    const positions = Object.values(SECTION_HEADINGS).map((h) => text.indexOf(h));
    expect(
      positions.every((p) => p >= 0),
      JSON.stringify(positions),
    ).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('never splits a chart across pages', () => {
    const count = figureOrder(data).length;
    for (let n = 1; n <= count; n++) expect(pages.join('\n')).toMatch(new RegExp(`Fig\\. ${n}(?!\\d)`));
    expect(splitFigures(pages, count)).toEqual([]);
  });

  /** Charts taller than half a page: wherever one starts, it stays whole only by moving. */
  const TALL_FIGURES =
    '<style>@media print { figure.chart svg { height:600px; } .charts { display:block; } }</style></head>';

  it('keeps even tall charts whole by moving them to the next page', async () => {
    const tall = pdfPages(await renderPdf(html.replace('</head>', TALL_FIGURES)), 'tall');
    expect(tall.length).toBeGreaterThan(pages.length);
    expect(splitFigures(tall, figureOrder(data).length)).toEqual([]);
  });

  it('detects split charts once the print rules are taken away (the check can fail)', async () => {
    const loose = html.replaceAll('break-inside:avoid', 'break-inside:auto').replace('</head>', TALL_FIGURES);
    const loosePages = pdfPages(await renderPdf(loose), 'loose');
    expect(splitFigures(loosePages, figureOrder(data).length).length).toBeGreaterThan(0);
  });
});

describeInChromium('writeReport with the system Chromium', () => {
  it('writes the PDF beside the HTML it prints', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-pdf-write-'));
    const engine = await fullReportEngine();
    try {
      const result = await writeReport(engine, new LocalObjectStore(dir), {
        period: parsePeriod('2025-06'),
        config: parseConfig({ organisation: 'Acme Retail' }),
        formats: ['pdf'],
      });
      expect(result.skipped).toEqual([]);
      expect(
        readFileSync(join(dir, result.files[0] as string))
          .subarray(0, 5)
          .toString('latin1'),
      ).toBe('%PDF-');
    } finally {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
