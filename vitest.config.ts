import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/**
 * One project per test folder, by what a run needs: `npm run test:unit` is the inner loop (no
 * browser, no real exports, no CloudFormation synth); `npm test` runs every project.
 */
const project = (name: string, test: TestProjectInlineConfiguration['test'] = {}): TestProjectInlineConfiguration => ({
  extends: true,
  test: { name, include: [`test/${name}/**/*.test.ts`], ...test },
});

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Forks, not threads: the CLI tests change the working directory, which a worker thread cannot.
    pool: 'forks',
    projects: [
      // Files share one module cache per worker: most of a unit file's time was importing the
      // same zod schemas, adapters and SDK clients again. A file that stubs a client restores it.
      project('unit', { isolate: false }),
      project('sql'),
      project('infra'),
      project('cli'),
      project('browser'),
      project('realdata'),
      project('trino', {
        globalSetup: ['./test/support/trino/global-setup.ts'],
        testTimeout: 300_000,
        hookTimeout: 300_000,
      }),
    ],
  },
});
