/**
 * What the streaming readers yield. A reader yields one item per record of the file, in order:
 * either the record or the reason it could not be read, so a bad record never hides the rest.
 */

/** A record the reader could not turn into values; the rest of the file is still read. */
export interface RecordError {
  readonly kind: 'error';
  /** 1-based position among the file's records (bad records count, so positions never shift). */
  readonly rowNumber: number;
  /** Physical line where the record starts, when the format has lines. */
  readonly line?: number;
  readonly error: string;
  /** The record as read (CSV fields, or the JSON text), for the reject file. */
  readonly raw: unknown;
}

/**
 * Largest single record a reader accepts, in characters. Memory stays bounded by one record, so a
 * file whose framing is broken (an unclosed quote or string) is rejected instead of being buffered
 * whole.
 */
export const MAX_RECORD_CHARS = 64 * 1024 * 1024;
