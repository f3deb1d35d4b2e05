import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DuckDbEngine, openLakeEngine } from '../../cli/duckdb.ts';
import { parseConfig } from '../../lambdas/core/config/config.ts';
import type { Interaction, QaEvaluation, SocialMention } from '../../lambdas/core/schema/canonical.ts';
import { createTestLake, interaction, surveyResponse, type TestLake, utc } from '../support/lake.ts';

/**
 * Periods in the reporting zone, hand-computed. New York is UTC-5 (EST) and UTC-4 (EDT, from
 * 2025-03-09 07:00 UTC to 2025-11-02 06:00 UTC); Paris is UTC+1 and UTC+2 (CEST, from 2025-03-30
 * 01:00 UTC). Team "paris" reports in Paris, every other row in New York.
 */
const CONFIG = {
  reporting: { timeZone: 'America/New_York', teams: { paris: { timeZone: 'Europe/Paris' } } },
};
/** A range and the equal-length range before it, as a report over 16-30 June asks for them. */
const RANGES = [
  { start: '2025-06-16', end: '2025-06-30' },
  { start: '2025-06-01', end: '2025-06-15' },
];

const contact = (id: string, at: string, o: Partial<Interaction> = {}): Interaction =>
  interaction({
    interaction_id: id,
    channel: 'chat',
    created_at: utc(at),
    answered_at: utc(at),
    agent_id: 'A1',
    is_transfer: false,
    ingested_at: utc('2025-12-31 00:00:00'),
    ...o,
  });

const contacts: Interaction[] = [
  // 23:30 EDT on 30 June is 03:30 UTC on 1 July: June, Q2, the range of 16-30 June.
  contact('june-night', '2025-07-01 03:30:00', { is_transfer: true }),
  // an hour later it is 00:30 EDT on 1 July: July, Q3.
  contact('july-first', '2025-07-01 04:30:00'),
  // 23:30 UTC on 31 March: 19:30 EDT on 31 March in New York (March, Q1), 01:30 CEST on 1 April
  // in Paris (April, Q2). 31 March is a Monday: both are in the week of 2025-03-31.
  contact('march-ny', '2025-03-31 23:30:00'),
  contact('april-paris', '2025-03-31 23:30:00', { team: 'paris' }),
  // Spring forward, Sunday 9 March: 02:00 EST jumps to 03:00 EDT at 07:00 UTC.
  contact('before-night', '2025-03-09 04:59:00'), // 23:59 EST on Saturday 8 March
  contact('before-switch', '2025-03-09 06:59:00'), // 01:59 EST on 9 March
  contact('at-switch', '2025-03-09 07:00:00'), // 03:00 EDT on 9 March
  contact('sunday-late', '2025-03-10 03:59:00'), // 23:59 EDT on Sunday 9 March: week of 3 March
  contact('monday', '2025-03-10 04:00:00'), // 00:00 EDT on Monday 10 March: week of 10 March
  // Fall back, Sunday 2 November: 02:00 EDT goes back to 01:00 EST at 06:00 UTC.
  contact('halloween', '2025-11-01 03:30:00'), // 23:30 EDT on 31 October: October
  contact('first-0130', '2025-11-02 05:30:00'), // 01:30 EDT
  contact('second-0130', '2025-11-02 06:30:00'), // 01:30 EST, the repeated hour
  contact('sunday-est', '2025-11-03 04:30:00'), // 23:30 EST on Sunday 2 November: week of 27 October
  contact('monday-est', '2025-11-03 05:00:00'), // 00:00 EST on Monday 3 November
  // 22:00 EST on 31 December 2024: 2024, Q4, the week of Monday 30 December 2024.
  contact('new-year-eve', '2025-01-01 03:00:00'),
  // In the earlier range (1-15 June): 2 handled, 1 transferred. In the later one: june-night
  // (transferred) and late-june, 1 of 2; the ticket created in May and resolved in it is in the
  // range's resolution figures only.
  contact('early-june-1', '2025-06-10 12:00:00', { is_transfer: true }),
  contact('early-june-2', '2025-06-15 23:00:00'), // 19:00 EDT on 15 June
  contact('late-june', '2025-06-16 04:30:00'), // 00:30 EDT on 16 June
  contact('may-ticket', '2025-05-20 12:00:00', {
    channel: 'email',
    status: 'resolved',
    resolved_at: utc('2025-06-20 12:00:00'),
  }),
];

describe('local periods of contacts (interaction_slices)', () => {
  let lake: TestLake;
  let engine: DuckDbEngine;
  const slices = async (grain: string) =>
    Object.fromEntries(
      (
        await engine.query<{ id: string; created: string | null; resolved: string | null }>(
          `SELECT interaction_id AS id, CAST(created_period AS VARCHAR) AS created,
                  CAST(resolved_period AS VARCHAR) AS resolved
           FROM interaction_slices WHERE grain = :grain AND dimension = 'overall'`,
          { grain },
        )
      ).map((r) => [r.id, r.resolved === null ? r.created : `${r.created} / resolved ${r.resolved}`]),
    );

  beforeAll(async () => {
    lake = createTestLake();
    lake.write('interactions', contacts);
    engine = await openLakeEngine({ lakeDir: lake.dir, config: parseConfig(CONFIG), ranges: RANGES });
  });
  afterAll(async () => {
    await engine.close();
    lake.remove();
  });

  it('reads each contact on its local clock, either side of both DST switches', async () => {
    const rows = await engine.query<{ id: string; local: string }>(
      `SELECT interaction_id AS id, CAST(created_local_at AS VARCHAR) AS local FROM interaction_slices
       WHERE grain = 'month' AND dimension = 'overall'`,
    );
    expect(Object.fromEntries(rows.map((r) => [r.id, r.local]))).toMatchObject({
      'june-night': '2025-06-30 23:30:00',
      'july-first': '2025-07-01 00:30:00',
      'march-ny': '2025-03-31 19:30:00',
      'april-paris': '2025-04-01 01:30:00',
      'before-night': '2025-03-08 23:59:00',
      'before-switch': '2025-03-09 01:59:00',
      'at-switch': '2025-03-09 03:00:00',
      'sunday-late': '2025-03-09 23:59:00',
      monday: '2025-03-10 00:00:00',
      halloween: '2025-10-31 23:30:00',
      'first-0130': '2025-11-02 01:30:00',
      'second-0130': '2025-11-02 01:30:00',
      'sunday-est': '2025-11-02 23:30:00',
      'monday-est': '2025-11-03 00:00:00',
      'new-year-eve': '2024-12-31 22:00:00',
    });
  });

  it('dates months and quarters by the local date, in the team zone where the team has one', async () => {
    expect(await slices('month')).toMatchObject({
      'june-night': '2025-06-01',
      'july-first': '2025-07-01',
      'march-ny': '2025-03-01',
      'april-paris': '2025-04-01',
      halloween: '2025-10-01',
      'first-0130': '2025-11-01',
      'new-year-eve': '2024-12-01',
      'may-ticket': '2025-05-01 / resolved 2025-06-01',
    });
    expect(await slices('quarter')).toMatchObject({
      'june-night': '2025-04-01',
      'july-first': '2025-07-01',
      'march-ny': '2025-01-01',
      'april-paris': '2025-04-01',
      halloween: '2025-10-01',
      'new-year-eve': '2024-10-01',
    });
    expect(await slices('year')).toMatchObject({ 'june-night': '2025-01-01', 'new-year-eve': '2024-01-01' });
  });

  it('starts ISO weeks on the local Monday', async () => {
    expect(await slices('week')).toMatchObject({
      'march-ny': '2025-03-31',
      'april-paris': '2025-03-31',
      'before-night': '2025-03-03',
      'before-switch': '2025-03-03',
      'at-switch': '2025-03-03',
      'sunday-late': '2025-03-03',
      monday: '2025-03-10',
      'sunday-est': '2025-10-27',
      'monday-est': '2025-11-03',
      'new-year-eve': '2024-12-30',
    });
  });

  it('gives the rows of a custom range, created or resolved in it', async () => {
    expect(await slices('range')).toEqual({
      'early-june-1': '2025-06-01',
      'early-june-2': '2025-06-01',
      'june-night': '2025-06-16',
      'late-june': '2025-06-16',
      // created in May, before either range; resolved in the later one
      'may-ticket': 'null / resolved 2025-06-16',
    });
  });

  it('counts a range in the contact-centre metrics, by creation only', async () => {
    const rows = await engine.query(
      `SELECT CAST(period_start AS VARCHAR) AS period, value, n FROM metrics_contact_centre
       WHERE grain = 'range' AND metric = 'transfer_rate' AND dimension = 'overall' ORDER BY period`,
    );
    expect(rows).toEqual([
      { period: '2025-06-01', value: 50, n: 2 },
      { period: '2025-06-16', value: 50, n: 2 },
    ]);
  });

  it('gives no period-less ticket group to a ticket created before a range and resolved in it', async () => {
    const rows = await engine.query(
      `SELECT CAST(period_start AS VARCHAR) AS period, count(*) AS n FROM ticket_stats
       WHERE grain = 'range' GROUP BY 1 ORDER BY 1 NULLS FIRST`,
    );
    // may-ticket is resolved in the later range but created before both: it has no created period,
    // so it adds no group of its own (it added one with a NULL period_start).
    expect(rows.map((r) => r.period)).toEqual(['2025-06-01', '2025-06-16']);
  });

  it('pairs a range with the equal-length range before it, a quarter with the quarter before', async () => {
    const rows = await engine.query(
      `SELECT grain, CAST(period_start AS VARCHAR) AS period, value, prev_value, n FROM scorecard
       WHERE metric = 'transfer_rate' AND dimension = 'channel' AND dimension_value = 'chat'
         AND grain IN ('range', 'quarter', 'year') ORDER BY grain, period`,
    );
    // quarters: Q4 2024 new-year-eve (0/1); Q1 2025: the five around the spring switch and
    // march-ny (0/6);
    // Q2: april-paris, early-june-1 (transferred), early-june-2, late-june, june-night
    // (transferred): 2/5; Q3: july-first (0/1); Q4: halloween and the four November ones (0/5).
    expect(rows).toEqual([
      { grain: 'quarter', period: '2024-10-01', value: 0, prev_value: null, n: 1 },
      { grain: 'quarter', period: '2025-01-01', value: 0, prev_value: 0, n: 6 },
      { grain: 'quarter', period: '2025-04-01', value: 40, prev_value: 0, n: 5 },
      { grain: 'quarter', period: '2025-07-01', value: 0, prev_value: 40, n: 1 },
      { grain: 'quarter', period: '2025-10-01', value: 0, prev_value: 0, n: 5 },
      { grain: 'range', period: '2025-06-01', value: 50, prev_value: null, n: 2 },
      { grain: 'range', period: '2025-06-16', value: 50, prev_value: 50, n: 2 },
      { grain: 'year', period: '2024-01-01', value: 0, prev_value: null, n: 1 },
      { grain: 'year', period: '2025-01-01', value: 100 * (2 / 17), prev_value: 0, n: 17 },
    ]);
  });
});

describe('local periods of answers, evaluations, posts and pulses', () => {
  let lake: TestLake;
  let engine: DuckDbEngine;
  const periods = async (view: string, metric: string, dimension = 'overall', value = 'all') =>
    (
      await engine.query<{ period: string; n: number }>(
        `SELECT CAST(period_start AS VARCHAR) AS period, n FROM ${view}
         WHERE grain = 'month' AND metric = :metric AND dimension = :dimension AND dimension_value = :value
         ORDER BY period`,
        { metric, dimension, value },
      )
    ).map((r) => `${r.period}: ${r.n}`);

  const evaluation = (id: string, team: string | null): QaEvaluation => ({
    source: 'qa-csv',
    evaluation_id: id,
    evaluation_kind: 'internal_qa',
    interaction_id: null,
    agent_id: 'a1',
    team,
    evaluator: 'reviewer',
    scorecard: 'calls',
    section: 'core',
    criterion: 'greeting',
    points: 1,
    max_points: 1,
    weight: 1,
    is_critical: false,
    is_na: false,
    evaluated_at: utc('2025-07-01 03:30:00'),
    updated_at: utc('2025-07-01 03:30:00'),
    ingested_at: utc('2025-07-15 00:00:00'),
  });
  const post = (id: string, at: string): SocialMention => ({
    source: 'twitter',
    mention_id: id,
    platform: 'twitter',
    author_key: 'customer',
    text: null,
    sentiment_label: 'positive',
    sentiment_score: null,
    in_reply_to: null,
    is_brand_reply: false,
    brand_replied_at: null,
    posted_at: utc(at),
    updated_at: utc(at),
    ingested_at: utc('2025-07-15 00:00:00'),
  });

  beforeAll(async () => {
    lake = createTestLake();
    // 03:30 UTC on 1 July: 23:30 EDT on 30 June in New York, 05:30 CEST on 1 July in Paris.
    lake.write('survey_responses', [
      surveyResponse({ response_id: 's-ny', responded_at: utc('2025-07-01 03:30:00') }),
      surveyResponse({ response_id: 's-paris', team: 'paris', responded_at: utc('2025-07-01 03:30:00') }),
    ]);
    lake.write('qa_evaluations', [evaluation('e-ny', null), evaluation('e-paris', 'paris')]);
    lake.write('social_mentions', [post('p-june', '2025-07-01 03:30:00'), post('p-july', '2025-07-01 04:30:00')]);
    // A survey period is a date, not an instant: 1 June stays in June (and in Q2) in New York,
    // where its UTC midnight is 20:00 on 31 May.
    lake.write('employee_pulse', [
      {
        source: 'pulse',
        response_id: 'x1',
        team: null,
        period: utc('2025-06-01 00:00:00'),
        question_kind: 'enps',
        score: 10,
        scale_min: 0,
        scale_max: 10,
        ingested_at: utc('2025-06-20 00:00:00'),
      },
    ]);
    engine = await openLakeEngine({ lakeDir: lake.dir, config: parseConfig(CONFIG) });
  });
  afterAll(async () => {
    await engine.close();
    lake.remove();
  });

  it('dates survey answers on the local date of their team zone', async () => {
    expect(await periods('metrics_surveys', 'csat_pct')).toEqual(['2025-06-01: 1', '2025-07-01: 1']);
    expect(await periods('metrics_surveys', 'csat_pct', 'team', 'paris')).toEqual(['2025-07-01: 1']);
  });

  it('dates QA evaluations and their criteria on the local date of their team zone', async () => {
    expect(await periods('metrics_quality', 'qa_score')).toEqual(['2025-06-01: 1', '2025-07-01: 1']);
    expect(await periods('metrics_quality', 'qa_score', 'team', 'paris')).toEqual(['2025-07-01: 1']);
    const criteria = await engine.query(
      `SELECT CAST(period_start AS VARCHAR) AS period, evaluations FROM qa_criterion_attainment
       WHERE grain = 'quarter' AND dimension = 'overall' ORDER BY period`,
    );
    expect(criteria).toEqual([
      { period: '2025-04-01', evaluations: 1 },
      { period: '2025-07-01', evaluations: 1 },
    ]);
  });

  it('dates posts in the reporting zone', async () => {
    expect(await periods('metrics_social', 'social_volume')).toEqual(['2025-06-01: 1', '2025-07-01: 1']);
  });

  it('keeps a pulse in its own survey period, never shifted by the zone', async () => {
    expect(await periods('metrics_employee', 'enps')).toEqual(['2025-06-01: 1']);
  });
});
