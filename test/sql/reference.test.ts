import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/core/config/config.ts';
import { METRICS } from '../../lambdas/core/metrics/catalogue.ts';
import {
  BENCHMARKS_CSV,
  type BenchmarkRow,
  loadBenchmarks,
  parseBenchmarks,
  selectBenchmarks,
} from '../../lambdas/core/reference/benchmarks.ts';
import { DEFAULT_COMPOSITE_WEIGHTS, referenceTables } from '../../lambdas/core/reference/tables.ts';

const HEADER = 'metric,industry,region,year,p25,median,p75,p90,unit,source_name,source_url,sample,note';
const table = (name: string, config: unknown = {}, benchmarks: BenchmarkRow[] = []) => {
  const found = referenceTables(parseConfig(config), { benchmarks }).find((t) => t.name === name);
  if (!found) throw new Error(`no reference table ${name}`);
  return found;
};
const bench = (o: Partial<BenchmarkRow>): BenchmarkRow => ({
  metric: 'asa_s',
  industry: 'all',
  region: 'global',
  year: 2020,
  p25: 60,
  median: 30,
  p75: 20,
  p90: 10,
  unit: 'seconds',
  source_name: 'S',
  source_url: 'https://example.org',
  sample: 'a fixture',
  note: null,
  ...o,
});

describe('reference tables', () => {
  it('lists every catalogue metric with its unit, direction and natural scale', () => {
    const rows = table('metric_catalogue').rows;
    expect(rows.map((r) => r.metric)).toEqual(METRICS.map((m) => m.id));
    expect(rows.find((r) => r.metric === 'nps')).toMatchObject({
      scale_min: -100,
      scale_max: 100,
      higher_is_better: true,
    });
    expect(rows.find((r) => r.metric === 'abandonment_rate')).toMatchObject({
      scale_min: 0,
      scale_max: 100,
      is_proportion: true,
    });
    expect(rows.find((r) => r.metric === 'aht_s')).toMatchObject({
      scale_min: null,
      scale_max: null,
      higher_is_better: false,
    });
  });

  it('writes the metric options with their documented defaults, and the configured values', () => {
    expect(table('metric_options').rows).toEqual([
      { name: 'min_sample', value: 30 },
      { name: 'short_abandon_s', value: 5 },
      { name: 'service_level_s', value: 20 },
      { name: 'fcr_window_days', value: 7 },
    ]);
    expect(table('metric_options', { metrics: { shortAbandonS: 0, minSample: 10 } }).rows).toContainEqual({
      name: 'short_abandon_s',
      value: 0,
    });
  });

  it('writes targets with the default amber band unless one is given', () => {
    const rows = table('targets', {
      targets: [
        { metric: 'csat_pct', goal: 85 },
        { metric: 'aht_s', scope: 'team:billing', goal: 30, amberBand: 0 },
      ],
    }).rows;
    expect(rows).toEqual([
      { metric: 'csat_pct', scope: 'overall', goal: 85, amber_band: 0.05 },
      { metric: 'aht_s', scope: 'team:billing', goal: 30, amber_band: 0 },
    ]);
  });

  it('fails when a metric has two targets for the same scope', () => {
    expect(() =>
      table('targets', {
        targets: [
          { metric: 'nps', goal: 30 },
          { metric: 'nps', goal: 40 },
        ],
      }),
    ).toThrow(/duplicate target for nps at scope overall/);
  });

  it('uses the documented composite weights unless the config sets its own', () => {
    expect(table('composite_weights').rows).toEqual(
      Object.entries(DEFAULT_COMPOSITE_WEIGHTS).map(([metric, weight]) => ({ metric, weight })),
    );
    expect(table('composite_weights', { compositeWeights: { nps: 1 } }).rows).toEqual([{ metric: 'nps', weight: 1 }]);
  });

  it('keeps one benchmark per metric: industry, then region, then the latest year', () => {
    const rows = [
      bench({ year: 2018, median: 40, p25: 80 }),
      bench({ year: 2022 }),
      bench({ industry: 'retail', region: 'global', year: 2019, source_name: 'retail-global' }),
      bench({ industry: 'retail', region: 'united_kingdom', year: 2015, source_name: 'retail-uk' }),
      bench({ industry: 'banking', year: 2024, source_name: 'banking' }),
    ];
    expect(selectBenchmarks(rows, 'retail', 'united_kingdom').map((r) => r.source_name)).toEqual(['retail-uk']);
    expect(selectBenchmarks(rows, 'retail').map((r) => r.source_name)).toEqual(['retail-global']);
    expect(selectBenchmarks(rows, 'all')).toEqual([rows[1]]);
    expect(table('benchmarks', { benchmarks: { industry: 'banking' } }, rows).rows).toEqual([{ ...rows[4] }]);
  });

  it('prefers, within one year, a row with published percentiles to a single figure', () => {
    const single = bench({ year: 2023, p25: null, p75: null, p90: null, source_name: 'single' });
    const quartiles = bench({ year: 2023, p90: null, source_name: 'quartiles' });
    const newer = bench({ year: 2024, p25: null, p75: null, p90: null, source_name: 'newer' });
    expect(selectBenchmarks([single, quartiles], 'all').map((r) => r.source_name)).toEqual(['quartiles']);
    expect(selectBenchmarks([single, quartiles, newer], 'all').map((r) => r.source_name)).toEqual(['newer']);
  });
});

describe('benchmarks CSV', () => {
  it.skipIf(!existsSync(BENCHMARKS_CSV))('the shipped file passes every check', () => {
    const rows = loadBenchmarks();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.source_url.startsWith('http'))).toBe(true);
  });

  it('parses figures, leaving unpublished percentiles empty', () => {
    const rows = parseBenchmarks(
      `${HEADER}\nasa_s,all,global,2020,,28,,,seconds,Pub,https://example.org,a fixture,an average\n`,
    );
    expect(rows).toEqual([
      bench({ year: 2020, p25: null, median: 28, p75: null, p90: null, source_name: 'Pub', note: 'an average' }),
    ]);
  });

  it.each([
    [
      'an unknown metric',
      'speed,all,global,2020,,28,,,seconds,P,https://x.org,S,',
      /metric "speed" is not a metric id/,
    ],
    [
      'a unit that differs from the catalogue',
      'asa_s,all,global,2020,,28,,,pct,P,https://x.org,S,',
      /unit "pct" differs/,
    ],
    [
      'figures not running from worst to best',
      'asa_s,all,global,2020,10,20,30,40,seconds,P,https://x.org,S,',
      /decreasing for asa_s/,
    ],
    ['a missing source', 'csat_pct,all,global,2020,,80,,,pct,,,S,', /source_name and source_url are required/],
    ['no sample description', 'csat_pct,all,global,2020,,80,,,pct,P,https://x.org,,', /sample is required/],
    [
      'a figure that is not a number',
      'csat_pct,all,global,2020,,high,,,pct,P,https://x.org,S,',
      /median "high" is not a number/,
    ],
  ])('fails when a row has %s', (_case, line, message) => {
    expect(() => parseBenchmarks(`${HEADER}\n${line}\n`)).toThrow(message);
  });

  it('fails when a column is missing', () => {
    expect(() => parseBenchmarks('metric,median\ncsat_pct,80\n')).toThrow(/missing column\(s\) industry, region, year/);
  });
});
