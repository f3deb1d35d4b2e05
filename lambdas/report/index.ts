/** The executive benchmark report: data, renderers (HTML, CSV, PDF) and the writer the CLI and the exporter call. */
export type { ChartSvg } from './charts.ts';
export { CSV_COLUMNS, csvCell, renderCsv } from './csv.ts';
export {
  buildReportData,
  HEADLINE_METRICS,
  type ReportData,
  type ReportOptions,
  type ReportScope,
} from './data.ts';
export { type HtmlOptions, renderHtml, SECTION_HEADINGS, SECTION_IDS, type SectionId } from './html.ts';
export { CHROMIUM_ARGS, ChromiumNotFoundError, DEFAULT_CHROMIUM_PATH, renderPdf } from './pdf.ts';
export { PeriodError, parsePeriod, type ReportPeriod } from './period.ts';
export { DEFAULT_TAXONOMY, type ThemeTaxonomy, themeTaxonomySchema } from './themes.ts';
export {
  DEFAULT_REPORT_FORMATS,
  type ReportFormat,
  type WriteReportOptions,
  type WriteReportResult,
  writeReport,
} from './write.ts';
