import { TrinoSQL } from 'dt-sql-parser';
import { describe, expect, it } from 'vitest';
import {
  isMetricFamily,
  METRIC_FAMILIES,
  METRIC_VALUES,
  type MetricFamily,
  metricValuesInsertSql,
  metricValuesPartitionsSql,
} from '../../sql/materialised.ts';
import { VIEWS } from '../../sql/registry.ts';

const trino = new TrinoSQL();

describe('metric_values declaration', () => {
  it('puts the partition columns last, in partition order: family, grain, period start', () => {
    expect(METRIC_VALUES.partitionedBy).toEqual(['family', 'grain', 'period_start']);
    expect(METRIC_VALUES.columns.slice(-3).map((c) => c.name)).toEqual([...METRIC_VALUES.partitionedBy]);
    expect(METRIC_VALUES.columns.map((c) => c.name).sort()).toEqual(
      [
        'period_start',
        'grain',
        'dimension',
        'dimension_value',
        'metric',
        'value',
        'unit',
        'n',
        'ci_low',
        'ci_high',
        'family',
      ].sort(),
    );
  });

  it('has one family per registered metric view', () => {
    const metricViews = VIEWS.map((v) => v.name).filter((name) => name.startsWith('metrics_'));
    expect(METRIC_FAMILIES.map((f) => `metrics_${f}`).sort()).toEqual(metricViews.sort());
  });

  it.each(METRIC_FAMILIES)(
    'writes family %s with a Trino INSERT … SELECT from its view, of every period or a run of them',
    (family) => {
      const sql = metricValuesInsertSql(family);
      expect(trino.validate(sql)).toEqual([]);
      expect(sql).toMatch(
        new RegExp(`'${family}' AS family, grain, period_start\\nFROM metrics_${family}\\nWHERE CASE metric `),
      );
      const run = metricValuesInsertSql(family, { from: '2024-01-01', to: '2024-12-30' });
      expect(trino.validate(run)).toEqual([]);
      expect(run).toMatch(
        /\nWHERE period_start >= DATE '2024-01-01' AND period_start <= DATE '2024-12-30' AND CASE metric /,
      );
      expect(trino.validate(metricValuesPartitionsSql(family))).toEqual([]);
    },
  );

  it('fails on a period bound that is not a date', () => {
    expect(() => metricValuesInsertSql('surveys', { from: "2024-01-01' OR '1'='1" })).toThrow(/is not a date/);
  });

  it('fails when asked for a family that does not exist', () => {
    expect(isMetricFamily('surveys')).toBe(true);
    expect(isMetricFamily("x' OR 1=1")).toBe(false);
    expect(() => metricValuesInsertSql('nope' as MetricFamily)).toThrow(/unknown metric family "nope"/);
  });
});
