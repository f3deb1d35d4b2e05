import { describe, expect, it } from 'vitest';
import { displayScale } from '../../../lambdas/report/charts.ts';
import { formatDelta, formatDuration, formatValue } from '../../../lambdas/report/format.ts';

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
