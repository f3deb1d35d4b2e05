/**
 * Setup file of the `trino` test project: before a file's own hooks, wait until the node that
 * global-setup.ts started in the background has finished starting, or fail with why it could not.
 */
import { join } from 'node:path';
import { beforeAll, inject } from 'vitest';
import { START_FAILURE_FILE } from './global-setup.ts';
import { TRINO_SERVER_DEFAULTS, waitForTrino } from './server.ts';

/** The server's own start timeout, plus the install check before it and a margin. */
const WAIT_MS = TRINO_SERVER_DEFAULTS.startTimeoutMs + 60_000;

beforeAll(() => waitForTrino(inject('trinoUrl'), join(inject('trinoRunDir'), START_FAILURE_FILE), WAIT_MS), WAIT_MS);
