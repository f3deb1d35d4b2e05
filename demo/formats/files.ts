/** What every format writer produces: export files as a vendor would deliver them. */
import { gzipSync } from 'node:zlib';

export interface PlantedReject {
  /** What is wrong with the record, for the summary (the normaliser writes its own reason). */
  readonly problem: string;
}

export interface DemoFile {
  /** Source name from the demo config; the landing folder. */
  readonly source: string;
  /** Path below the source's landing folder. */
  readonly key: string;
  readonly body: Buffer;
  /** When the vendor delivered the file: its landing time (and so every row's ingested_at). */
  readonly deliveredAt: Date;
  /** Malformed records planted in the file: exactly these are rejected on ingestion. */
  readonly planted: readonly PlantedReject[];
}

/**
 * The UTF-8 bytes of `text` followed by `ending`, encoded separately. Appending the ending to the
 * text first makes V8 copy the whole text again to flatten the pair before encoding it: at scale 10
 * a page or delivery is 0.5-40 MB of text, and each such copy is a large object that brings the
 * generator's next full garbage collection closer.
 */
export function textBody(text: string, ending = '\n'): Buffer {
  const length = Buffer.byteLength(text, 'utf8');
  const body = Buffer.allocUnsafe(length + Buffer.byteLength(ending, 'utf8'));
  body.write(text, 0, 'utf8');
  body.write(ending, length, 'utf8');
  return body;
}

/**
 * The UTF-8 bytes of `items` joined by `separator`, then `ending`, each item encoded straight into
 * the body: joining first would copy a delivery's text (up to 40 MB at scale 10) into one string
 * only to encode it, and that string is a large object that brings the next full collection closer.
 */
export function joinedBody(items: readonly string[], separator = '', ending = ''): Buffer {
  const gap = Buffer.from(separator, 'utf8');
  let length = Buffer.byteLength(ending, 'utf8') + Math.max(0, items.length - 1) * gap.length;
  for (const item of items) length += Buffer.byteLength(item, 'utf8');
  const body = Buffer.allocUnsafe(length);
  let offset = 0;
  for (let i = 0; i < items.length; i++) {
    if (i > 0) for (let k = 0; k < gap.length; k++) body[offset++] = gap[k] as number;
    offset += body.write(items[i] as string, offset, 'utf8');
  }
  body.write(ending, offset, 'utf8');
  return body;
}

/**
 * A body written a record at a time, each record's text encoded into it as soon as it is made: no
 * record's text outlives its writing, where a delivery's lines held as strings until they were joined
 * (tens of MB at scale 10) survived the young collections in between and were copied by each.
 */
export class BodyWriter {
  private body: Buffer;
  private length = 0;

  /** `capacity`: the bytes expected, so that the body seldom has to grow (doubling) while written. */
  constructor(capacity: number) {
    this.body = Buffer.allocUnsafe(Math.max(1024, capacity));
  }

  write(text: string): void {
    // At most three UTF-8 bytes per UTF-16 unit (a surrogate pair's four bytes are two units);
    // counted exactly only near the end of the room.
    if (this.length + text.length * 3 > this.body.length) {
      const needed = this.length + Buffer.byteLength(text, 'utf8');
      if (needed > this.body.length) this.grow(needed);
    }
    this.length += this.body.write(text, this.length, 'utf8');
  }

  private grow(needed: number): void {
    let size = this.body.length * 2;
    while (size < needed) size *= 2;
    const body = Buffer.allocUnsafe(size);
    this.body.copy(body, 0, 0, this.length);
    this.body = body;
  }

  /** The bytes written (a view of the body, which may have room to spare). */
  bytes(): Buffer {
    return this.body.subarray(0, this.length);
  }
}

/** JSON Lines: one line per record, each ended by a newline. */
export function jsonLinesBody(lines: readonly string[]): Buffer {
  return lines.length === 0 ? Buffer.alloc(0) : joinedBody(lines, '\n', '\n');
}

/** Fixed gzip header time and level, so the compressed bytes depend on the content only. */
export function gzip(bytes: Buffer): Buffer {
  const body = gzipSync(bytes, { level: 6 });
  // Bytes 4-7 of the gzip header are the modification time; Node writes 0 already, keep it so.
  body.writeUInt32LE(0, 4);
  return body;
}

/** Characters that make a CSV field quoted; one object, where a literal in the function is a new one per field. */
const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV field, quoted when it must be (RFC 4180). */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  // A number's text has no quote, comma or line break.
  if (typeof value === 'number') return String(value);
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine(values: readonly (string | number | null | undefined)[]): string {
  return values.map(csvField).join(',');
}

/** Records split into pages of at most `size`. */
export function pages<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Records held by the month they are delivered in, until that month is complete: a format adds
 * records as it meets them and takes a month once no later contact can add to it, so only the
 * months still open are in memory. Adding to a month already taken would lose the record: it fails.
 */
export class MonthBuckets<T> {
  private readonly open = new Map<string, T[]>();
  private readonly taken = new Set<string>();

  add(month: string, item: T): void {
    if (this.taken.has(month)) throw new Error(`a record for ${month} arrived after that month was delivered`);
    const list = this.open.get(month);
    if (list) list.push(item);
    else this.open.set(month, [item]);
  }

  /** The month's records in the order they were added; the month is closed from now on. */
  take(month: string): T[] {
    this.taken.add(month);
    const list = this.open.get(month) ?? [];
    this.open.delete(month);
    return list;
  }
}
