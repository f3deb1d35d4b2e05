import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { type CsvHeader, type CsvOptions, openDecoded, readCsv } from '../../lambdas/core/read/index.ts';
import { describeRealdata, REALDATA } from '../support/realdata.ts';

const NPS = 'nps-garden-retail/nps.csv';

interface Case {
  readonly file: string;
  readonly options: CsvOptions;
  readonly rows: number;
  readonly delimiter: string;
  /** A column the export is known to have, after renames. */
  readonly column: string;
}

// Row counts are the ones published with each file (../shared/realdata/README.md).
const cases: Case[] = [
  {
    file: 'anonymous-bank-callcentre/data_anonymous_bank_february.txt',
    options: {},
    rows: 33_344,
    delimiter: '\t',
    column: 'ser_time',
  },
  {
    file: 'pwc-callcentre/Call-Center-Dataset.csv',
    options: {},
    rows: 5_000,
    delimiter: ',',
    column: 'Satisfaction rating',
  },
  {
    file: 'kaggle-support-tickets/customer_support_tickets.csv',
    options: {},
    rows: 8_469,
    delimiter: ',',
    column: 'Customer Satisfaction Rating',
  },
  {
    file: 'servicenow-incident-log/incident_event_log.csv',
    options: {},
    rows: 5_998,
    delimiter: ',',
    column: 'made_sla',
  },
  { file: 'twcs-twitter-support/twcs.csv', options: {}, rows: 5_000, delimiter: ',', column: 'column_1' },
  {
    file: 'cfpb-complaints/complaints_sample.csv',
    options: { skipLines: 2 },
    rows: 6_623,
    delimiter: ',',
    column: 'Consumer complaint narrative',
  },
  {
    file: 'nps-garden-retail/nps.csv',
    options: { encoding: 'cp1252' },
    rows: 13_954,
    delimiter: ',',
    column: 'column_1',
  },
  {
    file: 'ibm-telco-churn/Telco-Customer-Churn.csv',
    options: {},
    rows: 7_043,
    delimiter: ',',
    column: 'TotalCharges',
  },
];

describeRealdata('readCsv on the real exports', [...cases.map((c) => c.file), NPS], () => {
  for (const { file, options, rows, delimiter, column } of cases) {
    it(`reads every row of ${file} without a record error`, async () => {
      let header: CsvHeader | undefined;
      let count = 0;
      const errors: unknown[] = [];
      const input = await openDecoded(createReadStream(join(REALDATA, file)));
      for await (const record of readCsv(input, { ...options, onHeader: (h) => (header = h) })) {
        if (record.kind === 'record') count++;
        else errors.push(record);
      }
      expect(errors).toEqual([]);
      expect(count).toBe(rows);
      expect(header?.delimiter).toBe(delimiter);
      expect(header?.columns).toContain(column);
    });
  }

  it('rejects the Latin-1 NPS survey when read as UTF-8, pointing at the encoding option', async () => {
    const input = await openDecoded(createReadStream(join(REALDATA, NPS)));
    await expect(async () => {
      for await (const _ of readCsv(input, {})) {
        // reading until the first undecodable byte
      }
    }).rejects.toThrow(/not valid UTF-8 text .*'cp1252'/);
  });
});
