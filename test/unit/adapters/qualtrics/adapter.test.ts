import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { qualtricsAdapter } from '../../../../lambdas/adapters/qualtrics/index.ts';
import {
  type AdapterContext,
  FileRejectedError,
  type SourceRecord,
} from '../../../../lambdas/core/normalise/adapter.ts';
import { createPseudonymiser } from '../../../../lambdas/core/normalise/pseudonymise.ts';

const fixture = new URL('../../../fixtures/qualtrics/responses.csv', import.meta.url);
const context: AdapterContext = {
  source: 'qualtrics-support',
  objectKey: 'qualtrics-support/responses.csv',
  ingestedAt: new Date('2024-06-01T00:00:00Z'),
  pseudonymise: createPseudonymiser(new Uint8Array(32).fill(7)),
  timeZone: 'UTC',
};
const options = qualtricsAdapter.optionsSchema.parse({
  questions: [
    { column: 'Q1', kind: 'nps' },
    { column: 'Q2', kind: 'csat' },
  ],
});

async function collect(input: Readable): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of qualtricsAdapter.read(input, options, context)) out.push(r);
  return out;
}

describe('qualtrics adapter', () => {
  it('reads the export past its three header rows and numbers responses from 1', async () => {
    const records = await collect(createReadStream(fixture));
    expect(records.map((r) => [r.rowNumber, r.kind])).toEqual([
      [1, 'mapped'],
      [2, 'rejected'],
      [3, 'rejected'],
      [4, 'rejected'],
      [5, 'rejected'],
      [6, 'mapped'],
      [7, 'mapped'],
    ]);
    const rows = records.flatMap((r) => (r.kind === 'mapped' ? r.rows : []));
    expect(rows).toHaveLength(5);
  });

  it('fails the whole file when the ImportId row is missing (a legacy two-row export)', async () => {
    const lines = readFileSync(fixture, 'utf8').split('\r\n');
    const twoRows = [lines[0], lines[1], ...lines.slice(3)].join('\r\n');
    await expect(collect(Readable.from([twoRows]))).rejects.toThrow(FileRejectedError);
    await expect(collect(Readable.from([twoRows]))).rejects.toThrow(/expected ImportId JSON/);
  });

  it('fails the whole file when a configured question column is absent', async () => {
    const text = readFileSync(fixture, 'utf8').replaceAll('"Q2"', '"Q2x"');
    await expect(collect(Readable.from([text]))).rejects.toThrow(/missing column\(s\) Q2/);
  });
});
