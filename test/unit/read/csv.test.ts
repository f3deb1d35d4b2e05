import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FileRejectedError } from '../../../lambdas/core/normalise/adapter.ts';
import { type CsvHeader, type CsvOptions, openDecoded, readCsv } from '../../../lambdas/core/read/index.ts';
import { bytesOf, CHUNK_SIZES, collect } from './streams.ts';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/read/${name}`, import.meta.url));

async function read(content: string | Buffer, options: CsvOptions = {}, chunkSize?: number) {
  return collect(readCsv(bytesOf(content, chunkSize), options));
}

async function rejection(content: string | Buffer, options: CsvOptions = {}): Promise<Error> {
  const failure = await read(content, options).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(FileRejectedError);
  return failure as Error;
}

describe('readCsv', () => {
  it('reads quoted delimiters, doubled quotes and CRLF line breaks inside quoted fields', async () => {
    for (const chunkSize of CHUNK_SIZES) {
      const records = await read(fixture('semicolon-crlf.csv'), { delimiter: ';' }, chunkSize);
      expect(records).toEqual([
        { kind: 'record', rowNumber: 1, line: 2, values: { id: '1', name: 'Dupont, Jean', city: 'Paris' } },
        { kind: 'record', rowNumber: 2, line: 3, values: { id: '2', name: 'He said "bonjour"', city: 'Lyon' } },
        { kind: 'record', rowNumber: 3, line: 4, values: { id: '3', name: 'line one\r\nline two', city: 'Nice' } },
      ]);
    }
  });

  it('keeps a bare carriage return inside a field as text, quoted or not (exported tweets)', async () => {
    for (const chunkSize of CHUNK_SIZES) {
      const records = await read('id,text\n1,"tweet\rwith CR"\n2,@brand \r\rhello\n3,next\n', {}, chunkSize);
      expect(records.map((r) => r.kind === 'record' && [r.line, r.values.text])).toEqual([
        [2, 'tweet\rwith CR'],
        [3, '@brand \r\rhello'],
        [4, 'next'],
      ]);
    }
  });

  it('ends records at a bare carriage return when the header line ends with one (old Mac files)', async () => {
    for (const chunkSize of CHUNK_SIZES) {
      const records = await read('id,text\r1,"two\rlines"\r2,x\r', {}, chunkSize);
      expect(records.map((r) => r.kind === 'record' && [r.line, r.values.text])).toEqual([
        [2, 'two\rlines'],
        [4, 'x'],
      ]);
    }
  });

  it('reads files whose lines end in CRLF, LF or a bare CR', async () => {
    for (const eol of ['\r\n', '\n', '\r']) {
      const records = await read(`a,b${eol}1,2${eol}3,4${eol}`);
      expect(records.map((r) => r.kind === 'record' && r.values)).toEqual([
        { a: '1', b: '2' },
        { a: '3', b: '4' },
      ]);
    }
  });

  it('strips the UTF-8 byte-order mark from the first column name', async () => {
    const [record] = await read('\uFEFFid,name\n1,x\n');
    expect(record).toMatchObject({ values: { id: '1', name: 'x' } });
  });

  it('reads Latin-1 and Windows-1252 text when the source says so', async () => {
    const latin1 = Buffer.from('nom,ville\nHélène,Besançon\n', 'latin1');
    expect(await read(latin1, { encoding: 'latin1' })).toMatchObject([
      { values: { nom: 'Hélène', ville: 'Besançon' } },
    ]);
    const cp1252 = Buffer.concat([Buffer.from('item,price\ncafé,', 'latin1'), Buffer.from([0x80]), Buffer.from('3\n')]);
    expect(await read(cp1252, { encoding: 'cp1252' })).toMatchObject([{ values: { item: 'café', price: '€3' } }]);
  });

  it('reads a tab-separated UTF-16LE file (spreadsheet "Unicode text")', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('name\tscore\r\nZoë\t9\r\n', 'utf16le')]);
    for (const chunkSize of CHUNK_SIZES) {
      expect(await read(bytes, { encoding: 'utf-16le' }, chunkSize)).toMatchObject([
        { values: { name: 'Zoë', score: '9' } },
      ]);
    }
  });

  it('detects the delimiter among comma, semicolon, tab and pipe from the header', async () => {
    const detected: string[] = [];
    const onHeader = (header: CsvHeader) => detected.push(header.delimiter);
    for (const delimiter of [',', ';', '\t', '|']) {
      const records = await read(`"a${delimiter}x"${delimiter}b${delimiter}c\n1${delimiter}2${delimiter}3\n`, {
        onHeader,
      });
      expect(records).toMatchObject([{ values: { [`a${delimiter}x`]: '1', b: '2', c: '3' } }]);
    }
    expect(detected).toEqual([',', ';', '\t', '|']);
  });

  it('skips lines before the header and extra header rows (Qualtrics: 3 header rows)', async () => {
    for (const chunkSize of CHUNK_SIZES) {
      const records = await read(fixture('survey-3-headers.csv'), { skipLines: 2, headerRows: 3 }, chunkSize);
      expect(records).toEqual([
        {
          kind: 'record',
          rowNumber: 1,
          line: 7,
          values: { ResponseId: 'R_1', Q1_NPS_GROUP: 'Promoter', Q2: 'Great, fast' },
        },
        {
          kind: 'record',
          rowNumber: 2,
          line: 8,
          values: { ResponseId: 'R_2', Q1_NPS_GROUP: 'Detractor', Q2: 'Slow "support"' },
        },
      ]);
    }
  });

  it('skips lines that hold unbalanced quotes before the header', async () => {
    const records = await read('Export of "all tickets\r\n\r\nid,status\r\n7,open\r\n', { skipLines: 2 });
    expect(records).toEqual([{ kind: 'record', rowNumber: 1, line: 4, values: { id: '7', status: 'open' } }]);
  });

  it('names the fields of a headerless file from options.columns', async () => {
    let header: CsvHeader | undefined;
    const records = await read('1;open\n2;closed\n', { columns: ['id', 'status'], onHeader: (h) => (header = h) });
    expect(header).toEqual({ columns: ['id', 'status'], renamed: [], delimiter: ';' });
    expect(records).toEqual([
      { kind: 'record', rowNumber: 1, line: 1, values: { id: '1', status: 'open' } },
      { kind: 'record', rowNumber: 2, line: 2, values: { id: '2', status: 'closed' } },
    ]);
  });

  it('replaces the file header with options.columns when headerRows is given', async () => {
    const records = await read('ID,Stat\n1,open\n', { columns: ['id', 'status'], headerRows: 1 });
    expect(records).toMatchObject([{ line: 2, values: { id: '1', status: 'open' } }]);
  });

  it('makes blank and repeated column names unique and reports each rename', async () => {
    let header: CsvHeader | undefined;
    const records = await read(',score, score ,column_1,\n0,9,8,x,y\n', { onHeader: (h) => (header = h) });
    expect(header?.columns).toEqual(['column_1_2', 'score', 'score_2', 'column_1', 'column_5']);
    expect(header?.renamed).toEqual([
      { index: 0, from: '', to: 'column_1_2' },
      { index: 2, from: ' score ', to: 'score_2' },
      { index: 4, from: '', to: 'column_5' },
    ]);
    expect(records).toMatchObject([
      { values: { column_1_2: '0', score: '9', score_2: '8', column_1: 'x', column_5: 'y' } },
    ]);
  });

  it('yields a ragged row as a RecordError with its line and keeps reading', async () => {
    const records = await read('a,b,c\n1,2,3\n4,5\n"6\n",7,8,9\n10,11,12\n');
    expect(records).toEqual([
      { kind: 'record', rowNumber: 1, line: 2, values: { a: '1', b: '2', c: '3' } },
      { kind: 'error', rowNumber: 2, line: 3, error: 'expected 3 fields but found 2', raw: ['4', '5'] },
      { kind: 'error', rowNumber: 3, line: 4, error: 'expected 3 fields but found 4', raw: ['6\n', '7', '8', '9'] },
      { kind: 'record', rowNumber: 4, line: 6, values: { a: '10', b: '11', c: '12' } },
    ]);
  });

  it('accepts rows padded with empty trailing fields', async () => {
    expect(await read('a,b\n1,2,,\n')).toMatchObject([{ kind: 'record', values: { a: '1', b: '2' } }]);
  });

  it('skips blank lines without counting them as rows', async () => {
    const records = await read('a,b\n\n1,2\n   \n3,4\n\n');
    expect(records.map((r) => [r.rowNumber, r.line])).toEqual([
      [1, 3],
      [2, 5],
    ]);
  });

  it('keeps a quote inside an unquoted field as text', async () => {
    expect(await read('item,size\nTV,55" screen\n')).toMatchObject([{ values: { size: '55" screen' } }]);
  });

  it('gives a header named __proto__ an ordinary own property', async () => {
    const [record] = await read('__proto__,b\nx,y\n');
    expect(record?.kind === 'record' && Object.getOwnPropertyDescriptor(record.values, '__proto__')?.value).toBe('x');
  });

  it('reads a gzip file once opened with openDecoded', async () => {
    const records = await collect(readCsv(await openDecoded(bytesOf(gzipSync('a,b\n1,2\n'))), {}));
    expect(records).toMatchObject([{ values: { a: '1', b: '2' } }]);
  });

  it('lets onHeader reject the file before any record is read', async () => {
    const onHeader = (header: CsvHeader) => {
      if (!header.columns.includes('ticket_id')) throw new FileRejectedError('missing required column ticket_id');
    };
    const failure = await rejection('id,status\n1,open\n', { onHeader });
    expect(failure.message).toBe('missing required column ticket_id');
  });

  it('fails when a quoted field is never closed, naming the line where its record starts', async () => {
    for (const chunkSize of CHUNK_SIZES) {
      const failure = await read('a,b\n1,2\n3,"never\nclosed\n4,5\n', {}, chunkSize).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(FileRejectedError);
      expect((failure as Error).message).toBe(
        'unclosed quote: the quoted field in the record starting on line 3 never ends',
      );
    }
  });

  it('fails when the file holds binary content', async () => {
    const failure = await rejection(Buffer.from('a,b\n1,2\nPK\u0003\u0004\u0000\u0000,x\n', 'latin1'), {
      encoding: 'latin1',
    });
    expect(failure.message).toMatch(/^binary content \(NUL byte\) in the record starting on line 3/);
  });

  it('fails when a UTF-16 file without byte-order mark is read as UTF-8', async () => {
    const failure = await rejection(Buffer.from('a,b\r\n1,2\r\n', 'utf16le'));
    expect(failure.message).toMatch(/binary content \(NUL byte\).*encoding 'utf-16le'/);
  });

  it('fails when a record exceeds the size limit (an unclosed quote in a large file)', async () => {
    const failure = await rejection(`a,b\n1,"${'x'.repeat(5000)}`, { maxRecordChars: 1000 });
    expect(failure.message).toBe(
      'the record starting on line 2 is larger than 1000 characters (unclosed quote or not a CSV file)',
    );
  });

  it('fails when the file is empty or holds only skipped lines', async () => {
    expect((await rejection('')).message).toMatch(/no header row/);
    expect((await rejection('title\n', { skipLines: 1 })).message).toMatch(/no header row/);
  });

  it('fails when the file ends inside its header rows', async () => {
    expect((await rejection('a,b\nlabel a,label b\n', { headerRows: 3 })).message).toBe(
      'the file ends inside its 3 header rows',
    );
  });

  it('stops reading the source when the consumer stops early', async () => {
    const source = bytesOf(`a\n${'1\n'.repeat(100_000)}`, 1024);
    for await (const record of readCsv(source, {})) {
      expect(record.rowNumber).toBe(1);
      break;
    }
    expect(source.destroyed).toBe(true);
  });
});
