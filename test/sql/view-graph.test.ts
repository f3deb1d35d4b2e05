import { describe, expect, it } from 'vitest';
import { VIEWS, viewSql } from '../../sql/registry.ts';
import { canonicalScans } from '../support/view-graph.ts';

/**
 * Views that scan a canonical table more than once, with the most scans allowed. Each is read only
 * by the refresh of metric_values (one INSERT per family) or by one report query, never by the
 * scorecard; a change that adds a scan fails here, one that removes scans passes.
 */
const SCANS_ALLOWED: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  ticket_stats: { interactions: 2, survey_responses: 2 },
  metrics_tickets: { interactions: 2, survey_responses: 2 },
  qa_criterion_attainment: { qa_evaluations: 2 },
  metrics_social: { social_mentions: 8 },
  metrics_retention: { customer_activity: 6 },
  metrics_employee: { employee_pulse: 2 },
  drivers: { survey_responses: 4, interactions: 4, employee_pulse: 3 },
  // Its own experience families read the answers, and interaction_facts reads them for FCR evidence.
  service_retention: { survey_responses: 2 },
};

describe('canonical table scans of the view graph', () => {
  it('counts a CTE once per reference and a view through its own references, ignoring comments', () => {
    const sql = `-- FROM interactions in a comment is no scan
      WITH a AS (SELECT * FROM interactions_latest), b AS (SELECT * FROM a JOIN survey_responses USING (source))
      SELECT * FROM a JOIN b USING (source) CROSS JOIN (SELECT 1 FROM a) AS c`;
    expect(Object.fromEntries(canonicalScans(sql))).toEqual({ interactions: 3, survey_responses: 1 });
  });

  it('has the scorecard and metric_long scan no canonical table: they read the materialised metric_values', () => {
    expect(canonicalScans(viewSql('scorecard')).size).toBe(0);
    expect(canonicalScans('SELECT * FROM scorecard JOIN metric_long USING (metric)').size).toBe(0);
  });

  it.each(VIEWS.map((v) => v.name))('%s scans each canonical table at most as often as allowed', (name) => {
    const scans = Object.fromEntries(canonicalScans(viewSql(name)));
    const allowed = SCANS_ALLOWED[name] ?? {};
    for (const [table, n] of Object.entries(scans))
      expect(n, `${name} scans ${table}`).toBeLessThanOrEqual(allowed[table] ?? 1);
  });
});
