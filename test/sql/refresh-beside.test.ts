import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DuckDbEngine, FAMILIES_BESIDE_SHARED, openLakeEngine, SHARED_RELATIONS } from '../../cli/duckdb.ts';
import { parseConfig } from '../../lambdas/core/config/config.ts';
import type { SocialMention } from '../../lambdas/core/schema/canonical.ts';
import { familySlices, familySourceView, METRIC_FAMILIES, metricValuesSelectSql } from '../../sql/materialised.ts';
import { viewsReading } from '../../sql/registry.ts';
import { createTestLake, interaction, type TestLake, utc } from '../support/lake.ts';

// The local refresh writes some families on a second connection while interaction_facts is
// computed on the first; those families must not read it, and their rows must be the views' rows.
describe('families refreshed beside the shared relations', () => {
  it('read none of the shared relations, directly or through other views', () => {
    const reading = new Set<string>([...SHARED_RELATIONS, ...viewsReading(SHARED_RELATIONS)]);
    expect(reading.has('ticket_stats')).toBe(true);
    for (const family of FAMILIES_BESIDE_SHARED) {
      const views = familySlices(family).map((slice) =>
        slice.kind === 'family' ? familySourceView(family) : slice.table.sourceView,
      );
      expect(
        views.filter((view) => reading.has(view)),
        family,
      ).toEqual([]);
    }
  });

  describe('on a lake', () => {
    let lake: TestLake;
    let engine: DuckDbEngine;
    let refreshed: readonly string[];
    const post = (id: string, sentiment: SocialMention['sentiment_label']): SocialMention => ({
      source: 'twitter',
      mention_id: id,
      platform: 'twitter',
      author_key: 'customer',
      text: null,
      sentiment_label: sentiment,
      sentiment_score: null,
      in_reply_to: null,
      is_brand_reply: false,
      brand_replied_at: null,
      posted_at: utc('2025-06-11 12:00:00'),
      updated_at: utc('2025-06-11 12:00:00'),
      ingested_at: utc('2025-07-15 00:00:00'),
    });

    beforeAll(async () => {
      lake = createTestLake();
      lake.write('interactions', [
        interaction({ interaction_id: 'c1', queued_at: utc('2025-06-10 09:00:00'), queue: 'sales', talk_s: 300 }),
      ]);
      lake.write('social_mentions', [post('p1', 'positive'), post('p2', 'negative')]);
      lake.write('employee_pulse', [
        {
          source: 'pulse',
          response_id: 'x1',
          team: 'support',
          period: utc('2025-06-01 00:00:00'),
          question_kind: 'enps',
          score: 10,
          scale_min: 0,
          scale_max: 10,
          ingested_at: utc('2025-06-20 00:00:00'),
        },
      ]);
      engine = await openLakeEngine({ lakeDir: lake.dir, config: parseConfig({}, 'test config') });
      refreshed = (await engine.refresh()).map((r) => r.family);
    });
    afterAll(async () => {
      await engine.close();
      lake.remove();
    });

    it('reports every family once, in METRIC_FAMILIES order', () => {
      expect(refreshed).toEqual(METRIC_FAMILIES);
    });

    it.each(FAMILIES_BESIDE_SHARED)('writes the rows the view of %s gives', async (family) => {
      const expected = await engine.query(`SELECT * FROM (${metricValuesSelectSql(family)}) ORDER BY ALL`);
      expect(expected.length).toBeGreaterThan(0);
      expect(await engine.query(`SELECT * FROM metric_values WHERE family = '${family}' ORDER BY ALL`)).toEqual(
        expected,
      );
    });
  });
});
