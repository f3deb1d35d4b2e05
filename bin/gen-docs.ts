/**
 * Regenerates the documents derived from code: docs/data-model.md from the canonical schema, and the
 * config's JSON Schema and docs/config.md from the config schema (tests fail when one is stale).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CONFIG_REFERENCE_FILE,
  CONFIG_SCHEMA_FILE,
  configJsonSchemaText,
  configReferenceMarkdown,
} from '../lambdas/core/config/docs.ts';
import { dataModelMarkdown } from '../lambdas/core/schema/derive.ts';

const files: [string, string][] = [
  ['docs/data-model.md', dataModelMarkdown()],
  [CONFIG_SCHEMA_FILE, configJsonSchemaText()],
  [CONFIG_REFERENCE_FILE, configReferenceMarkdown()],
];
for (const [file, text] of files) {
  const target = new URL(`../${file}`, import.meta.url);
  writeFileSync(target, text);
  process.stdout.write(`wrote ${target.pathname}\n`);
}
// The JSON file is committed in the formatter's layout, as every JSON file of the repository is.
execFileSync(
  fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url)),
  ['format', '--write', CONFIG_SCHEMA_FILE],
  {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: 'ignore',
  },
);
