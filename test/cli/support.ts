/** A working folder for CLI tests: a config with one mapped source, its export and a broken copy. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const CALLS = [
  'call,started,wait,talk,outcome,agent,phone',
  'c1,2025-06-02 09:00:00,12,300,answered,ann,+15550001',
  'c2,2025-06-02 09:05:00,40,,abandoned,,+15550002',
  'c3,2025-06-03 10:00:00,3,120,answered,bob,+15550001',
  'c4,2025-06-03 10:00:00,-7,60,answered,bob,+15550003',
].join('\n');

const MAPPING = {
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
    answered_at: {
      cases: [
        {
          when: { column: 'outcome', equals: 'answered' },
          use: { add: { to: 'created_at', amount: 'queue_s', unit: 'seconds' } },
        },
      ],
    },
    agent_id: { column: 'agent' },
    customer_key: { pseudonymise: 'customer', column: 'phone' },
    is_abandoned: { column: 'outcome', map: { answered: false, abandoned: true } },
    is_callback: { const: false },
    is_transfer: { const: false },
    is_escalated: { const: false },
    updated_at: { field: 'created_at' },
  },
};

/** `calls.csv` (4 calls, the last with a negative wait), its mapping and config, and `broken.csv.gz`. */
export function createCliFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-cli-'));
  writeFileSync(join(dir, 'calls.csv'), CALLS);
  writeFileSync(join(dir, 'calls.json'), JSON.stringify(MAPPING));
  writeFileSync(
    join(dir, 'servicebench.config.json'),
    JSON.stringify({
      sources: [{ name: 'calls', adapter: 'mapping', options: { mappingFile: 'calls.json' } }],
      // One call in four is planted bad; the reject-share limit has tests of its own.
      ingest: { maxRejectShare: 0.5 },
    }),
  );
  writeFileSync(join(dir, 'broken.csv.gz'), gzipSync(CALLS).subarray(0, 30));
  return dir;
}
