/**
 * A Parquet writer for staging files only: the normaliser writes one per landing object, table and
 * day (11,181 files of about 100 rows at scale 10), and hyparquet-writer's fixed cost per column
 * chunk (dictionary sampling, encoding choice, a page header and column metadata built as objects
 * and serialised field by field, the whole schema again in every footer) outweighed the rows.
 *
 * The files are standard Parquet of the table's schema (parquetSchema: the same physical and
 * converted types), written the simplest way any reader takes: uncompressed v1 pages, values
 * PLAIN, definition levels (RLE/bit-packed hybrid) for nullable columns, no statistics, and a
 * thrift compact footer whose constant parts (the schema, each column's type, encodings, path and
 * codec, created_by) are serialised once per table. A string column chunk whose distinct values
 * are at most half its values gets a dictionary page, its values then written as bit-packed
 * indexes: each repeated string is encoded once, which took less CPU than writing every one, and
 * half the bytes (figures at PartitionedParquetWriter in parquet.ts).
 */

import type { TableName } from '../schema/canonical.ts';
import type { LogicalType } from '../schema/columns.ts';
import { type ColumnDefinition, columnsOf } from '../schema/derive.ts';
import { PARQUET_CREATED_BY, parquetSchema } from './parquet.ts';
import {
  CODEC_UNCOMPRESSED,
  CONVERTED_TYPE,
  ENCODING_PLAIN,
  ENCODING_RLE,
  ENCODING_RLE_DICTIONARY,
  PAGE_TYPE_DATA_PAGE,
  PAGE_TYPE_DICTIONARY_PAGE,
  PARQUET_TYPE,
  REPETITION,
  T_BINARY,
  T_I32,
  T_I64,
  T_LIST,
  T_STRUCT,
} from './parquet-format.ts';

const MAGIC = [0x50, 0x41, 0x52, 0x31]; // PAR1

/** The format version hyparquet-writer declares, kept so that only the pages change. */
const FORMAT_VERSION = 2;
const STOP = 0;

const DAY_MS = 86_400_000;
const TWO_32 = 2 ** 32;

/**
 * A growing byte buffer that writes little-endian numbers, thrift compact fields and UTF-8 strings.
 * Strings are encoded here, character by character, rather than with TextEncoder or Buffer.write:
 * a staging string is short, and the call into native code cost more than the loop.
 */
class Bytes {
  bytes = new Uint8Array(0);
  view = new DataView(this.bytes.buffer);
  length = 0;

  ensure(more: number): void {
    const needed = this.length + more;
    if (needed <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(needed, this.bytes.length * 2, 4096));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }

  /**
   * A copy of the bytes written so far; the buffer is let go, so a spooled file's writer holds no
   * memory between its row groups.
   */
  take(): Uint8Array {
    const taken = this.bytes.slice(0, this.length);
    this.bytes = new Uint8Array(0);
    this.view = new DataView(this.bytes.buffer);
    this.length = 0;
    return taken;
  }

  byte(value: number): void {
    this.ensure(1);
    this.bytes[this.length++] = value;
  }

  append(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.bytes.set(bytes, this.length);
    this.length += bytes.length;
  }

  int32(value: number): void {
    this.ensure(4);
    this.view.setInt32(this.length, value, true);
    this.length += 4;
  }

  /** An INT64 from a number that is a safe integer (a timestamp's milliseconds), without a bigint. */
  int64FromNumber(value: number): void {
    this.ensure(8);
    const high = Math.floor(value / TWO_32);
    this.view.setUint32(this.length, value - high * TWO_32, true);
    this.view.setInt32(this.length + 4, high, true);
    this.length += 8;
  }

  bigint64(value: bigint): void {
    this.ensure(8);
    this.view.setBigInt64(this.length, value, true);
    this.length += 8;
  }

  float64(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
  }

  /** An unsigned varint of a non-negative safe integer. */
  varint(value: number): void {
    this.ensure(8);
    let rest = value;
    while (rest >= 0x80) {
      this.bytes[this.length++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.bytes[this.length++] = rest;
  }

  /** A thrift i32 or i64 field value (zigzag varint) of a safe integer. */
  zigzag(value: number): void {
    this.varint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  /** A thrift field header: the id as a delta from the previous field's when it fits in 4 bits. */
  field(delta: number, type: number): void {
    this.byte((delta << 4) | type);
  }

  listHeader(size: number, elementType: number): void {
    if (size < 15) this.byte((size << 4) | elementType);
    else {
      this.byte(0xf0 | elementType);
      this.varint(size);
    }
  }

  binary(bytes: Uint8Array): void {
    this.varint(bytes.length);
    this.append(bytes);
  }

  /**
   * A PLAIN BYTE_ARRAY value: its UTF-8 length, then its UTF-8 bytes, as TextEncoder makes them
   * (a lone surrogate becomes U+FFFD).
   */
  plainString(value: string): void {
    this.ensure(4 + value.length * 3);
    const bytes = this.bytes;
    const start = this.length + 4;
    let at = start;
    for (let i = 0; i < value.length; i++) {
      let code = value.charCodeAt(i);
      if (code < 0x80) {
        bytes[at++] = code;
        continue;
      }
      if (code < 0x800) {
        bytes[at++] = 0xc0 | (code >> 6);
        bytes[at++] = 0x80 | (code & 0x3f);
        continue;
      }
      if (code >= 0xd800 && code <= 0xdfff) {
        const next = i + 1 < value.length ? value.charCodeAt(i + 1) : 0;
        if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
          i++;
          bytes[at++] = 0xf0 | (code >> 18);
          bytes[at++] = 0x80 | ((code >> 12) & 0x3f);
          bytes[at++] = 0x80 | ((code >> 6) & 0x3f);
          bytes[at++] = 0x80 | (code & 0x3f);
          continue;
        }
        code = 0xfffd;
      }
      bytes[at++] = 0xe0 | (code >> 12);
      bytes[at++] = 0x80 | ((code >> 6) & 0x3f);
      bytes[at++] = 0x80 | (code & 0x3f);
    }
    this.view.setUint32(this.length, at - start, true);
    this.length = at;
  }
}

const utf8 = (text: string) => new TextEncoder().encode(text);

interface StagingColumn {
  readonly definition: ColumnDefinition;
  readonly optional: boolean;
  /** ColumnMetaData's fields 1-4 (type, encodings, path_in_schema, codec), serialised. */
  readonly metadataHead: Uint8Array;
  /** The same for a chunk written with a dictionary. */
  readonly dictionaryMetadataHead: Uint8Array;
}

/** What a table's staging files share, serialised once. */
interface StagingLayout {
  readonly columns: readonly StagingColumn[];
  /** FileMetaData's fields 1 and 2 (version, schema), serialised. */
  readonly footerHead: Uint8Array;
  /** FileMetaData's created_by (field 6, following row_groups) and the struct's end, serialised. */
  readonly footerTail: Uint8Array;
}

const PHYSICAL_TYPE: Readonly<Record<LogicalType, number>> = {
  string: PARQUET_TYPE.BYTE_ARRAY,
  timestamp: PARQUET_TYPE.INT64,
  double: PARQUET_TYPE.DOUBLE,
  bigint: PARQUET_TYPE.INT64,
  boolean: PARQUET_TYPE.BOOLEAN,
  date: PARQUET_TYPE.INT32,
};

const layouts = new Map<TableName, StagingLayout>();

/**
 * The page being encoded, copied after its header once its size is known. One for every writer, as
 * a page is encoded in one go, and kept at the size of the largest page: a buffer per page was most
 * of the writer's allocations.
 */
const page = new Bytes();

function stagingLayout(table: TableName): StagingLayout {
  let layout = layouts.get(table);
  if (layout !== undefined) return layout;
  const out = new Bytes();
  out.field(1, T_I32);
  out.zigzag(FORMAT_VERSION);
  const schema = parquetSchema(table);
  out.field(1, T_LIST);
  out.listHeader(schema.length, T_STRUCT);
  for (const element of schema) {
    let last = 0;
    const field = (id: number, type: number) => {
      out.field(id - last, type);
      last = id;
    };
    if (element.type !== undefined) {
      field(1, T_I32);
      out.zigzag(PARQUET_TYPE[element.type as keyof typeof PARQUET_TYPE]);
    }
    if (element.repetition_type !== undefined) {
      field(3, T_I32);
      out.zigzag(REPETITION[element.repetition_type as keyof typeof REPETITION]);
    }
    field(4, T_BINARY);
    out.binary(utf8(element.name));
    if (element.num_children !== undefined) {
      field(5, T_I32);
      out.zigzag(element.num_children);
    }
    if (element.converted_type !== undefined) {
      field(6, T_I32);
      out.zigzag(CONVERTED_TYPE[element.converted_type as keyof typeof CONVERTED_TYPE]);
    }
    out.byte(STOP);
  }
  const footerHead = out.take();
  out.field(2, T_BINARY);
  out.binary(utf8(PARQUET_CREATED_BY));
  out.byte(STOP);
  const footerTail = out.take();

  const metadataHead = (definition: ColumnDefinition, encodings: readonly number[]) => {
    out.field(1, T_I32);
    out.zigzag(PHYSICAL_TYPE[definition.logicalType]);
    out.field(1, T_LIST);
    out.listHeader(encodings.length, T_I32);
    for (const encoding of encodings) out.zigzag(encoding);
    out.field(1, T_LIST);
    out.listHeader(1, T_BINARY);
    out.binary(utf8(definition.name));
    out.field(1, T_I32);
    out.zigzag(CODEC_UNCOMPRESSED);
    return out.take();
  };
  const columns = columnsOf(table).map((definition): StagingColumn => {
    const optional = definition.nullable;
    const levels = optional ? [ENCODING_RLE] : [];
    return {
      definition,
      optional,
      metadataHead: metadataHead(definition, [ENCODING_PLAIN, ...levels]),
      dictionaryMetadataHead: metadataHead(definition, [ENCODING_PLAIN, ...levels, ENCODING_RLE_DICTIONARY]),
    };
  });
  layout = { columns, footerHead, footerTail };
  layouts.set(table, layout);
  return layout;
}

interface ChunkPlacement {
  readonly values: number;
  readonly offset: number;
  readonly bytes: number;
  /** The data page's offset when a dictionary page comes first at `offset`. */
  readonly dataOffset: number | undefined;
}

interface RowGroupPlacement {
  readonly rows: number;
  readonly bytes: number;
  readonly chunks: readonly ChunkPlacement[];
}

/**
 * Writes one staging file row group by row group: take() hands over the bytes written so far, so
 * a spooled file is appended to as it grows and a small one is taken whole after finish().
 */
export class StagingParquetWriter {
  private readonly layout: StagingLayout;
  private readonly out = new Bytes();
  private readonly rowGroups: RowGroupPlacement[] = [];
  /** Bytes of the file already taken. */
  private taken = 0;

  constructor(table: TableName) {
    this.layout = stagingLayout(table);
    for (const byte of MAGIC) this.out.byte(byte);
  }

  /** Writes one row group: `values[i]` holds column i of every row, as parquetValue gives it. */
  writeRowGroup(values: readonly (readonly unknown[])[], rows: number): void {
    const start = this.offset();
    this.out.ensure(rows * this.layout.columns.length * 8 + 1024);
    const chunks = this.layout.columns.map((column, i) => {
      const offset = this.offset();
      const dataOffset = this.writeChunk(column, values[i] as readonly unknown[], rows);
      return { values: rows, offset, bytes: this.offset() - offset, dataOffset };
    });
    this.rowGroups.push({ rows, bytes: this.offset() - start, chunks });
  }

  /** Writes the footer; nothing may be written after it. */
  finish(): void {
    const out = this.out;
    const footerStart = this.offset();
    out.append(this.layout.footerHead);
    out.field(1, T_I64);
    out.zigzag(this.rowGroups.reduce((sum, group) => sum + group.rows, 0));
    out.field(1, T_LIST);
    out.listHeader(this.rowGroups.length, T_STRUCT);
    for (const group of this.rowGroups) {
      out.field(1, T_LIST);
      out.listHeader(group.chunks.length, T_STRUCT);
      group.chunks.forEach((chunk, i) => {
        out.field(2, T_I64); // file_offset
        out.zigzag(chunk.offset);
        out.field(1, T_STRUCT); // meta_data
        const column = this.layout.columns[i] as StagingColumn;
        out.append(chunk.dataOffset === undefined ? column.metadataHead : column.dictionaryMetadataHead);
        out.field(1, T_I64); // num_values
        out.zigzag(chunk.values);
        out.field(1, T_I64); // total_uncompressed_size
        out.zigzag(chunk.bytes);
        out.field(1, T_I64); // total_compressed_size
        out.zigzag(chunk.bytes);
        out.field(2, T_I64); // data_page_offset
        out.zigzag(chunk.dataOffset ?? chunk.offset);
        if (chunk.dataOffset !== undefined) {
          out.field(2, T_I64); // dictionary_page_offset
          out.zigzag(chunk.offset);
        }
        out.byte(STOP);
        out.byte(STOP);
      });
      out.field(1, T_I64); // total_byte_size
      out.zigzag(group.bytes);
      out.field(1, T_I64); // num_rows
      out.zigzag(group.rows);
      out.byte(STOP);
    }
    out.append(this.layout.footerTail);
    out.int32(this.offset() - footerStart);
    for (const byte of MAGIC) out.byte(byte);
  }

  /** The bytes written since the last take. */
  take(): Uint8Array {
    this.taken += this.out.length;
    return this.out.take();
  }

  private offset(): number {
    return this.taken + this.out.length;
  }

  /**
   * Writes a column chunk: one data page, after a dictionary page when the column is a string
   * column worth one. Returns the data page's offset when a dictionary page came first.
   */
  private writeChunk(column: StagingColumn, values: readonly unknown[], rows: number): number | undefined {
    const dictionary = column.definition.logicalType === 'string' ? stringDictionary(values, rows) : undefined;
    page.length = 0;
    if (dictionary === undefined) {
      if (column.optional) writeDefinitionLevels(page, values, rows);
      writePlainValues(page, column.definition, values, rows);
      this.writePageHeader(PAGE_TYPE_DATA_PAGE, rows, ENCODING_PLAIN);
      this.out.append(page.bytes.subarray(0, page.length));
      return undefined;
    }
    for (const value of dictionary.values) page.plainString(value);
    this.writePageHeader(PAGE_TYPE_DICTIONARY_PAGE, dictionary.values.length, ENCODING_PLAIN);
    this.out.append(page.bytes.subarray(0, page.length));
    const dataOffset = this.offset();
    page.length = 0;
    if (column.optional) writeDefinitionLevels(page, values, rows);
    else if (dictionary.indexes.length !== rows) fail(column.definition, 'a string', null);
    writeIndexes(page, dictionary.indexes, dictionary.values.length);
    this.writePageHeader(PAGE_TYPE_DATA_PAGE, rows, ENCODING_RLE_DICTIONARY);
    this.out.append(page.bytes.subarray(0, page.length));
    return dataOffset;
  }

  /** The header of the page encoded in `page`, holding `values` values. */
  private writePageHeader(type: number, values: number, encoding: number): void {
    const out = this.out;
    out.field(1, T_I32); // type
    out.zigzag(type);
    out.field(1, T_I32); // uncompressed_page_size
    out.zigzag(page.length);
    out.field(1, T_I32); // compressed_page_size
    out.zigzag(page.length);
    if (type === PAGE_TYPE_DATA_PAGE) {
      out.field(2, T_STRUCT); // data_page_header
      out.field(1, T_I32); // num_values
      out.zigzag(values);
      out.field(1, T_I32); // encoding
      out.zigzag(encoding);
      out.field(1, T_I32); // definition_level_encoding
      out.zigzag(ENCODING_RLE);
      out.field(1, T_I32); // repetition_level_encoding
      out.zigzag(ENCODING_RLE);
    } else {
      out.field(4, T_STRUCT); // dictionary_page_header
      out.field(1, T_I32); // num_values
      out.zigzag(values);
      out.field(1, T_I32); // encoding
      out.zigzag(encoding);
    }
    out.byte(STOP);
    out.byte(STOP);
  }
}

/**
 * A nullable column's definition levels (bit width 1) with their 4-byte length: one RLE run when
 * every value is present or every one null, else one bit-packed run.
 */
function writeDefinitionLevels(page: Bytes, values: readonly unknown[], rows: number): void {
  let nulls = 0;
  for (let i = 0; i < rows; i++) if (values[i] === null || values[i] === undefined) nulls++;
  const lengthAt = page.length;
  page.int32(0);
  if (nulls === 0 || nulls === rows) {
    page.varint(rows * 2);
    page.byte(nulls === 0 ? 1 : 0);
  } else {
    const groups = Math.ceil(rows / 8);
    page.varint(groups * 2 + 1);
    page.ensure(groups);
    const bytes = page.bytes;
    const start = page.length;
    bytes.fill(0, start, start + groups);
    for (let i = 0; i < rows; i++) {
      if (values[i] !== null && values[i] !== undefined) {
        const at = start + (i >> 3);
        bytes[at] = (bytes[at] as number) | (1 << (i & 7));
      }
    }
    page.length += groups;
  }
  page.view.setInt32(lengthAt, page.length - lengthAt - 4, true);
}

/**
 * The distinct strings of a string column's chunk and each present value's index among them, when
 * they are at most half its present values; else undefined, and the column is written plain.
 */
function stringDictionary(
  values: readonly unknown[],
  rows: number,
): { values: string[]; indexes: number[] } | undefined {
  const index = new Map<string, number>();
  const indexes: number[] = [];
  for (let i = 0; i < rows; i++) {
    const value = values[i];
    if (typeof value !== 'string') {
      if (value === null || value === undefined) continue;
      return undefined;
    }
    let at = index.get(value);
    if (at === undefined) {
      at = index.size;
      index.set(value, at);
    }
    indexes.push(at);
  }
  return index.size * 2 <= indexes.length ? { values: [...index.keys()], indexes } : undefined;
}

/**
 * Dictionary indexes as a data page holds them: their bit width in a byte, then one bit-packed run
 * of the RLE/bit-packed hybrid, padded to a multiple of eight values.
 */
function writeIndexes(page: Bytes, indexes: readonly number[], distinct: number): void {
  const width = Math.max(1, Math.ceil(Math.log2(distinct)));
  const groups = Math.ceil(indexes.length / 8);
  page.byte(width);
  page.varint(groups * 2 + 1);
  page.ensure(groups * width);
  const bytes = page.bytes;
  const end = page.length + groups * width;
  let at = page.length;
  let bits = 0;
  let pending = 0;
  for (const index of indexes) {
    pending |= index << bits;
    bits += width;
    while (bits >= 8) {
      bytes[at++] = pending & 0xff;
      pending >>>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) bytes[at++] = pending;
  bytes.fill(0, at, end);
  page.length = end;
}

function fail(column: ColumnDefinition, expected: string, value: unknown): never {
  throw new Error(`staging column ${column.name} expected ${expected}, got ${String(value)}`);
}

/** The present values of a column, PLAIN-encoded as its physical type. */
function writePlainValues(page: Bytes, column: ColumnDefinition, values: readonly unknown[], rows: number): void {
  const required = !column.nullable;
  switch (column.logicalType) {
    case 'string':
      for (let i = 0; i < rows; i++) {
        const value = values[i];
        if (typeof value === 'string') page.plainString(value);
        else if (required || (value !== null && value !== undefined)) fail(column, 'a string', value);
      }
      return;
    case 'timestamp':
      for (let i = 0; i < rows; i++) {
        const value = values[i];
        if (value instanceof Date) page.int64FromNumber(value.getTime());
        else if (typeof value === 'bigint') page.bigint64(value);
        else if (typeof value === 'number' && Number.isSafeInteger(value)) page.int64FromNumber(value);
        else if (required || (value !== null && value !== undefined)) fail(column, 'a Date', value);
      }
      return;
    case 'bigint':
      for (let i = 0; i < rows; i++) {
        const value = values[i];
        if (typeof value === 'bigint') page.bigint64(value);
        else if (required || (value !== null && value !== undefined)) fail(column, 'a bigint', value);
      }
      return;
    case 'double':
      for (let i = 0; i < rows; i++) {
        const value = values[i];
        if (typeof value === 'number') page.float64(value);
        else if (required || (value !== null && value !== undefined)) fail(column, 'a number', value);
      }
      return;
    case 'date':
      for (let i = 0; i < rows; i++) {
        const value = values[i];
        if (value instanceof Date) page.int32(Math.floor(value.getTime() / DAY_MS));
        else if (typeof value === 'number' && Number.isSafeInteger(value)) page.int32(value);
        else if (required || (value !== null && value !== undefined)) fail(column, 'a Date', value);
      }
      return;
    case 'boolean': {
      let present = 0;
      for (let i = 0; i < rows; i++) if (values[i] !== null && values[i] !== undefined) present++;
      const size = Math.ceil(present / 8);
      page.ensure(size);
      const start = page.length;
      page.bytes.fill(0, start, start + size);
      let bit = 0;
      for (let i = 0; i < rows; i++) {
        const value = values[i];
        if (value === null || value === undefined) {
          if (required) fail(column, 'a boolean', value);
          continue;
        }
        if (typeof value !== 'boolean') fail(column, 'a boolean', value);
        if (value) {
          const at = start + (bit >> 3);
          page.bytes[at] = (page.bytes[at] as number) | (1 << (bit & 7));
        }
        bit++;
      }
      page.length += size;
      return;
    }
  }
}
