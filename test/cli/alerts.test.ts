/** `servicebench alerts` on a lake ingested in-process: the engine's alerts, their follow-ups and the export. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertId } from '../../lambdas/core/alerts/engine.ts';
import { runCli as run } from '../support/cli.ts';

const CALLS = [
  'call,started,agent,email',
  'c1,2025-06-01 08:00:00,ann,jo@example.com',
  'c2,2025-06-03 10:00:00,bob,Jo@Example.com',
  'c3,2025-06-02 09:00:00,,kim@example.com',
].join('\n');

const SURVEYS = [
  'id,answered,score,email,ticket,comment',
  's1,2025-06-02 12:00:00,3,jo@example.com,c1,Call me on +44 20 7946 0958',
  's2,2025-06-02 13:00:00,9,kim@example.com,c3,',
  's3,2025-06-04 09:00:00,0,kim@example.com,c3,=ask jo@example.com',
  // jo again in the same week (windows start on Thursdays, 29 May here): no second alert.
  's4,2025-06-04 10:00:00,2,jo@example.com,c2,',
].join('\n');

const CALL_MAPPING = {
  table: 'interactions',
  format: { type: 'csv' },
  fields: {
    interaction_id: { column: 'call' },
    channel: { const: 'voice' },
    direction: { const: 'inbound' },
    created_at: { column: 'started', format: 'yyyy-MM-dd HH:mm:ss' },
    agent_id: { column: 'agent' },
    team: { const: 'care' },
    customer_key: { pseudonymise: 'customer', column: 'email' },
    is_abandoned: { const: false },
    is_callback: { const: false },
    updated_at: { field: 'created_at' },
  },
};

const SURVEY_MAPPING = {
  table: 'survey_responses',
  format: { type: 'csv' },
  fields: {
    response_id: { column: 'id' },
    survey_kind: { const: 'nps' },
    score: { column: 'score', type: 'integer' },
    scale_min: { const: 0 },
    scale_max: { const: 10 },
    higher_is_better: { const: true },
    interaction_id: { column: 'ticket' },
    customer_key: { pseudonymise: 'customer', column: 'email' },
    team: { const: 'care' },
    responded_at: { column: 'answered', format: 'yyyy-MM-dd HH:mm:ss' },
    comment: { column: 'comment' },
    updated_at: { field: 'responded_at' },
  },
};

let dir: string;
let previousDir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sb-alerts-'));
  writeFileSync(join(dir, 'calls.csv'), CALLS);
  writeFileSync(join(dir, 'surveys.csv'), SURVEYS);
  writeFileSync(join(dir, 'calls.json'), JSON.stringify(CALL_MAPPING));
  writeFileSync(join(dir, 'surveys.json'), JSON.stringify(SURVEY_MAPPING));
  writeFileSync(
    join(dir, 'servicebench.config.json'),
    JSON.stringify({
      sources: [
        { name: 'calls', adapter: 'mapping', options: { mappingFile: 'calls.json' } },
        { name: 'surveys', adapter: 'mapping', options: { mappingFile: 'surveys.json' } },
      ],
      alerts: { rules: [{ name: 'detractors', kind: 'nps_detractor' }] },
    }),
  );
  previousDir = process.cwd();
  process.chdir(dir);
  for (const [source, file] of [
    ['calls', 'calls.csv'],
    ['surveys', 'surveys.csv'],
  ] as const) {
    const ingested = await run(['ingest', '--source', source, file]);
    expect(ingested.code, ingested.stderr).toBe(0);
  }
}, 120_000);
afterAll(() => process.chdir(previousDir));

async function customerOf(responseId: string): Promise<string> {
  const result = await run([
    'query',
    '--format',
    'json',
    `SELECT customer_key FROM survey_responses_latest WHERE response_id = '${responseId}'`,
  ]);
  return (JSON.parse(result.stdout) as { customer_key: string }[])[0]?.customer_key ?? '';
}

const WEEK_MS = 168 * 3_600_000;

describe('servicebench alerts', () => {
  it('lists the detractors newest first, with the follow-up by a later agent contact, and no raw identifier', async () => {
    const result = await run(['alerts', '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const jo = await customerOf('s1');
    const kim = await customerOf('s3');
    expect(jo).toMatch(/^c_[\w-]{16,}$/);
    expect(kim).not.toBe(jo);
    expect(JSON.parse(result.stdout)).toEqual([
      {
        alert_id: alertId('detractors', kim, Math.floor(Date.parse('2025-06-04T09:00:00Z') / WEEK_MS)),
        alert_at: '2025-06-04T09:00:00.000Z',
        rule: 'detractors',
        kind: 'nps_detractor',
        source: 'surveys',
        source_ref: 'c3',
        team: 'care',
        agent_id: null,
        score: 0,
        comment: '=ask [e-mail]',
        customer_key: kim,
        // kim's only contact is before the answer, and no agent took it.
        followed_up_at: null,
        follow_up_s: null,
      },
      {
        alert_id: alertId('detractors', jo, Math.floor(Date.parse('2025-06-02T12:00:00Z') / WEEK_MS)),
        alert_at: '2025-06-02T12:00:00.000Z',
        rule: 'detractors',
        kind: 'nps_detractor',
        source: 'surveys',
        source_ref: 'c1',
        team: 'care',
        agent_id: null,
        score: 3,
        comment: 'Call me on [phone]',
        customer_key: jo,
        // bob's call on 3 June at 10:00, 22 hours after the answer (the address differs only in case).
        followed_up_at: '2025-06-03T10:00:00.000Z',
        follow_up_s: 22 * 3600,
      },
    ]);
    // The phone number whole: an alert id is a hex digest of a random per-lake pseudonym, and may
    // hold any four digits.
    expect(result.stdout).not.toMatch(/example\.com|20 7946 0958/);
    const log = readFileSync(join(dir, 'lake', 'alerts', 'alerts.jsonl'), 'utf8');
    expect(log.trim().split('\n')).toHaveLength(2);
    expect(log).not.toMatch(/example\.com|20 7946 0958/);
    const csv = readFileSync(join(dir, 'lake', 'exports', 'alerts', 'alerts.csv'), 'utf8');
    expect(csv.split('\r\n')[0]).toBe(
      '\uFEFFalert_id,alert_at,rule,kind,source,source_ref,team,agent_id,score,comment,customer_key,followed_up_at,follow_up_s',
    );
    expect(csv).toContain(`,3,Call me on [phone],${jo},2025-06-03T10:00:00.000Z,79200\r\n`);
    // A verbatim a spreadsheet would run as a formula is written as text.
    expect(csv).toContain(`,0,'=ask [e-mail],${kim},,\r\n`);
  });

  it('lists from a day on the alerts a full evaluation gives, keeps one log line per alert on a rerun, and says how many are open', async () => {
    // From 3 June on: kim's detractor; jo's of 4 June stays folded into the alert of 2 June.
    const since = await run(['alerts', '--since', '2025-06-03']);
    expect(since.code, since.stderr).toBe(0);
    expect(since.stdout).toContain('2025-06-04 09:00');
    expect(since.stdout).not.toContain('2025-06-02 12:00');
    expect(since.stdout).toContain('1 alert(s), 1 open');
    const log = readFileSync(join(dir, 'lake', 'alerts', 'alerts.jsonl'), 'utf8');
    expect(log.trim().split('\n')).toHaveLength(2);
    expect(readFileSync(join(dir, 'lake', 'exports', 'alerts', 'alerts-since-2025-06-03.csv'), 'utf8')).toContain(
      '2025-06-04T09:00:00.000Z',
    );
  });

  it('fails with exit 1 on a --since that is not a day', async () => {
    const result = await run(['alerts', '--since', '3 June']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--since 3 June: expected a day as YYYY-MM-DD');
  });
});
