/**
 * survey_alert_answers and its period table survey_alert_answers_by_month, on a lake of curated
 * Parquet: the latest version of each answer naming a customer, in the UTC month of its answer, and
 * the report's alert read from the table giving the alerts the read of the views gives, for a UTC
 * month and for a month in Paris that starts in the last UTC hours of May.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDbEngine } from '../../cli/duckdb.ts';
import type { FollowedAlert } from '../../lambdas/core/alerts/engine.ts';
import { type AlertRange, lakeAlerts } from '../../lambdas/core/alerts/lake.ts';
import { parseConfig } from '../../lambdas/core/config/config.ts';
import { createTestLake, surveyResponse, type TestLake, utc } from '../support/lake.ts';

const CONFIG = { alerts: { rules: [{ name: 'detractors', kind: 'nps_detractor' }] } };
const RULES = parseConfig(CONFIG).alerts.rules;

/** An NPS answer of a customer, answered (and last updated) at `at`, sent five days before. */
function nps(id: string, customer: string | null, score: number, at: string) {
  const answered = utc(at);
  return surveyResponse({
    response_id: id,
    customer_key: customer,
    survey_kind: 'nps',
    score,
    scale_min: 0,
    scale_max: 10,
    sent_at: new Date(answered.getTime() - 5 * 86_400_000),
    responded_at: answered,
    updated_at: answered,
  });
}

const fired = (alerts: readonly FollowedAlert[]) => alerts.map((a) => `${a.source_ref}@${a.alert_at.toISOString()}`);

describe('survey_alert_answers_by_month', () => {
  let lake: TestLake;
  let engine: DuckDbEngine;
  beforeAll(async () => {
    lake = createTestLake();
    lake.write('survey_responses', [
      // Sent in May, answered 30 minutes into June (UTC).
      nps('a1', 'k1', 3, '2025-06-01 00:30:00'),
      // 22:30 UTC on 31 May: still May in UTC, already 1 June in Paris (UTC+2).
      nps('a2', 'k2', 2, '2025-05-31 22:30:00'),
      nps('a3', 'k3', 9, '2025-06-10 12:00:00'),
      // The first instant of July: after a UTC June, and after a Paris June.
      nps('a4', 'k4', 1, '2025-07-01 00:00:00'),
      // No customer: no alert can name it, and the table leaves it out.
      nps('a5', null, 0, '2025-06-11 12:00:00'),
      // A detractor that its source re-rated a day later (below): the latest version is a 9.
      nps('a6', 'k6', 2, '2025-06-05 12:00:00'),
      // No answer time: dated by its last update.
      { ...nps('a7', 'k7', 0, '2025-06-12 08:00:00'), responded_at: null },
    ]);
    lake.write('survey_responses', [
      { ...nps('a6', 'k6', 9, '2025-06-05 12:00:00'), updated_at: utc('2025-06-06 12:00:00') },
    ]);
    engine = await lake.engine(CONFIG);
  });
  afterAll(async () => {
    await engine?.close();
    lake?.remove();
  });

  it("holds each answer naming a customer once, by its latest version, in its answer's UTC month", async () => {
    const rows = await engine.query(
      `SELECT grain, CAST(period_start AS VARCHAR) AS period_start, response_id, score, customer_key
       FROM survey_alert_answers_by_month ORDER BY period_start, response_id`,
    );
    expect(rows).toEqual([
      { grain: 'utc_month', period_start: '2025-05-01', response_id: 'a2', score: 2, customer_key: 'k2' },
      { grain: 'utc_month', period_start: '2025-06-01', response_id: 'a1', score: 3, customer_key: 'k1' },
      { grain: 'utc_month', period_start: '2025-06-01', response_id: 'a3', score: 9, customer_key: 'k3' },
      { grain: 'utc_month', period_start: '2025-06-01', response_id: 'a6', score: 9, customer_key: 'k6' },
      { grain: 'utc_month', period_start: '2025-06-01', response_id: 'a7', score: 0, customer_key: 'k7' },
      { grain: 'utc_month', period_start: '2025-07-01', response_id: 'a4', score: 1, customer_key: 'k4' },
    ]);
  });

  const june: AlertRange = { from: utc('2025-06-01 00:00:00'), to: utc('2025-07-01 00:00:00') };
  const parisJune: AlertRange = { from: utc('2025-05-31 22:00:00'), to: utc('2025-06-30 22:00:00') };

  it.each([
    ['a UTC June', june, ['a1@2025-06-01T00:30:00.000Z', 'a7@2025-06-12T08:00:00.000Z']],
    [
      'a Paris June',
      parisJune,
      ['a2@2025-05-31T22:30:00.000Z', 'a1@2025-06-01T00:30:00.000Z', 'a7@2025-06-12T08:00:00.000Z'],
    ],
  ])('gives the alerts of %s that the views give', async (_, range, expected) => {
    const fromTable = await lakeAlerts(engine, RULES, { ...range, refreshed: true });
    const fromViews = await lakeAlerts(engine, RULES, range);
    expect(fired(fromTable)).toEqual(expected);
    expect(fromTable).toEqual(fromViews);
  });

  it('refuses a refreshed read without both ends of its range', async () => {
    await expect(lakeAlerts(engine, RULES, { from: june.from, refreshed: true })).rejects.toThrow(
      /need a range with a start and an end/,
    );
  });
});
