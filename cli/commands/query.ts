/** `servicebench query`: SQL over the curated tables and every view, on the local engine. */
import { openLakeEngine } from '../../lambdas/core/query/duckdb.ts';
import { type CommandContext, readConfig } from '../context.ts';
import { formatRows, type OutputFormat } from '../format.ts';
import { openLake } from '../lake.ts';

export async function query(context: CommandContext, sql: string, format: OutputFormat): Promise<void> {
  const config = readConfig(context);
  const engine = await openLakeEngine({ lakeDir: openLake(context.lakeDir).dir, config });
  try {
    context.io.stdout.write(formatRows(await engine.query(sql), format));
  } finally {
    await engine.close();
  }
}
