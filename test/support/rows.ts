/** Minimal valid canonical rows for tests; override what a test is about. */
import { columnsOf } from '../../lambdas/core/schema/derive.ts';

export function validInteraction(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const at = new Date('2025-06-03T10:00:00Z');
  const nulls = Object.fromEntries(
    columnsOf('interactions')
      .filter((c) => c.nullable)
      .map((c) => [c.name, null]),
  );
  return {
    ...nulls,
    source: 'test',
    interaction_id: 'c-1',
    channel: 'voice',
    direction: 'inbound',
    created_at: at,
    is_abandoned: false,
    is_callback: false,
    is_transfer: false,
    is_escalated: false,
    updated_at: at,
    ingested_at: at,
    ...overrides,
  };
}
