/** Minimal valid canonical rows for tests; override what a test is about. */
import { blankRow } from '../../lambdas/core/schema/derive.ts';

export function validInteraction(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const at = new Date('2025-06-03T10:00:00Z');
  return {
    ...blankRow('interactions'),
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
