import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CONNECT_SOURCE } from '../../../demo/formats/connect.ts';
import { simulateDemo } from '../../../demo/index.ts';

/** Every record of the Connect deliveries; newline-free deliveries are split between records. */
function records(): string[] {
  const { files } = simulateDemo({ seed: 7, months: 3, endMonth: '2025-06', scale: 0.2 });
  return files
    .filter((f) => f.source === CONNECT_SOURCE)
    .flatMap((f) => {
      const text = (f.key.endsWith('.gz') ? gunzipSync(f.body) : f.body).toString('utf8');
      return text.includes('\n') ? text.split('\n').filter((l) => l !== '') : text.split(/(?<=\})(?=\{"AWSAccountId")/);
    });
}

describe('the demo Connect records', () => {
  it('are written as JSON.stringify writes them, every kind of leg included', () => {
    const lines = records();
    const written = lines.filter((line) => {
      try {
        JSON.parse(line);
        return true;
      } catch {
        return false;
      }
    });
    // Only planted truncated copies fail to parse.
    expect(lines.length - written.length).toBeLessThan(5);
    for (const line of written) expect(JSON.stringify(JSON.parse(line))).toBe(line);
    const methods = new Set(written.map((line) => (JSON.parse(line) as { InitiationMethod: string }).InitiationMethod));
    expect([...methods].sort()).toEqual(['CALLBACK', 'INBOUND', 'MONITOR', 'OUTBOUND', 'TRANSFER']);
  });
});
