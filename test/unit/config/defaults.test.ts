import { describe, expect, it } from 'vitest';
import { maxRejectShare } from '../../../cli/ingest-checks.ts';
import { metricOptions, parseConfig } from '../../../lambdas/core/config/config.ts';
import { DEFAULTS } from '../../../lambdas/core/config/defaults.ts';

describe('documented defaults', () => {
  it('pins every default the docs promise', () => {
    expect(DEFAULTS.minSample).toBe(30);
    expect(DEFAULTS.shortAbandonS).toBe(5);
    expect(DEFAULTS.serviceLevelS).toBe(20);
    expect(DEFAULTS.fcrWindowDays).toBe(7);
    expect(DEFAULTS.timeZone).toBe('UTC');
    expect(DEFAULTS.lakeDir).toBe('lake');
    expect(DEFAULTS.sentimentAnalyser).toBe('lexicon');
    expect(DEFAULTS.maxRejectShare).toBe(0.05);
  });

  it('applies defaults with ?? so an explicit 0 is kept', () => {
    const config = parseConfig({ metrics: { shortAbandonS: 0 } });
    expect(metricOptions(config)).toEqual({ minSample: 30, shortAbandonS: 0, serviceLevelS: 20, fcrWindowDays: 7 });
  });

  it('applies ingest.maxRejectShare with ?? so 0 (no rejects allowed) is kept', () => {
    expect(maxRejectShare(parseConfig({}))).toBe(DEFAULTS.maxRejectShare);
    expect(maxRejectShare(parseConfig({ ingest: { maxRejectShare: 0 } }))).toBe(0);
  });
});
