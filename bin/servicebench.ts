#!/usr/bin/env -S npx tsx
/** Entry of the `servicebench` CLI (cli/main.ts). */
import { main } from '../cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
