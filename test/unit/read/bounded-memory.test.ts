import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { readCsv, readJson } from '../../../lambdas/core/read/index.ts';

/**
 * The readers must stream: retained heap may not grow with the file. Files are produced by a
 * generator (nothing on disk, nothing held by the test), and the live heap is measured after a full
 * collection every 50,000 records. A reader legitimately keeps one decoded chunk (64 KiB), the
 * parser's partial record and the record in hand, well under 1 MiB; 32 MiB of headroom absorbs
 * allocator and JIT noise while staying well below the 50-80 MB that holding the file would cost
 * (and far below what its decoded records would).
 */
const MAX_RETAINED_GROWTH = 32 * 1024 * 1024;
const SAMPLE_EVERY = 50_000;

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function liveHeap(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** About `targetBytes` of text made line by line, in 64 KiB chunks, as a byte stream. */
function generatedFile(header: string, line: (index: number) => string, targetBytes: number): Readable {
  return Readable.from(
    (function* () {
      let produced = 0;
      let index = 0;
      let chunk = header;
      while (produced < targetBytes) {
        while (chunk.length < 64 * 1024) chunk += line(++index);
        produced += chunk.length;
        yield Buffer.from(chunk, 'latin1');
        chunk = '';
      }
    })(),
    { objectMode: false },
  );
}

async function peakGrowth(records: AsyncIterable<{ kind: string }>): Promise<{ growth: number; count: number }> {
  const baseline = liveHeap();
  let peak = baseline;
  let count = 0;
  for await (const record of records) {
    if (record.kind !== 'record') throw new Error(`unexpected ${JSON.stringify(record)}`);
    if (++count % SAMPLE_EVERY === 0) peak = Math.max(peak, liveHeap());
  }
  return { growth: peak - baseline, count };
}

describe('readers keep memory bounded', () => {
  it('streams an 80 MB CSV without retaining it', { timeout: 300_000 }, async () => {
    const header = 'id,created_at,channel,queue,agent,team,status,priority,wait_s,handle_s,csat,subject\r\n';
    const line = (i: number) =>
      `${i},2025-06-${String((i % 28) + 1).padStart(2, '0')}T10:00:00Z,voice,q${i % 7},agent-${i % 113},team-${i % 5},` +
      `solved,normal,${i % 300},${i % 900},${i % 5},"Subject ${i}, with a comma${i % 10 === 0 ? '\nand a second line' : ''}"\r\n`;
    const { growth, count } = await peakGrowth(readCsv(generatedFile(header, line, 80e6), {}));
    expect(count).toBeGreaterThan(600_000);
    expect(growth).toBeLessThan(MAX_RETAINED_GROWTH);
  });

  it('streams a 50 MB JSON Lines file without retaining it', { timeout: 300_000 }, async () => {
    const line = (i: number) =>
      `{"ContactId":"c-${i}","Channel":"VOICE","Queue":{"Name":"q${i % 7}"},"Agent":{"Username":"agent-${i % 113}",` +
      `"AgentInteractionDuration":${i % 900}},"Attributes":{"note":"brace } and \\"quote\\""}}\n`;
    const { growth, count } = await peakGrowth(readJson(generatedFile('', line, 50e6), {}));
    expect(count).toBeGreaterThan(250_000);
    expect(growth).toBeLessThan(MAX_RETAINED_GROWTH);
  });
});
