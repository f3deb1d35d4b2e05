/**
 * Repair of CSV rows split by a bare carriage return inside an unquoted text field (twcs.csv has
 * one: a tweet whose text holds "\r\r"). The CSV reader treats a lone CR as a record end, so such
 * a post arrives as two short rows. Consecutive short rows are glued back when, joined at the
 * break, they give exactly the header's field count; the number of CRs restored is the number of
 * physical lines between the pieces. Anything that does not fit stays a reject, unchanged.
 */
import type { CsvRecord, RecordError } from '../../core/read/index.ts';

export async function* mergeSplitRows(
  items: AsyncIterable<CsvRecord | RecordError>,
  columns: () => readonly string[],
): AsyncIterable<CsvRecord | RecordError> {
  let pending: RecordError | null = null;
  for await (const item of items) {
    const names = columns();
    if (!isShortRow(item, names.length)) {
      if (pending) yield pending;
      pending = null;
      yield item;
      continue;
    }
    if (pending === null) {
      pending = item;
      continue;
    }
    const merged = join(pending, item);
    if (merged.length === names.length) {
      const values: Record<string, string> = {};
      names.forEach((name, index) => {
        values[name] = merged[index] ?? '';
      });
      yield { kind: 'record', rowNumber: pending.rowNumber, line: pending.line ?? 0, values };
      pending = null;
    } else if (merged.length < names.length) {
      pending = { ...pending, raw: merged, line: item.line, error: pending.error };
    } else {
      yield pending;
      pending = item;
    }
  }
  if (pending) yield pending;
}

function isShortRow(item: CsvRecord | RecordError, expected: number): item is RecordError & { raw: string[] } {
  return item.kind === 'error' && Array.isArray(item.raw) && item.raw.length < expected && item.line !== undefined;
}

function join(first: RecordError, second: RecordError & { raw: string[] }): string[] {
  const head = first.raw as string[];
  const breaks = Math.max(1, (second.line ?? 0) - (first.line ?? 0) - lineBreaks(head));
  const last = head[head.length - 1] ?? '';
  const [firstOfNext = '', ...rest] = second.raw;
  return [...head.slice(0, -1), `${last}${'\r'.repeat(breaks)}${firstOfNext}`, ...rest];
}

function lineBreaks(fields: readonly string[]): number {
  return fields.reduce((n, f) => n + (f.match(/\r\n|\n|\r/g)?.length ?? 0), 0);
}
