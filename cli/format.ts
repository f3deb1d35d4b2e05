/** Output formats of the CLI: aligned table for people, CSV and JSON for scripts. */
import { csvCell } from '../lambdas/report/csv.ts';

export const OUTPUT_FORMATS = ['table', 'csv', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

type Row = Record<string, unknown>;

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number')
    return Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** CSV cells hold scalars; anything else is written as its JSON text. */
function scalar(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return value instanceof Date ? value.toISOString() : JSON.stringify(value);
}

export function formatRows(rows: readonly Row[], format: OutputFormat, columns?: readonly string[]): string {
  const names = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  if (format === 'csv') {
    const lines = [
      names.map((n) => csvCell(n)).join(','),
      ...rows.map((r) => names.map((n) => csvCell(scalar(r[n]))).join(',')),
    ];
    return `${lines.join('\r\n')}\r\n`;
  }
  if (rows.length === 0) return '(no rows)\n';
  const cells = rows.map((r) => names.map((n) => cell(r[n])));
  const widths = names.map((n, i) => Math.min(60, Math.max(n.length, ...cells.map((c) => (c[i] ?? '').length))));
  const pad = (text: string, i: number) => {
    const width = widths[i] ?? 0;
    const clipped = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    return clipped.padEnd(width);
  };
  const lines = [
    names.map(pad).join('  '),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...cells.map((c) => c.map(pad).join('  ')),
  ];
  return `${lines.map((l) => l.trimEnd()).join('\n')}\n(${rows.length} row${rows.length === 1 ? '' : 's'})\n`;
}
