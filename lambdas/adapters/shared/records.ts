/**
 * The loop every JSON adapter runs: each parsed record goes through a pure mapper; a record the
 * reader could not parse, or that the mapper refuses, becomes a reject with its row number.
 */
import type { MappedRow, SourceRecord } from '../../core/normalise/adapter.ts';
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
    if (item.kind === 'error') {
      yield { kind: 'rejected', rowNumber: item.rowNumber, raw: item.raw, field: null, reason: item.error };
    } else {
      yield mapRecord(item.rowNumber, item.value, mapper);
    }
  }
}
