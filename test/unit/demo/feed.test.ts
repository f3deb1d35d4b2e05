import { describe, expect, it } from 'vitest';
import { MonthFeed } from '../../../demo/feed.ts';
import type { Contact, ContactMonth } from '../../../demo/world.ts';

const monthOf = (index: number): ContactMonth => ({
  index,
  month: `2025-0${index + 1}`,
  contacts: [{ seq: index } as Contact],
});

describe('MonthFeed', () => {
  it("lets a month's contacts go once every reader has asked for the next month, not before", () => {
    const months = [monthOf(0), monthOf(1), monthOf(2)];
    const feed = new MonthFeed(months[Symbol.iterator]());
    const fast = feed.reader()[Symbol.iterator]();
    const slow = feed.reader()[Symbol.iterator]();
    fast.next();
    fast.next();
    expect(months[0]?.contacts).toHaveLength(1);
    slow.next();
    expect(months[0]?.contacts).toHaveLength(1);
    slow.next();
    expect(months[0]?.contacts).toHaveLength(0);
    expect(months[1]?.contacts).toHaveLength(1);
    fast.next();
    slow.next();
    expect(fast.next().done).toBe(true);
    expect(slow.next().done).toBe(true);
    expect(months.map((m) => m.contacts.length)).toEqual([0, 0, 0]);
  });
});
