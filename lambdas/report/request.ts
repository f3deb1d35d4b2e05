/**
 * What a report is asked for: its period, scope, sections and formats. The CLI's `report` command
 * and the scheduled exporter both build it here, so a configured report renders the same sections
 * wherever it runs.
 */
import type { ServiceBenchConfig } from '../core/config/config.ts';
import { DEFAULT_REPORT_NAME, REPORT_FORMATS, type ReportFormat, type ReportSection } from '../core/config/reports.ts';
import { parseScope, type Scope } from '../core/metrics/scorecard.ts';
import { RANGE_GRAIN } from '../core/time/calendar-periods.ts';
import {
  PeriodError,
  type PeriodRequest,
  RANGES_ARE_LOCAL,
  type ReportPeriod,
  resolvePeriod,
  scheduledPeriod,
} from '../core/time/periods.ts';

type ReportConfig = ServiceBenchConfig['reports'][number];

export interface ReportRequest {
  readonly name: string;
  readonly period: ReportPeriod;
  /** Absent: the whole service. */
  readonly scope?: Scope;
  /** Sections of the HTML and PDF; absent: all of them. */
  readonly sections?: readonly ReportSection[];
  readonly formats: readonly ReportFormat[];
}

/** Where a report request comes from: a command line, or a `reports[]` entry run by its schedule. */
export type ReportSource =
  | {
      readonly kind: 'command';
      readonly period: PeriodRequest;
      /** @default DEFAULT_REPORT_NAME */
      readonly name?: string;
      readonly scope?: Scope;
      /** @default REPORT_FORMATS */
      readonly formats?: readonly ReportFormat[];
      readonly sections?: readonly ReportSection[];
    }
  | {
      readonly kind: 'schedule';
      readonly report: ReportConfig;
      /**
       * A period to run again (`YYYY-MM`, `YYYY-Qn`, `YYYY`, `YYYY-Www` or a week's Monday
       * `YYYY-MM-DD`) instead of the one before today.
       */
      readonly period?: string;
    };

/**
 * The report a source asks for. Periods are read in the reporting time zone: "today" of a
 * scheduled report is the reporting zone's, not the zone its schedule fires in.
 */
export function reportRequest(config: ServiceBenchConfig, source: ReportSource, now: Date = new Date()): ReportRequest {
  const clock = { timeZone: config.reporting.timeZone, now };
  if (source.kind === 'command') {
    return {
      name: source.name ?? DEFAULT_REPORT_NAME,
      period: resolvePeriod(source.period, clock),
      formats: source.formats ?? REPORT_FORMATS,
      ...(source.scope ? { scope: source.scope } : {}),
      ...(source.sections ? { sections: source.sections } : {}),
    };
  }
  const { report } = source;
  const scope = parseScope(report.scope);
  // A date in an export event is a week's Monday: the deployed exporter reads Athena, which holds no ranges.
  const period =
    source.period === undefined
      ? scheduledPeriod(report.period, now, config.reporting.timeZone)
      : resolvePeriod(
          { period: source.period, ...(/^\d{4}-\d{2}-\d{2}$/.test(source.period) ? { grain: 'week' } : {}) },
          clock,
        );
  if (period.grain === RANGE_GRAIN) {
    throw new PeriodError(`report "${report.name}": period "${source.period}" is a range, and ${RANGES_ARE_LOCAL}`);
  }
  return {
    name: report.name,
    period,
    formats: report.formats,
    ...(scope ? { scope } : {}),
    ...(report.sections ? { sections: report.sections } : {}),
  };
}
