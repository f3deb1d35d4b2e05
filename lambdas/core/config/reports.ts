/**
 * What a report is written as and where it lands. The config schema, the report writer, the
 * exporter's construct and the CLI all read these, so a new format or folder is one edit.
 */

/** Also the order the writer produces them in: the PDF is printed from the HTML. */
export const REPORT_FORMATS = ['html', 'csv', 'pdf'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/**
 * The period a scheduled report covers when it runs: the whole week, month, quarter or year before
 * the day it runs, both read in the reporting time zone (lambdas/core/time/periods.ts).
 */
export const SCHEDULED_PERIODS = ['previous-month', 'previous-week', 'previous-quarter', 'previous-year'] as const;
export type ScheduledPeriod = (typeof SCHEDULED_PERIODS)[number];

/** Report name in keys and file names when none is given. */
export const DEFAULT_REPORT_NAME = 'executive';

/** Folder of the lake and of the exports bucket the report folders go under. */
export const EXPORTS_PREFIX = 'exports/';

/**
 * Sections of the HTML and PDF report, in the order they are printed; a report's `sections` in the
 * config picks among them and the renderer (lambdas/report/html.ts) gives each its heading.
 */
export const REPORT_SECTIONS = [
  'index',
  'kpis',
  'trends',
  'breakdowns',
  'intervals',
  'peers',
  'voice',
  'alerts',
  'retention',
  'scorecard',
  'quality',
] as const;
export type ReportSection = (typeof REPORT_SECTIONS)[number];
