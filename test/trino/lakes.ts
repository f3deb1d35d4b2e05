/**
 * The lakes the Trino tests compare engines over: the demo lake, and one lake holding every real
 * public export of ../shared/realdata ingested with the shipped example config and mappings.
 *
 * Each is built once per test run, by the first file that asks for it, under the run's folder
 * (`inject('trinoRunDir')`); the other files wait for it and read the same folder. Readers only
 * add what any run of the CLI adds to a lake (reference files, exports, the local engine's cache).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inject } from 'vitest';
import { ingestFile } from '../../cli/ingest.ts';
import { openLake } from '../../cli/lake.ts';
import { runDemo } from '../../demo/index.ts';
import { parseDemoScale } from '../../demo/options.ts';
import { loadConfig, type ServiceBenchConfig } from '../../lambdas/core/config/config.ts';
import { EXAMPLE_CONFIG_FILE } from '../../lambdas/core/config/locate.ts';
import { LexiconSentimentAnalyser } from '../../lambdas/core/sentiment/index.ts';
import { REALDATA } from '../support/realdata.ts';

/** Every real export, under the example config's source that reads it. */
export const REAL_EXPORTS: readonly { readonly source: string; readonly file: string }[] = [
  { source: 'bank-calls', file: 'anonymous-bank-callcentre/data_anonymous_bank_february.txt' },
  { source: 'pwc-calls', file: 'pwc-callcentre/Call-Center-Dataset.csv' },
  { source: 'pwc-csat', file: 'pwc-callcentre/Call-Center-Dataset.csv' },
  { source: 'nps-garden', file: 'nps-garden-retail/nps.csv' },
  { source: 'kaggle-tickets', file: 'kaggle-support-tickets/customer_support_tickets.csv' },
  { source: 'kaggle-tickets-csat', file: 'kaggle-support-tickets/customer_support_tickets.csv' },
  { source: 'servicenow-incidents', file: 'servicenow-incident-log/incident_event_log.csv' },
  { source: 'cfpb-complaints', file: 'cfpb-complaints/complaints_sample.csv' },
  { source: 'telco-signups', file: 'ibm-telco-churn/Telco-Customer-Churn.csv' },
  { source: 'telco-cancellations', file: 'ibm-telco-churn/Telco-Customer-Churn.csv' },
  { source: 'twcs', file: 'twcs-twitter-support/twcs.csv' },
];

export function exampleConfig(): ServiceBenchConfig {
  return loadConfig(EXAMPLE_CONFIG_FILE);
}

/** A lake folder and the config its sources were ingested with. */
export interface BuiltLake {
  readonly lakeDir: string;
  readonly config: ServiceBenchConfig;
}

/** How often a file waiting for another file's build looks whether it is done. */
const POLL_INTERVAL_MS = 250;

/**
 * The demo lake (`servicebench demo --scale small`: a year of every demo source, compacted as the
 * demo leaves it) and the config it was ingested with.
 */
export function demoLake(): Promise<BuiltLake> {
  return sharedLake('demo', async (lakeDir) => {
    const summary = await runDemo({ lakeDir, config: exampleConfig(), scale: parseDemoScale('small') });
    return summary.config;
  });
}

/**
 * The example config reporting in New York's clock, so the parity of every view over the real
 * exports (1999 to 2024) also covers local time: periods and intervals through zone_days across
 * dozens of daylight-saving changes, on both engines.
 */
export const REAL_EXPORTS_TIME_ZONE = 'America/New_York';

/** A lake of every real export, ingested (and so compacted) as `servicebench ingest` does. */
export function realExportLake(): Promise<BuiltLake> {
  return sharedLake('real-exports', async (lakeDir) => {
    const example = exampleConfig();
    const config = { ...example, reporting: { ...example.reporting, timeZone: REAL_EXPORTS_TIME_ZONE } };
    await ingestRealExports(lakeDir, config);
    return config;
  });
}

/** Ingests every real export into the lake folder, as `servicebench ingest` would. */
export async function ingestRealExports(lakeDir: string, config: ServiceBenchConfig): Promise<void> {
  const lake = openLake(lakeDir);
  const sentiment = new LexiconSentimentAnalyser();
  for (const { source, file } of REAL_EXPORTS) {
    await ingestFile({
      lake,
      config,
      sourceName: source,
      file: join(REALDATA, file),
      pseudonymKey: Buffer.alloc(32, 3),
      sentiment,
    });
  }
}

const building = new Map<string, Promise<BuiltLake>>();

/**
 * The lake `name` of this run: built by the first caller of any file, which holds the lock (a
 * folder, created atomically); the others wait for its outcome file, which holds the config or
 * the build's error.
 */
function sharedLake(name: string, build: (lakeDir: string) => Promise<ServiceBenchConfig>): Promise<BuiltLake> {
  let lake = building.get(name);
  if (!lake) {
    lake = buildOrWait(join(inject('trinoRunDir'), name), build);
    building.set(name, lake);
  }
  return lake;
}

type Outcome = { readonly config: ServiceBenchConfig } | { readonly error: string };

async function buildOrWait(
  folder: string,
  build: (lakeDir: string) => Promise<ServiceBenchConfig>,
): Promise<BuiltLake> {
  const lakeDir = join(folder, 'lake');
  const outcomeFile = join(folder, 'outcome.json');
  const holdsLock = await mkdir(`${folder}.lock`).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') return false;
      throw error;
    },
  );
  if (holdsLock) {
    let outcome: Outcome;
    try {
      outcome = { config: await build(lakeDir) };
    } catch (error) {
      outcome = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    await mkdir(folder, { recursive: true });
    await writeFile(`${outcomeFile}.tmp`, JSON.stringify(outcome));
    await rename(`${outcomeFile}.tmp`, outcomeFile);
  }
  for (;;) {
    const text = await readFile(outcomeFile, 'utf8').catch(() => undefined);
    if (text !== undefined) {
      const outcome = JSON.parse(text) as Outcome;
      if ('error' in outcome) throw new Error(`building the lake ${lakeDir} failed:\n${outcome.error}`);
      return { lakeDir, config: outcome.config };
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}
