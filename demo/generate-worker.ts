/**
 * The demo's generator thread (see demo/generator-thread.ts): simulates the exports, writes each
 * file to the landing zone and posts what it wrote.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { GeneratorReply, GeneratorSetup } from './generator-thread.ts';
import { simulate, writeExports } from './index.ts';

const port = parentPort;
if (!port) throw new Error('generate-worker.ts runs as a worker thread of demo/generator-thread.ts');
const setup = workerData as GeneratorSetup;
const post = (reply: GeneratorReply) => port.postMessage(reply);

const started = performance.now();
const simulation = simulate(setup.options, (month) => post({ kind: 'month', month }));
post({
  kind: 'story',
  story: { period: simulation.period, plot: simulation.plot, agentDirectory: simulation.agentDirectory },
});
for (const file of writeExports(setup.root, simulation.files)) post({ kind: 'file', file });
post({ kind: 'done', generateMs: performance.now() - started });
