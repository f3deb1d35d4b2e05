/** How values are written in the report: units, signed deltas, RAG and benchmark wording. */
import { isNetScore, type MetricUnit } from '../core/metrics/catalogue.ts';
import type { BenchmarkPosition, Rag } from '../core/metrics/scorecard.ts';

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

function fixed(value: number, digits: number): string {
  const text = value.toFixed(digits);
  return text.startsWith('-') && Number(text) !== 0 ? `${MINUS}${text.slice(1)}` : text.replace(/^-/, '');
}

function signed(value: number, digits: number): string {
  const text = fixed(Math.abs(value), digits);
  if (Number(text) === 0) return `±${text}`;
  return value > 0 ? `+${text}` : `${MINUS}${text}`;
}
