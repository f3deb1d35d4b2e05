/**
 * Vitest globalSetup of the `trino` test project: installs Trino 476 if this machine has no copy
 * yet, starts one node for the whole run and stops it afterwards. Tests read its address with
 * `inject('trinoUrl')` and the local-filesystem catalog with `inject('trinoCatalog')`.
 *
 * There is no skipping: without Java >= 24 or the download, setup fails with the install
 * script's account of what is missing.
 */
import type { TestProject } from 'vitest/node';
import { startTrinoServer } from './server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>` of the node started for this run. */
    trinoUrl: string;
    /** The catalog whose tables read `local:///abs/path` folders. */
    trinoCatalog: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startTrinoServer();
  project.provide('trinoUrl', server.url);
  project.provide('trinoCatalog', server.catalog);
  return () => server.stop();
}
