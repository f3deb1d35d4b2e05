/**
 * Local ingestion: copy an export into the lake's landing zone (as a landing bucket would receive
 * it), run the same normaliser the Lambda runs, then compact the partitions it touched as the
 * compactor Lambda does.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { getAdapter } from '../lambdas/adapters/registry.ts';
import { type CompactionResult, compactPartitions } from '../lambdas/core/compact/compact.ts';
import type { ServiceBenchConfig } from '../lambdas/core/config/config.ts';
import type { SentimentAnalyser } from '../lambdas/core/normalise/adapter.ts';
import { type NormaliseResult, normaliseObject } from '../lambdas/core/normalise/pipeline.ts';
import type { Lake } from './lake.ts';

export interface IngestFileOptions {
  readonly lake: Lake;
  readonly config: ServiceBenchConfig;
  readonly sourceName: string;
  readonly file: string;
  readonly pseudonymKey: Uint8Array;
  /** Landing key below the source prefix; defaults to the file's base name. */
  readonly landingName?: string;
  readonly sentiment?: SentimentAnalyser;
  readonly onProgress?: (rowsRead: number) => void;
}

async function sha256(input: NodeJS.ReadableStream): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(input, hash);
  return hash.digest('hex');
}

export interface IngestFileResult extends NormaliseResult {
  readonly landed: boolean;
  readonly compacted: CompactionResult[];
}

/**
 * Lands the file (skipped when the landing object already has the same bytes, so its landing time
 * and therefore the curated output stay identical), normalises it and compacts what it touched.
 * A run that stops before compacting leaves those partitions as they were: running it again
 * compacts them.
 */
export async function ingestFile(options: IngestFileOptions): Promise<IngestFileResult> {
  const source = options.config.sources.find((s) => s.name === options.sourceName);
  if (!source) {
    const known = options.config.sources.map((s) => s.name).join(', ') || 'none';
    throw new Error(`unknown source "${options.sourceName}"; configured sources: ${known}`);
  }
  const adapter = getAdapter(source.adapter);
  statSync(options.file);
  const key = `${source.name}/${options.landingName ?? basename(options.file)}`;
  const landing = options.lake.stores.landing;
  const existing = await landing.head(key);
  let landed = false;
  if (!existing || (await sha256(await landing.read(key))) !== (await sha256(createReadStream(options.file)))) {
    await landing.write(key, createReadStream(options.file));
    landed = true;
  }
  const result = await normaliseObject({
    stores: options.lake.stores,
    key,
    source,
    adapter,
    pseudonymKey: options.pseudonymKey,
    partitionsFrom: options.config.lake.partitionsFrom,
    ...(options.sentiment ? { sentiment: options.sentiment } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const compacted = await compactPartitions(options.lake.stores.curated, result.partitions);
  return { ...result, landed, compacted };
}
