/**
 * Every row of every view, and of the materialised metric_values, is the same on Trino as on the
 * local DuckDB engine: over the demo lake and over a lake of every real public export. Trino gets
 * its tables, reference tables, views and materialised tables from the DDL generator the product
 * ships, then a refresh; DuckDB opens the lake folder the way the CLI does.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type DuckDbEngine, openLakeEngine } from '../../cli/duckdb.ts';
import { runDemo } from '../../demo/index.ts';
import { parseDemoScale } from '../../demo/options.ts';
import type { ServiceBenchConfig } from '../../lambdas/core/config/config.ts';
import { referenceTables } from '../../lambdas/core/reference/tables.ts';
import { MATERIALISED_TABLES } from '../../sql/materialised.ts';
import { VIEWS } from '../../sql/registry.ts';
import { describeRealdata } from '../support/realdata.ts';
import { exampleConfig, ingestRealExports, REAL_EXPORTS, writeCompactedLake } from './lakes.ts';
import { expectSameRows, loadLakeIntoTrino, type TrinoLake } from './support.ts';

/** Every relation a report can read: each view, then each materialised table. */
const RELATIONS = [...VIEWS.map((v) => v.name), ...MATERIALISED_TABLES.map((t) => t.name)];

/**
 * The columns compared where not all are: interaction_slices repeats every column of
 * interaction_facts (compared row for row on its own) once per grain and dimension, so its own
 * columns and the contact's identity are compared, on every row. Sending all its columns from
 * both engines took 75 s on the real-export lake.
 */
const COLUMNS: Readonly<Record<string, string>> = {
  interaction_slices: 'grain, dimension, dimension_value, created_period, resolved_period, source, interaction_id',
};

/** Building a lake, loading it into Trino and refreshing takes minutes on 2 cores. */
const SETUP_TIMEOUT_MS = 600_000;
const QUERY_TIMEOUT_MS = 180_000;

interface ParityLake {
  /** The folder DuckDB reads. */
  readonly lakeDir: string;
  readonly config: ServiceBenchConfig;
  /** Whether Trino reads a compacted copy of the tables DuckDB loaded instead of the lake itself. */
  readonly compact: boolean;
}

function parityOver(label: string, build: (root: string) => Promise<ParityLake>): void {
  let root: string | undefined;
  let duckdb: DuckDbEngine | undefined;
  let trino: TrinoLake | undefined;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), `sb-parity-${label}-`));
    const lake = await build(root);
    const tables = referenceTables(lake.config);
    if (lake.compact) {
      duckdb = await openLakeEngine({ lakeDir: lake.lakeDir, config: lake.config });
      const trinoDir = join(root, 'compacted');
      await writeCompactedLake(duckdb, trinoDir);
      trino = await loadLakeIntoTrino(trinoDir, tables, `parity_${label}`);
    } else {
      [duckdb, trino] = await Promise.all([
        openLakeEngine({ lakeDir: lake.lakeDir, config: lake.config }),
        loadLakeIntoTrino(lake.lakeDir, tables, `parity_${label}`),
      ]);
    }
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await trino?.drop();
    await duckdb?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it.each(RELATIONS)(
    '%s',
    async (relation) => {
      if (!duckdb || !trino) throw new Error('the engines did not open');
      await expectSameRows(duckdb, trino.engine, `SELECT ${COLUMNS[relation] ?? '*'} FROM ${relation}`);
    },
    QUERY_TIMEOUT_MS,
  );
}

describe('DuckDB and Trino return the same rows over the demo lake', () => {
  parityOver('demo', async (root) => {
    const lakeDir = join(root, 'lake');
    const summary = await runDemo({ lakeDir, config: exampleConfig(), scale: parseDemoScale('small') });
    return { lakeDir, config: summary.config, compact: true };
  });
});

describeRealdata(
  'DuckDB and Trino return the same rows over a lake of every real export',
  [...new Set(REAL_EXPORTS.map((e) => e.file))],
  () => {
    parityOver('realdata', async (root) => {
      const lakeDir = join(root, 'lake');
      const config = exampleConfig();
      await ingestRealExports(lakeDir, config);
      return { lakeDir, config, compact: false };
    });
  },
);
