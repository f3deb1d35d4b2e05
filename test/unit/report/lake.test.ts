/**
 * The report against the real views: a lake of curated Parquet, the local engine with every view
 * of the registry, and each statement the report sends checked as Trino SQL for Athena.
 */
import { TrinoSQL } from 'dt-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDbEngine } from '../../../cli/duckdb.ts';
import { parseConfig } from '../../../lambdas/core/config/config.ts';
import type { QueryEngine, SqlValue } from '../../../lambdas/core/query/engine.ts';
import type { SurveyResponse } from '../../../lambdas/core/schema/canonical.ts';
import { columnsOf } from '../../../lambdas/core/schema/derive.ts';
import { parsePeriod } from '../../../lambdas/core/time/periods.ts';
import { buildReportData, type ReportData } from '../../../lambdas/report/data.ts';
import { renderHtml } from '../../../lambdas/report/html.ts';
import { MATERIALISED_TABLES } from '../../../sql/materialised.ts';
import { VIEWS } from '../../../sql/registry.ts';
import { createTestLake, type TestLake, utc } from '../../support/lake.ts';

const NULLS = Object.fromEntries(
  columnsOf('survey_responses')
    .filter((c) => c.nullable)
    .map((c) => [c.name, null]),
);

function csat(id: string, score: number, respondedAt: string, comment: string | null = null): SurveyResponse {
  return {
    ...NULLS,
    source: 'surveys',
    response_id: id,
    survey_kind: 'csat',
    score,
    scale_min: 1,
    scale_max: 5,
    higher_is_better: true,
    team: 'Billing',
    channel: 'chat',
    sent_at: utc(respondedAt),
    responded_at: utc(respondedAt),
    comment,
    updated_at: utc(respondedAt),
    ingested_at: utc('2025-07-01 00:00:00'),
  } as SurveyResponse;
}

/** A CSAT target, and an alert rule so the closed-loop section reads too. */
const CONFIG = {
  targets: [{ metric: 'csat_pct', goal: 85 }],
  alerts: { rules: [{ name: 'bottom-box', kind: 'csat_bottom_box' }] },
};

/** Passes every statement to the real engine and keeps its text, to check it as Trino SQL. */
class RecordingEngine implements QueryEngine {
  readonly statements: string[] = [];
  constructor(private readonly inner: QueryEngine) {}
  query<T = Record<string, SqlValue>>(sql: string, params?: Readonly<Record<string, SqlValue>>): Promise<T[]> {
    this.statements.push(sql);
    return this.inner.query<T>(sql, params);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

describe('the report over the lake views', () => {
  let lake: TestLake;
  let engine: DuckDbEngine;
  let recording: RecordingEngine;
  let data: ReportData;
  beforeAll(async () => {
    lake = createTestLake();
    const june = Array.from({ length: 40 }, (_, i) =>
      csat(
        `j${i}`,
        i < 36 ? 5 : 1,
        `2025-06-${String(1 + (i % 28)).padStart(2, '0')} 10:00:00`,
        i === 0
          ? 'Quick and friendly answer, my refund was sorted the same day.'
          : i === 39
            ? 'Waited far too long on hold and nobody called me back as promised.'
            : null,
      ),
    );
    const may = Array.from({ length: 40 }, (_, i) =>
      csat(`m${i}`, i < 24 ? 4 : 2, `2025-05-${String(1 + (i % 28)).padStart(2, '0')} 10:00:00`),
    );
    lake.write('survey_responses', [...june, ...may]);
    lake.write('ingestion_audit', [
      {
        source: 'surveys',
        object_key: 'surveys/2025/06/export.csv',
        object_sha256: 'b'.repeat(64),
        landed_at: utc('2025-06-30 23:00:00'),
        rows_read: 82,
        rows_accepted: 80,
        rows_rejected: 2,
        file_error: null,
        started_at: utc('2025-07-01 00:00:00'),
        duration_ms: 40,
        normaliser_version: '0.1.0',
      },
    ]);
    engine = await lake.engine(CONFIG);
    recording = new RecordingEngine(engine);
    data = await buildReportData(recording, {
      period: parsePeriod('2025-06'),
      config: parseConfig(CONFIG),
    });
  });
  afterAll(async () => {
    await engine?.close();
    lake?.remove();
  });

  it('reads the CSAT tile from the scorecard view with its target, previous month and significance', () => {
    const row = data.kpis.find((k) => k.metric === 'csat_pct')?.row;
    expect(row).toMatchObject({ value: 90, n: 40, target: 85, rag: 'green', prev_value: 60, change_significant: true });
    expect(row?.delta).toBeCloseTo(30, 9);
  });

  it('reads comments from survey_comments_by_period and sources from ingestion_sources', () => {
    expect(data.voice.commented).toBe(2);
    expect(data.voice.quotes.positive.map((q) => q.score)).toEqual([5]);
    expect(data.quality.sources).toEqual([
      {
        source: 'surveys',
        files: 1,
        rows_read: 82,
        rows_accepted: 80,
        rows_rejected: 2,
        files_rejected: 0,
        last_ingested: '2025-07-01T00:00:00.000Z',
      },
    ]);
    expect(renderHtml(data)).toContain('<strong>2 rejected</strong>');
  });

  it('sends only statements that parse as Trino SQL once parameters are positional', () => {
    expect(recording.statements.length).toBeGreaterThanOrEqual(5);
    const parser = new TrinoSQL();
    for (const sql of recording.statements) {
      const positional = sql.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '?');
      expect(parser.validate(positional), sql).toEqual([]);
    }
  });

  it('reads registered views and materialised tables only, one per statement, with no join, grouping or subquery', () => {
    const views = new Set([...VIEWS.map((v) => v.name), ...MATERIALISED_TABLES.map((t) => t.name)]);
    const read = recording.statements.map((sql) => {
      // A `:from` parameter is no FROM clause.
      const relations = [...sql.matchAll(/(?<!:)\b(?:FROM|JOIN)\s+(\w+)/gi)].map((m) => m[1]);
      expect(sql).not.toMatch(/\b(JOIN|GROUP BY|HAVING)\b|\(\s*SELECT/i);
      expect(relations, sql).toHaveLength(1);
      return relations[0] ?? '';
    });
    expect(read.filter((name) => !views.has(name))).toEqual([]);
    expect([...new Set(read)].sort()).toEqual([
      'contact_centre_intervals',
      'ingestion_audit_latest',
      'ingestion_sources',
      'interactions_latest',
      'qa_criteria_by_period',
      'scorecard',
      'service_retention_by_period',
      'survey_alert_answers_by_month',
      'survey_comments_by_period',
    ]);
  });
});
