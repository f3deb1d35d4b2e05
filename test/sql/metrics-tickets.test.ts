import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDbEngine } from '../../cli/duckdb.ts';
import type { Interaction, SurveyResponse } from '../../lambdas/core/schema/canonical.ts';
import { createTestLake, interaction, plus, surveyResponse, type TestLake, utc } from '../support/lake.ts';
import { wilson } from '../support/stats.ts';

// A helpdesk that records escalations (Zendesk with escalation tags configured): each ticket says.
const ticket = (id: string, created: string, o: Partial<Interaction> = {}): Interaction =>
  interaction({
    interaction_id: id,
    source: 'zendesk',
    channel: 'email',
    created_at: utc(created),
    is_escalated: false,
    ...o,
  });

const tickets: Interaction[] = [
  ticket('t1', '2025-06-02 10:00:00', {
    agent_id: 'A1',
    agent_replies: 2,
    first_response_at: utc('2025-06-02 10:10:00'),
    status: 'resolved',
    resolved_at: utc('2025-06-02 11:00:00'),
    reopen_count: 0,
    sla_first_response_target_s: 3600,
    sla_resolution_target_s: 7200,
  }),
  ticket('t2', '2025-06-03 10:00:00', {
    agent_id: 'A1',
    is_escalated: true,
    agent_replies: 1,
    first_response_s: 1200,
    status: 'closed',
    closed_at: utc('2025-06-04 11:00:00'),
    resolution_s: 90000,
    reopen_count: 2,
    sla_first_response_target_s: 600, // missed by the measured time
    sla_resolution_target_s: 86400,
    sla_resolution_met: true, // the source verdict wins over the measured time
  }),
  // no agent reply: no first response (the source's 0 is not a reply); its first-response SLA is
  // already breached at the horizon, its resolution SLA is still active
  ticket('t3', '2025-06-04 10:00:00', {
    agent_replies: 0,
    first_response_s: 0,
    status: 'open',
    sla_first_response_target_s: 3600,
    sla_resolution_target_s: 1e9,
  }),
  ticket('t4', '2025-07-20 10:00:00', { status: 'open', sla_first_response_target_s: 3600 }), // the horizon; active
  ticket('t5', '2025-06-05 10:00:00', {
    agent_id: 'A2',
    agent_replies: 1,
    first_response_at: utc('2025-06-05 10:05:00'),
    status: 'resolved',
    resolved_at: utc('2025-07-02 10:00:00'), // resolved in July
  }),
  ticket('t6', '2025-06-06 10:00:00', {
    agent_id: 'A2',
    agent_replies: 1,
    first_response_at: utc('2025-06-06 10:50:00'),
    status: 'resolved',
    resolved_at: utc('2025-06-06 12:00:00'),
    reopen_count: 0,
  }),
  // resolved without any reply: no first-response SLA outcome
  ticket('t7', '2025-06-07 10:00:00', { agent_replies: 0, status: 'resolved', sla_first_response_target_s: 60 }),
];

const call = (id: string, created: string, o: Partial<Interaction> = {}): Interaction =>
  interaction({ interaction_id: id, created_at: utc(created), answered_at: utc(created), agent_id: 'A9', ...o });

const calls: Interaction[] = [
  call('f1', '2025-06-09 09:00:00', { resolved_first_contact: true }), // the survey says otherwise
  call('f2', '2025-06-09 10:00:00', { resolved_first_contact: true }),
  call('f3', '2025-06-10 09:00:00', { customer_key: 'c3', category: 'billing' }),
  interaction({
    interaction_id: 'f3-other',
    created_at: utc('2025-06-12 09:00:00'),
    customer_key: 'c3',
    category: 'delivery',
  }),
  interaction({
    interaction_id: 'f3-late',
    created_at: utc('2025-06-20 09:00:00'),
    customer_key: 'c3',
    category: 'billing',
  }),
  call('f4', '2025-06-11 09:00:00', { customer_key: 'c4' }),
  interaction({ interaction_id: 'f4-repeat', created_at: utc('2025-06-13 09:00:00'), customer_key: 'c4' }),
  call('f5', '2025-07-18 09:00:00', { customer_key: 'c5' }), // window still open at the horizon
  call('f6', '2025-06-12 09:00:00'), // no evidence at all
  call('f7', '2025-06-09 10:05:00', { initial_interaction_id: 'f2', resolved_first_contact: true }), // transfer leg
];

const answer = (id: string, interactionId: string, resolved: boolean): SurveyResponse =>
  surveyResponse({
    response_id: id,
    score: 4,
    interaction_id: interactionId,
    resolved,
    responded_at: utc('2025-06-09 12:00:00'),
  });

describe('metrics_tickets', () => {
  let lake: TestLake;
  let engine: DuckDbEngine;
  const metric = async (name: string, period = '2025-06-01', dimension = 'source', value = 'zendesk') =>
    (
      await engine.query(
        `SELECT value, n, ci_low, ci_high FROM metrics_tickets WHERE metric = :name AND grain = 'month'
         AND period_start = CAST(:period AS DATE) AND dimension = :dimension AND dimension_value = :value`,
        { name, period, dimension, value },
      )
    )[0];

  beforeAll(async () => {
    lake = createTestLake();
    lake.write('interactions', tickets);
    lake.write('interactions', [tickets[0] as Interaction, ...calls]); // t1 resent by an overlapping export
    lake.write('survey_responses', [answer('s1', 'f1', true), answer('s2', 'f1', false)]);
    engine = await lake.engine();
  });
  afterAll(async () => {
    await engine.close();
    lake.remove();
  });

  it('takes exact interpolated percentiles of first response, ignoring items with no agent reply', async () => {
    expect(await metric('first_response_median_s')).toEqual({ value: 900, n: 4, ci_low: null, ci_high: null });
    expect((await metric('first_response_p90_s'))?.value).toBeCloseTo(2460, 9);
  });

  it('dates resolution time by the resolution, and reports its median and p90', async () => {
    expect(await metric('resolution_median_s')).toEqual({ value: 7200, n: 3, ci_low: null, ci_high: null });
    expect((await metric('resolution_p90_s'))?.value).toBeCloseTo(73440, 9);
    const july = 27 * 86400;
    expect(await metric('resolution_median_s', '2025-07-01')).toEqual({
      value: july,
      n: 1,
      ci_low: null,
      ci_high: null,
    });
  });

  it('computes the reopen rate over resolved items with a known reopen count', async () => {
    const row = await metric('reopen_rate');
    expect(row?.n).toBe(3);
    expect(row?.value).toBeCloseTo(100 / 3, 12);
  });

  it('excludes active SLAs and pools both SLA kinds, with each kind in ticket_stats', async () => {
    const row = await metric('sla_compliance_pct');
    const ci = wilson(3, 5);
    expect(row?.n).toBe(5);
    expect(row?.value).toBeCloseTo(60, 12);
    expect(row?.ci_low).toBeCloseTo(ci.low, 12);
    const [kinds] = await engine.query(
      `SELECT sla_first_response_decided, sla_first_response_kept, sla_resolution_decided, sla_resolution_kept
       FROM ticket_stats WHERE grain = 'month' AND period_start = DATE '2025-06-01' AND dimension = 'source' AND dimension_value = 'zendesk'`,
    );
    expect(kinds).toEqual({
      sla_first_response_decided: 3,
      sla_first_response_kept: 1,
      sla_resolution_decided: 2,
      sla_resolution_kept: 2,
    });
    expect(await metric('sla_compliance_pct', '2025-07-01')).toBeUndefined();
  });

  it('reports each SLA kind as its own metric', async () => {
    const firstResponse = await metric('sla_first_response_pct');
    expect(firstResponse?.n).toBe(3);
    expect(firstResponse?.value).toBeCloseTo(100 / 3, 12);
    expect(firstResponse?.ci_low).toBeCloseTo(wilson(1, 3).low, 12);
    expect(await metric('sla_resolution_pct')).toMatchObject({ value: 100, n: 2 });
  });

  it('computes the escalation rate over handled items', async () => {
    expect((await metric('escalation_rate'))?.value).toBe(25);
  });

  it('prefers the survey answer, then the source flag, then the derived repeat-contact window', async () => {
    const row = await metric('fcr_rate', '2025-06-01', 'overall', 'all');
    expect(row?.value).toBe(50);
    expect(row?.n).toBe(4);
    const [method] = await engine.query(
      `SELECT fcr_method, fcr_by_survey, fcr_by_source_flag, fcr_by_derived FROM ticket_stats
       WHERE grain = 'month' AND period_start = DATE '2025-06-01' AND dimension = 'overall'`,
    );
    expect(method).toEqual({ fcr_method: 'mixed', fcr_by_survey: 1, fcr_by_source_flag: 1, fcr_by_derived: 2 });
    const facts = await engine.query(
      `SELECT interaction_id, fcr_method, fcr_resolved FROM interaction_facts
       WHERE interaction_id IN ('f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7') ORDER BY interaction_id`,
    );
    expect(facts).toEqual([
      { interaction_id: 'f1', fcr_method: 'survey', fcr_resolved: false },
      { interaction_id: 'f2', fcr_method: 'source_flag', fcr_resolved: true },
      { interaction_id: 'f3', fcr_method: 'derived', fcr_resolved: true },
      { interaction_id: 'f4', fcr_method: 'derived', fcr_resolved: false },
      { interaction_id: 'f5', fcr_method: null, fcr_resolved: null },
      { interaction_id: 'f6', fcr_method: null, fcr_resolved: null },
      { interaction_id: 'f7', fcr_method: null, fcr_resolved: null },
    ]);
  });
});

describe('escalation rate when a source does not record escalations', () => {
  // zendesk records escalation (2 handled, 1 escalated); cfpb never does (2 handled, null). Before
  // escalation could be unknown, cfpb read 0% (n = 2) and overall 25% (1 / 4).
  it('computes the rate over known flags only, and gives no rate to a source that never records them', async () => {
    const lake = createTestLake();
    try {
      lake.write('interactions', [
        ticket('e1', '2025-06-02 10:00:00', { agent_id: 'A1', is_escalated: true }),
        ticket('e2', '2025-06-02 11:00:00', { agent_id: 'A1' }),
        ticket('u1', '2025-06-02 12:00:00', { source: 'cfpb', agent_id: 'B1', is_escalated: null }),
        ticket('u2', '2025-06-02 13:00:00', { source: 'cfpb', agent_id: 'B1', is_escalated: null }),
      ]);
      const engine = await lake.engine();
      try {
        const rows = await engine.query(
          `SELECT dimension, dimension_value, value, n FROM metrics_tickets
           WHERE metric = 'escalation_rate' AND grain = 'month' AND dimension IN ('overall', 'source')
           ORDER BY dimension, dimension_value`,
        );
        expect(rows).toEqual([
          { dimension: 'overall', dimension_value: 'all', value: 50, n: 2 },
          { dimension: 'source', dimension_value: 'zendesk', value: 50, n: 2 },
        ]);
        const stats = await engine.query(
          `SELECT dimension_value, handled, escalation_known, escalated, escalation_rate FROM ticket_stats
           WHERE grain = 'month' AND dimension = 'source' ORDER BY dimension_value`,
        );
        expect(stats).toEqual([
          { dimension_value: 'cfpb', handled: 2, escalation_known: 0, escalated: 0, escalation_rate: null },
          { dimension_value: 'zendesk', handled: 2, escalation_known: 2, escalated: 1, escalation_rate: 50 },
        ]);
      } finally {
        await engine.close();
      }
    } finally {
      lake.remove();
    }
  });
});

describe('source SLA verdicts without a target', () => {
  // Verdicts as ServiceNow (made_sla: resolution) and CFPB (timely response: first response) give
  // them, with no target. A breach is final at once; a "met" only once the item no longer waits.
  // Before verdicts without a target were used, none of these was decided: no SLA row at all.
  const verdicts: Interaction[] = [
    ticket('v1', '2025-06-02 10:00:00', { source: 'snow', status: 'closed', sla_resolution_met: true }),
    ticket('v2', '2025-06-02 11:00:00', { source: 'snow', status: 'open', sla_resolution_met: false }),
    ticket('v3', '2025-06-02 12:00:00', { source: 'snow', status: 'open', sla_resolution_met: true }), // undecided
    ticket('v4', '2025-06-02 13:00:00', { source: 'snow', status: 'closed', sla_first_response_met: true }),
    ticket('v5', '2025-06-02 14:00:00', { source: 'snow', status: 'closed', sla_first_response_met: false }),
    ticket('v6', '2025-06-02 15:00:00', { source: 'snow', status: 'open', sla_first_response_met: true }), // undecided
  ];

  it('counts a final source verdict, leaves a provisional one undecided, and reports each kind', async () => {
    const lake = createTestLake();
    try {
      lake.write('interactions', verdicts);
      const engine = await lake.engine();
      try {
        const facts = await engine.query(
          `SELECT interaction_id, sla_first_response_met, sla_resolution_met FROM interaction_facts ORDER BY interaction_id`,
        );
        expect(facts).toEqual([
          { interaction_id: 'v1', sla_first_response_met: null, sla_resolution_met: true },
          { interaction_id: 'v2', sla_first_response_met: null, sla_resolution_met: false },
          { interaction_id: 'v3', sla_first_response_met: null, sla_resolution_met: null },
          { interaction_id: 'v4', sla_first_response_met: true, sla_resolution_met: null },
          { interaction_id: 'v5', sla_first_response_met: false, sla_resolution_met: null },
          { interaction_id: 'v6', sla_first_response_met: null, sla_resolution_met: null },
        ]);
        const rows = await engine.query(
          `SELECT metric, value, n FROM metrics_tickets WHERE grain = 'month' AND dimension = 'source'
           AND dimension_value = 'snow' AND metric LIKE 'sla%' ORDER BY metric`,
        );
        expect(rows).toEqual([
          { metric: 'sla_compliance_pct', value: 50, n: 4 },
          { metric: 'sla_first_response_pct', value: 50, n: 2 },
          { metric: 'sla_resolution_pct', value: 50, n: 2 },
        ]);
      } finally {
        await engine.close();
      }
    } finally {
      lake.remove();
    }
  });
});

describe('data horizon', () => {
  // Source "legacy" was observed until 2016-06-04. Its call g1 (2016-06-01) has a 7-day repeat
  // window still open at that horizon, and its open ticket o1 (2016-06-03 12:00, 2-day target) is
  // still within its first-response SLA. An unrelated source loaded later ("later", 2021) must not
  // close the window or breach the SLA: with the whole-lake horizon g1 read FCR 100% (derived) and
  // o1 a breached SLA.
  const legacy: Interaction[] = [
    call('g1', '2016-06-01 09:00:00', { source: 'legacy', customer_key: 'k1' }),
    ticket('o1', '2016-06-03 12:00:00', { source: 'legacy', status: 'open', sla_first_response_target_s: 2 * 86400 }),
    interaction({ interaction_id: 'h1', source: 'legacy', created_at: utc('2016-06-04 09:00:00') }),
  ];
  const legacyFacts = async (rows: Interaction[]) => {
    const lake = createTestLake();
    try {
      lake.write('interactions', rows);
      const engine = await lake.engine();
      try {
        const facts = await engine.query(
          `SELECT interaction_id, fcr_method, sla_first_response_met FROM interaction_facts
           WHERE source = 'legacy' AND interaction_id IN ('g1', 'o1') ORDER BY interaction_id`,
        );
        const stats = await engine.query(
          `SELECT fcr_evidenced, sla_first_response_decided FROM ticket_stats
           WHERE grain = 'month' AND dimension = 'source' AND dimension_value = 'legacy'`,
        );
        return { facts, stats };
      } finally {
        await engine.close();
      }
    } finally {
      lake.remove();
    }
  };

  it('is per source: a later, unrelated source does not change an earlier source', async () => {
    const alone = await legacyFacts(legacy);
    expect(alone).toEqual({
      facts: [
        { interaction_id: 'g1', fcr_method: null, sla_first_response_met: null },
        { interaction_id: 'o1', fcr_method: null, sla_first_response_met: null },
      ],
      stats: [{ fcr_evidenced: 0, sla_first_response_decided: 0 }],
    });
    const later = interaction({ interaction_id: 'z1', source: 'later', created_at: utc('2021-03-01 09:00:00') });
    expect(await legacyFacts([...legacy, later])).toEqual(alone);
  });
});

describe('FCR window', () => {
  it('decides a derived FCR only once the window has closed, with the configured window', async () => {
    const lake = createTestLake();
    try {
      lake.write('interactions', [
        call('g1', '2025-06-01 09:00:00', { customer_key: 'k1' }),
        interaction({ interaction_id: 'g1-repeat', created_at: utc('2025-06-04 09:00:00'), customer_key: 'k1' }),
        interaction({ interaction_id: 'horizon', created_at: plus(utc('2025-06-01 09:00:00'), 5 * 86400) }),
      ]);
      const byWindow = async (fcrWindowDays: number) => {
        const engine = await lake.engine({ metrics: { fcrWindowDays } });
        try {
          const [fact] = await engine.query(
            `SELECT fcr_method, fcr_resolved FROM interaction_facts WHERE interaction_id = 'g1'`,
          );
          const [stats] = await engine.query(
            `SELECT fcr_method AS group_method FROM ticket_stats WHERE grain = 'month' AND dimension = 'overall'`,
          );
          return { ...fact, ...stats };
        } finally {
          await engine.close();
        }
      };
      expect(await byWindow(7)).toEqual({ fcr_method: null, fcr_resolved: null, group_method: null });
      expect(await byWindow(2)).toEqual({ fcr_method: 'derived', fcr_resolved: true, group_method: 'derived' });
      expect(await byWindow(4)).toEqual({ fcr_method: 'derived', fcr_resolved: false, group_method: 'derived' });
    } finally {
      lake.remove();
    }
  });
});
