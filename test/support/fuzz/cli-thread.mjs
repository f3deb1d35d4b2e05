// Entry of the fuzz campaign's CLI thread (test/support/fuzz/cli-thread.ts). Loader hooks of the
// main thread do not reach worker threads, so it registers tsx itself before importing TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./cli-thread.ts');
