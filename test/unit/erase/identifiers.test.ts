import { describe, expect, it } from 'vitest';
import { erasedCustomers, mentionsCustomer } from '../../../lambdas/core/erase/identifiers.ts';
import { createPseudonymiser } from '../../../lambdas/core/normalise/pseudonymise.ts';

const KEY = new Uint8Array(Buffer.from('k'.repeat(64)));

describe('erasedCustomers', () => {
  it("computes each identifier's pseudonym as the normaliser does, once per customer", () => {
    const pseudonymise = createPseudonymiser(KEY);
    const customers = erasedCustomers([' Ann@Example.com', 'ann@example.com', '+44 (20) 7946-0000', '12345'], KEY);
    expect(customers).toEqual([
      { canonical: 'ann@example.com', key: pseudonymise('customer', 'ann@example.com') },
      { canonical: '442079460000', key: pseudonymise('customer', '442079460000') },
      { canonical: '12345', key: pseudonymise('customer', '12345') },
    ]);
  });

  it('fails when no identifier is given or one is blank', () => {
    expect(() => erasedCustomers([], KEY)).toThrow(/at least one customer/);
    expect(() => erasedCustomers(['a@b.c', ' ', ''], KEY)).toThrow(/#2, #3 are blank/);
  });
});

describe('mentionsCustomer', () => {
  const [ann, id] = erasedCustomers(['ann@example.com', '12345'], KEY) as [
    ReturnType<typeof erasedCustomers>[number],
    ReturnType<typeof erasedCustomers>[number],
  ];

  it('finds an identifier anywhere in a raw record, in canonical form', () => {
    expect(mentionsCustomer({ raw: { requester: { email: 'ANN@example.com ' } } }, [ann])).toBe(true);
    expect(mentionsCustomer({ raw: ['x', 12345] }, [id])).toBe(true);
    expect(mentionsCustomer({ raw: { note: 'mail "Ann" <ann@example.com> today' } }, [ann])).toBe(true);
  });

  it('matches a non-e-mail identifier whole only, so a short id is not found inside other values', () => {
    expect(mentionsCustomer({ raw: { order: '123456', phone: '+1 12345 000' } }, [id])).toBe(false);
    expect(mentionsCustomer({ raw: null, reason: 'file rejected: bad gzip' }, [ann, id])).toBe(false);
  });
});
