/**
 * The loop every JSON adapter runs: each parsed record goes through a pure mapper; a record the
 * reader could not parse, or that the mapper refuses, becomes a reject with its row number.
 */
import type { Readable } from 'node:stream';
import { FileRejectedError, type MappedRow, type SourceRecord } from '../../core/normalise/adapter.ts';
import { type RecordError, readCsv, type TextEncoding } from '../../core/read/index.ts';
import { RecordRejection } from './values.ts';

/** One item as the readers yield it (lambdas/core/read): a parsed value or an unreadable record. */
export type ReadItem =
  | { readonly kind: 'record'; readonly rowNumber: number; readonly value: unknown }
  | { readonly kind: 'error'; readonly rowNumber: number; readonly error: string; readonly raw: unknown };

export type RecordMapper = (value: unknown) => readonly MappedRow[];

/** Maps one parsed value; a RecordRejection becomes a reject, any other error is a bug and propagates. */
export function mapRecord(rowNumber: number, value: unknown, mapper: RecordMapper): SourceRecord {
  try {
    return { kind: 'mapped', rowNumber, raw: value, rows: mapper(value) };
  } catch (error) {
    if (error instanceof RecordRejection) {
      return { kind: 'rejected', rowNumber, raw: value, field: error.field, reason: error.message };
    }
    throw error;
  }
}

export async function* mapItems(items: AsyncIterable<ReadItem>, mapper: RecordMapper): AsyncIterable<SourceRecord> {
  for await (const item of items) {
    yield item.kind === 'error' ? unreadable(item) : mapRecord(item.rowNumber, item.value, mapper);
  }
}

/** A record the reader could not read, as the reject it becomes. */
function unreadable(item: RecordError): SourceRecord {
  return { kind: 'rejected', rowNumber: item.rowNumber, raw: item.raw, field: null, reason: item.error };
}

/**
 * The loop of a CSV adapter with a fixed set of columns: the file is rejected whole when the header
 * lacks a column the mapper needs, and each row goes through the mapper like a JSON record.
 */
export function mapCsvRows(
  input: Readable,
  options: { readonly delimiter?: string; readonly encoding?: TextEncoding },
  missingColumns: (columns: readonly string[]) => readonly string[],
  mapper: (values: Record<string, string>) => readonly MappedRow[],
): AsyncIterable<SourceRecord> {
  const rows = readCsv(input, {
    delimiter: options.delimiter ?? 'auto',
    encoding: options.encoding,
    onHeader: ({ columns }) => {
      const missing = missingColumns(columns);
      if (missing.length > 0) {
        throw new FileRejectedError(`missing column(s) ${missing.join(', ')}; the header has ${columns.join(', ')}`);
      }
    },
  });
  return mapCsvItems(rows, (value) => mapper(value as Record<string, string>));
}

/**
 * mapItems for CSV rows, read from their `values`: one async generator between the reader and the
 * pipeline rather than a second one that renamed the field, a promise and an object per row.
 */
async function* mapCsvItems(rows: ReturnType<typeof readCsv>, mapper: RecordMapper): AsyncIterable<SourceRecord> {
  for await (const item of rows) {
    yield item.kind === 'error' ? unreadable(item) : mapRecord(item.rowNumber, item.values, mapper);
  }
}
