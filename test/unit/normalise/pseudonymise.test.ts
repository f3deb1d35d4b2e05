import { describe, expect, it } from 'vitest';
import {
  canonicalIdentifier,
  createPseudonymiser,
  PSEUDONYM_CACHE_ENTRIES,
} from '../../../lambdas/core/normalise/pseudonymise.ts';

const KEY = Buffer.alloc(32, 7);

describe('pseudonymisation', () => {
  it('is a keyed HMAC: stable under one key, different under another, never the raw value', () => {
    const a = createPseudonymiser(KEY);
    const b = createPseudonymiser(Buffer.alloc(32, 8));
    const value = a('customer', 'Jane.Doe@Example.com');
    expect(value).toMatch(/^c_[A-Za-z0-9_-]{22}$/);
    expect(a('customer', 'jane.doe@example.com ')).toBe(value);
    expect(b('customer', 'jane.doe@example.com')).not.toBe(value);
    expect(value).not.toContain('jane');
  });

  it('separates identifier kinds and normalises phone numbers to digits', () => {
    const p = createPseudonymiser(KEY);
    expect(p('customer', '42')?.slice(2)).not.toBe(p('employee', '42')?.slice(2));
    expect(p('customer', '+1 (555) 010-2030')).toBe(p('customer', '+15550102030'));
    expect(canonicalIdentifier(' +44 20 7946 0000 ')).toBe('442079460000');
  });

  it('maps blank and missing identifiers to null', () => {
    const p = createPseudonymiser(KEY);
    expect(p('customer', null)).toBeNull();
    expect(p('customer', undefined)).toBeNull();
    expect(p('customer', '   ')).toBeNull();
  });

  it('fails when the key is too short', () => {
    expect(() => createPseudonymiser(Buffer.alloc(16))).toThrow(/at least 32 bytes/);
  });
});

describe('the pseudonym cache', () => {
  const values = [
    ...Array.from({ length: 300 }, (_, i) => `customer-${i % 97}`),
    'Jane.Doe@Example.com',
    ' jane.doe@example.com ',
    '+1 (555) 010-2030',
    '+15550102030',
    '42',
    '   ',
    '',
  ];

  it('returns the pseudonyms an uncached pseudonymiser computes, for every kind, also once it is full', () => {
    const uncached = createPseudonymiser(KEY, { cacheEntries: 0 });
    for (const cacheEntries of [PSEUDONYM_CACHE_ENTRIES, 10, 1]) {
      const cached = createPseudonymiser(KEY, { cacheEntries });
      for (const kind of ['customer', 'employee', 'author'] as const) {
        for (const value of [...values, ...[...values].reverse()]) {
          expect(cached(kind, value), `${kind} ${value} (cache of ${cacheEntries})`).toBe(uncached(kind, value));
        }
      }
    }
  });

  it('keeps one value of two kinds apart, and numbers equal to their text', () => {
    const p = createPseudonymiser(KEY);
    expect(p('customer', '42')).toMatch(/^c_/);
    expect(p('employee', '42')).toMatch(/^e_/);
    expect(p('customer', 42 as unknown as string)).toBe(p('customer', '42'));
    expect(p('customer', null)).toBeNull();
    expect(p('customer', '  ')).toBeNull();
  });

  it('is keyed: a second key gets its own pseudonyms for the same values', () => {
    const a = createPseudonymiser(KEY);
    const b = createPseudonymiser(Buffer.alloc(32, 8));
    expect(a('customer', 'customer-1')).not.toBe(b('customer', 'customer-1'));
  });
});
