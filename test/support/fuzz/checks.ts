/**
 * What the fuzz campaign checks of each ingested file, reading the lake the CLI wrote: the audit
 * row, the reject file, the landing copy and the staged curated rows; and of each report: its HTML
 * and CSV. Each check returns the one-line reasons it failed for, none when it passed.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import type { RejectRecord } from '../../../lambdas/core/normalise/pipeline.ts';
import { MANIFEST_PREFIX, STAGING_PREFIX } from '../../../lambdas/core/schema/layout.ts';
import { type MutationClass, SCRIPT_PAYLOADS } from './mutations.ts';

export const CHECKS = [
  'crash',
  'hang',
  'audit',
  'rejects',
  'landing',
  'reingest',
  'verdict',
  'dates',
  'report-html',
  'report-csv',
] as const;
export type Check = (typeof CHECKS)[number];

/** The audit row of one landing object, as the pipeline writes it (counts are INT64: bigint when read). */
export interface AuditRow {
  readonly object_key: string;
  readonly object_sha256: string;
  readonly rows_read: number;
  readonly rows_accepted: number;
  readonly rows_rejected: number;
  readonly file_error: string | null;
}

/**
 * Classes whose files no reader can take whole: a damaged gzip stream, bytes after its member
 * (they were part of the delivery), and a file with nothing in it. Each must be rejected whole,
 * with its reason, never accepted as fewer (or zero) rows.
 */
const MUST_REJECT_WHOLE: ReadonlySet<MutationClass> = new Set([
  'gzip-corrupt',
  'gzip-truncated',
  'gzip-trailing-garbage',
  'empty',
]);

/** Curated timestamps outside these years are a date misread, never a real contact. */
export const PLAUSIBLE_YEARS = { from: 1900, to: 2100 } as const;

function toArrayBuffer(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

async function readParquet(path: string): Promise<Record<string, unknown>[]> {
  return (await parquetReadObjects({ file: toArrayBuffer(readFileSync(path)) })) as Record<string, unknown>[];
}

/** Staged files of one object id, by table: `curated/_staging/<table>/dt=…/<id>.parquet`. */
export function stagedFiles(curatedDir: string, objectId: string): { table: string; path: string }[] {
  const staging = join(curatedDir, STAGING_PREFIX);
  if (!existsSync(staging)) return [];
  return readdirSync(staging).flatMap((table) =>
    readdirSync(join(staging, table)).flatMap((partition) => {
      const path = join(staging, table, partition, `${objectId}.parquet`);
      return existsSync(path) ? [{ table, path }] : [];
    }),
  );
}

/** The object's audit row, or why there is not exactly one. */
export async function readAudit(curatedDir: string, objectId: string, key: string): Promise<AuditRow | string> {
  const rows = (
    await Promise.all(
      stagedFiles(curatedDir, objectId)
        .filter((f) => f.table === 'ingestion_audit')
        .map((f) => readParquet(f.path)),
    )
  )
    .flat()
    .filter((row) => row.object_key === key);
  if (rows.length !== 1) return `${rows.length} audit rows for ${key}, expected 1`;
  const row = rows[0] as Record<string, unknown>;
  return {
    object_key: String(row.object_key),
    object_sha256: String(row.object_sha256),
    rows_read: Number(row.rows_read),
    rows_accepted: Number(row.rows_accepted),
    rows_rejected: Number(row.rows_rejected),
    file_error: row.file_error === null || row.file_error === undefined ? null : String(row.file_error),
  };
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The audit reconciles (read = accepted + rejected) and hashes the whole file as landed. */
export function auditProblems(audit: AuditRow, bytes: Buffer): string[] {
  const problems: string[] = [];
  if (audit.rows_read !== audit.rows_accepted + audit.rows_rejected) {
    problems.push(
      `rows_read ${audit.rows_read} != rows_accepted ${audit.rows_accepted} + rows_rejected ${audit.rows_rejected}`,
    );
  }
  if (audit.file_error !== null && audit.rows_accepted !== 0) {
    problems.push(`file rejected (${audit.file_error}) yet ${audit.rows_accepted} rows accepted`);
  }
  const expected = sha256(bytes);
  if (audit.object_sha256 !== expected) {
    problems.push(`object_sha256 ${audit.object_sha256.slice(0, 12)}… is not the file's ${expected.slice(0, 12)}…`);
  }
  return problems;
}

/**
 * The reject file against the audit: one line per rejected record, numbered uniquely within
 * 1..rows_read, plus, for a file rejected whole, exactly one line without a row number that gives
 * the file's error (the records read before it keep their own lines). No rejects, no reject file.
 */
export function rejectProblems(audit: AuditRow, rejectFile: Buffer | undefined): string[] {
  if (rejectFile === undefined) {
    return audit.rows_rejected > 0 || audit.file_error !== null
      ? [`no reject file for ${audit.rows_rejected} rejected rows${audit.file_error ? ' and a file error' : ''}`]
      : [];
  }
  const problems: string[] = [];
  const lines = rejectFile
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '');
  const records: RejectRecord[] = [];
  for (const [i, line] of lines.entries()) {
    try {
      records.push(JSON.parse(line) as RejectRecord);
    } catch {
      problems.push(`reject line ${i + 1} is not JSON`);
    }
  }
  const numbered = records.filter((r) => r.row_number !== null);
  const whole = records.filter((r) => r.row_number === null);
  if (audit.file_error === null) {
    if (whole.length > 0) problems.push(`${whole.length} reject lines without a row number but no file error`);
    if (numbered.length !== audit.rows_rejected) {
      problems.push(`${numbered.length} reject lines for rows_rejected ${audit.rows_rejected}`);
    }
  } else {
    if (whole.length !== 1 || whole[0]?.reason !== `file rejected: ${audit.file_error}`) {
      problems.push(`${whole.length} file-rejected lines, expected 1 giving "${audit.file_error}"`);
    }
    if (numbered.length > audit.rows_read) {
      problems.push(`${numbered.length} rejected rows of ${audit.rows_read} read`);
    }
  }
  const seen = new Set<number>();
  for (const { row_number: row } of numbered) {
    if (row === null) continue;
    if (!Number.isInteger(row) || row < 1 || row > audit.rows_read) {
      problems.push(`reject row number ${row} outside 1..${audit.rows_read}`);
      break;
    }
    if (seen.has(row)) {
      problems.push(`reject row number ${row} repeated`);
      break;
    }
    seen.add(row);
  }
  return problems;
}

/** What a file of a class must come to, where the class decides it (MUST_REJECT_WHOLE). */
export function verdictProblems(mutation: MutationClass, audit: AuditRow): string[] {
  if (!MUST_REJECT_WHOLE.has(mutation) || audit.file_error !== null) return [];
  return [`accepted (${audit.rows_read} read, ${audit.rows_accepted} accepted) instead of rejected whole`];
}

/** Every timestamp the object's staged rows hold lies within PLAUSIBLE_YEARS. */
export async function dateProblems(curatedDir: string, objectId: string): Promise<string[]> {
  for (const { table, path } of stagedFiles(curatedDir, objectId)) {
    if (table === 'ingestion_audit') continue;
    for (const row of await readParquet(path)) {
      for (const [column, value] of Object.entries(row)) {
        if (!(value instanceof Date)) continue;
        const year = value.getUTCFullYear();
        if (Number.isNaN(year) || year < PLAUSIBLE_YEARS.from || year > PLAUSIBLE_YEARS.to) {
          return [
            `curated ${table}.${column} = ${Number.isNaN(year) ? 'Invalid Date' : value.toISOString()} (row ${String(row.source_row)})`,
          ];
        }
      }
    }
  }
  return [];
}

/**
 * Hashes of the curated zone's files, the audit's excepted (it records when each run started and
 * how long it took, so it differs on every run by design).
 */
export function curatedHashes(curatedDir: string): Map<string, string> {
  const hashes = new Map<string, string>();
  const walk = (dir: string, prefix: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const key = `${prefix}${entry.name}`;
      if (entry.isDirectory()) walk(join(dir, entry.name), `${key}/`);
      else if (!/(^|\/)ingestion_audit\//.test(key)) hashes.set(key, sha256(readFileSync(join(dir, entry.name))));
    }
  };
  walk(curatedDir, '');
  return hashes;
}

/** Keys added, removed or changed between two hashings. */
export function changedKeys(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k)).sort();
}

/** The object id a staged or manifest key belongs to, if any. */
export function objectIdOfKey(key: string): string | undefined {
  if (key.startsWith(MANIFEST_PREFIX)) return key.slice(MANIFEST_PREFIX.length).replace(/\.json$/, '');
  if (key.startsWith(STAGING_PREFIX))
    return key
      .split('/')
      .pop()
      ?.replace(/\.parquet$/, '');
  return undefined;
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** How each script payload may appear in HTML: never raw; escaped it is text (counted, to show it got there). */
export function htmlPayloads(html: string): { raw: string[]; escaped: number } {
  const raw = SCRIPT_PAYLOADS.filter((p) => html.includes(p));
  const escaped = SCRIPT_PAYLOADS.reduce((n, p) => {
    const escapedForm = p.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
    return n + html.split(escapedForm).length - 1;
  }, 0);
  return { raw: [...raw], escaped };
}

/** RFC 4180 cells of a CSV text (BOM dropped; quoted commas, quotes and line ends kept in their cell). */
export function csvCells(text: string): string[] {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else if (c === '\r' && body[i + 1] === '\n') {
      cells.push(cell);
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '') cells.push(cell);
  return cells;
}

/**
 * The spreadsheet rule of lambdas/report/csv.ts: a cell a spreadsheet would run as a formula
 * (starting with = + - @ tab or CR) is allowed only as a plain decimal number; anything else must
 * have been neutralised (the report prefixes a single quote, so it no longer starts that way).
 */
const FORMULA_TRIGGER = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/;

export function formulaCells(csv: string): string[] {
  return csvCells(csv).filter((cell) => FORMULA_TRIGGER.test(cell) && !PLAIN_NUMBER.test(cell));
}
