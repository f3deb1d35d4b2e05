/**
 * The world's contact months, simulated once and read by every format in step. A month is kept only
 * until each reader has taken it, so a driver that advances the readers together (see `inStep`)
 * holds a month or two of contacts, never the year.
 */
import type { DemoFile } from './formats/files.ts';
import type { Contact, ContactMonth } from './world.ts';

export interface MonthReader extends Iterable<ContactMonth> {
  /** Months this reader has taken so far. */
  readonly taken: number;
}

export class MonthFeed {
  private readonly queues: ContactMonth[][] = [];
  private started = false;
  private exhausted = false;
  /** Readers still on each month handed out. */
  private readonly reading = new Map<ContactMonth, number>();

  constructor(private readonly source: Iterator<ContactMonth>) {}

  /** A reader of every month; readers are made before the first month is read, so none misses one. */
  reader(): MonthReader {
    if (this.started) throw new Error('a month reader was added after the feed started');
    const queue: ContactMonth[] = [];
    this.queues.push(queue);
    let taken = 0;
    let current: ContactMonth | undefined;
    const feed = this;
    return {
      get taken() {
        return taken;
      },
      *[Symbol.iterator]() {
        for (;;) {
          const more = queue.length > 0 || feed.produce();
          if (current) feed.finished(current);
          if (!more) return;
          current = queue.shift() as ContactMonth;
          taken++;
          yield current;
        }
      },
    };
  }

  /**
   * A reader asked for the month after `month`, so it is done with it; once every reader is, its
   * contacts are let go. A format's suspended generator can keep a month it has finished with in a
   * register (V8 does not clear dead ones): at scale 10 two or three such months, 30,000-40,000
   * contacts each, stayed alive beside the current one.
   */
  private finished(month: ContactMonth): void {
    const left = (this.reading.get(month) ?? 1) - 1;
    if (left > 0) {
      this.reading.set(month, left);
    } else {
      this.reading.delete(month);
      (month.contacts as Contact[]).length = 0;
    }
  }

  /** Simulates the next month for every reader; false once the window is done. */
  private produce(): boolean {
    this.started = true;
    if (this.exhausted) return false;
    const next = this.source.next();
    if (next.done) {
      this.exhausted = true;
      return false;
    }
    for (const queue of this.queues) queue.push(next.value);
    this.reading.set(next.value, this.queues.length);
    return true;
  }
}

/** A format: its export files, from the contact months it reads. */
export type Format = (months: Iterable<ContactMonth>) => Iterator<DemoFile>;

/**
 * Every format's files, the formats advanced month by month together: in round r each format runs
 * until it has taken month r, so it has delivered what it could up to there before any format
 * reads further. Each format draws from its own fork of the seeded generator, so its files do not
 * depend on how the formats are interleaved.
 */
export function* inStep(feed: MonthFeed, formats: readonly Format[]): Generator<DemoFile> {
  const steps = formats.map((format) => {
    const reader = feed.reader();
    return { reader, files: format(reader), done: false };
  });
  for (let round = 1; steps.some((s) => !s.done); round++) {
    for (const step of steps) {
      while (!step.done && step.reader.taken <= round) {
        const next = step.files.next();
        if (next.done) step.done = true;
        else yield next.value;
      }
    }
  }
}
