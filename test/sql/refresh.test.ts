import { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DuckDbEngine } from '../../cli/duckdb.ts';
import { METRIC_BY_ID } from '../../lambdas/core/metrics/catalogue.ts';
import {
  athenaTarget,
  deleteStatementTarget,
  periodRuns,
  type RefreshTarget,
  refreshFamilies,
} from '../../lambdas/core/query/refresh.ts';
import type { SurveyResponse } from '../../lambdas/core/schema/canonical.ts';
import {
  familySlices,
  MAX_PARTITIONS_PER_INSERT,
  METRIC_FAMILIES,
  type MetricFamily,
  metricValuesInsertSql,
  metricValuesPartitionsSql,
  type RefreshSlice,
  SURVEY_ALERT_ANSWERS_BY_MONTH,
  SURVEY_COMMENTS_BY_PERIOD,
  sliceInsertSql,
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
    const refreshed = await refreshFamilies(deleteStatementTarget((sql) => engine.exec(sql)));
    expect(refreshed.map((r) => r.family)).toEqual([...METRIC_FAMILIES]);
    expect(await engine.query(`SELECT * FROM metric_values ${ORDERED}`)).toEqual(before);
  });

  it('refreshes one family without touching the others', async () => {
    const counts = 'SELECT family, count(*) AS n FROM metric_values GROUP BY family ORDER BY family';
    const before = await engine.query(counts);
    await engine.exec("DELETE FROM metric_values WHERE family <> 'surveys'");
    await refreshFamilies(
      deleteStatementTarget((sql) => engine.exec(sql)),
      ['surveys'],
    );
    expect(await engine.query(counts)).toEqual(before.filter((r) => r.family === 'surveys'));
    await refreshFamilies(deleteStatementTarget((sql) => engine.exec(sql)));
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
    // Statements on every connection of the engine: the refresh runs its lanes on connections of their own.
    const run = vi.spyOn(DuckDBConnection.prototype, 'run');
    const inserts = () => run.mock.calls.filter(([sql]) => sql.startsWith('INSERT INTO metric_values')).length;
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
    run.mockRestore();
  });
});

describe('refresh statements', () => {
  it('on DuckDB clears each family with a DELETE on its partitions, then inserts it whole, then the period tables it owns', async () => {
    const target = recordingTarget();
    await refreshFamilies(target, ['surveys', 'tickets']);
    expect(target.sent).toEqual([
      "DELETE FROM metric_values WHERE family = 'surveys'",
      metricValuesInsertSql('surveys'),
      'DELETE FROM survey_comments_by_period WHERE grain IS NOT NULL',
      `INSERT INTO survey_comments_by_period (${SURVEY_COMMENTS_BY_PERIOD.columns.map((c) => c.name).join(', ')})
SELECT ${SURVEY_COMMENTS_BY_PERIOD.columns.map((c) => c.name).join(', ')}
FROM survey_comments`,
      'DELETE FROM survey_alert_answers_by_month WHERE grain IS NOT NULL',
      `INSERT INTO survey_alert_answers_by_month (${SURVEY_ALERT_ANSWERS_BY_MONTH.columns.map((c) => c.name).join(', ')})
SELECT ${SURVEY_ALERT_ANSWERS_BY_MONTH.columns.map((c) => c.name).join(', ')}
FROM survey_alert_answers`,
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
    await refreshFamilies(target, ['surveys']);
    const runs = periodRuns([...weeks, ...months], MAX_PARTITIONS_PER_INSERT);
    expect(runs).toHaveLength(2);
    const comments = familySlices('surveys')[1] as RefreshSlice;
    expect(sent).toEqual([
      metricValuesPartitionsSql('surveys'),
      "DELETE FROM metric_values WHERE family = 'surveys'",
      ...runs.map((periods) => metricValuesInsertSql('surveys', periods)),
      // the comments' and alert answers' views give no partition here: cleared, and nothing to insert
      'SELECT DISTINCT grain, CAST(period_start AS VARCHAR) AS period_start\nFROM survey_comments',
      'DELETE FROM survey_comments_by_period WHERE grain IS NOT NULL',
      'SELECT DISTINCT grain, CAST(period_start AS VARCHAR) AS period_start\nFROM survey_alert_answers',
      'DELETE FROM survey_alert_answers_by_month WHERE grain IS NOT NULL',
    ]);
    expect(sent[2]).toMatch(/\nWHERE period_start <= DATE '\d{4}-\d{2}-\d{2}' AND CASE metric /);
    expect(sent[3]).toMatch(/\nWHERE period_start >= DATE '\d{4}-\d{2}-\d{2}' AND CASE metric /);
    expect(sliceInsertSql(comments, { from: '2025-01-06', to: '2025-06-30' })).toMatch(
      /\nFROM survey_comments\nWHERE period_start >= DATE '2025-01-06' AND period_start <= DATE '2025-06-30'$/,
    );
  });

  it('on Athena deletes the family folder (a period table: its folder) and drops the partitions the catalog lists before the INSERT', async () => {
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
      location: (table) => `s3://curated-bucket/materialised/${table}/`,
    });
    await refreshFamilies(target, ['quality']);
    const drop = (table: string, family: string, from: number, to: number) =>
      `ALTER TABLE ${table} DROP IF EXISTS ${registered
        .slice(from, to)
        .map((p) => `PARTITION (${family}grain = 'week', period_start = '${p.period_start}')`)
        .join(', ')}`;
    const criteria = familySlices('quality')[1] as RefreshSlice;
    expect(criteria.table.name).toBe('qa_criteria_by_period');
    expect(calls).toEqual([
      metricValuesPartitionsSql('quality'),
      'delete s3://curated-bucket/materialised/metric_values/family=quality/',
      `SELECT grain, CAST(period_start AS VARCHAR) AS period_start FROM "metric_values$partitions" WHERE family = 'quality'`,
      drop('metric_values', "family = 'quality', ", 0, 100),
      drop('metric_values', "family = 'quality', ", 100, 130),
      metricValuesInsertSql('quality'),
      'SELECT DISTINCT grain, CAST(period_start AS VARCHAR) AS period_start\nFROM qa_criterion_attainment',
      'delete s3://curated-bucket/materialised/qa_criteria_by_period/',
      'SELECT grain, CAST(period_start AS VARCHAR) AS period_start FROM "qa_criteria_by_period$partitions"',
      drop('qa_criteria_by_period', '', 0, 100),
      drop('qa_criteria_by_period', '', 100, 130),
      sliceInsertSql(criteria),
    ]);
  });

  it('fails naming the family whose write failed, and writes no family after it', async () => {
    const target = recordingTarget('surveys');
    await expect(refreshFamilies(target, ['tickets', 'surveys', 'quality'])).rejects.toThrow(
      /metric_values family surveys failed: disk full/,
    );
    expect(target.sent.some((sql) => sql.includes("'quality'"))).toBe(false);
  });

  it('fails when asked for a family that does not exist, before writing anything', async () => {
    const target = recordingTarget();
    await expect(refreshFamilies(target, ['surveys', 'billing' as MetricFamily])).rejects.toThrow(
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
    await expect(refreshFamilies(target, ['social'])).rejects.toThrow(/unexpected partition row/);
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
