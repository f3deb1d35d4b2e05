/** A long step told of again every few seconds, with the time it has run, until it settles. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PROGRESS_EVERY_MS, remindWhile } from '../../cli/progress.ts';

describe('remindWhile', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('says the reminder every few seconds while the work runs, and never after it settled', async () => {
    const said: string[] = [];
    let finish: (value: string) => void = () => {};
    const work = new Promise<string>((resolve) => {
      finish = resolve;
    });
    const reminded = remindWhile(
      work,
      (m) => said.push(m),
      (ms) => `step: ${Math.round(ms / 1000)} s so far`,
    );
    await vi.advanceTimersByTimeAsync(PROGRESS_EVERY_MS - 1);
    expect(said).toEqual([]);
    await vi.advanceTimersByTimeAsync(2 * PROGRESS_EVERY_MS);
    expect(said).toEqual(['step: 3 s so far', 'step: 6 s so far']);
    finish('done');
    await expect(reminded).resolves.toBe('done');
    await vi.advanceTimersByTimeAsync(5 * PROGRESS_EVERY_MS);
    expect(said).toHaveLength(2);
  });

  it('stops reminding when the work fails, and passes its error on', async () => {
    const said: string[] = [];
    const work = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('disk full')), 4_000));
    const reminded = remindWhile(
      work,
      (m) => said.push(m),
      () => 'still going',
    );
    const failed = expect(reminded).rejects.toThrow('disk full');
    await vi.advanceTimersByTimeAsync(4_000);
    await failed;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(said).toEqual(['still going']);
  });
});
