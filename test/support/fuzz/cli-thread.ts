/** The body of the fuzz campaign's CLI thread (cli-runner.ts): `main` per request, its output sent as written. */
import { parentPort } from 'node:worker_threads';
import { main } from '../../../cli/main.ts';
import type { CliReply, CliRequest } from './cli-runner.ts';

const port = parentPort;
if (!port) throw new Error('cli-thread.ts runs as a worker thread of cli-runner.ts');

port.on('message', async ({ id, argv }: CliRequest) => {
  const output = (stream: 'stdout' | 'stderr') => ({
    write: (text: string) => port.postMessage({ id, kind: 'output', stream, text } satisfies CliReply),
  });
  const code = await main(argv, { stdout: output('stdout'), stderr: output('stderr') });
  port.postMessage({ id, kind: 'exit', code } satisfies CliReply);
});
