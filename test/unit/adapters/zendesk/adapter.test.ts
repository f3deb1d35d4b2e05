import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { zendeskAdapter } from '../../../../lambdas/adapters/zendesk/index.ts';
import { FileRejectedError } from '../../../../lambdas/core/normalise/adapter.ts';
import { collect, expectCanonical, FIXTURES, mappedRows, rowsOf, testContext } from '../amazon-connect/support.ts';

const context = testContext('zendesk');
const options = zendeskAdapter.optionsSchema.parse({});
const read = (name: string) =>
  collect(zendeskAdapter.read(createReadStream(join(FIXTURES, 'zendesk', name)), options, context));

describe('zendesk adapter', () => {
  it('reads an incremental ticket export page with its side-loaded metric sets', async () => {
    const records = await read('incremental-tickets-metric-sets.json');
    expect(records.map((r) => r.kind)).toEqual(['mapped', 'mapped', 'mapped', 'mapped', 'mapped', 'rejected']);
    expectCanonical(mappedRows(records));
    expect(rowsOf(mappedRows(records), 'interactions').find((r) => r.interaction_id === '1001')?.first_response_s).toBe(
      1800,
    );
  });

  it('reads satisfaction rating and CSAT survey response pages', async () => {
    expect(rowsOf(mappedRows(await read('satisfaction-ratings.json')), 'survey_responses')).toHaveLength(3);
    expect(rowsOf(mappedRows(await read('csat-survey-responses.json')), 'survey_responses')).toHaveLength(2);
  });

  it('fails the whole file when it is not JSON or not an export page', async () => {
    await expect(read('not-an-export.json')).rejects.toThrow(FileRejectedError);
    await expect(collect(zendeskAdapter.read(Readable.from(['{"tickets": [']), options, context))).rejects.toThrow(
      FileRejectedError,
    );
  });
});
