import { describe, expect, it } from 'vitest';
import { scorecardRows } from '../../cli/scorecard.ts';
import type { QueryEngine, SqlValue } from '../../lambdas/core/query/engine.ts';
import { parsePeriod } from '../../lambdas/core/time/periods.ts';
import { createTestLake, interaction, utc } from '../support/lake.ts';

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
    await scorecardRows(engine, { period: parsePeriod('2025-W23'), by: 'team' });
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
        const rows = await scorecardRows(engine, { period: parsePeriod('2025-06') });
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
