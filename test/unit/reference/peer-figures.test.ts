import { describe, expect, it } from 'vitest';
import { METRIC_BY_ID } from '../../../lambdas/core/metrics/catalogue.ts';
import { loadBenchmarks } from '../../../lambdas/core/reference/benchmarks.ts';
import {
  derivePercentiles,
  groupKey,
  groupPeerFigures,
  loadPeerFigures,
  MIN_PEERS_FOR_QUARTILES,
  quantileType7,
} from './peer-quantiles.ts';

/** The mark every row of industry.csv derived from peer-figures.csv carries in its sample. */
const DERIVED_MARK = 'quartiles computed by ServiceBench';
const METHOD_NAME = 'Hyndman-Fan type 7';
/** Peer groups the file holds today (docs/benchmarks.md lists them). */
const MIN_PEER_GROUPS = 14;

const figures = loadPeerFigures();
const groups = groupPeerFigures(figures);
const benchmarks = loadBenchmarks();
const thisYear = new Date().getUTCFullYear();

describe('quantileType7', () => {
  it('interpolates linearly between order statistics (hand-computed)', () => {
    expect(quantileType7([4, 1, 3, 2], 0.25)).toBe(1.75);
    expect(quantileType7([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantileType7([4, 1, 3, 2], 0.75)).toBe(3.25);
    expect(quantileType7([7], 0.9)).toBe(7);
  });

  it('fails on no values', () => {
    expect(() => quantileType7([], 0.5)).toThrow(/no values/);
  });
});

describe('derivePercentiles', () => {
  const eight = [10, 20, 30, 40, 50, 60, 70, 80];

  it('runs worst to best: for a higher-is-better metric p25 is the smaller number', () => {
    expect(derivePercentiles('csat_mean', eight)).toEqual({ p25: 27.5, median: 45, p75: 62.5, p90: null });
  });

  it('runs worst to best: for a lower-is-better metric p25 is the larger number', () => {
    expect(derivePercentiles('asa_s', eight)).toEqual({ p25: 62.5, median: 45, p75: 27.5, p90: null });
  });

  it('gives p90 only from 20 organisations on', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(derivePercentiles('csat_mean', twenty).p90).toBe(18.1);
    expect(derivePercentiles('asa_s', twenty).p90).toBe(2.9);
    expect(derivePercentiles('csat_mean', twenty.slice(1)).p90).toBeNull();
  });

  it(`fails with fewer than ${MIN_PEERS_FOR_QUARTILES} organisations or an unknown metric`, () => {
    expect(() => derivePercentiles('csat_mean', eight.slice(1))).toThrow(/too few/);
    expect(() => derivePercentiles('not_a_metric', eight)).toThrow(/not in the catalogue/);
  });
});

describe('benchmarks/peer-figures.csv', () => {
  it(`holds at least ${MIN_PEER_GROUPS} peer groups of at least ${MIN_PEERS_FOR_QUARTILES} organisations each`, () => {
    expect(groups.length).toBeGreaterThanOrEqual(MIN_PEER_GROUPS);
    for (const group of groups) expect(group.figures.length, group.key).toBeGreaterThanOrEqual(MIN_PEERS_FOR_QUARTILES);
  });

  it.each(figures.map((f, i) => [i + 2, f] as const))(
    'line %i names a catalogue metric in its unit, an organisation, a figure and where it was published',
    (_line, figure) => {
      const metric = METRIC_BY_ID.get(figure.metric);
      expect(metric, figure.metric).toBeDefined();
      expect(figure.unit).toBe(metric?.unit);
      expect(figure.industry).toMatch(/^[a-z_]+$/);
      expect(figure.region).toMatch(/^[a-z_]+$/);
      expect(Number.isInteger(figure.year)).toBe(true);
      expect(figure.year).toBeLessThanOrEqual(thisYear);
      expect(figure.organisation).not.toBe('');
      expect(Number.isFinite(figure.value)).toBe(true);
      expect(new URL(figure.source_url).protocol).toBe('https:');
      expect(figure.source_name).not.toBe('');
      expect(figure.note).toMatch(/^Published: /);
    },
  );

  it('names each organisation once per group, and each group has one source page', () => {
    for (const group of groups) {
      const organisations = group.figures.map((f) => f.organisation);
      expect(new Set(organisations).size, group.key).toBe(organisations.length);
      expect(new Set(group.figures.map((f) => f.source_url)).size, group.key).toBe(1);
    }
  });
});

describe('benchmarks/industry.csv rows derived from peer figures', () => {
  const derivedRows = benchmarks.filter((r) => r.sample?.includes(DERIVED_MARK));

  it.each(groups.map((g) => [g.key, g] as const))('%s: percentiles recomputed from peer-figures.csv', (key, group) => {
    const matches = benchmarks.filter((r) => groupKey(r) === key);
    expect(matches, key).toHaveLength(1);
    const [row] = matches;
    const first = group.figures[0];
    const expected = derivePercentiles(
      first?.metric ?? '',
      group.figures.map((f) => f.value),
    );
    expect({ p25: row?.p25, median: row?.median, p75: row?.p75, p90: row?.p90 }).toEqual(expected);
    expect(row?.source_url).toBe(first?.source_url);
    expect(row?.unit).toBe(first?.unit);
    expect(row?.sample).toMatch(new RegExp(`^${group.figures.length} organisations' published `));
    expect(row?.sample).toContain(DERIVED_MARK);
    expect(row?.note).toContain(METHOD_NAME);
  });

  it('has no derived row without its peer group in peer-figures.csv', () => {
    const keys = new Set(groups.map((g) => g.key));
    expect(derivedRows.filter((r) => !keys.has(groupKey(r))).map(groupKey)).toEqual([]);
    expect(derivedRows.length).toBe(groups.length);
  });
});
