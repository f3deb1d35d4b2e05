/**
 * Keyed pseudonymisation of identifiers. The same identifier always maps to the same key under the
 * same secret, so contacts of one customer still join up, but the raw value never reaches the
 * curated zone and cannot be recovered without the secret.
 */
import { createHmac } from 'node:crypto';
import type { IdentifierKind } from './adapter.ts';

/** Minimum secret length: HMAC-SHA256 keys shorter than the hash output weaken it. */
export const MIN_KEY_BYTES = 32;
/** Bytes kept from the HMAC: 128 bits, collision-free at any realistic volume. */
const KEPT_BYTES = 16;
const PREFIX: Readonly<Record<IdentifierKind, string>> = { customer: 'c_', employee: 'e_', author: 'a_' };
/**
 * Pseudonyms remembered per pseudonymiser. A customer's contacts, surveys and activity repeat the
 * same identifier, and a remembered pseudonym costs a map lookup instead of an HMAC. Capped so
 * a run over millions of distinct identifiers stays within a few tens of MB.
 */
export const PSEUDONYM_CACHE_ENTRIES = 100_000;

/**
 * Canonical form of an identifier before hashing, so trivial formatting differences do not split
 * one customer in two: trimmed, e-mails lower-cased, phone numbers reduced to their digits.
 */
export function canonicalIdentifier(value: string): string {
  const trimmed = value.trim();
  if (trimmed.includes('@')) return trimmed.toLowerCase();
  if (/^\+?[\d\s().-]{7,}$/.test(trimmed)) return trimmed.replace(/\D/g, '');
  return trimmed;
}

export type Pseudonymiser = (kind: IdentifierKind, value: string | null | undefined) => string | null;

export interface PseudonymiserOptions {
  /** Pseudonyms remembered; 0 computes every one. @default PSEUDONYM_CACHE_ENTRIES */
  readonly cacheEntries?: number;
}

export function createPseudonymiser(key: Uint8Array, options: PseudonymiserOptions = {}): Pseudonymiser {
  if (key.byteLength < MIN_KEY_BYTES) {
    throw new Error(`the pseudonymisation key must be at least ${MIN_KEY_BYTES} bytes (got ${key.byteLength})`);
  }
  const secret = Buffer.from(key);
  const pseudonymise: Pseudonymiser = (kind, value) => {
    if (value === null || value === undefined) return null;
    const canonical = canonicalIdentifier(String(value));
    if (canonical === '') return null;
    const digest = createHmac('sha256', secret).update(kind).update('\0').update(canonical).digest();
    // base64url keeps the pseudonym short (22 characters), which matters in the biggest column.
    return `${PREFIX[kind]}${digest.subarray(0, KEPT_BYTES).toString('base64url')}`;
  };
  const capacity = options.cacheEntries ?? PSEUDONYM_CACHE_ENTRIES;
  if (capacity <= 0) return pseudonymise;
  // One map per kind, keyed by the value as given: a hit skips canonicalisation too, and no key
  // is built by joining the kind and the value (a string made, flattened and hashed on every call,
  // hit or not). A full cache forgets the oldest entry of the kind it adds to (Map keeps insertion
  // order).
  const caches: Record<IdentifierKind, Map<string, string | null>> = {
    customer: new Map(),
    employee: new Map(),
    author: new Map(),
  };
  let size = 0;
  return (kind, value) => {
    if (value === null || value === undefined) return null;
    const cache = caches[kind];
    const known = cache.get(value);
    if (known !== undefined) return known;
    const pseudonym = pseudonymise(kind, value);
    if (size >= capacity && cache.size > 0) cache.delete(cache.keys().next().value as string);
    else size++;
    cache.set(value, pseudonym);
    return pseudonym;
  };
}
