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

export function createPseudonymiser(key: Uint8Array): Pseudonymiser {
  if (key.byteLength < MIN_KEY_BYTES) {
    throw new Error(`the pseudonymisation key must be at least ${MIN_KEY_BYTES} bytes (got ${key.byteLength})`);
  }
  const secret = Buffer.from(key);
  return (kind, value) => {
    if (value === null || value === undefined) return null;
    const canonical = canonicalIdentifier(String(value));
    if (canonical === '') return null;
    const digest = createHmac('sha256', secret).update(kind).update('\0').update(canonical).digest();
    // base64url keeps the pseudonym short (22 characters), which matters in the biggest column.
    return `${PREFIX[kind]}${digest.subarray(0, KEPT_BYTES).toString('base64url')}`;
  };
}
