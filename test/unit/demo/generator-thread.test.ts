/**
 * The demo's generator thread: with its heap capped it writes the same files, in the same order,
 * as generating on the calling thread, and a thread that runs out of heap fails the read of its
 * files instead of ending them early.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startGeneratorThread } from '../../../demo/generator-thread.ts';
import { type DemoExportFile, generateDemoExports } from '../../../demo/index.ts';

const SHORT = { seed: 11, months: 2, endMonth: '2025-06', scale: 0.1 } as const;
/** Starting the thread loads the generator's TypeScript through tsx: seconds on a busy machine. */
const THREAD_START = 60_000;
const root = mkdtempSync(join(tmpdir(), 'sb-demo-thread-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function described(files: readonly DemoExportFile[]) {
  return files.map((f) => ({
    key: `${f.source}/${f.key}`,
    body: readFileSync(f.path).toString('base64'),
    bytes: f.bytes,
    deliveredAt: f.deliveredAt.toISOString(),
    planted: f.planted,
  }));
}

describe('the generator thread', () => {
  it(
    'writes, under a capped heap, the files the calling thread writes',
    async () => {
      const inline = await generateDemoExports({ ...SHORT, dir: join(root, 'inline') });
      const months: string[] = [];
      const thread = startGeneratorThread({ options: SHORT, root: join(root, 'thread'), heapMb: 64 }, (month) =>
        months.push(month),
      );
      const story = await thread.story;
      await thread.done;
      const files: DemoExportFile[] = [];
      for await (const file of thread.files) files.push(file);

      expect(story).toEqual({ period: inline.period, plot: inline.plot, agentDirectory: inline.agentDirectory });
      expect(months).toEqual(['2025-05', '2025-06']);
      expect(described(files)).toEqual(described(inline.files));
      expect(thread.generateMs()).toBeGreaterThan(0);
    },
    THREAD_START,
  );

  it(
    'fails when its heap cannot hold the simulation',
    async () => {
      const thread = startGeneratorThread({ options: SHORT, root: join(root, 'starved'), heapMb: 1 }, () => {});
      await expect(thread.story).rejects.toThrow(/the demo generator/);
      await expect(thread.files.next()).rejects.toThrow(/the demo generator/);
      await thread.close();
    },
    THREAD_START,
  );
});
