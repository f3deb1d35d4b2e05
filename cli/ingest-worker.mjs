// Entry of an ingest worker thread (cli/ingest-pool.ts). Loader hooks registered in the main
// thread do not reach worker threads, so the worker registers tsx itself, as bin/servicebench.mjs
// does, before it imports its TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./ingest-worker.ts');
