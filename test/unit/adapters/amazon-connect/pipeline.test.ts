import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLake } from '../../../../cli/lake.ts';
import { amazonConnectAdapter } from '../../../../lambdas/adapters/amazon-connect/index.ts';
import { freshdeskAdapter } from '../../../../lambdas/adapters/freshdesk/index.ts';
import { intercomAdapter } from '../../../../lambdas/adapters/intercom/index.ts';
import { zendeskAdapter } from '../../../../lambdas/adapters/zendesk/index.ts';
import { parseConfig } from '../../../../lambdas/core/config/config.ts';
import type { Adapter } from '../../../../lambdas/core/normalise/adapter.ts';
import { normaliseObject, resolveSource } from '../../../../lambdas/core/normalise/pipeline.ts';
import { FIXTURES } from './support.ts';

const KEY = Buffer.alloc(32, 3);
const config = parseConfig({
  sources: [
    {
      name: 'connect',
      adapter: 'amazon-connect-ctr',
      options: { surveyQuestions: { nps: { kind: 'nps', min: 0, max: 10 } } },
    },
    { name: 'zendesk', adapter: 'zendesk' },
    { name: 'freshdesk', adapter: 'freshdesk' },
    { name: 'intercom', adapter: 'intercom' },
  ],
});

async function normalise(adapter: Adapter<never>, key: string, fixture: string) {
  const lake = openLake(mkdtempSync(join(tmpdir(), 'sb-adapters-')));
  await lake.stores.landing.write(key, readFileSync(join(FIXTURES, fixture)));
  return normaliseObject({
    stores: lake.stores,
    key,
    source: resolveSource(config, key),
    adapter: adapter as Adapter,
    pseudonymKey: KEY,
  });
}

describe('contact-centre and helpdesk adapters through the normaliser', () => {
  it('curates a gzip Firehose delivery whole, both deliveries of a re-sent contact included', async () => {
    const result = await normalise(
      amazonConnectAdapter as Adapter<never>,
      'connect/2024/03/04/delivery.gz',
      'amazon-connect/ctr-firehose.ndjson.gz',
    );
    expect(result.audit).toMatchObject({ rows_read: 8, rows_accepted: 8, rows_rejected: 0, file_error: null });
    expect(result.rowsByTable).toEqual({ interactions: 7, survey_responses: 3 });
  });

  it('quarantines the invalid contact records and curates the rest', async () => {
    const result = await normalise(
      amazonConnectAdapter as Adapter<never>,
      'connect/bad.ndjson',
      'amazon-connect/ctr-invalid.ndjson',
    );
    expect(result.audit).toMatchObject({ rows_read: 5, rows_accepted: 1, rows_rejected: 4 });
  });

  it.each([
    ['zendesk/tickets/page-1.json', zendeskAdapter, 'zendesk/incremental-tickets-metric-sets.json', 5, 1],
    ['zendesk/surveys/page-1.json', zendeskAdapter, 'zendesk/csat-survey-responses.json', 2, 1],
    ['freshdesk/tickets.json', freshdeskAdapter, 'freshdesk/tickets-with-stats.json', 4, 3],
    ['freshdesk/ratings.json', freshdeskAdapter, 'freshdesk/satisfaction-ratings.json', 3, 1],
    ['intercom/page-1.json', intercomAdapter, 'intercom/conversations-page.json', 3, 2],
  ])(
    '%s: every mapped record passes the pipeline, the rejected ones are quarantined',
    async (key, adapter, fixture, accepted, rejected) => {
      const result = await normalise(adapter as Adapter<never>, key, fixture);
      expect(result.audit).toMatchObject({ rows_accepted: accepted, rows_rejected: rejected, file_error: null });
    },
  );

  it('records a whole-file rejection for a Zendesk page that is not an export', async () => {
    const result = await normalise(
      zendeskAdapter as Adapter<never>,
      'zendesk/users.json',
      'zendesk/not-an-export.json',
    );
    expect(result.fileError).toContain('not a Zendesk export page');
  });
});
