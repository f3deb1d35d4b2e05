/**
 * A temporary lake for SQL tests: canonical rows are validated with their zod schema and written as
 * curated Parquet by the normaliser's own writer, so the views run over real files laid out as in
 * production (`curated/<table>/dt=YYYY-MM-DD/*.parquet`).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type DuckDbEngine, openLakeEngine } from '../../cli/duckdb.ts';
import { parseConfig, type ServiceBenchConfig } from '../../lambdas/core/config/config.ts';
import { PartitionedParquetWriter } from '../../lambdas/core/normalise/parquet.ts';
import type { BenchmarkRow } from '../../lambdas/core/reference/benchmarks.ts';
import {
  type CanonicalRow,
  type Interaction,
  type SurveyResponse,
  TABLES,
  type TableName,
} from '../../lambdas/core/schema/canonical.ts';
import { blankRow } from '../../lambdas/core/schema/derive.ts';

export interface TestLake {
  readonly dir: string;
  /**
   * Writes one curated file per partition, as one ingested export would. Calling it twice with
   * the same records simulates overlapping exports.
   */
  write<T extends TableName>(table: T, rows: readonly CanonicalRow<T>[]): void;
  /** Opens the local engine over the lake (config defaults unless given; benchmarks from the CSV unless given). */
  engine(config?: unknown, benchmarks?: readonly BenchmarkRow[]): Promise<DuckDbEngine>;
  remove(): void;
}

export function createTestLake(): TestLake {
  const dir = mkdtempSync(join(tmpdir(), 'sb-lake-'));
  let files = 0;
  return {
    dir,
    write(table, rows) {
      const writer = new PartitionedParquetWriter(table, { tmpDir: dir });
      try {
        files += 1;
        const object = `test-${String(files).padStart(4, '0')}`;
        rows.forEach((row, i) => {
          // Lineage as the normaliser writes it, unless the test set it: this file, then the row.
          const values: Record<string, unknown> = { ...row };
          if ('source_object' in TABLES[table].schema.shape) {
            values.source_object ??= `${object}.json`;
            values.source_row ??= i + 1;
          }
          writer.add(TABLES[table].schema.parse(values) as Record<string, unknown>);
        });
        for (const part of writer.finish()) {
          const target = join(dir, 'curated', table, `dt=${part.dt}`);
          mkdirSync(target, { recursive: true });
          copyFileSync(part.file, join(target, `${object}.parquet`));
        }
      } finally {
        writer.dispose();
      }
    },
    engine(config = {}, benchmarks) {
      const parsed: ServiceBenchConfig = parseConfig(config, 'test config');
      return openLakeEngine({ lakeDir: dir, config: parsed, benchmarks });
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** UTC timestamp from 'YYYY-MM-DD HH:MM:SS'. */
export function utc(text: string): Date {
  return new Date(`${text.replace(' ', 'T')}Z`);
}

/** A handled inbound call with every optional field unknown; tests override what they exercise. */
export function interaction(overrides: Partial<Interaction> & { interaction_id: string }): Interaction {
  const created = overrides.created_at ?? utc('2025-06-10 09:00:00');
  return {
    ...blankRow('interactions'),
    source: 'connect',
    channel: 'voice',
    direction: 'inbound',
    created_at: created,
    updated_at: created,
    ingested_at: utc('2025-07-01 00:00:00'),
    ...overrides,
  } as Interaction;
}

/** A 1-5 CSAT answer of 5 with every optional field unknown; tests override what they exercise. */
export function surveyResponse(overrides: Partial<SurveyResponse> & { response_id: string }): SurveyResponse {
  const at = overrides.responded_at ?? utc('2025-06-05 12:00:00');
  return {
    ...blankRow('survey_responses'),
    source: 'qualtrics',
    survey_kind: 'csat',
    score: 5,
    scale_min: 1,
    scale_max: 5,
    higher_is_better: true,
    responded_at: at,
    updated_at: at,
    ingested_at: utc('2025-07-01 00:00:00'),
    ...overrides,
  } as SurveyResponse;
}

/** Seconds after a timestamp, as a new Date. */
export function plus(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}

/** What the SQL tests read of one row of a long metric view. */
export interface MetricRow {
  readonly value: number | null;
  readonly n: number;
  readonly ci_low: number | null;
  readonly ci_high: number | null;
  readonly unit: string;
}

/** A long metric row's key: `grain|period_start|dimension|dimension_value|metric`. */
export const longRowKey = (r: Record<string, unknown>): string =>
  `${r.grain}|${r.period_start}|${r.dimension}|${r.dimension_value}|${r.metric}`;

export interface ViewRows<T> {
  /** The row with this key; fails naming the keys there are. */
  row(key: string): T;
  has(key: string): boolean;
  keys(): string[];
  values(): T[];
}

/**
 * The rows of one view over a lake that `fill` writes, read once before the tests of the
 * `describe` this is called in; the lake is removed after them.
 */
export function viewRows<T = MetricRow>(
  view: string,
  fill: (lake: TestLake) => void,
  key: (row: Record<string, unknown>) => string = longRowKey,
): ViewRows<T> {
  let lake: TestLake | undefined;
  let rows = new Map<string, T>();
  beforeAll(async () => {
    lake = createTestLake();
    fill(lake);
    const engine = await lake.engine();
    try {
      const result = await engine.query<Record<string, unknown>>(`SELECT * FROM ${view}`);
      rows = new Map(result.map((r) => [key(r), r as T]));
    } finally {
      await engine.close();
    }
  });
  afterAll(() => lake?.remove());
  return {
    row(k) {
      const found = rows.get(k);
      if (!found) throw new Error(`no row ${k}; rows: ${[...rows.keys()].join(', ')}`);
      return found;
    },
    has: (k) => rows.has(k),
    keys: () => [...rows.keys()],
    values: () => [...rows.values()],
  };
}
