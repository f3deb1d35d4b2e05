import { describe, expect, it } from 'vitest';
import { parsePeriod, resolvePeriod } from '../../../lambdas/core/time/periods.ts';
import { displayScale } from '../../../lambdas/report/charts.ts';
import {
  formatDelta,
  formatDuration,
  formatValue,
  periodTick,
  previousPeriodName,
} from '../../../lambdas/report/format.ts';

describe('formatValue', () => {
  it('writes each unit the way a reader expects', () => {
    expect(formatValue(84.24, 'pct')).toBe('84.2%');
    expect(formatValue(-12.4, 'score', 'nps')).toBe('−12');
    expect(formatValue(31.6, 'score', 'nps')).toBe('+32');
    expect(formatValue(3.46, 'score', 'ces_mean')).toBe('3.5');
    expect(formatValue(12345, 'count')).toBe('12,345');
    expect(formatValue(71.44, 'index')).toBe('71.4');
    expect(formatValue(null, 'pct')).toBe('—');
  });

  it('never prints a negative zero', () => {
    expect(formatValue(-0.01, 'pct')).toBe('0.0%');
  });
});

describe('formatDuration', () => {
  it('uses seconds, then minutes and seconds, then hours, then days', () => {
    expect(formatDuration(38.4)).toBe('38 s');
    expect(formatDuration(372)).toBe('6m 12s');
    expect(formatDuration(3599.8)).toBe('60m 00s');
    expect(formatDuration(9000)).toBe('2.5 h');
    expect(formatDuration(3 * 86_400)).toBe('3.0 d');
  });
});

describe('formatDelta', () => {
  it('writes rate changes in percentage points and duration changes as durations, signed', () => {
    expect(formatDelta(0.4, 'pct')).toBe('+0.4 pts');
    expect(formatDelta(-0.8, 'pct')).toBe('−0.8 pts');
    expect(formatDelta(-240, 'seconds')).toBe('−4m 00s');
    expect(formatDelta(0, 'score', 'nps')).toBe('±0');
    expect(formatDelta(null, 'pct')).toBe('—');
  });
});

describe('displayScale', () => {
  it('plots durations in the unit that keeps axis numbers short', () => {
    expect(displayScale('seconds', [38])).toEqual({ factor: 1, axis: 'seconds' });
    expect(displayScale('seconds', [372])).toEqual({ factor: 60, axis: 'minutes' });
    expect(displayScale('seconds', [97_200])).toEqual({ factor: 3600, axis: 'hours' });
    expect(displayScale('seconds', [400_000])).toEqual({ factor: 86_400, axis: 'days' });
    expect(displayScale('pct', [80])).toEqual({ factor: 1, axis: '%' });
  });
});

describe('previousPeriodName', () => {
  it('names the period a change is measured against as people say it', () => {
    expect(previousPeriodName(parsePeriod('2025-06'))).toBe('May');
    expect(previousPeriodName(parsePeriod('2025-W23'))).toBe('previous week');
    expect(previousPeriodName(parsePeriod('2025-Q1'))).toBe('Q4 2024');
    expect(previousPeriodName(parsePeriod('2025'))).toBe('2024');
    expect(previousPeriodName(parsePeriod('2025-06-04'))).toBe('previous day');
    expect(previousPeriodName(resolvePeriod({ from: '2025-04-15', to: '2025-06-15' }, { timeZone: 'UTC' }))).toBe(
      'previous 62 days',
    );
  });
});

describe('periodTick', () => {
  it('labels a trend point by its grain, with the year where it changes', () => {
    expect(periodTick('2025-06-01', 'month', false)).toBe('Jun');
    expect(periodTick('2025-01-01', 'month', false)).toBe('Jan 25');
    expect(periodTick('2024-07-01', 'month', true)).toBe('Jul 24');
    expect(periodTick('2025-06-02', 'week', false)).toBe('2 Jun');
    expect(periodTick('2025-04-01', 'quarter', false)).toBe('Q2 25');
    expect(periodTick('2025-01-01', 'year', false)).toBe('2025');
    expect(periodTick('2025-02-12', 'range', true)).toBe('12 Feb');
  });
});
