import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DuckDbEngine } from '../../cli/duckdb.ts';
import { METRIC_BY_ID } from '../../lambdas/core/metrics/catalogue.ts';
import {
  athenaTarget,
  deleteStatementTarget,
  periodRuns,
  type RefreshTarget,
  refreshMetricValues,
} from '../../lambdas/core/query/refresh.ts';
import type { SurveyResponse } from '../../lambdas/core/schema/canonical.ts';
import {
  MAX_PARTITIONS_PER_INSERT,
  METRIC_FAMILIES,
  type MetricFamily,
  metricValuesInsertSql,
  metricValuesPartitionsSql,
} from '../../sql/materialised.ts';
import { createTestLake, interaction, surveyResponse, type TestLake, utc } from '../support/lake.ts';

const ORDERED = 'ORDER BY family, grain, period_start, dimension, dimension_value, metric';

function csat(id: string, score: number): SurveyResponse {
  return surveyResponse({ response_id: id, score, agent_id: 'ana', team: 'billing', channel: 'voice' });
}

/** Records the statements a refresh sends, and can fail the INSERT of one family. */
function recordingTarget(failOn?: MetricFamily): RefreshTarget & { readonly sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    ...deleteStatementTarget(async (sql) => {
      if (failOn && sql === metricValuesInsertSql(failOn)) throw new Error('disk full');
      sent.push(sql);
    }),
  };
}

describe('metric_values on the local engine', () => {
  let lake: TestLake;
  let engine: DuckDbEngine;
  beforeAll(async () => {
    lake = createTestLake();
    lake.write('survey_responses', [csat('r1', 5), csat('r2', 2), csat('r3', 4)]);
    lake.write('interactions', [
      interaction({
        interaction_id: 'c1',
        queued_at: utc('2025-06-10 09:00:00'),
        answered_at: utc('2025-06-10 09:00:10'),
        queue: 'sales',
        agent_id: 'ana',
        talk_s: 300,
      }),
      interaction({ interaction_id: 'c2', queued_at: utc('2025-06-10 09:00:00'), queue: 'sales', is_abandoned: true }),
    ]);
    engine = await lake.engine();
  });
  afterAll(async () => {
    await engine.close();
    lake.remove();
  });

  it('holds every row of every metric view at a dimension that can attribute its metric, tagged with its family', async () => {
    const stacked = METRIC_FAMILIES.map(
      (family) =>
        `SELECT period_start, grain, dimension, dimension_value, metric, value, unit, CAST(n AS BIGINT) AS n, ci_low, ci_high, '${family}' AS family FROM metrics_${family}`,
    ).join(' UNION ALL ');
    // each metric at the dimensions its catalogue entry can attribute it to
    const expected = (await engine.query(`SELECT * FROM (${stacked}) ${ORDERED}`)).filter(
      (r) =>
        (METRIC_BY_ID.get(String(r.metric))?.dimensions as readonly unknown[] | undefined)?.includes(r.dimension) ??
        true,
    );
    expect(expected.some((r) => r.family === 'surveys')).toBe(true);
    expect(new Set(expected.map((r) => r.family)).size).toBeGreaterThan(1);
    expect(await engine.query(`SELECT * FROM metric_values ${ORDERED}`)).toEqual(expected);
  });

  it('is idempotent: refreshing again leaves the same rows', async () => {
    const before = await engine.query(`SELECT * FROM metric_values ${ORDERED}`);
    const refreshed = await refreshMetricValues(deleteStatementTarget((sql) => engine.exec(sql)));
    expect(refreshed.map((r) => r.family)).toEqual([...METRIC_FAMILIES]);
    expect(await engine.query(`SELECT * FROM metric_values ${ORDERED}`)).toEqual(before);
  });

  it('refreshes one family without touching the others', async () => {
    const counts = 'SELECT family, count(*) AS n FROM metric_values GROUP BY family ORDER BY family';
    const before = await engine.query(counts);
    await engine.exec("DELETE FROM metric_values WHERE family <> 'surveys'");
    await refreshMetricValues(
      deleteStatementTarget((sql) => engine.exec(sql)),
      ['surveys'],
    );
    expect(await engine.query(counts)).toEqual(before.filter((r) => r.family === 'surveys'));
    await refreshMetricValues(deleteStatementTarget((sql) => engine.exec(sql)));
    expect(await engine.query(counts)).toEqual(before);
  });

  it('gives the scorecard the same CSAT the survey view computes', async () => {
    const [view] = await engine.query(
      "SELECT value, n FROM metrics_surveys WHERE metric = 'csat_pct' AND grain = 'month' AND dimension = 'overall'",
    );
    const [scorecard] = await engine.query(
      "SELECT value, n FROM scorecard WHERE metric = 'csat_pct' AND grain = 'month' AND dimension = 'overall'",
    );
    expect(view).toEqual({ value: 100 * (2 / 3), n: 3 });
    expect(scorecard).toEqual(view);
  });
});

describe('refresh on first read', () => {
  let lake: TestLake;
  let engine: DuckDbEngine;
  beforeAll(async () => {
    lake = createTestLake();
    lake.write('survey_responses', [csat('r1', 5)]);
    engine = await lake.engine();
  });
  afterAll(async () => {
    await engine.close();
    lake.remove();
  });

  it('refreshes once, when a query first names a materialised table or a view reading one', async () => {
    const exec = vi.spyOn(engine, 'exec');
    const inserts = () => exec.mock.calls.filter(([sql]) => sql.startsWith('INSERT INTO metric_values')).length;
    await engine.query('SELECT 1 AS one');
    await engine.query('SELECT count(*) AS n FROM metrics_surveys');
    expect(inserts()).toBe(0);
    const [[first], [second]] = await Promise.all([
      engine.query('SELECT count(*) AS n FROM scorecard'),
      engine.query('SELECT count(*) AS n FROM metric_long'),
    ]);
    expect(inserts()).toBe(METRIC_FAMILIES.length);
    expect(first?.n).toBeGreaterThan(0);
    expect(second?.n).toBeGreaterThan(0);
    await engine.query('SELECT count(*) AS n FROM metric_values');
    expect(inserts()).toBe(METRIC_FAMILIES.length);
  });
});

describe('refresh statements', () => {
  it('on DuckDB clears each family with a DELETE on its partitions, then inserts it whole, family by family', async () => {
    const target = recordingTarget();
    await refreshMetricValues(target, ['surveys', 'tickets']);
    expect(target.sent).toEqual([
      "DELETE FROM metric_values WHERE family = 'surveys'",
      metricValuesInsertSql('surveys'),
      "DELETE FROM metric_values WHERE family = 'tickets'",
      metricValuesInsertSql('tickets'),
    ]);
  });

  it('given a query (Trino), asks for the partitions first and writes at most 100 per INSERT', async () => {
    const weeks = Array.from({ length: 130 }, (_, i) => ({
      grain: 'week',
      period_start: addDays('2024-01-01', 7 * i),
    }));
    const months = Array.from({ length: 30 }, (_, i) => ({
      grain: 'month',
      period_start: `${2024 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}-01`,
    }));
    const sent: string[] = [];
    const run = async (sql: string) => {
      sent.push(sql);
      return sql === metricValuesPartitionsSql('surveys') ? [...weeks, ...months] : [];
    };
    const target = deleteStatementTarget(run, run);
    await refreshMetricValues(target, ['surveys']);
    const runs = periodRuns([...weeks, ...months], MAX_PARTITIONS_PER_INSERT);
    expect(runs).toHaveLength(2);
    expect(sent).toEqual([
      metricValuesPartitionsSql('surveys'),
      "DELETE FROM metric_values WHERE family = 'surveys'",
      ...runs.map((periods) => metricValuesInsertSql('surveys', periods)),
    ]);
    expect(sent.at(-2)).toMatch(/\nWHERE period_start <= DATE '\d{4}-\d{2}-\d{2}' AND CASE metric /);
    expect(sent.at(-1)).toMatch(/\nWHERE period_start >= DATE '\d{4}-\d{2}-\d{2}' AND CASE metric /);
  });

  it('on Athena deletes the family folder and drops the partitions the catalog lists before the INSERT', async () => {
    const calls: string[] = [];
    const registered = Array.from({ length: 130 }, (_, i) => ({
      grain: 'week',
      period_start: addDays('2024-01-01', 7 * i),
    }));
    const target = athenaTarget({
      execute: async (sql) => calls.push(sql),
      query: async (sql) => {
        calls.push(sql);
        if (sql.includes('$partitions')) return registered;
        return [{ grain: 'month', period_start: '2025-06-01' }];
      },
      deletePrefix: async (prefix) => {
        calls.push(`delete ${prefix}`);
      },
      location: 's3://curated-bucket/materialised/metric_values/',
    });
    await refreshMetricValues(target, ['quality']);
    const drop = (from: number, to: number) =>
      `ALTER TABLE metric_values DROP IF EXISTS ${registered
        .slice(from, to)
        .map((p) => `PARTITION (family = 'quality', grain = 'week', period_start = '${p.period_start}')`)
        .join(', ')}`;
    expect(calls).toEqual([
      metricValuesPartitionsSql('quality'),
      'delete s3://curated-bucket/materialised/metric_values/family=quality/',
      `SELECT grain, CAST(period_start AS VARCHAR) AS period_start FROM "metric_values$partitions" WHERE family = 'quality'`,
      drop(0, 100),
      drop(100, 130),
      metricValuesInsertSql('quality'),
    ]);
  });

  it('fails naming the family whose write failed, and writes no family after it', async () => {
    const target = recordingTarget('surveys');
    await expect(refreshMetricValues(target, ['tickets', 'surveys', 'quality'])).rejects.toThrow(
      /metric_values family surveys failed: disk full/,
    );
    expect(target.sent.some((sql) => sql.includes("'quality'"))).toBe(false);
  });

  it('fails when asked for a family that does not exist, before writing anything', async () => {
    const target = recordingTarget();
    await expect(refreshMetricValues(target, ['surveys', 'billing' as MetricFamily])).rejects.toThrow(
      /unknown metric families billing/,
    );
    expect(target.sent).toEqual([]);
  });

  it('fails on a partition row that is not a grain and a date, before clearing anything', async () => {
    const sent: string[] = [];
    const run = async (sql: string) => {
      sent.push(sql);
      return sql.startsWith('SELECT DISTINCT') ? [{ grain: 'month', period_start: "2025-06-01' OR 1=1" }] : [];
    };
    const target = deleteStatementTarget(run, run);
    await expect(refreshMetricValues(target, ['social'])).rejects.toThrow(/unexpected partition row/);
    expect(sent.some((sql) => sql.startsWith('DELETE'))).toBe(false);
  });
});

describe('periodRuns', () => {
  const months = (count: number) =>
    Array.from({ length: count }, (_, i) => ({
      grain: 'month',
      period_start: `${2020 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}-01`,
    }));

  it('is one run open both ways when every partition fits, none when there is no partition', () => {
    expect(periodRuns(months(100), 100)).toEqual([{}]);
    expect(periodRuns([], 100)).toEqual([]);
  });

  it('splits consecutive periods so that no run holds more partitions than the limit, open at both ends', () => {
    expect(periodRuns(months(250), 100)).toEqual([
      { to: '2028-04-01' },
      { from: '2028-05-01', to: '2036-08-01' },
      { from: '2036-09-01' },
    ]);
  });

  it('counts a period start once per grain that has it, and never splits one start across runs', () => {
    const both = [...months(60), ...months(60).map((p) => ({ ...p, grain: 'week' }))];
    const runs = periodRuns(both, 100);
    expect(runs).toEqual([{ to: '2024-02-01' }, { from: '2024-03-01' }]);
  });
});

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
