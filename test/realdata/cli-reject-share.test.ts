/**
 * The PwC call-centre export through `servicebench ingest` with its date format mistyped as
 * "dd-MMM-yy" (the file writes "1-Jan-21"): every call on days 1-9 of a month is rejected, 1,558 of
 * 5,000 (31.2 %), counted from the raw file with
 *
 *   python3 -c "import csv;print(sum(len(r['Date'].split('-')[0])==1 for r in csv.DictReader(open('Call-Center-Dataset.csv'))))"
 *
 * The run must fail with the reason rather than show a green tick and exit 0.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit.ts';
import { runCli } from '../support/cli.ts';
import { describeRealdata, REALDATA } from '../support/realdata.ts';

const FILE = 'pwc-callcentre/Call-Center-Dataset.csv';

describeRealdata('the PwC export with a wrong date format through servicebench ingest', [FILE], () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-realdata-pwc-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 4 naming the 31.2 % rejected, the limit and the top reason', async () => {
    const mapping = JSON.parse(
      readFileSync(new URL('../../examples/mappings/pwc-calls.json', import.meta.url), 'utf8'),
    ) as { fields: { created_at: { date: { format: string } } } };
    expect(mapping.fields.created_at.date.format).toBe('d-MMM-yy');
    mapping.fields.created_at.date.format = 'dd-MMM-yy';
    writeFileSync(join(dir, 'pwc-calls.json'), JSON.stringify(mapping));
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        sources: [{ name: 'pwc-calls', adapter: 'mapping', options: { mappingFile: 'pwc-calls.json' } }],
      }),
    );
    const result = await runCli([
      '--lake',
      join(dir, 'lake'),
      '--config',
      join(dir, 'config.json'),
      'ingest',
      '--source',
      'pwc-calls',
      join(REALDATA, FILE),
    ]);
    expect(result.code).toBe(EXIT.rowsRejected);
    expect(result.stdout).toMatch(
      /^✗ .*Call-Center-Dataset\.csv: 5000 read, 3442 accepted, 1558 rejected \(31\.2 %, over the 5 % allowed\)/m,
    );
    expect(result.stdout).toContain(
      '    1,558 × Date: "…" is not a date in format "dd-MMM-yy" (column "Date" → created_at) (e.g. row 1: "1-Jan-21" is not a date',
    );
    expect(result.stderr).toContain(
      'error: 1,558 of 5,000 records rejected (31.2 %), 1 of 1 files over the 5 % allowed by ingest.maxRejectShare',
    );
  }, 120_000);
});
