/** Regenerates docs/data-model.md from the canonical schema (a test fails when it is stale). */
import { writeFileSync } from 'node:fs';
import { dataModelMarkdown } from '../lambdas/core/schema/derive.ts';

const target = new URL('../docs/data-model.md', import.meta.url);
writeFileSync(target, dataModelMarkdown());
process.stdout.write(`wrote ${target.pathname}\n`);
