/**
 * The customers an erasure names: the raw identifiers as an export holds them (e-mail, phone,
 * external id), their pseudonyms under the lake's key, and the test that finds them in a reject
 * file's raw row. `servicebench erase` and the erasure Lambda both start here.
 */
import { canonicalIdentifier, createPseudonymiser } from '../normalise/pseudonymise.ts';

/** One customer to erase. The raw identifier stays in memory: nothing written keeps it. */
export interface ErasedCustomer {
  /** The identifier in the form the pseudonymiser hashes (trimmed, e-mail lower-cased, phone digits). */
  readonly canonical: string;
  /** Its pseudonym in every `customer_key` column, as the normaliser computed it. */
  readonly key: string;
}

/**
 * Each identifier's pseudonym, computed by the normaliser's own function and key, so a key found
 * here is exactly the one ingest wrote. Throws naming every identifier that canonicalises to
 * nothing: erasing "nobody" must not pass for success.
 */
export function erasedCustomers(identifiers: readonly string[], pseudonymKey: Uint8Array): ErasedCustomer[] {
  if (identifiers.length === 0) throw new Error('name at least one customer identifier to erase');
  // Uncached: a handful of identifiers, and no pseudonym should outlive the run in a cache.
  const pseudonymise = createPseudonymiser(pseudonymKey, { cacheEntries: 0 });
  const blank = identifiers.map((id, i) => ({ id, i })).filter(({ id }) => canonicalIdentifier(id) === '');
  if (blank.length > 0) {
    throw new Error(
      `customer identifier(s) ${blank.map(({ i }) => `#${i + 1}`).join(', ')} are blank; pass the e-mail, phone or id as the export holds it`,
    );
  }
  const byKey = new Map<string, ErasedCustomer>();
  for (const id of identifiers) {
    const key = pseudonymise('customer', id) as string;
    byKey.set(key, { canonical: canonicalIdentifier(id), key });
  }
  return [...byKey.values()];
}

/**
 * Whether a reject record holds one of the customers. Every string or number anywhere in the record
 * (its raw row, and its reason, which may quote a value) is compared in canonical form, the
 * comparison the pseudonymiser makes; an e-mail also matches inside a longer text (`"Ann"
 * <ann@example.com>`), since an e-mail address cannot be part of another one by accident, unlike a
 * short id or a run of digits.
 */
export function mentionsCustomer(record: unknown, customers: readonly ErasedCustomer[]): boolean {
  const exact = new Set(customers.map((c) => c.canonical));
  const emails = customers.map((c) => c.canonical).filter((c) => c.includes('@'));
  const visit = (value: unknown): boolean => {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') {
      const text = String(value);
      if (exact.has(canonicalIdentifier(text))) return true;
      const lower = text.toLowerCase();
      return emails.some((email) => lower.includes(email));
    }
    if (Array.isArray(value)) return value.some(visit);
    if (value !== null && typeof value === 'object') return Object.values(value).some(visit);
    return false;
  };
  return visit(record);
}
