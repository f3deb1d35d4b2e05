import { describe, expect, it } from 'vitest';
import { inStep, MonthFeed } from '../../../demo/feed.ts';
import { type DemoFile, MonthBuckets } from '../../../demo/formats/files.ts';
import { buildWorld, type ContactMonth } from '../../../demo/world.ts';

const WORLD = { seed: 11, months: 3, endMonth: '2025-06', scale: 0.1 } as const;

describe('the contact months', () => {
  it('are the same on every pass, one month each, oldest first', () => {
    const world = buildWorld(WORLD);
    const pass = () =>
      [...world.contactMonths()].map((m) => ({
        month: m.month,
        seqs: m.contacts.map((c) => c.seq),
        times: m.contacts.map((c) => c.createdAt.getTime()),
      }));
    const first = pass();
    expect(first.map((m) => m.month)).toEqual(['2025-04', '2025-05', '2025-06']);
    expect(pass()).toEqual(first);
    for (const m of first) {
      expect(m.times.length).toBeGreaterThan(0);
      expect(m.times).toEqual([...m.times].sort((a, b) => a - b));
      for (const t of m.times) expect(new Date(t).toISOString().slice(0, 7)).toBe(m.month);
    }
  });
});

describe('inStep', () => {
  it('simulates each month once and keeps at most two months queued while formats advance together', () => {
    let simulated = 0;
    let queuedMost = 0;
    const months = (function* () {
      for (let index = 0; index < 6; index++) {
        simulated++;
        yield { index, month: `2025-0${index + 1}`, contacts: [] } as ContactMonth;
      }
    })();
    const feed = new MonthFeed(months);
    const seen: string[][] = [[], []];
    const format = (n: number) =>
      function* (read: Iterable<ContactMonth>): Generator<DemoFile> {
        for (const m of read) {
          seen[n]?.push(m.month);
          queuedMost = Math.max(queuedMost, simulated - Math.min(seen[0]?.length ?? 0, seen[1]?.length ?? 0));
          yield { source: `s${n}`, key: m.month, body: Buffer.alloc(0), deliveredAt: new Date(0), planted: [] };
        }
      };
    const files = [...inStep(feed, [format(0), format(1)])];
    expect(simulated).toBe(6);
    expect(seen[0]).toEqual(seen[1]);
    expect(files.map((f) => `${f.source}/${f.key}`).slice(0, 4)).toEqual([
      's0/2025-01',
      's0/2025-02',
      's1/2025-01',
      's1/2025-02',
    ]);
    expect(queuedMost).toBeLessThanOrEqual(2);
  });

  it('fails when a reader is added after the feed started', () => {
    const feed = new MonthFeed(buildWorld(WORLD).contactMonths());
    const [first] = feed.reader();
    expect(first?.month).toBe('2025-04');
    expect(() => feed.reader()).toThrow(/after the feed started/);
  });
});

describe('MonthBuckets', () => {
  it('gives a month its records in the order added, and fails when a record comes after the month was delivered', () => {
    const buckets = new MonthBuckets<number>();
    buckets.add('2025-05', 1);
    buckets.add('2025-06', 3);
    buckets.add('2025-05', 2);
    expect(buckets.take('2025-05')).toEqual([1, 2]);
    expect(() => buckets.add('2025-05', 4)).toThrow(/2025-05 arrived after that month was delivered/);
    expect(buckets.take('2025-06')).toEqual([3]);
  });
});
