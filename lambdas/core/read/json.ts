/**
 * Streaming JSON reader. A small splitter tracks strings, escapes and nesting depth to cut the text
 * into one JSON value per record, and only that value is handed to JSON.parse: memory stays bounded
 * by the largest record, whatever the file size.
 *
 * Layouts: JSON Lines (one value per line), a top-level array, concatenated values with or without
 * whitespace between them (Kinesis Firehose writes Amazon Connect contact records that way), and
 * the array under one key of a top-level object (`recordsPath`, e.g. Zendesk's
 * `{ "tickets": [...], "next_page": ... }`).
 */
import type { Readable } from 'node:stream';
import { FileRejectedError } from '../normalise/adapter.ts';
import { decodeText, type TextEncoding } from './decode.ts';
import { MAX_RECORD_CHARS, type RecordError } from './records.ts';

export type JsonFormat = 'auto' | 'jsonl' | 'array' | 'concatenated';

export interface JsonOptions {
  /** @default 'auto': `[` is an array; otherwise JSON Lines when the first lines parse alone, else concatenated */
  readonly format?: JsonFormat;
  /** @default 'utf-8' (a byte-order mark overrides it) */
  readonly encoding?: TextEncoding;
  /** Key of the top-level object whose array holds the records; needs format 'auto'. */
  readonly recordsPath?: string;
  /** Largest record accepted, in characters; a larger one rejects the file. @default MAX_RECORD_CHARS */
  readonly maxRecordChars?: number;
}

export interface JsonRecord {
  readonly kind: 'record';
  /** 1-based position of the record in the file. */
  readonly rowNumber: number;
  readonly value: unknown;
}

/** Size limit of readJsonDocument, in bytes. */
export const JSON_DOCUMENT_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Deepest nesting of arrays and objects accepted in one record or document. The deepest real
 * export in the fixtures and realdata nests 8 levels (a Zendesk QA review), so 64 leaves room for
 * any vendor's custom attributes. JSON.parse reads any depth, but JSON.stringify and every
 * recursive walk after it (mappings, reject files) overflow the stack a few thousand levels down:
 * deeper text is refused here, where the reason can still name the record.
 */
export const MAX_JSON_DEPTH = 64;

/** Records of a JSON file, one at a time; a record that is not valid JSON is a RecordError. */
export async function* readJson(input: Readable, options: JsonOptions = {}): AsyncGenerator<JsonRecord | RecordError> {
  const format = options.format ?? 'auto';
  if (options.recordsPath !== undefined && format !== 'auto') {
    throw new TypeError(`recordsPath reads one top-level object; it cannot be combined with format '${format}'`);
  }
  const limit = options.maxRecordChars ?? MAX_RECORD_CHARS;
  let splitter: Splitter | undefined = format === 'auto' ? undefined : createSplitter(format, options, limit);
  let peeked = '';
  let rowNumber = 0;
  // Each piece is yielded here rather than from a generator delegated to with yield*: in an async
  // generator that wraps every step of the inner one in a promise of its own.
  for await (const chunk of decodeText(input, options.encoding)) {
    if (splitter === undefined) {
      peeked += chunk;
      const detected = detectFormat(peeked, options, false, limit);
      if (detected === undefined) continue;
      splitter = createSplitter(detected, options, limit);
      for (const piece of splitter.push(peeked)) yield itemOf(piece, ++rowNumber);
      peeked = '';
    } else {
      for (const piece of splitter.push(chunk)) yield itemOf(piece, ++rowNumber);
    }
  }
  if (splitter === undefined) {
    const detected = detectFormat(peeked, options, true, limit);
    if (detected === undefined) {
      // No records is a valid JSON Lines or concatenated file, but an object that must hold the
      // records array (or an array the format requires) is missing.
      if (options.recordsPath !== undefined) {
        throw new FileRejectedError(`empty file: expected a JSON object with a "${options.recordsPath}" array`);
      }
      return;
    }
    splitter = createSplitter(detected, options, limit);
    for (const piece of splitter.push(peeked)) yield itemOf(piece, ++rowNumber);
  }
  for (const piece of splitter.end()) yield itemOf(piece, ++rowNumber);
}

/** A piece of text as the record it parses to, or as the reason it is not one. */
function itemOf(piece: Piece, rowNumber: number): JsonRecord | RecordError {
  try {
    return exceedsDepth(piece.text, MAX_JSON_DEPTH)
      ? {
          kind: 'error',
          rowNumber,
          line: piece.line,
          error: `the record nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels (the limit)`,
          raw: piece.text,
        }
      : { kind: 'record', rowNumber, value: JSON.parse(piece.text) };
  } catch (error) {
    return {
      kind: 'error',
      rowNumber,
      line: piece.line,
      error: `invalid JSON: ${(error as Error).message}`,
      raw: piece.text,
    };
  }
}

/**
 * Reads a whole small JSON document (an API page, a metadata file). Files over `maxBytes` and text
 * that is not JSON are rejected with FileRejectedError.
 */
export async function readJsonDocument(
  input: Readable,
  options: { readonly maxBytes?: number; readonly encoding?: TextEncoding } = {},
): Promise<unknown> {
  const maxBytes = options.maxBytes ?? JSON_DOCUMENT_MAX_BYTES;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
    size += bytes.length;
    if (size > maxBytes) {
      input.destroy();
      throw new FileRejectedError(`the JSON document is larger than the ${maxBytes}-byte limit`);
    }
    chunks.push(bytes);
  }
  let text = '';
  for await (const part of decodeText(chunks, options.encoding)) text += part;
  if (text.trim() === '') throw new FileRejectedError('empty file: expected a JSON document');
  const tooDeep = () =>
    new FileRejectedError(
      `the JSON document nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels (the limit)`,
    );
  // A document (a page of records) has far more brackets than the limit, so exceedsDepth would
  // scan every character of it, which took as long as JSON.parse itself on the demo's Zendesk
  // pages. JSON.parse reads any depth, so the parsed value is measured instead, in about a tenth
  // of the time, with the same answer: in valid JSON every bracket outside a string opens an array
  // or an object. Only text that is not JSON is scanned, so that depth is named first as before.
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (exceedsDepth(text, MAX_JSON_DEPTH)) throw tooDeep();
    throw new FileRejectedError(`not valid JSON: ${(error as Error).message}`);
  }
  if (nestsDeeper(value, MAX_JSON_DEPTH)) throw tooDeep();
  return value;
}

/** Whether a parsed value nests arrays and objects deeper than `limit` (the value itself is one level). */
function nestsDeeper(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (limit === 0) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (nestsDeeper(item, limit - 1)) return true;
    return false;
  }
  for (const key in value) if (nestsDeeper((value as Record<string, unknown>)[key], limit - 1)) return true;
  return false;
}

interface Piece {
  readonly text: string;
  readonly line: number;
}

interface Splitter {
  push(chunk: string): Piece[];
  end(): Piece[];
}

type Layout = Exclude<JsonFormat, 'auto'> | 'object';

function createSplitter(layout: Layout, options: JsonOptions, limit: number): Splitter {
  return layout === 'jsonl' ? new LineSplitter(limit) : new ValueSplitter(layout, options.recordsPath ?? '', limit);
}

/**
 * Chooses the layout from the first characters. Returns undefined while more text is needed; an
 * empty file has no layout (and no records).
 */
function detectFormat(text: string, options: JsonOptions, final: boolean, limit: number): Layout | undefined {
  const start = text.search(/\S/);
  if (start === -1) return undefined;
  const first = text[start] as string;
  if (options.recordsPath !== undefined) {
    if (first !== '{') {
      throw new FileRejectedError(
        `expected a JSON object with a "${options.recordsPath}" array, but the file starts with ${describe(first)}`,
      );
    }
    return 'object';
  }
  if (first === '[') return 'array';
  if (first !== '{') throw new FileRejectedError(`not JSON records: the file starts with ${describe(first)}`);
  // JSON Lines when the first object is alone on its line; pretty-printed objects, or objects run
  // together on one line (Firehose), are read as concatenated values.
  const object = firstObject(text, start);
  if (object === undefined) {
    const spansLines = text.indexOf('\n', start) !== -1;
    return spansLines || final || text.length - start > limit ? 'concatenated' : undefined;
  }
  if (object.multiline) return 'concatenated';
  const next = text.slice(object.end).search(/[^ \t\r]/);
  if (next === -1) return final || text.length - start > limit ? 'jsonl' : undefined;
  return text[object.end + next] === '\n' ? 'jsonl' : 'concatenated';
}

/** End of the object starting at `start` (strings and depth tracked), or undefined when incomplete. */
function firstObject(text: string, start: number): { end: number; multiline: boolean } | undefined {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let multiline = false;
  for (let index = start; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === Code.Newline) multiline = true;
    if (inString) {
      if (escaped) escaped = false;
      else if (code === Code.Backslash) escaped = true;
      else if (code === Code.Quote) inString = false;
    } else if (code === Code.Quote) inString = true;
    else if (code === Code.OpenBrace || code === Code.OpenBracket) depth++;
    else if (code === Code.CloseBrace || code === Code.CloseBracket) {
      depth--;
      if (depth === 0) return { end: index + 1, multiline };
    }
  }
  return undefined;
}

/** Whether arrays and objects nest deeper than `limit` anywhere in the text (strings skipped). */
function exceedsDepth(text: string, limit: number): boolean {
  // Text with at most `limit` brackets cannot nest deeper. Counting them natively settles nearly
  // every record at 5 % of JSON.parse's time; a scan of each character took 50 %.
  let opens = 0;
  for (let at = text.indexOf('{'); at !== -1 && opens <= limit; at = text.indexOf('{', at + 1)) opens++;
  for (let at = text.indexOf('['); at !== -1 && opens <= limit; at = text.indexOf('[', at + 1)) opens++;
  if (opens <= limit) return false;
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (escaped) escaped = false;
      else if (code === Code.Backslash) escaped = true;
      else if (code === Code.Quote) inString = false;
    } else if (code === Code.Quote) inString = true;
    else if (code === Code.OpenBrace || code === Code.OpenBracket) {
      if (++depth > limit) return true;
    } else if (code === Code.CloseBrace || code === Code.CloseBracket) depth--;
  }
  return false;
}

function describe(char: string): string {
  return char === '<' ? "'<' (HTML or XML?)" : `'${char}'`;
}

/** JSON Lines: one value per line, blank lines ignored, a trailing CR dropped. */
class LineSplitter implements Splitter {
  private carry = '';
  private line = 0;

  constructor(private readonly limit: number) {}

  push(chunk: string): Piece[] {
    const pieces: Piece[] = [];
    let text = this.carry + chunk;
    let from = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', from)) {
      this.take(text.slice(from, end), pieces);
      from = end + 1;
    }
    text = text.slice(from);
    if (text.length > this.limit) {
      throw new FileRejectedError(`line ${this.line + 1} is longer than ${this.limit} characters`);
    }
    this.carry = text;
    return pieces;
  }

  end(): Piece[] {
    const pieces: Piece[] = [];
    if (this.carry !== '') this.take(this.carry, pieces);
    this.carry = '';
    return pieces;
  }

  private take(rawLine: string, pieces: Piece[]): void {
    this.line++;
    const text = rawLine.trim();
    if (text !== '') pieces.push({ text, line: this.line });
  }
}

enum Code {
  Tab = 9,
  Newline = 10,
  Return = 13,
  Space = 32,
  Quote = 34,
  Comma = 44,
  Colon = 58,
  OpenBracket = 91,
  Backslash = 92,
  CloseBracket = 93,
  OpenBrace = 123,
  CloseBrace = 125,
}

type Expect =
  /** Before the top-level array or object. */
  | 'open'
  /** Concatenated layout: whitespace, then the next value or the end. */
  | 'between'
  /** Inside the records array: a value, or `]` right after `[`. */
  | 'elementOrClose'
  | 'element'
  | 'commaOrClose'
  /** Inside the top-level object of the `object` layout. */
  | 'keyOrClose'
  | 'key'
  | 'colon'
  | 'memberValue'
  | 'memberCommaOrClose'
  /** After the top-level array or object: only whitespace. */
  | 'done';

/**
 * Splits concatenated values, a top-level array, or the array under one key of a top-level object,
 * one character at a time. Values are scanned for strings and depth only; JSON.parse validates them.
 */
class ValueSplitter implements Splitter {
  private expect: Expect;
  private line = 1;
  /** Set while a value is being scanned. */
  private inValue = false;
  private capture = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** A number or literal (`true`, `null`…) ends at the first delimiter rather than at a bracket. */
  private bare = false;
  private parts: string[] = [];
  private partsLength = 0;
  private valueLine = 0;
  /** Key being read in the `object` layout, and whether its array has been found. */
  private inKey = false;
  private key = '';
  private found = false;
  private readonly pieces: Piece[] = [];

  constructor(
    private readonly layout: 'array' | 'concatenated' | 'object',
    private readonly recordsPath: string,
    private readonly limit: number,
  ) {
    this.expect = layout === 'concatenated' ? 'between' : 'open';
  }

  push(chunk: string): Piece[] {
    let index = 0;
    while (index < chunk.length) {
      if (this.inValue) index = this.scanValue(chunk, index);
      else if (this.inKey) index = this.scanKey(chunk, index);
      else index = this.structure(chunk, index);
    }
    return this.pieces.splice(0);
  }

  end(): Piece[] {
    if (this.inValue) {
      throw new FileRejectedError(
        `the file ends inside the JSON value that starts on line ${this.valueLine} (truncated file?)`,
      );
    }
    if (this.inKey || (this.expect !== 'done' && this.expect !== 'between' && this.expect !== 'open')) {
      throw new FileRejectedError(
        `the file ends before the top-level ${this.layout === 'array' ? 'array' : 'object'} is closed`,
      );
    }
    if (this.expect === 'open') {
      throw new FileRejectedError(`empty file: expected a JSON ${this.layout === 'array' ? 'array' : 'object'}`);
    }
    if (this.layout === 'object' && !this.found) {
      throw new FileRejectedError(`no "${this.recordsPath}" array at the top level of the JSON object`);
    }
    return this.pieces.splice(0);
  }

  /** Whitespace and punctuation between values; returns the index of the next unread character. */
  private structure(chunk: string, start: number): number {
    let index = start;
    for (; index < chunk.length; index++) {
      const code = chunk.charCodeAt(index);
      if (code === Code.Newline) {
        this.line++;
        continue;
      }
      if (code === Code.Space || code === Code.Tab || code === Code.Return) continue;
      switch (this.expect) {
        case 'open':
          if (this.layout === 'array' && code === Code.OpenBracket) this.expect = 'elementOrClose';
          else if (this.layout === 'object' && code === Code.OpenBrace) this.expect = 'keyOrClose';
          else throw this.unexpected(chunk, index, this.layout === 'array' ? "'['" : "'{'");
          continue;
        case 'between':
          if (code !== Code.OpenBrace && code !== Code.OpenBracket) {
            throw this.unexpected(chunk, index, 'the start of a JSON object');
          }
          return this.startValue(chunk, index, true);
        case 'elementOrClose':
          if (code === Code.CloseBracket) {
            this.closeArray();
            continue;
          }
          return this.startValue(chunk, index, true);
        case 'element':
          if (code === Code.CloseBracket || code === Code.Comma) throw this.unexpected(chunk, index, 'a value');
          return this.startValue(chunk, index, true);
        case 'commaOrClose':
          if (code === Code.Comma) this.expect = 'element';
          else if (code === Code.CloseBracket) this.closeArray();
          else throw this.unexpected(chunk, index, "',' or ']'");
          continue;
        case 'keyOrClose':
          if (code === Code.CloseBrace) {
            this.expect = 'done';
            continue;
          }
          if (code !== Code.Quote) throw this.unexpected(chunk, index, 'a key');
          return this.startKey(index);
        case 'key':
          if (code !== Code.Quote) throw this.unexpected(chunk, index, 'a key');
          return this.startKey(index);
        case 'colon':
          if (code !== Code.Colon) throw this.unexpected(chunk, index, "':'");
          this.expect = 'memberValue';
          continue;
        case 'memberValue':
          if (this.key === this.recordsPath && !this.found) {
            if (code !== Code.OpenBracket) {
              throw new FileRejectedError(
                `"${this.recordsPath}" is not an array (it starts with ${describe(chunk[index] as string)} on line ${this.line})`,
              );
            }
            this.found = true;
            this.expect = 'elementOrClose';
            continue;
          }
          return this.startValue(chunk, index, false);
        case 'memberCommaOrClose':
          if (code === Code.Comma) this.expect = 'key';
          else if (code === Code.CloseBrace) this.expect = 'done';
          else throw this.unexpected(chunk, index, "',' or '}'");
          continue;
        case 'done':
          throw this.unexpected(chunk, index, 'nothing after the top-level value');
      }
    }
    return index;
  }

  private closeArray(): void {
    this.expect = this.layout === 'object' ? 'memberCommaOrClose' : 'done';
  }

  private startKey(index: number): number {
    this.inKey = true;
    this.key = '';
    this.escaped = false;
    return index + 1;
  }

  /** Reads a key of the top-level object (keys are short; escapes are resolved by JSON.parse). */
  private scanKey(chunk: string, start: number): number {
    for (let index = start; index < chunk.length; index++) {
      const code = chunk.charCodeAt(index);
      if (this.escaped) this.escaped = false;
      else if (code === Code.Backslash) this.escaped = true;
      else if (code === Code.Quote) {
        this.key += chunk.slice(start, index);
        this.inKey = false;
        try {
          this.key = JSON.parse(`"${this.key}"`) as string;
        } catch {
          throw new FileRejectedError(`invalid key on line ${this.line}`);
        }
        this.expect = 'colon';
        return index + 1;
      }
      if (code === Code.Newline) this.line++;
    }
    this.key += chunk.slice(start);
    if (this.key.length > this.limit) throw new FileRejectedError(`a key on line ${this.line} never ends`);
    return chunk.length;
  }

  private startValue(chunk: string, index: number, capture: boolean): number {
    const code = chunk.charCodeAt(index);
    this.inValue = true;
    this.capture = capture;
    this.valueLine = this.line;
    this.parts = [];
    this.partsLength = 0;
    this.escaped = false;
    this.inString = code === Code.Quote;
    this.bare = !this.inString && code !== Code.OpenBrace && code !== Code.OpenBracket;
    this.depth = this.inString || this.bare ? 0 : 1;
    const next = index + 1;
    // A one-character number (`[1,2]`) ends before its first delimiter, which the scan would miss.
    return this.bare && next < chunk.length && endsBare(chunk.charCodeAt(next))
      ? this.endValue(chunk, index, next)
      : this.resume(chunk, index, next);
  }

  private resume(chunk: string, valueStart: number, from: number): number {
    const end = this.scan(chunk, from);
    if (end === -1) {
      this.keep(chunk.slice(valueStart));
      return chunk.length;
    }
    return this.endValue(chunk, valueStart, end);
  }

  private scanValue(chunk: string, start: number): number {
    if (this.bare && endsBare(chunk.charCodeAt(start))) return this.endValue(chunk, start, start);
    return this.resume(chunk, start, start);
  }

  /** Index just past the end of the current value, or -1 when it continues in the next chunk. */
  private scan(chunk: string, from: number): number {
    const end = this.bare ? this.scanBare(chunk, from) : this.scanNested(chunk, from);
    this.line += newlinesIn(chunk, from, end === -1 ? chunk.length : end);
    return end;
  }

  /** A number or literal: it ends before the first delimiter. */
  private scanBare(chunk: string, from: number): number {
    for (let index = from; index < chunk.length; index++) {
      if (endsBare(chunk.charCodeAt(index + 1))) return index + 1;
    }
    return -1;
  }

  /**
   * A string, array or object. Strings are skipped with indexOf to their next quote, which an odd
   * run of backslashes before it escapes: on the demo's Amazon Connect records, reading every
   * character in JS took as long as JSON.parse of the value.
   */
  private scanNested(chunk: string, from: number): number {
    let { depth, inString, escaped } = this;
    let index = from;
    // Backslashes before `floor` are spent: the escaped character of the previous chunk is one.
    let floor = from;
    let end = -1;
    while (index < chunk.length) {
      if (inString) {
        if (escaped) {
          escaped = false;
          floor = ++index;
          continue;
        }
        const quote = chunk.indexOf('"', index);
        if (quote === -1) {
          escaped = backslashesBefore(chunk, chunk.length, index) % 2 === 1;
          index = chunk.length;
          break;
        }
        index = quote + 1;
        if (backslashesBefore(chunk, quote, floor) % 2 === 1) continue;
        inString = false;
        if (depth === 0) {
          end = index;
          break;
        }
        continue;
      }
      const code = chunk.charCodeAt(index++);
      if (code === Code.Quote) inString = true;
      else if (code === Code.OpenBrace || code === Code.OpenBracket) depth++;
      else if (code === Code.CloseBrace || code === Code.CloseBracket) {
        depth--;
        if (depth === 0) {
          end = index;
          break;
        }
      }
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    return end;
  }

  private keep(text: string): void {
    if (!this.capture) return;
    this.parts.push(text);
    this.partsLength += text.length;
    if (this.partsLength > this.limit) {
      throw new FileRejectedError(
        `the JSON value starting on line ${this.valueLine} is larger than ${this.limit} characters (truncated or broken file?)`,
      );
    }
  }

  private endValue(chunk: string, valueStart: number, end: number): number {
    if (this.capture) {
      this.keep(chunk.slice(valueStart, end));
      this.pieces.push({
        text: this.parts.length === 1 ? (this.parts[0] as string) : this.parts.join(''),
        line: this.valueLine,
      });
    }
    this.parts = [];
    this.partsLength = 0;
    this.inValue = false;
    this.expect =
      this.layout === 'concatenated'
        ? 'between'
        : this.expect === 'memberValue'
          ? 'memberCommaOrClose'
          : 'commaOrClose';
    return end;
  }

  private unexpected(chunk: string, index: number, expected: string): FileRejectedError {
    return new FileRejectedError(
      `expected ${expected} but found ${describe(chunk[index] as string)} on line ${this.line}`,
    );
  }
}

/** Line feeds in `text` from `from` up to (not including) `to`. */
function newlinesIn(text: string, from: number, to: number): number {
  let count = 0;
  for (let at = text.indexOf('\n', from); at !== -1 && at < to; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

/** Backslashes in a row just before `at`, not looking before `floor`. */
function backslashesBefore(text: string, at: number, floor: number): number {
  let index = at;
  while (index > floor && text.charCodeAt(index - 1) === Code.Backslash) index--;
  return at - index;
}

/** Characters that end a bare number or literal; NaN (past the chunk end) does not. */
function endsBare(code: number): boolean {
  return (
    code === Code.Comma ||
    code === Code.CloseBracket ||
    code === Code.CloseBrace ||
    code === Code.Space ||
    code === Code.Newline ||
    code === Code.Return ||
    code === Code.Tab
  );
}
