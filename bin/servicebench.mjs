#!/usr/bin/env node
// Entry of the `servicebench` CLI (cli/main.ts), which runs from its TypeScript source. tsx's
// loader is registered in this process instead of starting a second one (as `tsx file.ts` does):
// that halves the start-up time every command pays.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
