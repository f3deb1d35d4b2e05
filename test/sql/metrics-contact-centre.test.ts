import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDbEngine } from '../../cli/duckdb.ts';
import type { Interaction } from '../../lambdas/core/schema/canonical.ts';
import { createTestLake, interaction, plus, type TestLake, utc } from '../support/lake.ts';
import { wilson } from '../support/stats.ts';

const t0 = utc('2025-06-10 09:00:00');
// A contact-centre source that records transfers: every contact says whether it was transferred.
const queued = (id: string, o: Partial<Interaction> = {}): Interaction =>
  interaction({ interaction_id: id, created_at: t0, queued_at: t0, queue: 'sales', is_transfer: false, ...o });
const answered = (id: string, o: Partial<Interaction> = {}): Interaction =>
  queued(id, { answered_at: plus(t0, o.queue_s ?? 1), agent_id: 'A1', ...o });
const abandon = (id: string, o: Partial<Interaction> = {}): Interaction => queued(id, { is_abandoned: true, ...o });
const chat = (id: string, at: Date): Interaction =>
  interaction({
    interaction_id: id,
    channel: 'chat',
    agent_id: 'A3',
    created_at: at,
    answered_at: at,
    is_transfer: false,
  });

const contacts: Interaction[] = [
  answered('a1', { team: 'north', queue_s: 10, talk_s: 300, hold_s: 60, hold_count: 1, acw_s: 40 }),
  // wait derived from the timestamps (30 s); transferred
  answered('a2', { team: 'north', answered_at: plus(t0, 30), talk_s: 200, acw_s: 20, is_transfer: true }),
  // exactly on the service-level threshold: answered within it; hold 0 is not "held"
  answered('a3', { queue_s: 20, talk_s: 100, hold_s: 0, hold_count: 0, acw_s: 0 }),
  // answered before it queued (source clock skew): wait unknown, no talk time
  answered('a4', { answered_at: plus(t0, -5) }),
  abandon('b1', { queue_s: 3 }), // short abandon
  abandon('b2', { queue_s: 12 }), // abandoned before the service-level threshold
  abandon('b3'), // wait unknown: never short, counts as abandoned after the threshold
  abandon('b4', { queue_s: 45 }),
  queued('c1', { is_callback: true }),
  queued('c2', { is_callback: true, is_abandoned: true }), // callbacks are never abandons
  // never queued, answered directly
  interaction({
    interaction_id: 'n1',
    created_at: t0,
    answered_at: t0,
    agent_id: 'A2',
    talk_s: 50,
    is_transfer: false,
  }),
  interaction({
    interaction_id: 'n2',
    created_at: t0,
    answered_at: t0,
    channel: 'email',
    agent_id: 'A2',
    is_transfer: false,
  }),
];

describe('metrics_contact_centre', () => {
  let lake: TestLake;
  let engine: DuckDbEngine;
  const metric = async (name: string, dimension = 'overall', value = 'all', period = '2025-06-01', grain = 'month') =>
    engine.query(
      `SELECT value, n, ci_low, ci_high, unit FROM metrics_contact_centre
       WHERE metric = :name AND dimension = :dimension AND dimension_value = :value AND period_start = CAST(:period AS DATE) AND grain = :grain`,
      { name, dimension, value, period, grain },
    );

  beforeAll(async () => {
    lake = createTestLake();
    lake.write('interactions', contacts);
    // an overlapping export resends a1, and an older version of b4 that was not yet abandoned
    lake.write('interactions', [
      contacts[0] as Interaction,
      { ...(contacts[7] as Interaction), is_abandoned: false, updated_at: plus(t0, -60) },
    ]);
    lake.write('interactions', [
      chat('x1', utc('2025-06-29 23:59:59')),
      chat('x2', utc('2025-06-30 00:00:00')),
      chat('x3', utc('2025-07-01 10:00:00')),
    ]);
    engine = await lake.engine();
  });
  afterAll(async () => {
    await engine.close();
    lake.remove();
  });

  it('computes abandonment without short abandons, over offered minus short abandons', async () => {
    const [row] = await metric('abandonment_rate');
    const ci = wilson(3, 9);
    expect(row?.n).toBe(9);
    expect(row?.value).toBeCloseTo((100 * 3) / 9, 12);
    expect(row?.ci_low).toBeCloseTo(ci.low, 12);
    expect(row?.ci_high).toBeCloseTo(ci.high, 12);
  });

  it('keeps the unadjusted rate and the counts in contact_centre_stats', async () => {
    const rows = await engine.query(
      `SELECT offered, abandoned, short_abandons, abandons_unknown_wait, callbacks, handled, abandonment_rate_unadjusted
       FROM contact_centre_stats WHERE dimension = 'overall' AND grain = 'month' AND period_start = DATE '2025-06-01'`,
    );
    expect(rows).toEqual([
      {
        offered: 10,
        abandoned: 4,
        short_abandons: 1,
        abandons_unknown_wait: 1,
        callbacks: 2,
        handled: 8, // a1-a4, n1, n2 and the two June chats
        abandonment_rate_unadjusted: 40,
      },
    ]);
  });

  it('computes service level over answered plus abandoned after the threshold', async () => {
    const [row] = await metric('service_level_pct');
    expect(row?.value).toBe(40);
    expect(row?.n).toBe(5);
  });

  it('computes ASA over answered queued contacts with a known wait', async () => {
    const [row] = await metric('asa_s');
    expect(row?.value).toBe(20);
    expect(row?.n).toBe(3);
    expect(row?.ci_low).toBeCloseTo(Math.max(0, 20 - (1.959963984540054 * 10) / Math.sqrt(3)), 9);
  });

  it('computes AHT from talk, hold and after-contact work, with components that add up', async () => {
    const [row] = await metric('aht_s');
    expect(row?.value).toBe(770 / 4);
    expect(row?.n).toBe(4);
    const [parts] = await engine.query(
      `SELECT aht_talk_s, aht_hold_s, aht_acw_s FROM contact_centre_stats
       WHERE dimension = 'overall' AND grain = 'month' AND period_start = DATE '2025-06-01'`,
    );
    expect(parts).toEqual({ aht_talk_s: 162.5, aht_hold_s: 15, aht_acw_s: 15 });
  });

  it('averages hold time over held contacts only', async () => {
    expect(await metric('avg_hold_s')).toEqual([{ value: 60, n: 1, ci_low: null, ci_high: null, unit: 'seconds' }]);
  });

  it('computes the transfer rate over handled contacts', async () => {
    const [row] = await metric('transfer_rate');
    expect(row?.value).toBe(12.5);
    expect(row?.n).toBe(8);
    expect((await metric('transfer_rate', 'team', 'north'))[0]?.value).toBe(50);
  });

  it('emits no row for a metric whose denominator is zero', async () => {
    const rows = await engine.query(
      `SELECT metric FROM metrics_contact_centre WHERE dimension = 'channel' AND dimension_value = 'email' AND grain = 'month' ORDER BY metric`,
    );
    expect(rows).toEqual([{ metric: 'transfer_rate' }]);
  });

  it('keeps queue metrics off the agent and team cuts in metric_values, as the catalogue says', async () => {
    // The family view cuts every metric by every dimension: agent A1's answered calls were queued,
    // so the view gives A1 an abandonment rate of 0% (no abandon reaches an agent).
    const [view] = await engine.query(
      `SELECT value, n FROM metrics_contact_centre WHERE metric = 'abandonment_rate' AND dimension = 'agent'
       AND dimension_value = 'A1' AND grain = 'month' AND period_start = DATE '2025-06-01'`,
    );
    expect(view).toEqual({ value: 0, n: 4 });
    // metric_values (metric_long, scorecard) carries abandonment, service level and ASA only by
    // overall, channel, queue and source; handling metrics stay at every dimension.
    const rows = (
      await engine.query(
        `SELECT dimension, string_agg(DISTINCT metric, ',' ORDER BY metric) AS metrics FROM metric_long
         WHERE grain = 'month' AND period_start = DATE '2025-06-01' GROUP BY dimension ORDER BY dimension`,
      )
    ).map((r) => ({ dimension: r.dimension, metrics: String(r.metrics).split(',') }));
    const queueMetrics = ['abandonment_rate', 'asa_s', 'service_level_pct'];
    expect(rows).toEqual([
      { dimension: 'agent', metrics: ['aht_s', 'avg_hold_s', 'transfer_rate'] },
      { dimension: 'channel', metrics: [...queueMetrics, 'aht_s', 'avg_hold_s', 'transfer_rate'].sort() },
      { dimension: 'overall', metrics: [...queueMetrics, 'aht_s', 'avg_hold_s', 'transfer_rate'].sort() },
      { dimension: 'queue', metrics: [...queueMetrics, 'aht_s', 'avg_hold_s', 'transfer_rate'].sort() },
      { dimension: 'source', metrics: [...queueMetrics, 'aht_s', 'avg_hold_s', 'transfer_rate'].sort() },
      { dimension: 'team', metrics: ['aht_s', 'avg_hold_s', 'transfer_rate'] },
    ]);
  });

  it('has no rows for a period with no data', async () => {
    expect(await engine.query(`SELECT * FROM metrics_contact_centre WHERE period_start = DATE '2025-05-01'`)).toEqual(
      [],
    );
  });

  it('dates contacts into calendar months, ISO weeks (Monday start), quarters and years (UTC)', async () => {
    const rows = await engine.query(
      `SELECT grain, CAST(period_start AS VARCHAR) AS period, n FROM metrics_contact_centre
       WHERE metric = 'transfer_rate' AND dimension = 'channel' AND dimension_value = 'chat' ORDER BY grain, period`,
    );
    expect(rows).toEqual([
      { grain: 'month', period: '2025-06-01', n: 2 },
      { grain: 'month', period: '2025-07-01', n: 1 },
      { grain: 'quarter', period: '2025-04-01', n: 2 },
      { grain: 'quarter', period: '2025-07-01', n: 1 },
      { grain: 'week', period: '2025-06-23', n: 1 },
      { grain: 'week', period: '2025-06-30', n: 2 },
      { grain: 'year', period: '2025-01-01', n: 3 },
    ]);
  });
});

describe('transfer rate when a source does not record transfers', () => {
  // connect records transfers (2 handled, 1 transferred); bank never does (3 handled, is_transfer
  // null). Before transfers could be unknown, bank read 0% (n = 3) and overall 20% (1 / 5).
  it('computes the rate over known flags only, and gives no rate to a source that never records them', async () => {
    const lake = createTestLake();
    try {
      lake.write('interactions', [
        answered('k1', { is_transfer: true }),
        answered('k2', { is_transfer: false }),
        answered('u1', { source: 'bank', is_transfer: null }),
        answered('u2', { source: 'bank', is_transfer: null }),
        answered('u3', { source: 'bank', is_transfer: null }),
      ]);
      const engine = await lake.engine();
      try {
        const rows = await engine.query(
          `SELECT dimension, dimension_value, value, n FROM metrics_contact_centre
           WHERE metric = 'transfer_rate' AND grain = 'month' AND dimension IN ('overall', 'source')
           ORDER BY dimension, dimension_value`,
        );
        expect(rows).toEqual([
          { dimension: 'overall', dimension_value: 'all', value: 50, n: 2 },
          { dimension: 'source', dimension_value: 'connect', value: 50, n: 2 },
        ]);
        const stats = await engine.query(
          `SELECT dimension_value, handled, transfer_known, transferred, transfer_rate FROM contact_centre_stats
           WHERE grain = 'month' AND dimension = 'source' ORDER BY dimension_value`,
        );
        expect(stats).toEqual([
          { dimension_value: 'bank', handled: 3, transfer_known: 0, transferred: 0, transfer_rate: null },
          { dimension_value: 'connect', handled: 2, transfer_known: 2, transferred: 1, transfer_rate: 50 },
        ]);
      } finally {
        await engine.close();
      }
    } finally {
      lake.remove();
    }
  });
});

describe('handled contacts', () => {
  // connect records answer times: its contact with an agent named but no answer (as the bank log's
  // AGENT calls without a service step) is neither answered nor handled, in every metric. helpdesk
  // never records answer times: an agent on a contact that was not abandoned handled it.
  it('are the answered ones in a source that records answer times, else those with an agent', async () => {
    const lake = createTestLake();
    try {
      lake.write('interactions', [
        answered('h1', { talk_s: 100 }),
        queued('h2', { agent_id: 'A1', talk_s: 0 }), // agent named, never answered
        interaction({ interaction_id: 'h3', source: 'helpdesk', channel: 'email', agent_id: 'B1', talk_s: 60 }),
        interaction({ interaction_id: 'h4', source: 'helpdesk', channel: 'email' }), // nobody took it
      ]);
      const engine = await lake.engine();
      try {
        const facts = await engine.query(
          `SELECT interaction_id, is_handled, is_answered FROM interaction_facts ORDER BY interaction_id`,
        );
        expect(facts).toEqual([
          { interaction_id: 'h1', is_handled: true, is_answered: true },
          { interaction_id: 'h2', is_handled: false, is_answered: false },
          { interaction_id: 'h3', is_handled: true, is_answered: false },
          { interaction_id: 'h4', is_handled: false, is_answered: false },
        ]);
        const stats = await engine.query(
          `SELECT dimension_value, handled, answered, handled_timed, aht_s FROM contact_centre_stats
           WHERE grain = 'month' AND dimension = 'source' ORDER BY dimension_value`,
        );
        // before: h2 was handled (2 handled on connect, AHT (100 + 0) / 2 = 50)
        expect(stats).toEqual([
          { dimension_value: 'connect', handled: 1, answered: 1, handled_timed: 1, aht_s: 100 },
          { dimension_value: 'helpdesk', handled: 1, answered: 0, handled_timed: 1, aht_s: 60 },
        ]);
      } finally {
        await engine.close();
      }
    } finally {
      lake.remove();
    }
  });
});

describe('contact-centre thresholds from the config', () => {
  it('applies short_abandon_s and service_level_s from metric options', async () => {
    const lake = createTestLake();
    try {
      lake.write('interactions', contacts);
      const engine = await lake.engine({ metrics: { shortAbandonS: 15, serviceLevelS: 10 } });
      try {
        const rows = await engine.query(
          `SELECT metric, value, n FROM metrics_contact_centre WHERE dimension = 'overall' AND grain = 'month'
           AND metric IN ('abandonment_rate', 'service_level_pct') ORDER BY metric`,
        );
        // b1 (3 s) and b2 (12 s) are now short; a1 (10 s) is the only answer within 10 s, and
        // b3 (unknown) and b4 (45 s) abandoned after it
        expect(rows).toEqual([
          { metric: 'abandonment_rate', value: 25, n: 8 },
          { metric: 'service_level_pct', value: 20, n: 5 },
        ]);
      } finally {
        await engine.close();
      }
    } finally {
      lake.remove();
    }
  });
});
