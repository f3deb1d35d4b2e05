/**
 * The scorecard as a spreadsheet-safe CSV: UTF-8 with a byte-order mark (so Excel reads accents),
 * RFC 4180 quoting, CRLF line ends, and no cell that a spreadsheet would run as a formula.
 */
import { SCORECARD_COLUMNS, type ScorecardRow } from '../core/metrics/scorecard.ts';

const BOM = '\uFEFF';
const CRLF = '\r\n';
/** Characters that make Excel, LibreOffice or Google Sheets evaluate a cell (OWASP CSV injection). */
const FORMULA_TRIGGER = /^[=+\-@\t\r]/;
/** A plain decimal number: a spreadsheet reads it as a value, never as a formula. */
const PLAIN_NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/;

export function renderCsv(rows: readonly ScorecardRow[]): string {
  const lines = [SCORECARD_COLUMNS.join(',')];
  for (const row of rows) lines.push(SCORECARD_COLUMNS.map((column) => csvCell(row[column])).join(','));
  return BOM + lines.join(CRLF) + CRLF;
}

/**
 * One cell. Numbers are told from formulas by their type, not their text: a value typed as a
 * number is written as a plain number (so −12.5 stays numeric and sorts as a number), and a
 * string is neutralised with a leading single quote when it starts with = + - @ tab or CR, unless
 * it is itself nothing but a plain decimal number such as "-5" (harmless, and kept numeric).
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const safe = FORMULA_TRIGGER.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
