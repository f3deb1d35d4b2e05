/**
 * The demo's generator thread (see demo/generator-thread.ts): simulates the exports, writes each
 * file to the landing zone and posts what it wrote, never more than the granted files ahead of
 * what the main thread has taken.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { GeneratorReply, GeneratorSetup } from './generator-thread.ts';
import { simulate, writeExports } from './index.ts';

const port = parentPort;
if (!port) throw new Error('generate-worker.ts runs as a worker thread of demo/generator-thread.ts');
const setup = workerData as GeneratorSetup;
const post = (reply: GeneratorReply) => port.postMessage(reply);

let credits = setup.lead;
let granted: (() => void) | undefined;
port.on('message', () => {
  credits++;
  granted?.();
  granted = undefined;
});

let generateMs = 0;
let started = performance.now();
const simulation = simulate(setup.options, (month) => post({ kind: 'month', month }));
post({
  kind: 'story',
  story: { period: simulation.period, plot: simulation.plot, agentDirectory: simulation.agentDirectory },
});
const files = writeExports(setup.root, simulation.files);
for (let next = files.next(); !next.done; next = files.next()) {
  generateMs += performance.now() - started;
  post({ kind: 'file', file: next.value });
  credits--;
  while (credits <= 0) {
    await new Promise<void>((resolve) => {
      granted = resolve;
    });
  }
  started = performance.now();
}
generateMs += performance.now() - started;
post({ kind: 'done', generateMs });
// Nothing more will be granted: the thread ends once its messages are delivered.
port.unref();
