/**
 * The UTF-8 decoder gives a fatal streaming TextDecoder's verdicts: the same text for valid bytes,
 * and for invalid bytes a failure at the same chunk with the same offset, however the bytes are
 * cut. Random byte strings mix whole characters with the bytes that make UTF-8 invalid (lone
 * continuations, overlong and surrogate leads, leads beyond U+10FFFF, cut characters).
 */
import { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decodeText } from '../../../lambdas/core/read/index.ts';

/**
 * The chunks as decodeText hands them to its decoder: the first ones joined until they hold 3
 * bytes, enough for a byte-order mark.
 */
function asDecoded(chunks: readonly Buffer[]): Buffer[] {
  let head = 0;
  let size = 0;
  while (head < chunks.length && size < 3) size += (chunks[head++] as Buffer).length;
  return [Buffer.concat(chunks.slice(0, head)), ...chunks.slice(head)].filter((c) => c.length > 0);
}

/** A fatal TextDecoder fed the chunks in turn: the text, or the index of the chunk that fails. */
function reference(chunks: readonly Buffer[]): { text: string } | { failsAt: number | 'end' } {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let text = '';
  for (const [index, chunk] of chunks.entries()) {
    try {
      text += decoder.decode(chunk, { stream: true });
    } catch {
      return { failsAt: index };
    }
  }
  try {
    return { text: text + decoder.decode() };
  } catch {
    return { failsAt: 'end' };
  }
}

async function decoded(chunks: readonly Buffer[]): Promise<{ text: string } | { error: string }> {
  let text = '';
  try {
    for await (const part of decodeText(Readable.from(chunks, { objectMode: false }), 'utf-8')) text += part;
    return { text };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Offset of the first byte TextDecoder replaces in `bytes` that is not a replacement character itself. */
function firstInvalid(bytes: Buffer): number {
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  for (let index = text.indexOf('\uFFFD'); index !== -1; index = text.indexOf('\uFFFD', index + 1)) {
    const offset = Buffer.byteLength(text.slice(0, index), 'utf8');
    if (!(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)) return offset;
  }
  return bytes.length;
}

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const PIECES: readonly Buffer[] = [
  ...['a', '\n', 'é', 'ß', '€', '中', '\uFFFD', '😀', '\u{10FFFF}', '\uFEFF'].map((c) => Buffer.from(c, 'utf8')),
  ...[0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xa0, 0x9f, 0x90, 0x8f].map((b) =>
    Buffer.from([b]),
  ),
];

function sample(next: () => number): { bytes: Buffer; chunks: Buffer[] } {
  const parts: Buffer[] = [];
  if (next() < 0.2) parts.push(Buffer.from([0xef, 0xbb, 0xbf]));
  const length = Math.floor(next() * 12);
  // Mostly whole characters, so that many strings stay valid.
  for (let i = 0; i < length; i++) {
    const piece = PIECES[next() < 0.8 ? Math.floor(next() * 10) : Math.floor(next() * PIECES.length)] as Buffer;
    parts.push(next() < 0.1 ? piece.subarray(0, Math.max(1, piece.length - 1)) : piece);
  }
  const bytes = Buffer.concat(parts);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + Math.floor(next() * 5);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return { bytes, chunks };
}

describe('UTF-8 decoding', () => {
  it('matches a fatal streaming TextDecoder on 20,000 random byte strings cut at random', async () => {
    const next = random(7);
    let valid = 0;
    for (let run = 0; run < 20_000; run++) {
      const { bytes, chunks } = sample(next);
      const fed = asDecoded(chunks);
      const expected = reference(fed);
      const actual = await decoded(chunks);
      const label = `${bytes.toString('hex')} cut ${chunks.map((c) => c.length).join('+')}`;
      if ('text' in expected) {
        valid++;
        expect(actual, label).toEqual(expected);
      } else if (expected.failsAt === 'end') {
        expect(actual, label).toEqual({
          error: 'not valid UTF-8 text: the file ends in the middle of a character',
        });
      } else {
        const before = fed.slice(0, expected.failsAt).reduce((sum, c) => sum + c.length, 0);
        const offset = before + firstInvalid(fed[expected.failsAt] as Buffer);
        expect('error' in actual && actual.error.split(';')[0], label).toBe(
          `not valid UTF-8 text near byte offset ${offset}`,
        );
      }
    }
    // Both verdicts are well represented.
    expect(valid).toBeGreaterThan(5_000);
    expect(valid).toBeLessThan(15_000);
  });

  it('decodes a file cut inside every kind of character at every byte', async () => {
    const bytes = Buffer.from('\uFEFFa é € 中 😀 \u{10FFFF} z', 'utf8');
    for (let cut = 1; cut < bytes.length; cut++) {
      const chunks = [bytes.subarray(0, cut), bytes.subarray(cut)];
      expect(await decoded(chunks), `cut at ${cut}`).toEqual(reference(asDecoded(chunks)));
    }
  });

  it.each([
    ['an overlong three-byte form', [0xe0, 0x80, 0x80]],
    ['a surrogate', [0xed, 0xa0, 0x80]],
    ['a code point beyond U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['an overlong four-byte form', [0xf0, 0x80, 0x80, 0x80]],
    ['an overlong two-byte form', [0xc0, 0x80]],
    ['a lead byte UTF-8 never uses', [0xf5, 0x80, 0x80, 0x80]],
    ['a lone continuation byte', [0x80]],
    ['a character cut short', [0xe2, 0x82]],
  ])('fails on %s where TextDecoder does, cut at every byte', async (_, sequence) => {
    const bytes = Buffer.concat([Buffer.from('abcd'), Buffer.from(sequence), Buffer.from('xyz')]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const chunks = [bytes.subarray(0, cut), bytes.subarray(cut)];
      const fed = asDecoded(chunks);
      const expected = reference(fed);
      expect(expected).toEqual({ failsAt: expect.anything() });
      const failsAt = (expected as { failsAt: number }).failsAt;
      const offset = (failsAt === 1 ? (fed[0] as Buffer).length : 0) + firstInvalid(fed[failsAt] as Buffer);
      const actual = await decoded(chunks);
      expect('error' in actual && actual.error.split(';')[0], `cut at ${cut}`).toBe(
        `not valid UTF-8 text near byte offset ${offset}`,
      );
    }
  });
});
