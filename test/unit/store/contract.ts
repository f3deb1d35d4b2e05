/** Behaviour every ObjectStore shares, run against each implementation. */
import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import { ObjectNotFoundError, type ObjectStore } from '../../../lambdas/core/store/object-store.ts';

async function text(store: ObjectStore, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.read(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function keys(store: ObjectStore, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const info of store.list(prefix)) out.push(info.key);
  return out;
}

/** A body produced piece by piece, as the Parquet writer and the exporters produce theirs. */
function generated(parts: number, part: string): Readable {
  return Readable.from(
    (function* () {
      for (let index = 0; index < parts; index++) yield Buffer.from(`${index}:${part}\n`);
    })(),
  );
}

export function objectStoreContract(open: () => ObjectStore): void {
  it('writes a buffer, a string and a stream and reads back the same bytes', async () => {
    const store = open();
    await store.write('landing/a/one.json', Buffer.from('{"a":1}'), 'application/json');
    await store.write('landing/a/two.csv', 'x,y\n1,2\n');
    await store.write('curated/big.bin', generated(2000, 'z'.repeat(100)));
    expect(await text(store, 'landing/a/one.json')).toBe('{"a":1}');
    expect(await text(store, 'landing/a/two.csv')).toBe('x,y\n1,2\n');
    const big = await text(store, 'curated/big.bin');
    expect(big.split('\n')).toHaveLength(2001);
    expect(big.startsWith(`0:${'z'.repeat(100)}\n1:`)).toBe(true);
  });

  it('replaces an object that is written again', async () => {
    const store = open();
    await store.write('k.txt', 'first');
    await store.write('k.txt', 'second');
    expect(await text(store, 'k.txt')).toBe('second');
  });

  it('heads an object with its size and modification time, and a missing key as undefined', async () => {
    const store = open();
    const before = Date.now() - 5_000;
    await store.write('dir/file.txt', 'hello');
    const info = await store.head('dir/file.txt');
    expect(info?.key).toBe('dir/file.txt');
    expect(info?.size).toBe(5);
    expect(info?.lastModified.getTime()).toBeGreaterThan(before);
    expect(await store.head('dir/missing.txt')).toBeUndefined();
    expect(await store.head('dir')).toBeUndefined();
  });

  it('fails with ObjectNotFoundError naming the key when reading a missing key', async () => {
    const store = open();
    const failure = await store.read('nowhere/x.csv').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ObjectNotFoundError);
    expect((failure as ObjectNotFoundError).key).toBe('nowhere/x.csv');
  });

  it('lists every key under a prefix in key order, recursively, with sizes', async () => {
    const store = open();
    for (const key of ['p/b/2.txt', 'p/c.txt', 'p/a/1.txt', 'p/a/0.txt', 'pz.txt', 'q/1.txt']) {
      await store.write(key, key);
    }
    expect(await keys(store, 'p/')).toEqual(['p/a/0.txt', 'p/a/1.txt', 'p/b/2.txt', 'p/c.txt']);
    expect(await keys(store, 'p/a')).toEqual(['p/a/0.txt', 'p/a/1.txt']);
    expect(await keys(store, 'p')).toEqual(['p/a/0.txt', 'p/a/1.txt', 'p/b/2.txt', 'p/c.txt', 'pz.txt']);
    expect(await keys(store, 'nothing/')).toEqual([]);
    const [first] = await collect(store.list('p/a/0'));
    expect(first?.size).toBe('p/a/0.txt'.length);
  });

  it('deletes an object, and deleting a missing key is not an error', async () => {
    const store = open();
    await store.write('d/x.txt', 'x');
    await store.delete('d/x.txt');
    expect(await store.head('d/x.txt')).toBeUndefined();
    await expect(store.delete('d/x.txt')).resolves.toBeUndefined();
  });
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
