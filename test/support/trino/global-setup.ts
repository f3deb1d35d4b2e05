/**
 * Vitest globalSetup of the `trino` test project: installs Trino 476 if this machine has no copy
 * yet, starts one node for the whole run and stops it afterwards. Tests read its address with
 * `inject('trinoUrl')` and the local-filesystem catalog with `inject('trinoCatalog')`.
 *
 * The node starts in the background: setup hands out its address at once, so the other projects'
 * files run while the JVM starts (40 s to 2 min on 2 busy cores), and every file of this project
 * waits for it first (ready.ts, a setup file). There is no skipping: without Java >= 24 or the
 * download, each file fails with the install script's account of what is missing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { portOutsideEphemeralRange, startTrinoServer, TRINO_SERVER_DEFAULTS } from './server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>` of the node started for this run. */
    trinoUrl: string;
    /** The catalog whose tables read `local:///abs/path` folders. */
    trinoCatalog: string;
    /**
     * A folder of this run, removed after it: the lakes its files share (test/trino/lakes.ts) and
     * START_FAILURE_FILE.
     */
    trinoRunDir: string;
  }
}

/** Written in the run's folder when the node cannot start: the reason and the end of its log. */
export const START_FAILURE_FILE = 'trino-start-failure.txt';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runDir = await mkdtemp(join(tmpdir(), 'sb-trino-run-'));
  const port = await portOutsideEphemeralRange();
  const starting = startTrinoServer({ port }).catch(async (error: unknown) => {
    await writeFile(join(runDir, START_FAILURE_FILE), error instanceof Error ? error.message : String(error));
    return undefined;
  });
  project.provide('trinoUrl', `http://127.0.0.1:${port}`);
  project.provide('trinoCatalog', TRINO_SERVER_DEFAULTS.catalog);
  project.provide('trinoRunDir', runDir);
  return async () => {
    await (await starting)?.stop();
    await rm(runDir, { recursive: true, force: true });
  };
}
