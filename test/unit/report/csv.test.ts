import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { SCORECARD_COLUMNS } from '../../../lambdas/core/metrics/scorecard.ts';
import { csvCell, renderCsv } from '../../../lambdas/report/csv.ts';
import { scorecardRow } from '../../support/report.ts';

describe('csvCell', () => {
  it.each([
    ['=HYPERLINK("http://evil.example","x")', `"'=HYPERLINK(""http://evil.example"",""x"")"`],
    ['+cmd|/C calc', "'+cmd|/C calc"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\tTab', "'\tTab"],
    ['\rCR', `"'\rCR"`],
  ])('neutralises the formula %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it('keeps numbers numeric, negative ones included, and plain numeric strings untouched', () => {
    expect(csvCell(-12.5)).toBe('-12.5');
    expect(csvCell(0)).toBe('0');
    expect(csvCell('-5')).toBe('-5');
    expect(csvCell('-1.5e3')).toBe('-1.5e3');
  });

  it('writes null and non-finite numbers as empty cells and booleans as words', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(true)).toBe('true');
  });

  it('quotes commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvCell('Billing, EMEA')).toBe('"Billing, EMEA"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('a\nb')).toBe('"a\nb"');
  });
});

describe('renderCsv', () => {
  const rows = [
    scorecardRow({ metric: 'nps', value: -12, prev_value: -4, target: 10 }),
    scorecardRow({ metric: 'csat_pct', value: 81.25, dimension: 'team', dimension_value: '=cmd|"/C calc"!A0, Ops' }),
    scorecardRow({ metric: 'aht_s', value: null, dimension: 'channel', dimension_value: 'Téléphone' }),
  ];
  const text = renderCsv(rows);

  it('starts with a UTF-8 byte-order mark and the header, and ends every line with CRLF', () => {
    expect(text.startsWith(`\uFEFF${SCORECARD_COLUMNS.join(',')}\r\n`)).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replaceAll('\r\n', '').includes('\n')).toBe(false);
    expect(Buffer.from(text, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it('round-trips through a CSV parser to the same values', () => {
    const parsed = parse(text, { bom: true, columns: true, record_delimiter: '\r\n' }) as Record<string, string>[];
    expect(parsed).toHaveLength(rows.length);
    parsed.forEach((record, i) => {
      const row = rows[i] as unknown as Record<string, unknown>;
      for (const column of SCORECARD_COLUMNS) {
        const original = row[column];
        const cell = record[column];
        if (original === null) expect(cell, column).toBe('');
        else if (typeof original === 'number') expect(Number(cell), column).toBe(original);
        else if (typeof original === 'boolean') expect(cell, column).toBe(String(original));
        else if (/^[=+\-@\t\r]/.test(original as string)) expect(cell, column).toBe(`'${original}`);
        else expect(cell, column).toBe(original);
      }
    });
  });

  it('writes a negative NPS as a number a spreadsheet can sum', () => {
    const parsed = parse(text, { bom: true, columns: true }) as Record<string, string>[];
    expect(parsed[0]?.value).toBe('-12');
    expect(parsed[0]?.delta).toBe('-8');
    expect(parsed[0]?.gap_to_target).toBe('-22');
  });

  it('writes only the header when there are no rows', () => {
    expect(renderCsv([])).toBe(`\uFEFF${SCORECARD_COLUMNS.join(',')}\r\n`);
  });
});
