import { availableParallelism } from 'node:os';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/**
 * One project per test folder, by what a run needs: `npm run test:unit` is the inner loop (no
 * browser, no real exports, no CloudFormation synth); `npm test` runs every project.
 */
const project = (name: string, test: TestProjectInlineConfiguration['test'] = {}): TestProjectInlineConfiguration => ({
  extends: true,
  test: { name, include: [`test/${name}/**/*.test.ts`], ...test },
});

/**
 * Files of these projects share one module cache per worker: most of a file's time went to
 * importing the same zod schemas, adapters, SDK clients and aws-cdk-lib again. A file that changes
 * process state (a stubbed client, the working directory) restores it after its tests.
 */
const shared = (name: string) => project(name, { isolate: false });

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Forks, not threads: the CLI tests change the working directory, which a worker thread cannot.
    pool: 'forks',
    // Vitest keeps a core for its own process, which on two cores runs one file at a time; that
    // process is mostly idle, and files waiting on DuckDB, Chromium or Trino leave a core free.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      shared('unit'),
      shared('sql'),
      shared('infra'),
      shared('cli'),
      shared('browser'),
      shared('realdata'),
      // Trino starts in the background while the other projects run; its files run after them.
      project('trino', {
        globalSetup: ['./test/support/trino/global-setup.ts'],
        setupFiles: ['./test/support/trino/ready.ts'],
        sequence: { groupOrder: 1 },
        // Concurrent tests (the parity relations) two at a time: one plans while the other runs.
        maxConcurrency: 2,
        testTimeout: 300_000,
        hookTimeout: 300_000,
      }),
    ],
  },
});
