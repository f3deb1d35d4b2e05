import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type JsonOptions, readJson } from '../../../lambdas/core/read/index.ts';
import { collect } from './streams.ts';

/** The text cut in two at every byte, so each escape and quote meets a chunk boundary somewhere. */
function everySplit(text: string): Readable[] {
  const bytes = Buffer.from(text, 'utf8');
  return Array.from({ length: bytes.length + 1 }, (_, at) =>
    Readable.from([bytes.subarray(0, at), bytes.subarray(at)], { objectMode: false }),
  );
}

async function itemsOf(input: Readable, options: JsonOptions) {
  return (await collect(readJson(input, options))).map((item) =>
    item.kind === 'record' ? item.value : { line: item.line, row: item.rowNumber },
  );
}

/** Strings that end in runs of backslashes, escaped quotes, and quotes right after an escape. */
const escapes = [
  { text: 'a\\' },
  { text: '\\\\"' },
  { text: 'x"}]' },
  { text: '\\"\\\\\\"' },
  { text: '"', next: '\\' },
];

describe('readJson strings across chunk boundaries', () => {
  it('splits concatenated values wherever an escape is cut', async () => {
    const text = escapes.map((value) => JSON.stringify(value)).join('\n');
    for (const input of everySplit(text)) expect(await itemsOf(input, {})).toEqual(escapes);
  });

  it('splits a top-level array and the array under a key wherever an escape is cut', async () => {
    const array = JSON.stringify(escapes, null, 1);
    for (const input of everySplit(array)) expect(await itemsOf(input, {})).toEqual(escapes);
    const page = JSON.stringify({ before: 'q\\"', items: escapes, after: '\\\\' }, null, 1);
    for (const input of everySplit(page)) expect(await itemsOf(input, { recordsPath: 'items' })).toEqual(escapes);
  });

  it('counts lines inside strings and escapes to name the line of a broken record', async () => {
    // The second value is not JSON (a bare word in it); the strings before it hold escaped line
    // ends and real ones (JSON.parse refuses the latter, which the splitter must still count).
    const text = '{"a":"\\\\\\"\n\\n"}\n\n{"b": "x\\\\"\n, nope}\n{"c":"\\""}';
    for (const input of everySplit(text)) {
      expect(await itemsOf(input, { format: 'concatenated' })).toEqual([
        { line: 1, row: 1 },
        { line: 4, row: 2 },
        { c: '"' },
      ]);
    }
  });
});
