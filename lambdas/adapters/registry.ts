/** Every adapter the normaliser knows, by the name a source's `adapter` field uses. */
import type { Adapter } from '../core/normalise/adapter.ts';

const ADAPTERS: readonly Adapter<never>[] = [];

const BY_NAME = new Map<string, Adapter>(ADAPTERS.map((a) => [a.name, a as Adapter]));

export function listAdapters(): readonly Adapter[] {
  return [...BY_NAME.values()];
}

export function getAdapter(name: string): Adapter {
  const adapter = BY_NAME.get(name);
  if (!adapter) {
    throw new Error(`unknown adapter "${name}"; known adapters: ${[...BY_NAME.keys()].sort().join(', ')}`);
  }
  return adapter;
}
