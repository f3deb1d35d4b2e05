/** How values are written in the report: units, signed deltas, RAG and benchmark wording. */
import { isNetScore, type MetricUnit } from '../core/metrics/catalogue.ts';
import type { BenchmarkPosition, Rag } from '../core/metrics/scorecard.ts';
import { daysIn, type PeriodGrain, type ReportPeriod } from '../core/time/periods.ts';

const MINUS = '\u2212';

export function formatValue(value: number | null, unit: MetricUnit, metric = ''): string {
  if (value === null || !Number.isFinite(value)) return '—';
  switch (unit) {
    case 'pct':
      return `${fixed(value, 1)}%`;
    case 'seconds':
      return formatDuration(value);
    case 'count':
      return Math.round(value).toLocaleString('en-GB');
    case 'index':
      return fixed(value, 1);
    case 'score':
      return isNetScore(metric) ? signed(Math.round(value), 0) : fixed(value, 1);
  }
}

/** A change written in the metric's unit: percentage points for rates, seconds for durations. */
export function formatDelta(delta: number | null, unit: MetricUnit, metric = ''): string {
  if (delta === null || !Number.isFinite(delta)) return '—';
  switch (unit) {
    case 'pct':
      return `${signed(delta, 1)} pts`;
    case 'seconds': {
      const sign = delta > 0 ? '+' : delta < 0 ? MINUS : '±';
      return `${sign}${formatDuration(Math.abs(delta))}`;
    }
    case 'count':
      return signed(Math.round(delta), 0);
    default:
      return signed(delta, isNetScore(metric) ? 0 : 1);
  }
}

/** Durations for people: seconds under two minutes, then minutes, hours, days. */
export function formatDuration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 3600) {
    const m = Math.floor(seconds / 60);
    const s = Math.round(seconds - m * 60);
    return s === 60 ? `${m + 1}m 00s` : `${m}m ${String(s).padStart(2, '0')}s`;
  }
  if (seconds < 48 * 3600) return `${fixed(seconds / 3600, 1)} h`;
  return `${fixed(seconds / 86_400, 1)} d`;
}

export const RAG_TEXT: Readonly<Record<Rag, string>> = {
  green: 'On target',
  amber: 'Near target',
  red: 'Off target',
};

export const BENCHMARK_TEXT: Readonly<Record<BenchmarkPosition, string>> = {
  below_p25: 'Bottom quartile',
  p25_to_median: 'Second quartile, worse than median',
  median_to_p75: 'Third quartile, better than median',
  p75_to_p90: 'Top quartile',
  above_p90: 'Top 10%',
};

/** What a period of each grain is called in prose ("the month's value", "the last 12 quarters"). */
export const GRAIN_NOUNS: Readonly<Record<PeriodGrain, { readonly one: string; readonly many: string }>> = {
  week: { one: 'week', many: 'weeks' },
  month: { one: 'month', many: 'months' },
  quarter: { one: 'quarter', many: 'quarters' },
  year: { one: 'year', many: 'years' },
  range: { one: 'period', many: 'periods' },
};

/** The previous period as people say it: "May", "Q1 2025", "2024", "previous week", "previous 62 days". */
export function previousPeriodName(period: ReportPeriod): string {
  const previous = new Date(`${period.previousStart}T00:00:00Z`);
  switch (period.grain) {
    case 'week':
      return 'previous week';
    case 'month':
      return previous.toLocaleDateString('en-GB', { month: 'long', timeZone: 'UTC' });
    case 'quarter':
      return `Q${Math.floor(previous.getUTCMonth() / 3) + 1} ${previous.getUTCFullYear()}`;
    case 'year':
      return String(previous.getUTCFullYear());
    case 'range': {
      const days = daysIn(period);
      return days === 1 ? 'previous day' : `previous ${days} days`;
    }
  }
}

/**
 * A trend point's axis label: "Jun" (with the year on January and on the first point), "2 Jun" for
 * a week or a range, "Q2 25", "2025".
 */
export function periodTick(start: string, grain: PeriodGrain, first: boolean): string {
  const date = new Date(`${start}T00:00:00Z`);
  const year = String(date.getUTCFullYear());
  switch (grain) {
    case 'week':
    case 'range':
      return date.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
    case 'quarter':
      return `Q${Math.floor(date.getUTCMonth() / 3) + 1} ${year.slice(2)}`;
    case 'year':
      return year;
    case 'month': {
      const month = date.toLocaleDateString('en-GB', { month: 'short', timeZone: 'UTC' });
      return first || date.getUTCMonth() === 0 ? `${month} ${year.slice(2)}` : month;
    }
  }
}

function fixed(value: number, digits: number): string {
  const text = value.toFixed(digits);
  return text.startsWith('-') && Number(text) !== 0 ? `${MINUS}${text.slice(1)}` : text.replace(/^-/, '');
}

function signed(value: number, digits: number): string {
  const text = fixed(Math.abs(value), digits);
  if (Number(text) === 0) return `±${text}`;
  return value > 0 ? `+${text}` : `${MINUS}${text}`;
}
