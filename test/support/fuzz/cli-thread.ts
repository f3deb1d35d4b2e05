/** The body of the fuzz campaign's CLI thread (cli-runner.ts): `main` per request, its output captured. */
import { parentPort } from 'node:worker_threads';
import { main } from '../../../cli/main.ts';
import type { CliReply, CliRequest } from './cli-runner.ts';

const port = parentPort;
if (!port) throw new Error('cli-thread.ts runs as a worker thread of cli-runner.ts');

port.on('message', async ({ id, argv }: CliRequest) => {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  port.postMessage({ id, code, stdout, stderr } satisfies CliReply);
});
