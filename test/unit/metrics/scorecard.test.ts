import { describe, expect, expectTypeOf, it } from 'vitest';
import { parseConfig } from '../../../lambdas/core/config/config.ts';
import { DEFAULT_REPORT_NAME, EXPORTS_PREFIX, REPORT_FORMATS } from '../../../lambdas/core/config/reports.ts';
import { isNetScore, METRICS } from '../../../lambdas/core/metrics/catalogue.ts';
import {
  DIMENSIONS,
  GRAINS,
  parseScope,
  SCOPE_DIMENSIONS,
  SCORECARD_COLUMNS,
  type ScorecardRow,
} from '../../../lambdas/core/metrics/scorecard.ts';

describe('the scorecard vocabulary', () => {
  it('cuts metrics by month, week, quarter and year, overall and by five dimensions', () => {
    expect(GRAINS).toEqual(['month', 'week', 'quarter', 'year']);
    expect(DIMENSIONS).toEqual(['overall', 'channel', 'team', 'agent', 'queue', 'source']);
    expect(SCOPE_DIMENSIONS).toEqual(['channel', 'team', 'agent', 'queue', 'source']);
  });

  it('lists every ScorecardRow field as a column, once', () => {
    expectTypeOf<(typeof SCORECARD_COLUMNS)[number]>().toEqualTypeOf<keyof ScorecardRow>();
    expect(new Set(SCORECARD_COLUMNS).size).toBe(SCORECARD_COLUMNS.length);
  });

  it('reads a scope as the config and the CLI write it; a value may contain colons', () => {
    expect(parseScope('overall')).toBeUndefined();
    expect(parseScope('team:Billing & Payments')).toEqual({ dimension: 'team', value: 'Billing & Payments' });
    expect(parseScope('queue:eu:priority')).toEqual({ dimension: 'queue', value: 'eu:priority' });
  });

  it.each(['region:EMEA', 'overall:all', 'team:', ':Billing', 'Billing'])('fails when the scope is %j', (text) => {
    expect(() => parseScope(text)).toThrow(/must be "overall" or "<dimension>:<value>" with a dimension of channel/);
  });

  it('fails a config whose report or target scope names no dimension, naming the field', () => {
    expect(() =>
      parseConfig({
        targets: [{ metric: 'csat_pct', scope: 'region:EMEA', goal: 80 }],
        reports: [{ name: 'weekly', schedule: 'rate(7 days)', scope: 'Billing' }],
      }),
    ).toThrow(/targets\.0\.scope: scope "region:EMEA"[\s\S]*reports\.0\.scope: scope "Billing"/);
  });
});

describe('report outputs', () => {
  it('writes html, csv and pdf, named executive when unnamed, under exports/', () => {
    expect(REPORT_FORMATS).toEqual(['html', 'csv', 'pdf']);
    expect(DEFAULT_REPORT_NAME).toBe('executive');
    expect(EXPORTS_PREFIX).toBe('exports/');
  });

  it('gives a configured report every format unless it lists its own', () => {
    const config = parseConfig({ reports: [{ name: 'monthly', schedule: 'cron(0 7 1 * ? *)' }] });
    expect(config.reports[0]?.formats).toEqual([...REPORT_FORMATS]);
  });
});

describe('metric scales', () => {
  it('bounds percentages and 0-100 scores at 0 and 100, net scores at -100 and 100, durations and counts not at all', () => {
    const scales = Object.fromEntries(METRICS.map((m) => [m.id, m.scale]));
    for (const metric of METRICS.filter((m) => m.unit === 'pct')) expect(metric.scale).toEqual({ min: 0, max: 100 });
    for (const id of ['csat_mean', 'ces_mean', 'qa_score', 'mystery_shop_score', 'engagement_score']) {
      expect(scales[id], id).toEqual({ min: 0, max: 100 });
    }
    expect(METRICS.filter((m) => m.scale?.min === -100).map((m) => m.id)).toEqual(['nps', 'net_sentiment', 'enps']);
    for (const metric of METRICS.filter((m) => m.unit === 'seconds' || m.unit === 'count' || m.unit === 'index')) {
      expect(metric.scale, metric.id).toBeNull();
    }
  });

  it('writes net scores as signed whole numbers and nothing else', () => {
    expect(METRICS.filter((m) => isNetScore(m.id)).map((m) => m.id)).toEqual(['nps', 'net_sentiment', 'enps']);
    expect(isNetScore('not_a_metric')).toBe(false);
  });
});
