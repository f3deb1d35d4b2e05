/**
 * A lake holding two customers, built with the real `servicebench ingest`: calls (interactions),
 * a later export of one call with its caller left blank, and survey answers (survey_responses).
 * Ann calls from +15550001111 and Bob from +15550002222; each has one call rejected for its
 * negative wait, so the calls' reject file holds one line of each.
 *
 * | record | day        | customer | note                                              |
 * |--------|------------|----------|---------------------------------------------------|
 * | c1     | 2025-06-02 | Ann      | two versions: the later one (calls-later.csv) has no caller |
 * | c2     | 2025-06-02 | Bob      |                                                   |
 * | c3     | 2025-06-03 | Ann      |                                                   |
 * | c4     | 2025-06-03 | Ann      | rejected (negative wait)                          |
 * | c5     | 2025-06-03 | Bob      | rejected (negative wait)                          |
 * | c6     | 2025-06-03 | Bob      |                                                   |
 * | s1     | 2025-06-02 | Ann      | survey answer                                     |
 * | s2     | 2025-06-03 | Bob      | survey answer                                     |
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { runCli } from '../../support/cli.ts';

/** Ann's number as an operator might type it; the exports hold +15550001111. */
export const ANN = '+1 555 000 1111';
export const BOB = '+15550002222';

const CALL_HEADER = 'call,started,updated,wait,talk,outcome,agent,phone';
const CALLS = [
  CALL_HEADER,
  'c1,2025-06-02 09:00:00,2025-06-02 09:10:00,12,300,answered,ann,+15550001111',
  'c2,2025-06-02 09:05:00,2025-06-02 09:06:00,40,,abandoned,,+15550002222',
  'c3,2025-06-03 10:00:00,2025-06-03 10:05:00,3,120,answered,bob,+15550001111',
  'c4,2025-06-03 10:30:00,2025-06-03 10:35:00,-7,60,answered,bob,+15550001111',
  'c5,2025-06-03 11:00:00,2025-06-03 11:05:00,-3,60,answered,bob,+15550002222',
  'c6,2025-06-03 11:30:00,2025-06-03 11:35:00,5,90,answered,ann,+15550002222',
].join('\n');
const CALLS_LATER = [CALL_HEADER, 'c1,2025-06-02 09:00:00,2025-06-04 08:00:00,12,320,answered,ann,'].join('\n');
const SURVEYS = [
  'id,sent,score,phone,comment',
  's1,2025-06-02 12:00:00,5,+15550001111,quick and kind',
  's2,2025-06-03 12:00:00,2,+15550002222,too slow',
].join('\n');

const CALLS_MAPPING = {
  table: 'interactions',
  format: { type: 'csv' },
  fields: {
    interaction_id: { column: 'call' },
    channel: { const: 'voice' },
    direction: { const: 'inbound' },
    created_at: { column: 'started', format: 'yyyy-MM-dd HH:mm:ss' },
    queued_at: { field: 'created_at' },
    queue_s: { column: 'wait', type: 'duration' },
    talk_s: { column: 'talk', type: 'duration' },
    agent_id: { column: 'agent' },
    customer_key: { pseudonymise: 'customer', column: 'phone' },
    is_abandoned: { column: 'outcome', map: { answered: false, abandoned: true } },
    is_callback: { const: false },
    is_transfer: { const: false },
    is_escalated: { const: false },
    updated_at: { column: 'updated', format: 'yyyy-MM-dd HH:mm:ss' },
  },
};
const SURVEYS_MAPPING = {
  table: 'survey_responses',
  format: { type: 'csv' },
  fields: {
    response_id: { column: 'id' },
    survey_kind: { const: 'csat' },
    score: { column: 'score', type: 'integer' },
    scale_min: { const: 1 },
    scale_max: { const: 5 },
    higher_is_better: { const: true },
    customer_key: { pseudonymise: 'customer', column: 'phone' },
    sent_at: { column: 'sent', format: 'yyyy-MM-dd HH:mm:ss' },
    responded_at: { field: 'sent_at' },
    comment: { column: 'comment' },
    updated_at: { field: 'sent_at' },
  },
};

/** The export folder: files, mappings and config. */
export function createErasureFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-erase-'));
  writeFileSync(join(dir, 'calls.csv'), CALLS);
  writeFileSync(join(dir, 'calls-later.csv'), CALLS_LATER);
  writeFileSync(join(dir, 'surveys.csv'), SURVEYS);
  writeFileSync(join(dir, 'calls.json'), JSON.stringify(CALLS_MAPPING));
  writeFileSync(join(dir, 'surveys.json'), JSON.stringify(SURVEYS_MAPPING));
  writeFileSync(
    join(dir, 'servicebench.config.json'),
    JSON.stringify({
      sources: [
        { name: 'calls', adapter: 'mapping', options: { mappingFile: 'calls.json' }, timeZone: 'UTC' },
        { name: 'surveys', adapter: 'mapping', options: { mappingFile: 'surveys.json' }, timeZone: 'UTC' },
      ],
      ingest: { maxRejectShare: 0.5 },
    }),
  );
  return dir;
}

/**
 * Ingests the exports into `<dir>/lake` with the CLI, run from `dir` (it resolves the config and
 * files there), one file at a time so the later export of c1 is the later version.
 */
export async function ingestErasureFixtures(dir: string): Promise<void> {
  const previous = process.cwd();
  process.chdir(dir);
  try {
    for (const [source, file] of [
      ['calls', 'calls.csv'],
      ['calls', 'calls-later.csv'],
      ['surveys', 'surveys.csv'],
    ] as const) {
      const run = await runCli(['ingest', '--jobs', '1', '--no-sentiment', '--source', source, file]);
      if (run.code !== 0) throw new Error(`ingest of ${file} exited ${run.code}: ${run.stdout}${run.stderr}`);
    }
  } finally {
    process.chdir(previous);
  }
}

/** A copy of a lake (timestamps kept), so several runs start from the same bytes. */
export function copyLake(from: string): string {
  const to = mkdtempSync(join(tmpdir(), 'sb-erase-lake-'));
  cpSync(from, to, { recursive: true, preserveTimestamps: true });
  return to;
}

/** Every file under a folder, by relative path, with its bytes. */
export function filesUnder(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (folder: string) => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path));
    }
  };
  walk(dir);
  return files;
}
