/**
 * What `servicebench ingest` checks after the files are in: the top reject reasons per file, the
 * reject-share limit (a wrong date format must not pass as a green tick and exit 0), what the rows
 * feed and leave empty, and implausible figures.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit.ts';
import { reasonKind } from '../../cli/ingest-checks.ts';
import { runCli } from '../support/cli.ts';

const MONTHS = ['Jan', 'Feb', 'Mar'];

/**
 * 40 calls dated like "7-Jan-25" (day without a leading zero): 12 fall on days 1-9, so a mapping
 * that reads the dates as "dd-MMM-yy" rejects 12 of 40 (30 %). Every answered call has 0 s of talk,
 * 25 of the 40 queued calls are abandoned, and nothing in the export says whether a call was
 * transferred.
 */
function calls(): string {
  const lines = ['call,date,time,wait,talk,outcome,agent'];
  for (let i = 0; i < 40; i++) {
    const day = i < 12 ? (i % 9) + 1 : 10 + (i % 18);
    const abandoned = i % 8 < 5;
    lines.push(
      `c${i},${day}-${MONTHS[i % 3]}-25,09:${String(i).padStart(2, '0')},${10 + i},${abandoned ? '' : '0'},${abandoned ? 'abandoned' : 'answered'},${abandoned ? '' : `agent${i % 4}`}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const mapping = (dateFormat: string) => ({
  table: 'interactions',
  format: { type: 'csv' },
  fields: {
    interaction_id: { column: 'call' },
    channel: { const: 'voice' },
    direction: { const: 'inbound' },
    created_at: { date: { column: 'date', format: dateFormat }, time: { column: 'time', format: 'HH:mm' } },
    queued_at: { field: 'created_at' },
    queue_s: { column: 'wait', type: 'duration' },
    talk_s: { column: 'talk', type: 'duration' },
    agent_id: { column: 'agent' },
    answered_at: {
      cases: [
        {
          when: { column: 'outcome', equals: 'answered' },
          use: { add: { to: 'created_at', amount: 'queue_s', unit: 'seconds' } },
        },
      ],
    },
    is_abandoned: { column: 'outcome', map: { answered: false, abandoned: true } },
    is_callback: { const: false },
    is_transfer: { const: false },
    is_escalated: { const: false },
    updated_at: { field: 'created_at' },
  },
});

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sb-ingest-checks-'));
  writeFileSync(join(dir, 'calls.csv'), calls());
  writeFileSync(join(dir, 'wrong.json'), JSON.stringify(mapping('dd-MMM-yy')));
  writeFileSync(join(dir, 'right.json'), JSON.stringify(mapping('d-MMM-yy')));
  const config = (mappingFile: string, ingest?: object) =>
    JSON.stringify({
      lake: { partitionsFrom: '2024-01-01' },
      sources: [{ name: 'calls', adapter: 'mapping', options: { mappingFile } }],
      ...(ingest ? { ingest } : {}),
    });
  writeFileSync(join(dir, 'wrong.config.json'), config('wrong.json'));
  writeFileSync(join(dir, 'lenient.config.json'), config('wrong.json', { maxRejectShare: 0.35 }));
  writeFileSync(join(dir, 'right.config.json'), config('right.json'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ingest = (config: string, lake: string) =>
  runCli([
    '--lake',
    join(dir, lake),
    '--config',
    join(dir, config),
    'ingest',
    '--jobs',
    '1',
    '--source',
    'calls',
    join(dir, 'calls.csv'),
  ]);

describe('servicebench ingest checks', () => {
  it('fails with exit 4 and the top reasons when a wrong date format rejects 30 % of the calls', async () => {
    const result = await ingest('wrong.config.json', 'lake-wrong');
    expect(result.code).toBe(EXIT.rowsRejected);
    expect(result.stdout).toMatch(/^✗ .*calls\.csv: 40 read, 28 accepted, 12 rejected \(30 %, over the 5 % allowed\)/m);
    expect(result.stdout).toContain(
      '  top reject reasons:\n    12 × date: "…" is not a date in format "dd-MMM-yy" (column "date" → created_at) (e.g. row 1: "1-Jan-25" is not a date',
    );
    expect(result.stderr).toContain(
      'error: 12 of 40 records rejected (30 %), 1 of 1 files over the 5 % allowed by ingest.maxRejectShare;',
    );
  });

  it('passes when ingest.maxRejectShare allows the share', async () => {
    const result = await ingest('lenient.config.json', 'lake-lenient');
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toMatch(/^✓ .*calls\.csv: 40 read, 28 accepted, 12 rejected \(interactions: 28\)/m);
    expect(result.stdout).toContain('top reject reasons:');
    expect(result.stderr).not.toContain('error:');
  });

  it('says what the rows feed and leave empty, and warns on a 0 s handle time, 62.5 % abandonment and a constant flag', async () => {
    const result = await ingest('right.config.json', 'lake-right');
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toMatch(/^✓ .*calls\.csv: 40 read, 40 accepted, 0 rejected/m);
    expect(result.stdout).toContain(
      'coverage of the 40 rows ingested: calls (interactions) feeds: aht_s, asa_s, abandonment_rate, service_level_pct, transfer_rate, escalation_rate, service_index',
    );
    expect(result.stdout).toContain('; avg_hold_s (needs hold_s);');
    expect(result.stdout).toMatch(/\n {2}leaves empty: .*customer_key, .*hold_s,/);
    expect(result.stderr).toContain(
      'warning: calls (interactions): average handle time is 0 s over 15 handled contacts: talk_s, hold_s and acw_s are 0 in every one',
    );
    expect(result.stderr).toContain(
      'warning: calls (interactions): 62.5 % of 40 queued contacts are abandoned, above 50 %',
    );
    expect(result.stderr).toContain(
      'warning: calls (interactions): is_transfer is false in all 40 rows, so transfer_rate can only be 0 %; if the export does not record it, leave is_transfer unmapped',
    );
    expect(result.stderr).toContain('is_escalated is false in all 40 rows, so escalation_rate can only be 0 %');
  });
});

describe('reasonKind', () => {
  it('blanks the values that differ between records of one cause', () => {
    expect(reasonKind('"3-Feb-21" is not a date in format "dd-MMM-yy" (column "Date" → created_at)')).toBe(
      '"…" is not a date in format "dd-MMM-yy" (column "Date" → created_at)',
    );
    expect(reasonKind('interactions.queue_s Too small: expected number to be >=0 (got -7)')).toBe(
      'interactions.queue_s Too small: expected number to be >=0 (got …)',
    );
    expect(
      reasonKind('interactions.created_at dates the row 1998-02-03, before lake.partitionsFrom (2015-01-01)'),
    ).toBe('interactions.created_at dates the row …, before lake.partitionsFrom (2015-01-01)');
  });

  it('blanks a quoted value of 10 MB, escaped quotes included, without overflowing the stack', () => {
    const value = `${'x'.repeat(5_000_000)}\\"${'y'.repeat(5_000_000)}`;
    expect(reasonKind(`"${value}" is not a duration (column "Time to Resolution")`)).toBe(
      '"…" is not a duration (column "Time to Resolution")',
    );
  });
});
