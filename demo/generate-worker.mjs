// Entry of the demo's generator thread (demo/generator-thread.ts). Loader hooks registered in the
// main thread do not reach worker threads, so the worker registers tsx itself, as
// bin/servicebench.mjs does, before it imports its TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./generate-worker.ts');
