/**
 * The views the report reads besides the scorecard, on hand-computed fixtures written to a lake as
 * curated Parquet partitions: qa_criterion_attainment, survey_comments, ingestion_sources.
 */
import { describe, expect, it } from 'vitest';
import { type IngestionAudit, type QaEvaluation, TABLES } from '../../lambdas/core/schema/canonical.ts';
import { blankRow } from '../../lambdas/core/schema/derive.ts';
import { viewSql } from '../../sql/registry.ts';
import { surveyResponse, utc, viewRows } from '../support/lake.ts';

function answer(
  overrides: Partial<QaEvaluation> & { evaluation_id: string; criterion: string; points: number | null },
): QaEvaluation {
  const at = overrides.evaluated_at ?? utc('2025-06-02 10:00:00');
  return {
    ...blankRow('qa_evaluations'),
    source: 'qa-csv',
    evaluation_kind: 'internal_qa',
    agent_id: 'a1',
    team: 't1',
    scorecard: 'calls',
    section: 'core',
    max_points: 10,
    weight: 1,
    evaluated_at: at,
    updated_at: at,
    ingested_at: utc('2025-07-01 00:00:00'),
    ...overrides,
  } as QaEvaluation;
}

// June 2025, criterion c1 (out of 10):
//   e1 (a1, t1, Mon 2 Jun) 8            e2 (a2, t1, 3 Jun) first 5, re-scored 10 a day later
//   e3 (a1, t1, Mon 30 Jun 23:30) 6     the other source's e1 (a3, no team, 2 Jun, section "opening") 10
// e4 (a1, Tue 1 Jul 00:30) 2 -> July, and the ISO week of 30 Jun with e3: (0.6 + 0.2) / 2 = 40.
// -> month overall: (0.8 + 1 + 0.6 + 1) / 4 = 85 over 4 evaluations; week of 2 Jun: (0.8 + 1 + 1) / 3;
//    team t1: (0.8 + 1 + 0.6) / 3 = 80; agent a2: 100 (its latest version).
// c2 (critical, 4/5) on e1 -> 80 with one critical miss.
// Never scored: c3 N/A on e1, c4 with no points available on e1.
const e2First = answer({
  evaluation_id: 'e2',
  criterion: 'c1',
  points: 5,
  agent_id: 'a2',
  evaluated_at: utc('2025-06-03 10:00:00'),
});
const QA_ROWS: QaEvaluation[] = [
  answer({ evaluation_id: 'e1', criterion: 'c1', points: 8 }),
  answer({ evaluation_id: 'e1', criterion: 'c2', points: 4, max_points: 5, is_critical: true }),
  answer({ evaluation_id: 'e1', criterion: 'c3', points: null, is_na: true, is_critical: true }),
  answer({ evaluation_id: 'e1', criterion: 'c4', points: 0, max_points: 0 }),
  answer({ evaluation_id: 'e3', criterion: 'c1', points: 6, evaluated_at: utc('2025-06-30 23:30:00') }),
  answer({ evaluation_id: 'e4', criterion: 'c1', points: 2, evaluated_at: utc('2025-07-01 00:30:00') }),
  answer({
    source: 'zendesk-qa',
    evaluation_id: 'e1',
    criterion: 'c1',
    points: 10,
    agent_id: 'a3',
    team: null,
    section: 'opening',
  }),
];
const e2Rescored = { ...e2First, points: 10, updated_at: utc('2025-06-04 10:00:00') };

const criterionKey = (r: Record<string, unknown>) =>
  `${r.grain}|${r.period_start}|${r.dimension}|${r.dimension_value}|${r.criterion}`;

interface CriterionRow {
  readonly section: string;
  readonly evaluations: number;
  readonly score_pct: number;
  readonly critical_misses: number;
}

describe('qa_criterion_attainment', () => {
  const criteria = viewRows<CriterionRow>(
    'qa_criterion_attainment',
    (lake) => {
      lake.write('qa_evaluations', [...QA_ROWS, e2First]);
      lake.write('qa_evaluations', [e2Rescored]);
    },
    criterionKey,
  );

  it('averages the latest scored answers of a criterion over the month, every answer once', () => {
    expect(criteria.row('month|2025-06-01|overall|all|c1')).toEqual({
      period_start: '2025-06-01',
      grain: 'month',
      dimension: 'overall',
      dimension_value: 'all',
      criterion: 'c1',
      section: 'opening',
      evaluations: 4,
      score_pct: 85,
      critical_misses: 0,
    });
    expect(criteria.row('month|2025-07-01|overall|all|c1')).toMatchObject({ evaluations: 1, score_pct: 20 });
  });

  it('dates answers by the UTC day of evaluated_at, in months and ISO weeks', () => {
    const week = criteria.row('week|2025-06-02|overall|all|c1');
    expect(week.evaluations).toBe(3);
    expect(week.score_pct).toBeCloseTo(280 / 3, 9);
    // the ISO week of Monday 30 June spans both months: e3 (30 Jun) and e4 (1 Jul)
    expect(criteria.row('week|2025-06-30|overall|all|c1')).toMatchObject({ evaluations: 2, score_pct: 40 });
  });

  it('has rows per team, agent and source, none for an unknown team, and the re-scored version only', () => {
    expect(criteria.row('month|2025-06-01|team|t1|c1')).toMatchObject({ evaluations: 3, score_pct: 80 });
    expect(criteria.row('month|2025-06-01|agent|a2|c1')).toMatchObject({ evaluations: 1, score_pct: 100 });
    expect(criteria.row('month|2025-06-01|source|zendesk-qa|c1')).toMatchObject({ evaluations: 1, score_pct: 100 });
    expect(criteria.keys().filter((k) => k.includes('|team|') && !k.includes('|team|t1|'))).toEqual([]);
  });

  it('counts critical answers below full points, and leaves out N/A and zero-point criteria', () => {
    expect(criteria.row('month|2025-06-01|overall|all|c2')).toMatchObject({
      evaluations: 1,
      score_pct: 80,
      critical_misses: 1,
    });
    expect(criteria.keys().filter((k) => k.endsWith('|c3') || k.endsWith('|c4'))).toEqual([]);
  });
});

interface CommentRow {
  readonly comment: string;
  readonly grain: string;
  readonly period_start: string;
  readonly score: number;
}

describe('survey_comments', () => {
  // One row per answer and period; keyed by answer and grain.
  const comments = viewRows<CommentRow>(
    'survey_comments',
    (lake) => {
      lake.write('survey_responses', [
        surveyResponse({
          response_id: 'answered',
          comment: 'answered',
          sent_at: utc('2025-05-28 09:00:00'),
          responded_at: utc('2025-06-02 09:00:00'),
        }),
        surveyResponse({
          response_id: 'sent-only',
          comment: 'sent only',
          sent_at: utc('2025-06-30 09:00:00'),
          responded_at: null,
          updated_at: utc('2025-07-09 09:00:00'),
        }),
        surveyResponse({
          response_id: 'no-times',
          comment: 'no times',
          sent_at: null,
          responded_at: null,
          updated_at: utc('2025-07-04 09:00:00'),
        }),
        surveyResponse({ response_id: 'no-comment', comment: null }),
        surveyResponse({ response_id: 'offer', comment: 'offer', score: null }),
        surveyResponse({ response_id: 'edited', comment: 'first words', score: 2 }),
      ]);
      lake.write('survey_responses', [
        surveyResponse({ response_id: 'edited', comment: 'second words', updated_at: utc('2025-06-20 09:00:00') }),
      ]);
    },
    (r) => `${String(r.response_id)}|${String(r.grain)}`,
  );
  const periodOf = (id: string, grain: string) => String(comments.row(`${id}|${grain}`).period_start).slice(0, 10);

  it('dates an answer by responded_at, else sent_at, else updated_at, in each period metrics_surveys counts it in', () => {
    // sent in May, answered 2 June: June, Q2, the ISO week of Monday 2 June
    expect(periodOf('answered', 'month')).toBe('2025-06-01');
    expect(periodOf('answered', 'week')).toBe('2025-06-02');
    expect(periodOf('answered', 'quarter')).toBe('2025-04-01');
    expect(periodOf('answered', 'year')).toBe('2025-01-01');
    // no answer time: sent 30 June (not updated 9 July)
    expect(periodOf('sent-only', 'month')).toBe('2025-06-01');
    // neither: updated 4 July
    expect(periodOf('no-times', 'month')).toBe('2025-07-01');
    expect(periodOf('no-times', 'quarter')).toBe('2025-07-01');
  });

  it('keeps scored, commented answers only, each in its latest version', () => {
    const answers = [...new Set(comments.keys().map((k) => k.split('|')[0]))].sort();
    expect(answers).toEqual(['answered', 'edited', 'no-times', 'sent-only']);
    expect(comments.row('edited|month')).toMatchObject({ comment: 'second words', score: 5 });
  });
});

function audit(overrides: Partial<IngestionAudit> & { source: string; object_key: string }): IngestionAudit {
  const at = overrides.started_at ?? utc('2025-06-01 02:00:00');
  return {
    object_sha256: 'a'.repeat(64),
    landed_at: at,
    rows_read: 10,
    rows_accepted: 9,
    rows_rejected: 1,
    file_error: null,
    started_at: at,
    duration_ms: 1000,
    normaliser_version: '0.1.0',
    ...overrides,
  } as IngestionAudit;
}

describe('ingestion_sources', () => {
  const sources = viewRows<Record<string, unknown>>(
    'ingestion_sources',
    (lake) => {
      lake.write('ingestion_audit', [
        audit({ source: 'connect', object_key: 'connect/a.json' }),
        audit({
          source: 'connect',
          object_key: 'connect/b.json',
          rows_read: 5,
          rows_accepted: 5,
          rows_rejected: 0,
          started_at: utc('2025-06-02 02:00:00'),
        }),
        audit({
          source: 'surveys',
          object_key: 'surveys/x.csv',
          rows_read: 0,
          rows_accepted: 0,
          rows_rejected: 0,
          file_error: 'no header row',
        }),
      ]);
      // connect/a.json ingested again (same landing, a later run) with every row accepted
      lake.write('ingestion_audit', [
        audit({
          source: 'connect',
          object_key: 'connect/a.json',
          landed_at: utc('2025-06-01 02:00:00'),
          rows_accepted: 10,
          rows_rejected: 0,
          started_at: utc('2025-06-03 02:00:00'),
        }),
      ]);
    },
    (r) => String(r.source),
  );

  it('sums the latest run over each object per source, with the latest run time', () => {
    expect(sources.row('connect')).toEqual({
      source: 'connect',
      files: 2,
      rows_read: 15,
      rows_accepted: 15,
      rows_rejected: 0,
      files_rejected: 0,
      last_ingested: '2025-06-03T02:00:00.000Z',
    });
  });

  it('counts files rejected whole', () => {
    expect(sources.row('surveys')).toMatchObject({ files: 1, rows_read: 0, files_rejected: 1 });
  });
});

describe('qa_criterion_attainment versions', () => {
  it('orders the versions of an answer as qa_evaluations_latest does, within its partition', () => {
    const def = TABLES.qa_evaluations;
    const sql = viewSql('qa_criterion_attainment').replace(/\s+/g, ' ');
    expect(sql).toContain(`PARTITION BY ${def.key.join(', ')}, dt`);
    expect(sql).toContain(`ORDER BY ${def.versionBy.map((c) => `${c} DESC NULLS LAST`).join(', ')} )`);
  });
});
