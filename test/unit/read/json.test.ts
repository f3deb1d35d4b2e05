import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FileRejectedError } from '../../../lambdas/core/normalise/adapter.ts';
import {
  type JsonOptions,
  MAX_JSON_DEPTH,
  openDecoded,
  type RecordError,
  readJson,
  readJsonDocument,
} from '../../../lambdas/core/read/index.ts';
import { bytesOf, CHUNK_SIZES, collect } from './streams.ts';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/read/${name}`, import.meta.url));

async function read(content: string | Buffer, options: JsonOptions = {}, chunkSize?: number) {
  return collect(readJson(bytesOf(content, chunkSize), options));
}

async function values(content: string | Buffer, options: JsonOptions = {}, chunkSize?: number) {
  return (await read(content, options, chunkSize)).map((item) => (item.kind === 'record' ? item.value : item));
}

async function rejection(content: string | Buffer, options: JsonOptions = {}): Promise<string> {
  const failure = await read(content, options).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(FileRejectedError);
  return (failure as Error).message;
}

const tricky = {
  id: 't-1',
  text: 'a } ] { [ brace, an escaped \\" quote and a \\\\ backslash',
  nested: { list: [1, { x: '}' }] },
};

describe('readJson', () => {
  it('reads JSON Lines, ignoring blank lines and CRLF endings', async () => {
    const text = `{"id":1}\r\n\r\n${JSON.stringify(tricky)}\r\n   \n{"id":3}`;
    for (const chunkSize of CHUNK_SIZES) {
      expect(await read(text, {}, chunkSize)).toEqual([
        { kind: 'record', rowNumber: 1, value: { id: 1 } },
        { kind: 'record', rowNumber: 2, value: tricky },
        { kind: 'record', rowNumber: 3, value: { id: 3 } },
      ]);
    }
  });

  it('yields a JSON Lines line that does not parse as a RecordError with its line text, and goes on', async () => {
    const records = await read('{"id":1}\n{"id":2,}\n\n{"id":3}\n', { format: 'jsonl' });
    expect(records[0]).toEqual({ kind: 'record', rowNumber: 1, value: { id: 1 } });
    const error = records[1] as RecordError;
    expect(error).toMatchObject({ kind: 'error', rowNumber: 2, line: 2, raw: '{"id":2,}' });
    expect(error.error).toMatch(/^invalid JSON: /);
    expect(records[2]).toEqual({ kind: 'record', rowNumber: 3, value: { id: 3 } });
  });

  it('detects JSON Lines even when the first line is broken', async () => {
    const records = await read('{"id": tru}\n{"id":2}\n');
    expect(records.map((r) => r.kind)).toEqual(['error', 'record']);
  });

  it('reads the elements of a top-level array, of any type', async () => {
    const text = ` [ ${JSON.stringify(tricky)},\n {"id":2} , 3, -4.5e1, "s]", true, null, [1,[2]] ]\n`;
    for (const chunkSize of CHUNK_SIZES) {
      expect(await values(text, {}, chunkSize)).toEqual([tricky, { id: 2 }, 3, -45, 's]', true, null, [1, [2]]]);
    }
    expect(await values('[]')).toEqual([]);
  });

  it('yields an array element that does not parse as a RecordError with its line', async () => {
    const records = await read('[\n{"id":1},\n{"id": 01},\n{"id":3}\n]');
    expect(records.map((r) => r.kind)).toEqual(['record', 'error', 'record']);
    expect(records[1]).toMatchObject({ rowNumber: 2, line: 3, raw: '{"id": 01}' });
  });

  it('reads concatenated objects with no delimiter and with whitespace between them (Firehose CTRs)', async () => {
    for (const chunkSize of CHUNK_SIZES) {
      expect(await values(fixture('connect-ctr-concatenated.json'), {}, chunkSize)).toEqual([
        { ContactId: 'c-1', Channel: 'VOICE', Attributes: { note: 'a } brace' } },
        { ContactId: 'c-2', Channel: 'CHAT', Attributes: { quote: 'say "hi" {' } },
        { ContactId: 'c-3', Channel: 'VOICE' },
      ]);
    }
    expect(await values('{"a":1}{"a":2}')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(await values('{\n  "a": 1\n}\n\n{\n  "a": 2\n}\n')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(await values('{"a":1}  \t {"a":2}', { format: 'concatenated' })).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('reads the array under recordsPath and skips the other keys of the page (Zendesk)', async () => {
    for (const chunkSize of CHUNK_SIZES) {
      expect(await values(fixture('zendesk-tickets-page.json'), { recordsPath: 'tickets' }, chunkSize)).toEqual([
        { id: 1, subject: 'Printer [offline]', tags: ['a', 'b'] },
        { id: 2, subject: 'Refund "urgent" }' },
      ]);
    }
    const later = '{"count": 2, "users": [{"id": "u"}], "tic\\u006bets": [{"id": 9}], "tickets": [{"id": 10}]}';
    expect(await values(later, { recordsPath: 'tickets' })).toEqual([{ id: 9 }]);
  });

  it('reads a gzip file once opened with openDecoded', async () => {
    const records = await collect(readJson(await openDecoded(bytesOf(gzipSync('{"a":1}{"a":2}'))), {}));
    expect(records.map((r) => r.kind === 'record' && r.value)).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('reads nothing from an empty or blank file', async () => {
    expect(await read('')).toEqual([]);
    expect(await read(' \n ')).toEqual([]);
    expect(await read('\uFEFF', { format: 'jsonl' })).toEqual([]);
  });

  it('fails on an empty, blank or BOM-only file when recordsPath requires an object', async () => {
    for (const empty of ['', ' \r\n\t ', '\uFEFF', Buffer.from([0xff, 0xfe])]) {
      expect(await rejection(empty, { recordsPath: 'tickets' })).toBe(
        'empty file: expected a JSON object with a "tickets" array',
      );
    }
    expect(await rejection('\uFEFF \n', { format: 'array' })).toBe('empty file: expected a JSON array');
  });

  it('yields a record nested deeper than MAX_JSON_DEPTH as a RecordError and reads the next one', async () => {
    const deepArray = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const deepObject = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    // 64 levels pass; 65 do not. Brackets inside strings do not count.
    const atLimit = `${'['.repeat(MAX_JSON_DEPTH)}"[[[["${']'.repeat(MAX_JSON_DEPTH)}`;
    const overLimit = `[${atLimit}]`;
    const reason = 'the record nests arrays and objects deeper than 64 levels (the limit)';
    for (const [text, options] of [
      [`${deepArray}\n{"id":2}\n`, { format: 'jsonl' }],
      [`[${deepArray},{"id":2}]`, {}],
      [`${deepObject}{"id":2}`, { format: 'concatenated' }],
      [`{"tickets":[${deepObject},{"id":2}]}`, { recordsPath: 'tickets' }],
    ] as const) {
      const items = await read(text, options, 1000);
      expect(items).toHaveLength(2);
      expect(items[0]).toMatchObject({ kind: 'error', rowNumber: 1, line: 1, error: reason });
      expect(items[1]).toEqual({ kind: 'record', rowNumber: 2, value: { id: 2 } });
    }
    expect(await values(`[${atLimit}]`)).toHaveLength(1);
    expect(await read(`[${overLimit}]`)).toMatchObject([{ kind: 'error', error: reason }]);
    // Many brackets side by side are not depth.
    const wide = `{"list":[${'[{"a":[1]}],'.repeat(500)}[]]}`;
    expect(await values(`${wide}\n`, { format: 'jsonl' })).toEqual([JSON.parse(wide)]);
  });

  it('fails when recordsPath is missing or not an array', async () => {
    expect(await rejection('{"next_page": null}', { recordsPath: 'tickets' })).toBe(
      'no "tickets" array at the top level of the JSON object',
    );
    expect(await rejection('{"tickets": {"id": 1}}', { recordsPath: 'tickets' })).toBe(
      `"tickets" is not an array (it starts with '{' on line 1)`,
    );
    expect(await rejection('[{"id": 1}]', { recordsPath: 'tickets' })).toMatch(
      /^expected a JSON object with a "tickets" array/,
    );
  });

  it('fails when the file is not JSON', async () => {
    expect(await rejection('<html><body>Gateway timeout</body></html>')).toBe(
      "not JSON records: the file starts with '<' (HTML or XML?)",
    );
    expect(await rejection('id,name\n1,x\n')).toBe("not JSON records: the file starts with 'i'");
  });

  it('fails when the file is truncated inside a value or before the array closes', async () => {
    expect(await rejection('{"a":1}{"a":"cut')).toBe(
      'the file ends inside the JSON value that starts on line 1 (truncated file?)',
    );
    expect(await rejection('[{"a":1},\n{"a":2}')).toBe('the file ends before the top-level array is closed');
    expect(await rejection('{"tickets": [{"id": 1}', { recordsPath: 'tickets' })).toBe(
      'the file ends before the top-level object is closed',
    );
  });

  it('fails when values are joined by something other than whitespace', async () => {
    expect(await rejection('{"a":1},{"a":2}')).toBe("expected the start of a JSON object but found ',' on line 1");
    expect(await rejection('[1 2]')).toBe("expected ',' or ']' but found '2' on line 1");
    expect(await rejection('[1,,2]')).toBe("expected a value but found ',' on line 1");
    expect(await rejection('[1]\n[2]')).toBe("expected nothing after the top-level value but found '[' on line 2");
  });

  it('fails when one record is larger than the limit instead of buffering the rest of the file', async () => {
    const open = `{"a":1}{"text":"${'x'.repeat(10_000)}`;
    expect(await rejection(open, { maxRecordChars: 1000 })).toBe(
      'the JSON value starting on line 1 is larger than 1000 characters (truncated or broken file?)',
    );
    expect(await rejection(`{"a":1}\n{"b":"${'x'.repeat(10_000)}`, { maxRecordChars: 1000 })).toBe(
      'line 2 is longer than 1000 characters',
    );
  });

  it('stops reading the source when the consumer stops early', async () => {
    const source = bytesOf('{"a":1}\n'.repeat(100_000), 1024);
    for await (const record of readJson(source, {})) {
      expect(record.rowNumber).toBe(1);
      break;
    }
    expect(source.destroyed).toBe(true);
  });

  it('refuses recordsPath combined with an explicit format', async () => {
    await expect(read('{}', { recordsPath: 'tickets', format: 'array' })).rejects.toThrow(TypeError);
  });
});

describe('readJsonDocument', () => {
  it('parses a small document', async () => {
    expect(await readJsonDocument(bytesOf('\uFEFF{"next_page": null, "tickets": []}', 3))).toEqual({
      next_page: null,
      tickets: [],
    });
  });

  it('fails when the document is larger than maxBytes', async () => {
    const failure = await readJsonDocument(bytesOf(`{"a":"${'x'.repeat(100)}"}`, 10), { maxBytes: 50 }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(FileRejectedError);
    expect((failure as Error).message).toBe('the JSON document is larger than the 50-byte limit');
  });

  it('fails when the document is not JSON or is empty', async () => {
    await expect(readJsonDocument(bytesOf('{"a":'))).rejects.toThrow(/^not valid JSON: /);
    await expect(readJsonDocument(bytesOf('  '))).rejects.toThrow('empty file: expected a JSON document');
    await expect(readJsonDocument(bytesOf('\uFEFF\n'))).rejects.toThrow('empty file: expected a JSON document');
  });

  it('fails when the document nests deeper than MAX_JSON_DEPTH', async () => {
    const deep = `{"tickets":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const failure = await readJsonDocument(bytesOf(deep)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FileRejectedError);
    expect((failure as Error).message).toBe(
      'the JSON document nests arrays and objects deeper than 64 levels (the limit)',
    );
  });

  it('reads a document nested exactly MAX_JSON_DEPTH deep, however many brackets its strings and pages hold', async () => {
    const nested = (levels: number) => `{"tickets":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;
    const page = `{"tickets":[${Array.from({ length: 200 }, (_, i) => `{"id":${i},"tags":["[[{{"]}`).join(',')}]}`;
    expect(await readJsonDocument(bytesOf(nested(64)))).toBeTruthy();
    expect(((await readJsonDocument(bytesOf(page))) as { tickets: unknown[] }).tickets).toHaveLength(200);
    await expect(readJsonDocument(bytesOf(nested(65)))).rejects.toThrow(
      'the JSON document nests arrays and objects deeper than 64 levels (the limit)',
    );
  });

  it('names the depth, not the syntax, of a document that is too deep and cut short', async () => {
    await expect(readJsonDocument(bytesOf(`{"tickets":${'['.repeat(5000)}`))).rejects.toThrow(
      'the JSON document nests arrays and objects deeper than 64 levels (the limit)',
    );
  });
});
