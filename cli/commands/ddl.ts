/**
 * `servicebench ddl`: the Trino DDL of a lake (schema, canonical tables with their partitions,
 * reference tables, views and materialised tables, in build order) as one file the Trino CLI runs.
 * The reference tables read JSON files under the lake root: written there for a local location,
 * under the --lake folder for any other, to be copied next to the tables.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ddlOptionProblems,
  ddlScript,
  localLakeDir,
  prepareLocalLake,
  REFERENCE_PREFIX,
  referenceFiles,
  trinoDdl,
  writeReferenceFiles,
} from '../../lambdas/core/catalog/trino-ddl.ts';
import { referenceTables } from '../../lambdas/core/reference/tables.ts';
import { LocalObjectStore } from '../../lambdas/core/store/local.ts';
import { type CommandContext, readConfig } from '../context.ts';
import type { EngineFlags } from '../engine.ts';

export interface DdlOptions {
  /** The lake root as Trino sees it: `local:///abs/path` or `s3://bucket/prefix`. */
  readonly location: string;
}

/**
 * Every problem of the ddl options the generator checks (--location, --catalog, --schema), and a
 * local lake folder that does not exist.
 */
export function ddlProblems(location: string, flags: EngineFlags): string[] {
  const problems = ddlOptionProblems({
    location,
    catalog: flags.catalog,
    schema: flags.schema,
    referenceTables: [],
  }).map((problem) => `--${problem}`);
  const dir = localLakeDir(location);
  if (location.startsWith('local:') && dir === undefined) {
    problems.push(`--location ${location}: a local lake is local:///absolute/path (three slashes, then the path)`);
  } else if (dir !== undefined && !(existsSync(dir) && statSync(dir).isDirectory())) {
    problems.push(
      `--location ${location}: ${dir} is not a folder; give the lake folder as local:///absolute/path (servicebench --lake DIR demo writes one)`,
    );
  }
  return problems;
}

export async function ddl(context: CommandContext, options: DdlOptions): Promise<void> {
  const { stdout, stderr } = context.io;
  const tables = referenceTables(readConfig(context));
  const statements = trinoDdl({
    location: options.location,
    catalog: context.engineFlags.catalog,
    schema: context.engineFlags.schema,
    referenceTables: tables,
  });
  const lakeDir = localLakeDir(options.location);
  if (lakeDir !== undefined) {
    await prepareLocalLake(lakeDir, tables);
    stderr.write(`wrote the reference tables' files under ${join(lakeDir, REFERENCE_PREFIX)}\n`);
  } else {
    const localCopy = resolve(context.lakeDir);
    await writeReferenceFiles(new LocalObjectStore(localCopy), referenceFiles(tables));
    stderr.write(
      `wrote the reference tables' files under ${join(localCopy, REFERENCE_PREFIX)}: copy them to ${options.location.replace(/\/+$/, '')}/${REFERENCE_PREFIX} before running the statements\n`,
    );
  }
  stdout.write(ddlScript(statements));
}
