import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { amazonConnectAdapter } from '../../../../lambdas/adapters/amazon-connect/index.ts';
import { openDecoded } from '../../../../lambdas/core/read/index.ts';
import { collect, expectCanonical, FIXTURES, mappedRows, rowsOf, testContext } from './support.ts';

const context = testContext('connect');
const options = amazonConnectAdapter.optionsSchema.parse({
  surveyQuestions: { nps: { kind: 'nps', min: 0, max: 10 } },
});
const read = async (name: string) =>
  collect(
    amazonConnectAdapter.read(
      await openDecoded(createReadStream(join(FIXTURES, 'amazon-connect', name))),
      options,
      context,
    ),
  );

describe('amazon-connect-ctr adapter', () => {
  it('streams a Firehose NDJSON file: every record mapped in order, rows canonical', async () => {
    const records = await read('ctr-firehose.ndjson');
    expect(records.map((r) => [r.kind, r.rowNumber])).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => ['mapped', n]));
    expectCanonical(mappedRows(records));
    expect(rowsOf(mappedRows(records), 'interactions')).toHaveLength(7);
    expect(rowsOf(mappedRows(records), 'survey_responses')).toHaveLength(3);
  });

  it('reads concatenated contact records with no delimiter between them', async () => {
    const records = await read('ctr-firehose-concatenated.json');
    expect(rowsOf(mappedRows(records), 'interactions').map((r) => r.interaction_id)).toEqual([
      '5f0c3a1e-1111-4a2b-9c3d-000000000001',
      '5f0c3a1e-2222-4a2b-9c3d-000000000002',
    ]);
  });

  it('reads the gzip Firehose writes once the pipeline has decoded it', async () => {
    const plain = mappedRows(await read('ctr-firehose.ndjson'));
    const gzipped = mappedRows(await read('ctr-firehose.ndjson.gz'));
    expect(gzipped).toEqual(plain);
  });

  it('fails record by record: missing ContactId, bad timestamp, off-scale survey answer, truncated JSON', async () => {
    const records = await read('ctr-invalid.ndjson');
    expect(records.map((r) => (r.kind === 'rejected' ? [r.rowNumber, r.field] : [r.rowNumber, 'ok']))).toEqual([
      [1, 'ContactId'],
      [2, 'InitiationTimestamp'],
      [3, 'ok'],
      [4, 'Attributes.survey_result_csat'],
      [5, null],
    ]);
    expect(records[4]).toMatchObject({ kind: 'rejected', reason: expect.stringContaining('invalid JSON') });
  });

  it('yields nothing for an empty delivery', async () => {
    expect(await collect(amazonConnectAdapter.read(Readable.from([]), options, context))).toEqual([]);
  });
});
