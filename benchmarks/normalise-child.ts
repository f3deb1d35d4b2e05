/**
 * One measured normaliser run in its own process, so its peak RSS is its own. Stages: `read` (CSV
 * parsing only), `map` (parsing + mapping adapter), `full` (the whole normaliser into a lake).
 * Prints one JSON line.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { openLake } from '../cli/lake.ts';
import { mappingAdapter } from '../lambdas/adapters/mapping/index.ts';
import { parseConfig } from '../lambdas/core/config/config.ts';
import { normaliseObject } from '../lambdas/core/normalise/pipeline.ts';
import { createPseudonymiser } from '../lambdas/core/normalise/pseudonymise.ts';
import { readCsv } from '../lambdas/core/read/index.ts';

const [lakeDir, csv, stage] = process.argv.slice(2) as [string, string, 'read' | 'map' | 'full'];
const mapping = JSON.parse(readFileSync(new URL('./interactions-mapping.json', import.meta.url), 'utf8'));
const config = parseConfig({ sources: [{ name: 'bench', adapter: 'mapping', options: { mapping } }] });
const source = config.sources[0] as (typeof config.sources)[number];
const key = Buffer.alloc(32, 9);

const t0 = performance.now();
let rowsRead = 0;
let rowsAccepted = 0;
let rowsRejected = 0;
let outputs = 0;
if (stage === 'read') {
  for await (const record of readCsv(createReadStream(csv), {})) {
    rowsRead++;
    if (record.kind === 'record') rowsAccepted++;
  }
} else if (stage === 'map') {
  const context = {
    source: 'bench',
    objectKey: 'bench/interactions.csv',
    ingestedAt: new Date(0),
    pseudonymise: createPseudonymiser(key),
    timeZone: 'UTC',
  };
  const options = mappingAdapter.optionsSchema.parse(source.options);
  for await (const record of mappingAdapter.read(createReadStream(csv), options, context)) {
    rowsRead++;
    if (record.kind === 'mapped') rowsAccepted++;
    else rowsRejected++;
  }
} else {
  const lake = openLake(lakeDir);
  await lake.stores.landing.write('bench/interactions.csv', createReadStream(csv));
  const result = await normaliseObject({
    stores: lake.stores,
    key: 'bench/interactions.csv',
    source,
    adapter: mappingAdapter,
    pseudonymKey: key,
  });
  ({ rows_read: rowsRead, rows_accepted: rowsAccepted, rows_rejected: rowsRejected } = result.audit);
  outputs = result.outputs.length;
}
const ms = performance.now() - t0;
process.stdout.write(
  `${JSON.stringify({ ms, maxRssKiB: process.resourceUsage().maxRSS, rowsRead, rowsAccepted, rowsRejected, outputs })}\n`,
);
