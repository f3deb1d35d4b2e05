/**
 * A reader for the Parquet that staging files are written as (lambdas/core/normalise/staging-parquet.ts):
 * flat columns of the staged types, uncompressed v1 data pages, values PLAIN or as RLE/bit-packed
 * indexes into a PLAIN dictionary page, RLE/bit-packed definition levels, no statistics. A staging
 * file holds about 100 rows, so hyparquet's fixed cost per column chunk (the footer parsed into
 * objects, a reader, decoder and conversion per page, a callback per chunk) was most of the time
 * compaction spent reading; here a chunk's values go from the page straight into the partition's
 * columns. Reading the 11,181 staging files of the scale-10 demo lake: 1.0-1.1 s of CPU against
 * 4.2-4.5 s with hyparquet, the same values from every file.
 *
 * It decodes only that subset of Parquet, and checks every structure it meets against it: any
 * other field, type, encoding, codec or page kind, or an offset, size or count that does not add
 * up, and it declines the file (readStagedFile returns undefined; the footer is checked whole
 * before any page is read). Files staged by older versions (hyparquet-writer's v2 pages,
 * compression and statistics) and damaged files are then read by hyparquet, as before.
 */
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
} from '../normalise/parquet-format.ts';
import type { ColumnDefinition } from '../schema/derive.ts';

const MAGIC = 0x31524150; // "PAR1" read as a little-endian uint32
/** Widest dictionary index decoded (2^24 distinct values; a staging chunk has a few hundred). */
const MAX_INDEX_WIDTH = 24;

/** Thrown, and caught in readStagedFile, where the file leaves the subset this reader decodes. */
const UNRECOGNISED = new Error('not a staging file this reader decodes');

function decline(): never {
  throw UNRECOGNISED;
}

interface Leaf {
  readonly name: string;
  readonly type: number;
  readonly converted: number | undefined;
  readonly optional: boolean;
}

interface Chunk {
  readonly leaf: Leaf;
  /** Where its first page starts: the dictionary page's offset, else the data page's. */
  readonly start: number;
  readonly end: number;
  readonly dataOffset: number;
  readonly dictionary: boolean;
  readonly values: number;
}

interface RowGroup {
  readonly rows: number;
  readonly chunks: readonly Chunk[];
}

/** The thrift compact fields of the footer and page headers, read field by field. */
class Thrift {
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  byte(): number {
    if (this.pos >= this.end) decline();
    return this.bytes[this.pos++] as number;
  }

  /** An unsigned varint below 2^49, far above any count or offset of a staging file. */
  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 7; i++) {
      const byte = this.byte();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
    return decline();
  }

  /** A zigzag i32 or i64 that is a non-negative count, size or offset. */
  count(): number {
    const zigzag = this.varint();
    if (zigzag % 2 === 1) decline();
    return zigzag / 2;
  }

  /** An i32 enum value (non-negative in every field read here). */
  enumValue(type: number): number {
    if (type !== T_I32) decline();
    return this.count();
  }

  /** An i32 or i64 count, size or offset field. */
  countField(type: number): number {
    if (type !== T_I32 && type !== T_I64) decline();
    return this.count();
  }

  /**
   * The next field's id and type (id 0: the struct's end), from the previous field's id. The id
   * comes as a delta when it fits in 4 bits, else as a zigzag i16.
   */
  field(previous: number): { id: number; type: number } {
    const header = this.byte();
    if (header === 0) return { id: 0, type: 0 };
    const delta = header >> 4;
    const type = header & 0x0f;
    const id = delta === 0 ? this.count() : previous + delta;
    return { id, type };
  }

  /** A list's size, when its elements are of the expected type. */
  list(type: number, elementType: number): number {
    if (type !== T_LIST) decline();
    const header = this.byte();
    if ((header & 0x0f) !== elementType) decline();
    const size = header >> 4;
    return size === 15 ? this.varint() : size;
  }

  /** A binary field's bytes as a string, when they are ASCII (every name this reader matches is). */
  ascii(type: number): string {
    if (type !== T_BINARY) decline();
    const length = this.varint();
    const end = this.pos + length;
    if (end > this.end) decline();
    let text = '';
    for (let i = this.pos; i < end; i++) {
      const byte = this.bytes[i] as number;
      if (byte >= 0x80) decline();
      text += String.fromCharCode(byte);
    }
    this.pos = end;
    return text;
  }

  /** Steps over a binary field, whatever it holds. */
  skipBinary(type: number): void {
    if (type !== T_BINARY) decline();
    const length = this.varint();
    if (this.pos + length > this.end) decline();
    this.pos += length;
  }
}

/**
 * Reads a staging file's rows into `values` (one array per column of `columns`, in that order)
 * after the rows already there, and returns how many it held; undefined when the file is not of
 * the subset this reader decodes, in which case `values` may hold part of its rows and the caller
 * cuts them off. Values come as hyparquet gives them with compaction's parsers: timestamps as
 * bigint milliseconds, dates as day numbers, strings as views of their UTF-8 bytes in `file`,
 * INT64 as bigint, booleans, doubles, and null. Columns the file lacks are left unset.
 */
export function readStagedFile(
  file: Uint8Array,
  columns: readonly ColumnDefinition[],
  values: unknown[][],
): number | undefined {
  try {
    // Strings are views of the file: of a Uint8Array, not of a Buffer (whose subarray is a Buffer).
    return readFile(new Uint8Array(file.buffer, file.byteOffset, file.byteLength), columns, values);
  } catch {
    // A structure outside the subset, or one this reader was not written for: hyparquet reads it.
    return undefined;
  }
}

function readFile(file: Uint8Array, columns: readonly ColumnDefinition[], values: unknown[][]): number {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file.length < 12 || view.getUint32(0, true) !== MAGIC || view.getUint32(file.length - 4, true) !== MAGIC) {
    decline();
  }
  const footerLength = view.getUint32(file.length - 8, true);
  const footerStart = file.length - 8 - footerLength;
  if (footerStart < 4) decline();
  const { rows, rowGroups } = readFooter(new Thrift(file, footerStart, file.length - 8), footerStart);

  const index = new Map(columns.map((c, i) => [c.name, i]));
  const offset = values[0]?.length ?? 0;
  for (const column of values) column.length = offset + rows;
  const decoder = new PageDecoder(file, view);
  let rowStart = offset;
  for (const group of rowGroups) {
    for (const chunk of group.chunks) {
      const i = index.get(chunk.leaf.name);
      if (i === undefined) continue;
      const column = columns[i] as ColumnDefinition;
      // hyparquet hands these as numbers, which compaction turned into bigint; INT64 only is read here.
      if (column.logicalType === 'bigint' && chunk.leaf.type !== PARQUET_TYPE.INT64) decline();
      decoder.readChunk(chunk, values[i] as unknown[], rowStart);
    }
    rowStart += group.rows;
  }
  return rows;
}

/** FileMetaData: version, schema, num_rows, row_groups and created_by, and no other field. */
function readFooter(thrift: Thrift, footerStart: number): { rows: number; rowGroups: RowGroup[] } {
  let leaves: Leaf[] | undefined;
  let rows: number | undefined;
  let rowGroups: RowGroup[] | undefined;
  for (let field = thrift.field(0); field.id !== 0; field = thrift.field(field.id)) {
    switch (field.id) {
      case 1: // version
        thrift.enumValue(field.type);
        break;
      case 2:
        leaves = readSchema(thrift, field.type);
        break;
      case 3:
        rows = thrift.countField(field.type);
        break;
      case 4: {
        if (leaves === undefined) decline();
        const size = thrift.list(field.type, T_STRUCT);
        rowGroups = [];
        for (let g = 0; g < size; g++) rowGroups.push(readRowGroup(thrift, leaves, footerStart));
        break;
      }
      case 6: // created_by
        thrift.skipBinary(field.type);
        break;
      default:
        decline();
    }
  }
  if (thrift.pos !== thrift.end || rows === undefined || rowGroups === undefined) decline();
  let total = 0;
  for (const group of rowGroups) total += group.rows;
  if (total !== rows) decline();
  return { rows, rowGroups };
}

/** A root whose children are all primitive columns of a type and converted type read here. */
function readSchema(thrift: Thrift, type: number): Leaf[] {
  const size = thrift.list(type, T_STRUCT);
  if (size < 1) decline();
  const root = readSchemaElement(thrift);
  if (root.type !== undefined || root.children !== size - 1) decline();
  const leaves: Leaf[] = [];
  const names = new Set<string>();
  for (let i = 1; i < size; i++) {
    const element = readSchemaElement(thrift);
    const { name, type: leafType, converted, repetition } = element;
    if (leafType === undefined || element.children !== undefined || names.has(name)) decline();
    if (repetition !== REPETITION.REQUIRED && repetition !== REPETITION.OPTIONAL) decline();
    const supported =
      converted === undefined
        ? leafType === PARQUET_TYPE.BOOLEAN ||
          leafType === PARQUET_TYPE.INT32 ||
          leafType === PARQUET_TYPE.INT64 ||
          leafType === PARQUET_TYPE.DOUBLE
        : (converted === CONVERTED_TYPE.UTF8 && leafType === PARQUET_TYPE.BYTE_ARRAY) ||
          (converted === CONVERTED_TYPE.DATE && leafType === PARQUET_TYPE.INT32) ||
          (converted === CONVERTED_TYPE.TIMESTAMP_MILLIS && leafType === PARQUET_TYPE.INT64);
    if (!supported) decline();
    names.add(name);
    leaves.push({ name, type: leafType, converted, optional: repetition === REPETITION.OPTIONAL });
  }
  return leaves;
}

/** SchemaElement: type, repetition_type, name, num_children and converted_type, and no other field. */
function readSchemaElement(thrift: Thrift): {
  name: string;
  type: number | undefined;
  repetition: number | undefined;
  children: number | undefined;
  converted: number | undefined;
} {
  let name: string | undefined;
  let type: number | undefined;
  let repetition: number | undefined;
  let children: number | undefined;
  let converted: number | undefined;
  for (let field = thrift.field(0); field.id !== 0; field = thrift.field(field.id)) {
    switch (field.id) {
      case 1:
        type = thrift.enumValue(field.type);
        break;
      case 3:
        repetition = thrift.enumValue(field.type);
        break;
      case 4:
        name = thrift.ascii(field.type);
        break;
      case 5:
        children = thrift.countField(field.type);
        break;
      case 6:
        converted = thrift.enumValue(field.type);
        break;
      default:
        decline();
    }
  }
  if (name === undefined) decline();
  return { name, type, repetition, children, converted };
}

/** RowGroup: one chunk per column in schema order, total_byte_size and num_rows, and no other field. */
function readRowGroup(thrift: Thrift, leaves: readonly Leaf[], footerStart: number): RowGroup {
  let chunks: Chunk[] | undefined;
  let rows: number | undefined;
  for (let field = thrift.field(0); field.id !== 0; field = thrift.field(field.id)) {
    switch (field.id) {
      case 1: {
        if (thrift.list(field.type, T_STRUCT) !== leaves.length) decline();
        chunks = leaves.map((leaf) => readColumnChunk(thrift, leaf, footerStart));
        break;
      }
      case 2: // total_byte_size
        thrift.countField(field.type);
        break;
      case 3:
        rows = thrift.countField(field.type);
        break;
      default:
        decline();
    }
  }
  if (chunks === undefined || rows === undefined) decline();
  for (const chunk of chunks) if (chunk.values !== rows) decline();
  return { rows, chunks };
}

/** ColumnChunk: file_offset and meta_data, and no other field. */
function readColumnChunk(thrift: Thrift, leaf: Leaf, footerStart: number): Chunk {
  let chunk: Chunk | undefined;
  for (let field = thrift.field(0); field.id !== 0; field = thrift.field(field.id)) {
    switch (field.id) {
      case 2: // file_offset
        thrift.countField(field.type);
        break;
      case 3:
        if (field.type !== T_STRUCT) decline();
        chunk = readColumnMetadata(thrift, leaf, footerStart);
        break;
      default:
        decline();
    }
  }
  if (chunk === undefined) decline();
  return chunk;
}

/**
 * ColumnMetaData of the leaf's column, uncompressed, encoded PLAIN, RLE or RLE_DICTIONARY, its pages
 * between the file's magic and its footer; its fields type, encodings, path_in_schema, codec,
 * num_values, the two sizes and the two page offsets, and no other (statistics included).
 */
function readColumnMetadata(thrift: Thrift, leaf: Leaf, footerStart: number): Chunk {
  let type: number | undefined;
  let codec: number | undefined;
  let path: string | undefined;
  let values: number | undefined;
  let uncompressed: number | undefined;
  let compressed: number | undefined;
  let dataOffset: number | undefined;
  let dictionaryOffset: number | undefined;
  for (let field = thrift.field(0); field.id !== 0; field = thrift.field(field.id)) {
    switch (field.id) {
      case 1:
        type = thrift.enumValue(field.type);
        break;
      case 2: {
        const size = thrift.list(field.type, T_I32);
        for (let i = 0; i < size; i++) {
          const encoding = thrift.count();
          if (encoding !== ENCODING_PLAIN && encoding !== ENCODING_RLE && encoding !== ENCODING_RLE_DICTIONARY) {
            decline();
          }
        }
        break;
      }
      case 3:
        if (thrift.list(field.type, T_BINARY) !== 1) decline();
        path = thrift.ascii(T_BINARY);
        break;
      case 4:
        codec = thrift.enumValue(field.type);
        break;
      case 5:
        values = thrift.countField(field.type);
        break;
      case 6:
        uncompressed = thrift.countField(field.type);
        break;
      case 7:
        compressed = thrift.countField(field.type);
        break;
      case 9:
        dataOffset = thrift.countField(field.type);
        break;
      case 11:
        dictionaryOffset = thrift.countField(field.type);
        break;
      default:
        decline();
    }
  }
  if (
    type !== leaf.type ||
    codec !== CODEC_UNCOMPRESSED ||
    path !== leaf.name ||
    values === undefined ||
    compressed === undefined ||
    uncompressed !== compressed ||
    dataOffset === undefined
  ) {
    decline();
  }
  const start = dictionaryOffset ?? dataOffset;
  const end = start + compressed;
  if (start < 4 || end > footerStart || dataOffset < start || dataOffset >= end) decline();
  if (dictionaryOffset !== undefined && (dictionaryOffset === dataOffset || leaf.type !== PARQUET_TYPE.BYTE_ARRAY))
    decline();
  return { leaf, start, end, dataOffset, dictionary: dictionaryOffset !== undefined, values };
}

interface PageHeader {
  readonly type: number;
  /** Where the page's bytes start (after its header) and end. */
  readonly start: number;
  readonly end: number;
  readonly values: number;
  readonly encoding: number;
}

/** Decodes a chunk's pages into a column, reusing its level and index buffers from chunk to chunk. */
class PageDecoder {
  private levels = new Uint8Array(256);
  private indexes = new Int32Array(256);

  constructor(
    private readonly file: Uint8Array,
    private readonly view: DataView,
  ) {}

  readChunk(chunk: Chunk, column: unknown[], rowStart: number): void {
    let pos = chunk.start;
    let dictionary: Uint8Array[] | undefined;
    if (chunk.dictionary) {
      const page = this.pageHeader(pos, chunk.end);
      if (page.type !== PAGE_TYPE_DICTIONARY_PAGE || page.encoding !== ENCODING_PLAIN || page.end !== chunk.dataOffset)
        decline();
      dictionary = new Array(page.values);
      if (this.readStrings(page.start, page.end, dictionary, 0, page.values) !== page.end) decline();
      pos = page.end;
    }
    let row = rowStart;
    let read = 0;
    while (read < chunk.values) {
      const page = this.pageHeader(pos, chunk.end);
      if (page.type !== PAGE_TYPE_DATA_PAGE || page.values === 0 || read + page.values > chunk.values) decline();
      this.readDataPage(chunk.leaf, page, dictionary, column, row);
      row += page.values;
      read += page.values;
      pos = page.end;
    }
    if (pos !== chunk.end) decline();
  }

  /**
   * PageHeader: type, the two sizes (equal: uncompressed) and a v1 data or dictionary page header,
   * and no other field (no CRC, no statistics).
   */
  private pageHeader(start: number, chunkEnd: number): PageHeader {
    const thrift = new Thrift(this.file, start, chunkEnd);
    let type: number | undefined;
    let uncompressed: number | undefined;
    let compressed: number | undefined;
    let values: number | undefined;
    let encoding: number | undefined;
    for (let field = thrift.field(0); field.id !== 0; field = thrift.field(field.id)) {
      switch (field.id) {
        case 1:
          type = thrift.enumValue(field.type);
          break;
        case 2:
          uncompressed = thrift.countField(field.type);
          break;
        case 3:
          compressed = thrift.countField(field.type);
          break;
        case 5:
        case 7: {
          if (field.type !== T_STRUCT || values !== undefined) decline();
          const data = field.id === 5;
          for (let inner = thrift.field(0); inner.id !== 0; inner = thrift.field(inner.id)) {
            if (inner.id === 1) values = thrift.countField(inner.type);
            else if (inner.id === 2) encoding = thrift.enumValue(inner.type);
            // definition_level_encoding and repetition_level_encoding: RLE, the hybrid read here
            else if (data && (inner.id === 3 || inner.id === 4)) {
              if (thrift.enumValue(inner.type) !== ENCODING_RLE) decline();
            } else decline();
          }
          if (data !== (type === PAGE_TYPE_DATA_PAGE) || (!data && type !== PAGE_TYPE_DICTIONARY_PAGE)) decline();
          break;
        }
        default:
          decline();
      }
    }
    if (
      type === undefined ||
      compressed === undefined ||
      uncompressed !== compressed ||
      values === undefined ||
      encoding === undefined
    ) {
      decline();
    }
    const end = thrift.pos + compressed;
    if (end > chunkEnd) decline();
    return { type, start: thrift.pos, end, values, encoding };
  }

  private readDataPage(
    leaf: Leaf,
    page: PageHeader,
    dictionary: readonly Uint8Array[] | undefined,
    column: unknown[],
    row: number,
  ): void {
    const rows = page.values;
    let pos = page.start;
    let present = rows;
    let levels: Uint8Array | undefined;
    if (leaf.optional) {
      if (pos + 4 > page.end) decline();
      const levelsEnd = pos + 4 + this.view.getUint32(pos, true);
      if (levelsEnd > page.end) decline();
      if (this.levels.length < rows) this.levels = new Uint8Array(rows);
      levels = this.levels;
      if (this.readHybrid(pos + 4, levelsEnd, 1, levels, rows) !== levelsEnd) decline();
      pos = levelsEnd;
      present = 0;
      for (let i = 0; i < rows; i++) present += levels[i] as number;
    }
    let end: number;
    if (page.encoding === ENCODING_RLE_DICTIONARY) {
      if (dictionary === undefined || pos >= page.end) decline();
      const width = this.file[pos] as number;
      if (width > MAX_INDEX_WIDTH) decline();
      if (this.indexes.length < present) this.indexes = new Int32Array(present);
      const indexes = this.indexes;
      end = this.readHybrid(pos + 1, page.end, width, indexes, present);
      for (let i = 0, next = 0; i < rows; i++) {
        if (levels !== undefined && levels[i] === 0) {
          column[row + i] = null;
          continue;
        }
        const value = dictionary[indexes[next++] as number];
        if (value === undefined) decline();
        column[row + i] = value;
      }
    } else if (page.encoding === ENCODING_PLAIN) {
      end = this.readPlain(leaf.type, pos, page.end, column, row, rows, present, levels);
    } else {
      decline();
    }
    if (end !== page.end) decline();
  }

  /**
   * `count` values of the RLE/bit-packed hybrid of `width` bits from `pos` into `out`; returns where
   * its runs end, which must be by `end`. A bit-packed run may pad its last group of eight, and a
   * run of no groups (what the writer puts after the width of an all-null chunk's indexes) holds
   * nothing.
   */
  private readHybrid(pos: number, end: number, width: number, out: Uint8Array | Int32Array, count: number): number {
    const file = this.file;
    const thrift = new Thrift(file, pos, end);
    const mask = width === 0 ? 0 : 2 ** width - 1;
    const byteWidth = (width + 7) >> 3;
    let filled = 0;
    while (filled < count) {
      const header = thrift.varint();
      if (header % 2 === 0) {
        const run = header / 2;
        if (run === 0 || filled + run > count || thrift.pos + byteWidth > end) decline();
        let value = 0;
        for (let b = 0; b < byteWidth; b++) value += (file[thrift.pos + b] as number) * 2 ** (8 * b);
        if (value > mask) decline();
        thrift.pos += byteWidth;
        out.fill(value, filled, filled + run);
        filled += run;
      } else {
        const groups = (header - 1) / 2;
        const runEnd = thrift.pos + groups * width;
        if (runEnd > end || filled + groups * 8 >= count + 8) decline();
        const last = Math.min(count, filled + groups * 8);
        let at = thrift.pos;
        let pending = 0;
        let bits = 0;
        for (; filled < last; filled++) {
          while (bits < width) {
            pending |= (file[at++] as number) << bits;
            bits += 8;
          }
          out[filled] = pending & mask;
          pending >>>= width;
          bits -= width;
        }
        thrift.pos = runEnd;
      }
    }
    while (thrift.pos < end && file[thrift.pos] === 1) thrift.pos++;
    return thrift.pos;
  }

  /** `count` PLAIN strings from `pos` as views of the file, into `out` from `at`; returns where they end. */
  private readStrings(pos: number, end: number, out: unknown[], at: number, count: number): number {
    const file = this.file;
    const view = this.view;
    let p = pos;
    for (let i = 0; i < count; i++) {
      if (p + 4 > end) decline();
      const length = view.getUint32(p, true);
      p += 4;
      if (p + length > end) decline();
      out[at + i] = file.subarray(p, p + length);
      p += length;
    }
    return p;
  }

  /**
   * A page's `present` PLAIN values of the type into the column's `rows` rows from `row`, null
   * where the definition level (when the column has levels) is 0; returns where the values end.
   */
  private readPlain(
    type: number,
    pos: number,
    end: number,
    column: unknown[],
    row: number,
    rows: number,
    present: number,
    levels: Uint8Array | undefined,
  ): number {
    const file = this.file;
    const view = this.view;
    const size =
      type === PARQUET_TYPE.BOOLEAN ? Math.ceil(present / 8) : type === PARQUET_TYPE.INT32 ? present * 4 : present * 8;
    if (type !== PARQUET_TYPE.BYTE_ARRAY && pos + size > end) decline();
    let p = pos;
    let bit = 0;
    for (let i = 0; i < rows; i++) {
      if (levels !== undefined && levels[i] === 0) {
        column[row + i] = null;
        continue;
      }
      switch (type) {
        case PARQUET_TYPE.BYTE_ARRAY: {
          if (p + 4 > end) decline();
          const length = view.getUint32(p, true);
          p += 4;
          if (p + length > end) decline();
          column[row + i] = file.subarray(p, p + length);
          p += length;
          break;
        }
        case PARQUET_TYPE.INT64:
          column[row + i] = view.getBigInt64(p, true);
          p += 8;
          break;
        case PARQUET_TYPE.DOUBLE:
          column[row + i] = view.getFloat64(p, true);
          p += 8;
          break;
        case PARQUET_TYPE.INT32:
          column[row + i] = view.getInt32(p, true);
          p += 4;
          break;
        case PARQUET_TYPE.BOOLEAN:
          column[row + i] = ((file[pos + (bit >> 3)] as number) & (1 << (bit & 7))) !== 0;
          bit++;
          break;
        default:
          decline();
      }
    }
    return type === PARQUET_TYPE.BOOLEAN ? pos + size : p;
  }
}
