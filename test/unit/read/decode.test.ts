import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FileRejectedError } from '../../../lambdas/core/normalise/adapter.ts';
import { decodeText, openDecoded } from '../../../lambdas/core/read/index.ts';
import { bytesOf, CHUNK_SIZES, collect, readAll } from './streams.ts';

const text = 'id,name\n1,Zoë\n';

async function decodeAll(bytes: Buffer, encoding?: Parameters<typeof decodeText>[1], chunkSize?: number) {
  return (await collect(decodeText(bytesOf(bytes, chunkSize), encoding))).join('');
}

describe('openDecoded', () => {
  it('gunzips a stream that starts with the gzip magic bytes, whatever its name', async () => {
    for (const chunkSize of CHUNK_SIZES) {
      const out = await readAll(await openDecoded(bytesOf(gzipSync(text), chunkSize)));
      expect(out.toString('utf8')).toBe(text);
    }
  });

  it('passes plain bytes through unchanged, including one-byte and empty files', async () => {
    expect((await readAll(await openDecoded(bytesOf(text, 1)))).toString('utf8')).toBe(text);
    expect((await readAll(await openDecoded(bytesOf('x')))).toString('utf8')).toBe('x');
    expect((await readAll(await openDecoded(bytesOf('')))).length).toBe(0);
  });

  it('fails with a FileRejectedError when the gzip stream is corrupt', async () => {
    const corrupt = gzipSync(text.repeat(50));
    corrupt.fill(0x41, 10, 30);
    const decoded = await openDecoded(bytesOf(corrupt));
    const failure = await readAll(decoded).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FileRejectedError);
    expect((failure as Error).message).toMatch(/^not a valid gzip stream: /);
  });

  it('fails with a FileRejectedError when the gzip stream is truncated', async () => {
    const truncated = gzipSync(text.repeat(50)).subarray(0, 20);
    const failure = await readAll(await openDecoded(bytesOf(truncated))).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FileRejectedError);
    expect((failure as Error).message).toMatch(/not a valid gzip stream: unexpected end of file/);
  });

  it('gunzips every member of a multi-member file', async () => {
    const members = Buffer.concat([gzipSync('id,name\n'), gzipSync('1,Zoë\n'), gzipSync('')]);
    for (const chunkSize of CHUNK_SIZES) {
      expect((await readAll(await openDecoded(bytesOf(members, chunkSize)))).toString('utf8')).toBe(text);
    }
  });

  it('fails with a FileRejectedError when bytes follow the last member, zero bytes included', async () => {
    // The member is 28 bytes long, so whatever follows starts at byte 28.
    const member = gzipSync('id,name\n');
    expect(member.length).toBe(28);
    for (const tail of [Buffer.from('garbage'), Buffer.alloc(4), Buffer.concat([Buffer.alloc(4), Buffer.from('x')])]) {
      for (const chunkSize of CHUNK_SIZES) {
        const bytes = Buffer.concat([member, tail]);
        const failure = await readAll(await openDecoded(bytesOf(bytes, chunkSize))).catch((error: unknown) => error);
        expect(failure, `${tail.toString('hex')} in chunks of ${chunkSize}`).toBeInstanceOf(FileRejectedError);
        expect((failure as Error).message).toMatch(/^not a valid gzip stream: /);
      }
    }
    const zeros = Buffer.concat([member, Buffer.alloc(4)]);
    await expect(readAll(await openDecoded(bytesOf(zeros)))).rejects.toThrow(
      'not a valid gzip stream: unexpected bytes after the end of the gzip data, at byte 28 of the file',
    );
  });
});

describe('decodeText', () => {
  it('decodes UTF-8 split inside multi-byte characters and strips the byte-order mark', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('€ and é', 'utf8')]);
    for (const chunkSize of CHUNK_SIZES) expect(await decodeAll(bytes, 'utf-8', chunkSize)).toBe('€ and é');
  });

  it('decodes Latin-1 bytes (é is 0xE9)', async () => {
    expect(await decodeAll(Buffer.from([0x63, 0x61, 0x66, 0xe9]), 'latin1')).toBe('café');
  });

  it('decodes Windows-1252 bytes (€ is 0x80, which Latin-1 leaves as a control character)', async () => {
    const bytes = Buffer.from([0x80, 0x20, 0xe9, 0x20, 0x93, 0x71, 0x94]);
    for (const chunkSize of CHUNK_SIZES) expect(await decodeAll(bytes, 'cp1252', chunkSize)).toBe('€ é “q”');
    expect(await decodeAll(bytes, 'latin1')).not.toContain('€');
  });

  it('decodes UTF-16LE with its byte-order mark, even when the source says UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a\tb\r\n€', 'utf16le')]);
    for (const chunkSize of CHUNK_SIZES) {
      expect(await decodeAll(bytes, 'utf-16le', chunkSize)).toBe('a\tb\r\n€');
      expect(await decodeAll(bytes, undefined, chunkSize)).toBe('a\tb\r\n€');
    }
  });

  it('fails when the text is not UTF-8, naming the byte and the encodings to try', async () => {
    const failure = await decodeAll(Buffer.from('abc\ncaf\xe9\n', 'latin1'), 'utf-8').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FileRejectedError);
    expect((failure as Error).message).toMatch(
      /^not valid UTF-8 text near byte offset 7; .*'latin1', 'cp1252' or 'utf-16le'/,
    );
  });

  it('fails when the file ends in the middle of a UTF-8 character', async () => {
    const failure = await decodeAll(Buffer.from([0x61, 0xe2, 0x82]), 'utf-8').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FileRejectedError);
    expect((failure as Error).message).toMatch(/ends in the middle of a character/);
  });
});
