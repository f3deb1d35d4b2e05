/**
 * The fuzz campaign's seed exports: the demo generator's files for every demo source of the
 * shipped example config, and the real public exports beside the repository, each under the source
 * (adapter, mapping) the real-data tests ingest it with. Seeds are capped so a campaign stays fast.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { generateDemoExports } from '../../../demo/index.ts';
import { EXAMPLE_CONFIG_FILE } from '../../../lambdas/core/config/locate.ts';
import { REALDATA } from '../realdata.ts';

/** The config every fuzz file is ingested under, the shipped example: its sources are the demo's and the real exports'. */
export const FUZZ_CONFIG = EXAMPLE_CONFIG_FILE;

/** A small demo: two months at 5% volume give 1 to 8 files of 1 to 135 KB per source, in about 0.2 s. */
export const DEMO_SEED_OPTIONS = { seed: 20_250_630, months: 2, endMonth: '2025-06', scale: 0.05 } as const;

/** The month the campaign's report covers: the demo's last, where its seeds' rows fall. */
export const REPORT_PERIOD = DEMO_SEED_OPTIONS.endMonth;

/** Largest seed kept whole (demo JSON cannot be cut); real exports are cut to this at a row end. */
export const SEED_CAP_BYTES = 48 * 1024;

/** Each real export with the sources the real-data tests ingest it under (test/realdata/). */
export const REAL_EXPORTS: readonly { readonly file: string; readonly sources: readonly string[] }[] = [
  { file: 'anonymous-bank-callcentre/data_anonymous_bank_february.txt', sources: ['bank-calls'] },
  { file: 'pwc-callcentre/Call-Center-Dataset.csv', sources: ['pwc-calls', 'pwc-csat'] },
  { file: 'nps-garden-retail/nps.csv', sources: ['nps-garden'] },
  { file: 'kaggle-support-tickets/customer_support_tickets.csv', sources: ['kaggle-tickets', 'kaggle-tickets-csat'] },
  { file: 'servicenow-incident-log/incident_event_log.csv', sources: ['servicenow-incidents'] },
  { file: 'cfpb-complaints/complaints_sample.csv', sources: ['cfpb-complaints'] },
  { file: 'ibm-telco-churn/Telco-Customer-Churn.csv', sources: ['telco-signups', 'telco-cancellations'] },
  { file: 'twcs-twitter-support/twcs.csv', sources: ['twcs'] },
];

export interface Seed {
  /** Source name in FUZZ_CONFIG. */
  readonly source: string;
  /** File name the fuzz copies keep (the readers go by content, but a name is what a user sees). */
  readonly name: string;
  /** Where it came from: `demo:<key>` or `realdata:<path>`. */
  readonly origin: string;
  /** Uncompressed bytes (gzip classes compress them themselves). */
  readonly bytes: Buffer;
}

export interface Seeds {
  readonly seeds: readonly Seed[];
  /** Real exports not found, for the printed note that they were skipped. */
  readonly missing: readonly string[];
}

/**
 * The first bytes of a delimited export up to `cap`, ending at a line end outside quotes (a cut
 * inside a quoted narrative would make every seed an unbalanced-quote case already).
 */
export function capDelimited(bytes: Buffer, cap: number): Buffer {
  if (bytes.length <= cap) return bytes;
  let quotes = 0;
  let lastEnd = -1;
  for (let i = 0; i < cap; i++) {
    const b = bytes[i];
    if (b === 0x22) quotes++;
    else if (b === 0x0a && quotes % 2 === 0) lastEnd = i;
  }
  return bytes.subarray(0, lastEnd + 1);
}

const DEMO_CACHE = join(
  tmpdir(),
  `servicebench-fuzz-demo-${DEMO_SEED_OPTIONS.seed}-${DEMO_SEED_OPTIONS.months}-${DEMO_SEED_OPTIONS.scale}`,
);

/** Demo exports, generated once into a cache folder (written to a scratch name, then renamed in whole). */
async function demoSeeds(): Promise<Seed[]> {
  const listing = join(DEMO_CACHE, 'files.json');
  if (!existsSync(listing)) {
    const scratch = `${DEMO_CACHE}.${process.pid}`;
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(scratch, { recursive: true });
    const exports = await generateDemoExports({ ...DEMO_SEED_OPTIONS, dir: scratch });
    const files = exports.files.map((f) => ({ source: f.source, key: f.key }));
    writeFileSync(join(scratch, 'files.json'), JSON.stringify(files));
    try {
      renameSync(scratch, DEMO_CACHE);
    } catch {
      // Another run cached the same exports first.
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  const files = JSON.parse(readFileSync(listing, 'utf8')) as { source: string; key: string }[];
  const bySource = new Map<string, Seed[]>();
  for (const { source, key } of files) {
    const raw = readFileSync(join(DEMO_CACHE, source, ...key.split('/')));
    const bytes = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
    const seed = { source, name: basename(key), origin: `demo:${source}/${key}`, bytes };
    bySource.set(source, [...(bySource.get(source) ?? []), seed]);
  }
  // Every file within the cap, and the smallest when none is: each source keeps at least one seed.
  return [...bySource.values()].flatMap((seeds) => {
    const small = seeds.filter((s) => s.bytes.length <= SEED_CAP_BYTES);
    if (small.length > 0) return small;
    const smallest = [...seeds].sort((a, b) => a.bytes.length - b.bytes.length)[0];
    return smallest ? [smallest] : [];
  });
}

function realSeeds(): Seeds {
  const seeds: Seed[] = [];
  const missing: string[] = [];
  for (const { file, sources } of REAL_EXPORTS) {
    const path = join(REALDATA, file);
    if (!existsSync(path)) {
      missing.push(file);
      continue;
    }
    const bytes = capDelimited(readFileSync(path), SEED_CAP_BYTES);
    for (const source of sources) seeds.push({ source, name: basename(file), origin: `realdata:${file}`, bytes });
  }
  return { seeds, missing };
}

export async function loadSeeds(): Promise<Seeds> {
  const real = realSeeds();
  return { seeds: [...(await demoSeeds()), ...real.seeds], missing: real.missing };
}
