/**
 * The lakes the Trino tests compare engines over: the demo lake, and one lake holding every real
 * public export of ../shared/realdata ingested with the shipped example config and mappings.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DuckDbEngine } from '../../cli/duckdb.ts';
import { ingestFile } from '../../cli/ingest.ts';
import { openLake } from '../../cli/lake.ts';
import { loadConfig, type ServiceBenchConfig } from '../../lambdas/core/config/config.ts';
import { TABLE_NAMES } from '../../lambdas/core/schema/canonical.ts';
import { LexiconSentimentAnalyser } from '../../lambdas/core/sentiment/index.ts';
import { REALDATA } from '../support/realdata.ts';

export const EXAMPLE_CONFIG = fileURLToPath(new URL('../../examples/servicebench.config.jsonc', import.meta.url));

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
  return loadConfig(EXAMPLE_CONFIG);
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

/**
 * Writes the canonical tables the local engine loaded into a new lake folder, one Parquet file per
 * `dt` partition: the same rows and partitions, as a compaction would leave them. Trino spends
 * about a millisecond per file and split, and the views scan each table many times, so the demo
 * lake's 4,700 small files would cost minutes.
 */
export async function writeCompactedLake(engine: DuckDbEngine, lakeDir: string): Promise<void> {
  for (const table of TABLE_NAMES) {
    const dir = join(lakeDir, 'curated', table);
    await mkdir(dir, { recursive: true });
    await engine.exec(`COPY ${table} TO '${dir.replaceAll("'", "''")}' (FORMAT parquet, PARTITION_BY (dt), OVERWRITE)`);
  }
}
