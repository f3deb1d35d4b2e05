import { TrinoSQL } from 'dt-sql-parser';
import { describe, expect, it } from 'vitest';
import {
  isMetricFamily,
  METRIC_FAMILIES,
  METRIC_VALUES,
  type MetricFamily,
  metricValuesInsertSql,
} from '../../sql/materialised.ts';
import { VIEWS } from '../../sql/registry.ts';

const trino = new TrinoSQL();

describe('metric_values declaration', () => {
  it('puts the partition column last', () => {
    expect(METRIC_VALUES.columns.at(-1)?.name).toBe('family');
    expect(METRIC_VALUES.partitionedBy).toEqual(['family']);
  });

  it('has one family per registered metric view', () => {
    const metricViews = VIEWS.map((v) => v.name).filter((name) => name.startsWith('metrics_'));
    expect(METRIC_FAMILIES.map((f) => `metrics_${f}`).sort()).toEqual(metricViews.sort());
  });

  it.each(METRIC_FAMILIES)('writes family %s with one Trino INSERT … SELECT from its view', (family) => {
    const sql = metricValuesInsertSql(family);
    expect(trino.validate(sql)).toEqual([]);
    expect(sql).toMatch(new RegExp(`'${family}' AS family\\nFROM metrics_${family}$`));
  });

  it('fails when asked for a family that does not exist', () => {
    expect(isMetricFamily('surveys')).toBe(true);
    expect(isMetricFamily("x' OR 1=1")).toBe(false);
    expect(() => metricValuesInsertSql('nope' as MetricFamily)).toThrow(/unknown metric family "nope"/);
  });
});
