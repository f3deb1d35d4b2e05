/**
 * Streaming CSV reader over csv-parse. The header, skipped lines, delimiter detection, line numbers
 * and the shape checks live here; csv-parse only splits records. The parser is driven synchronously
 * (write a chunk, drain its records) so every record before a fatal error has been accounted for
 * and the error can name the line where the broken record starts.
 */
import type { Readable } from 'node:stream';
import { type CsvError, Parser } from 'csv-parse';
import { FileRejectedError } from '../normalise/adapter.ts';
import { decodeText, type TextEncoding } from './decode.ts';
import { MAX_RECORD_CHARS, type RecordError } from './records.ts';

export interface CsvOptions {
  /** Field delimiter, or 'auto' to pick among `,` `;` tab `|` from the header line. @default 'auto' */
  readonly delimiter?: string | 'auto';
  /** @default 'utf-8' (a byte-order mark overrides it) */
  readonly encoding?: TextEncoding;
  /** Physical lines before the header (report titles, export banners). @default 0 */
  readonly skipLines?: number;
  /**
   * Header records. The first holds the column names; the rest are skipped (Qualtrics has 3,
   * SurveyMonkey 2). With `columns`, the file's header records are skipped and `columns` name the
   * fields instead. @default 1, or 0 when `columns` is given
   */
  readonly headerRows?: number;
  /** Column names for a file without a header row (or to replace the file's names). */
  readonly columns?: readonly string[];
  /** Called once with the resolved header before the first record; may throw FileRejectedError. */
  readonly onHeader?: (header: CsvHeader) => void;
  /** Largest record accepted, in characters; a larger one rejects the file. @default MAX_RECORD_CHARS */
  readonly maxRecordChars?: number;
}

export interface CsvHeader {
  /** Unique, trimmed column names, in file order. */
  readonly columns: readonly string[];
  /** Names that were blank or repeated in the file and were renamed to stay unique. */
  readonly renamed: readonly { readonly index: number; readonly from: string; readonly to: string }[];
  readonly delimiter: string;
}

export interface CsvRecord {
  readonly kind: 'record';
  /** 1-based data row (header rows and blank lines are not counted). */
  readonly rowNumber: number;
  /** Physical line where the record starts (1-based, counting skipped lines and the header). */
  readonly line: number;
  readonly values: Record<string, string>;
}

/** Candidates for delimiter detection; on a tie the earlier one wins. */
export const CSV_DELIMITER_CANDIDATES = [',', '\t', ';', '|'] as const;

const DEFAULT_DELIMITER = ',';
const DEFAULT_HEADER_ROWS = 1;
const DEFAULT_SKIP_LINES = 0;
const QUOTE = 34;
const CR = 13;
const LF = 10;

/**
 * Reads a CSV byte stream record by record. A row with the wrong number of fields is yielded as a
 * RecordError; a file that cannot be split into records (unclosed quote, binary content, no header)
 * throws FileRejectedError naming the line.
 */
export async function* readCsv(input: Readable, options: CsvOptions = {}): AsyncGenerator<CsvRecord | RecordError> {
  const maxRecordChars = options.maxRecordChars ?? MAX_RECORD_CHARS;
  const skipLines = options.skipLines ?? DEFAULT_SKIP_LINES;
  const state = new CsvState(options, skipLines + 1);
  let parser: Parser | undefined;
  let sniffed = '';
  for await (const chunk of skipPhysicalLines(decodeText(input, options.encoding), skipLines)) {
    if (!state.sawNul && chunk.includes('\0')) state.sawNul = true;
    if (parser === undefined) {
      sniffed += chunk;
      const layout = sniffLayout(sniffed, options, sniffed.length > maxRecordChars);
      if (layout === undefined) continue;
      parser = state.start(layout, maxRecordChars);
      for (const item of state.feed(parser, sniffed)) yield item;
      sniffed = '';
    } else {
      // Records are yielded one by one rather than delegated to with yield*, which in an async
      // generator wraps every step of the inner generator in a promise of its own.
      for (const item of state.feed(parser, chunk)) yield item;
    }
  }
  if (parser === undefined) {
    parser = state.start(
      sniffLayout(sniffed, options, true) ?? { delimiter: DEFAULT_DELIMITER, bareCr: false },
      maxRecordChars,
    );
    if (sniffed.length > 0) for (const item of state.feed(parser, sniffed)) yield item;
  }
  for (const item of state.finish(parser)) yield item;
}

/** How the file splits fields and records, read from its first record. */
interface Layout {
  readonly delimiter: string;
  /**
   * Whether a bare CR ends a record (old Mac files, whose header ends in a bare CR). Elsewhere a
   * bare CR is text: exported tweets and comments carry them unquoted.
   */
  readonly bareCr: boolean;
}

function createParser({ delimiter, bareCr }: Layout, maxRecordChars: number): Parser {
  const parser = new Parser({
    delimiter,
    // Ragged rows are reported per record here, not by failing the whole stream.
    relax_column_count: true,
    // A quote inside an unquoted field (`5" screen`) is kept as text, as spreadsheets do.
    relax_quotes: true,
    record_delimiter: bareCr ? ['\r\n', '\n', '\r'] : ['\r\n', '\n'],
    max_record_size: maxRecordChars,
  });
  // Errors are read synchronously from `errored` after each write; this only keeps them from being
  // reported a second time as an unhandled 'error' event.
  parser.on('error', () => {});
  return parser;
}

class CsvState {
  sawNul = false;
  private layout: Layout = { delimiter: DEFAULT_DELIMITER, bareCr: false };
  private names: readonly string[] | undefined;
  private hasProtoName = false;
  private readonly headerRows: number;
  private headerRecordsLeft: number;
  private rowNumber = 0;

  constructor(
    private readonly options: CsvOptions,
    private nextLine: number,
  ) {
    this.headerRows = options.headerRows ?? (options.columns === undefined ? DEFAULT_HEADER_ROWS : 0);
    this.headerRecordsLeft = this.headerRows;
  }

  start(layout: Layout, maxRecordChars: number): Parser {
    this.layout = layout;
    if (this.options.columns !== undefined && this.headerRows === 0) this.resolveHeader(this.options.columns);
    return createParser(layout, maxRecordChars);
  }

  *feed(parser: Parser, text: string): Generator<CsvRecord | RecordError> {
    parser.write(text);
    yield* this.drain(parser);
  }

  *finish(parser: Parser): Generator<CsvRecord | RecordError> {
    parser.end();
    yield* this.drain(parser);
    if (this.names === undefined) {
      throw new FileRejectedError('the file has no header row (it is empty after the skipped lines)');
    }
    if (this.headerRecordsLeft > 0) {
      throw new FileRejectedError(`the file ends inside its ${this.headerRows} header rows`);
    }
  }

  private *drain(parser: Parser): Generator<CsvRecord | RecordError> {
    for (let fields = parser.read() as string[] | null; fields !== null; fields = parser.read() as string[] | null) {
      const line = this.nextLine;
      this.nextLine = line + 1 + lineBreaksIn(fields, this.layout.bareCr);
      if (this.sawNul) rejectBinary(fields, line);
      if (isBlankLine(fields)) continue;
      if (this.headerRecordsLeft > 0) {
        this.headerRecordsLeft--;
        if (this.names === undefined) this.resolveHeader(this.options.columns ?? fields);
        continue;
      }
      yield this.toRecord(fields, line);
    }
    if (parser.errored !== null) throw this.rejection(parser.errored);
  }

  private resolveHeader(fields: readonly string[]): void {
    const { columns, renamed } = uniqueNames(fields);
    this.names = columns;
    this.hasProtoName = columns.includes('__proto__');
    this.options.onHeader?.({ columns, renamed, delimiter: this.layout.delimiter });
  }

  private toRecord(fields: readonly string[], line: number): CsvRecord | RecordError {
    const names = this.names ?? [];
    const rowNumber = ++this.rowNumber;
    if (fields.length !== names.length && !onlyBlankExtras(fields, names.length)) {
      return {
        kind: 'error',
        rowNumber,
        line,
        error: `expected ${names.length} fields but found ${fields.length}`,
        raw: fields,
      };
    }
    const values: Record<string, string> = {};
    for (let index = 0; index < names.length; index++) {
      const name = names[index] as string;
      const value = fields[index] ?? '';
      if (this.hasProtoName && name === '__proto__') {
        Object.defineProperty(values, name, { value, enumerable: true, writable: true, configurable: true });
      } else {
        values[name] = value;
      }
    }
    return { kind: 'record', rowNumber, line, values };
  }

  private rejection(error: Error): Error {
    if (error instanceof FileRejectedError) return error;
    const code = (error as Partial<CsvError>).code;
    if (code === 'CSV_QUOTE_NOT_CLOSED') {
      return new FileRejectedError(
        `unclosed quote: the quoted field in the record starting on line ${this.nextLine} never ends`,
      );
    }
    if (code === 'CSV_MAX_RECORD_SIZE') {
      return new FileRejectedError(
        `the record starting on line ${this.nextLine} is larger than ${this.options.maxRecordChars ?? MAX_RECORD_CHARS} characters (unclosed quote or not a CSV file)`,
      );
    }
    return new FileRejectedError(
      `not a readable CSV file at the record starting on line ${this.nextLine}: ${error.message}`,
    );
  }
}

/** Trims names, names blank columns `column_<n>` and suffixes repeats `_2`, `_3`… so every name is unique. */
export function uniqueNames(fields: readonly string[]): Pick<CsvHeader, 'columns' | 'renamed'> {
  const trimmed = fields.map((field) => field.trim());
  const taken = new Set(trimmed.filter((name) => name !== ''));
  const used = new Set<string>();
  const columns: string[] = [];
  const renamed: { index: number; from: string; to: string }[] = [];
  trimmed.forEach((name, index) => {
    let unique = name === '' ? `column_${index + 1}` : name;
    if (used.has(unique) || (name === '' && taken.has(unique))) {
      const base = unique;
      let suffix = 2;
      while (used.has(`${base}_${suffix}`) || taken.has(`${base}_${suffix}`)) suffix++;
      unique = `${base}_${suffix}`;
    }
    if (unique !== name) renamed.push({ index, from: fields[index] ?? '', to: unique });
    used.add(unique);
    columns.push(unique);
  });
  return { columns, renamed };
}

function isBlankLine(fields: readonly string[]): boolean {
  return fields.length === 1 && (fields[0] as string).trim() === '';
}

/** Spreadsheets pad short rows with trailing delimiters; empty padding loses nothing. */
function onlyBlankExtras(fields: readonly string[], expected: number): boolean {
  if (fields.length < expected) return false;
  for (let index = expected; index < fields.length; index++) if (fields[index] !== '') return false;
  return true;
}

function rejectBinary(fields: readonly string[], line: number): void {
  if (fields.some((field) => field.includes('\0'))) {
    throw new FileRejectedError(
      `binary content (NUL byte) in the record starting on line ${line}: not a text CSV file` +
        ` (a UTF-16 file without byte-order mark needs encoding 'utf-16le')`,
    );
  }
}

/** Line breaks inside quoted fields: CRLF and LF count once; a bare CR only where it ends records. */
function lineBreaksIn(fields: readonly string[], bareCr: boolean): number {
  let count = 0;
  for (const field of fields) {
    if (field.indexOf('\n') === -1 && (!bareCr || field.indexOf('\r') === -1)) continue;
    for (let index = 0; index < field.length; index++) {
      const code = field.charCodeAt(index);
      if (code === LF || (bareCr && code === CR && field.charCodeAt(index + 1) !== LF)) count++;
    }
  }
  return count;
}

/**
 * Reads the layout from the first record of the text (quote-aware). Returns undefined while the
 * first record is incomplete and more text may come.
 */
function sniffLayout(text: string, options: CsvOptions, final: boolean): Layout | undefined {
  const end = firstRecordEnd(text);
  // A CR at the very end may be the first half of a CRLF still to come.
  if ((end === undefined || end === text.length - 1) && !final) return undefined;
  const bareCr = end !== undefined && text.charCodeAt(end) === CR && text.charCodeAt(end + 1) !== LF;
  return { delimiter: chooseDelimiter(text.slice(0, end ?? text.length), options), bareCr };
}

function chooseDelimiter(header: string, options: CsvOptions): string {
  const requested = options.delimiter ?? 'auto';
  if (requested !== 'auto') return requested;
  const counts = countCandidates(header);
  const expected = options.columns === undefined ? undefined : options.columns.length - 1;
  const exact = expected === undefined ? undefined : CSV_DELIMITER_CANDIDATES.find((c) => counts.get(c) === expected);
  if (exact !== undefined) return exact;
  let best: string = DEFAULT_DELIMITER;
  let bestCount = 0;
  for (const candidate of CSV_DELIMITER_CANDIDATES) {
    const count = counts.get(candidate) ?? 0;
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}

function firstRecordEnd(text: string): number | undefined {
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) quoted = !quoted;
    else if (!quoted && (code === LF || code === CR)) {
      // Blank leading lines are not a header; keep looking.
      if (text.slice(0, index).trim() !== '') return index;
    }
  }
  return undefined;
}

function countCandidates(record: string): Map<string, number> {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const char of record) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (CSV_DELIMITER_CANDIDATES as readonly string[]).includes(char)) {
      counts.set(char, (counts.get(char) ?? 0) + 1);
    }
  }
  return counts;
}

/** Drops the first `count` physical lines (CRLF, LF or bare CR) of a text stream. */
async function* skipPhysicalLines(text: AsyncIterable<string>, count: number): AsyncGenerator<string> {
  let left = count;
  let afterCr = false;
  for await (const chunk of text) {
    if (left === 0 && !afterCr) {
      yield chunk;
      continue;
    }
    let index = 0;
    if (afterCr) {
      afterCr = false;
      if (chunk.charCodeAt(0) === LF) index = 1;
    }
    while (left > 0 && index < chunk.length) {
      const code = chunk.charCodeAt(index++);
      if (code === LF) left--;
      else if (code === CR) {
        left--;
        if (index === chunk.length) afterCr = true;
        else if (chunk.charCodeAt(index) === LF) index++;
      }
    }
    if (index < chunk.length) yield chunk.slice(index);
  }
}
