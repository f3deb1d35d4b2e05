import { describe, expect, it } from 'vitest';
import { resolvePeriod, scorecardRows } from '../../cli/scorecard.ts';
import type { QueryEngine, SqlValue } from '../../lambdas/core/query/engine.ts';
import { createTestLake, interaction, utc } from '../support/lake.ts';

describe('resolvePeriod', () => {
  it.each([
    ['2025-06', undefined, { grain: 'month', start: '2025-06-01' }],
    ['2025-W01', undefined, { grain: 'week', start: '2024-12-30' }],
    ['2026-W53', undefined, { grain: 'week', start: '2026-12-28' }],
    ['2025-W23', 'week', { grain: 'week', start: '2025-06-02' }],
    ['2025-06-18', undefined, { grain: 'month', start: '2025-06-01' }],
    ['2025-06-18', 'week', { grain: 'week', start: '2025-06-16' }],
    ['2025-06-16', 'week', { grain: 'week', start: '2025-06-16' }],
    ['2025-06-22', 'week', { grain: 'week', start: '2025-06-16' }],
  ] as const)('resolves %s (grain %s)', (period, grain, expected) => {
    expect(resolvePeriod(period, grain)).toEqual(expected);
  });

  it.each([
    ['June 2025', /not recognised; expected YYYY-MM .*YYYY-Www .*YYYY-MM-DD/],
    ['2025-13', /month 13 does not exist/],
    ['2025-W53', /2025 has no ISO week 53/],
    ['2025-W00', /no ISO week 0/],
    ['2025-02-30', /not a valid date/],
  ])('fails when the period is %s', (period, message) => {
    expect(() => resolvePeriod(period)).toThrow(message);
  });

  it('fails when the grain contradicts the period', () => {
    expect(() => resolvePeriod('2025-06', 'week')).toThrow(/is a month but the grain is week/);
    expect(() => resolvePeriod('2025-W23', 'month')).toThrow(/is a week but the grain is month/);
  });
});

describe('scorecardRows', () => {
  it('binds the period, grain and dimension as parameters', async () => {
    const calls: { sql: string; params?: Readonly<Record<string, SqlValue>> }[] = [];
    const engine: QueryEngine = {
      async query(sql, params) {
        calls.push({ sql, params });
        return [];
      },
      async close() {},
    };
    await scorecardRows(engine, { period: '2025-W23', by: 'team' });
    expect(calls[0]?.params).toEqual({ period_start: '2025-06-02', grain: 'week', dimension: 'team' });
    expect(calls[0]?.sql).not.toContain('2025');
  });

  it('returns the rows of the period in catalogue order', async () => {
    const lake = createTestLake();
    try {
      lake.write('interactions', [
        // a source that records transfers and escalations (unknown flags give no rate)
        ...['2025-06-02 09:00:00', '2025-07-02 09:00:00'].map((at, i) =>
          interaction({
            interaction_id: `c${i}`,
            created_at: utc(at),
            agent_id: 'x',
            talk_s: 60,
            is_transfer: false,
            is_escalated: false,
          }),
        ),
      ]);
      const engine = await lake.engine();
      try {
        const rows = await scorecardRows(engine, { period: '2025-06' });
        expect(rows.map((r) => r.metric)).toEqual(['aht_s', 'transfer_rate', 'escalation_rate']);
        expect(rows.every((r) => r.period_start === '2025-06-01' && r.dimension === 'overall')).toBe(true);
      } finally {
        await engine.close();
      }
    } finally {
      lake.remove();
    }
  });
});
