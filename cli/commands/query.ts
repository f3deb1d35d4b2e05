/** `servicebench query`: SQL over the curated tables and every view, on the chosen engine. */
import type { CommandContext } from '../context.ts';
import { withQueryEngine } from '../engine.ts';
import { formatRows, type OutputFormat } from '../format.ts';
import { progressLines } from '../progress.ts';

export async function query(context: CommandContext, sql: string, format: OutputFormat): Promise<void> {
  const rows = await withQueryEngine(
    {
      choice: context.engine,
      lakeDir: context.lakeDir,
      // Imported when a statement first needs the reference tables: checking a config loads its
      // schema and every adapter's, which a statement over the canonical tables alone does not need.
      config: async () => (await import('../context.ts')).readConfig(context),
      onProgress: progressLines(context.io),
      sandbox: true,
    },
    (engine) => engine.query(sql),
  );
  context.io.stdout.write(formatRows(rows, format));
}
