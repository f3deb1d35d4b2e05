/** Builds the report once and writes its formats to an ObjectStore (the local lake or S3). */
import { DEFAULT_REPORT_NAME, EXPORTS_PREFIX, REPORT_FORMATS, type ReportFormat } from '../core/config/reports.ts';
import type { QueryEngine } from '../core/query/engine.ts';
import type { ObjectStore } from '../core/store/object-store.ts';
import { renderCsv } from './csv.ts';
import { buildReportData, type ReportOptions } from './data.ts';
import { renderHtml, selectSections } from './html.ts';
import { ChromiumNotFoundError, renderPdf } from './pdf.ts';

export interface WriteReportOptions extends ReportOptions {
  /** Lower-case letters, digits and dashes (the config's report name). */
  readonly name?: string;
  /** @default REPORT_FORMATS: every format */
  readonly formats?: readonly ReportFormat[];
  /** Sections of the HTML and PDF (the config's `reports[].sections`); all when absent. */
  readonly sections?: readonly string[];
  readonly chromiumPath?: string;
  /**
   * Folder the report folders go under. @default EXPORTS_PREFIX, for a store rooted at the lake or
   * bucket root; pass '' for a store that is already the exports zone.
   */
  readonly keyPrefix?: string;
  /** Told of each step as it starts (the queries, then each format rendered), for progress lines. */
  readonly onProgress?: (step: string) => void;
}

export interface WriteReportResult {
  /** Keys written, in the order html, csv, pdf. */
  readonly files: string[];
  /** One line per format not written, with the reason. */
  readonly skipped: string[];
}

const CONTENT_TYPES: Readonly<Record<ReportFormat, string>> = {
  html: 'text/html; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  pdf: 'application/pdf',
};

/**
 * Writes `exports/<name>/<period>[-<scope>]/<name>-<period>[-<scope>].<ext>` (under `keyPrefix`). The PDF is skipped
 * (and reported in `skipped`) when there is no Chromium; any other failure rejects.
 */
export async function writeReport(
  engine: QueryEngine,
  store: ObjectStore,
  options: WriteReportOptions,
): Promise<WriteReportResult> {
  const name = options.name ?? DEFAULT_REPORT_NAME;
  if (!/^[a-z][a-z0-9-]*$/.test(name)) {
    throw new Error(`report name "${name}" must be lower-case letters, digits and dashes, starting with a letter`);
  }
  const formats = options.formats ?? REPORT_FORMATS;
  selectSections(options.sections);
  const progress = options.onProgress ?? (() => {});
  progress(`report ${options.period.id}: querying the metrics and the lake…`);
  const data = await buildReportData(engine, options);
  const stem = [name, data.period.id, ...(data.scope ? [data.scope.dimension, slug(data.scope.value)] : [])].join('-');
  const prefix = options.keyPrefix ?? EXPORTS_PREFIX;
  const folder = `${prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`}${name}/${stem.slice(name.length + 1)}/`;
  const files: string[] = [];
  const skipped: string[] = [];
  progress(`report ${options.period.id}: rendering ${formats.join(', ')}…`);
  const html = renderHtml(data, { sections: options.sections });
  for (const format of REPORT_FORMATS.filter((f) => formats.includes(f))) {
    const key = `${folder}${stem}.${format}`;
    let body: string | Buffer;
    if (format === 'html') body = html;
    else if (format === 'csv') body = renderCsv(data.rows);
    else {
      try {
        body = await renderPdf(html, { chromiumPath: options.chromiumPath });
      } catch (error) {
        if (!(error instanceof ChromiumNotFoundError)) throw error;
        skipped.push(`${key}: ${error.message}`);
        continue;
      }
    }
    await store.write(key, body, CONTENT_TYPES[format]);
    files.push(key);
  }
  return { files, skipped };
}

/** Scope values become safe key segments ("Billing & Payments" → "billing-payments"). */
export function slug(value: string): string {
  const text = value
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return text === '' ? 'scope' : text;
}
