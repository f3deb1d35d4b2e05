/** `servicebench query`: SQL over the curated tables and every view, on the chosen engine. */
import { type CommandContext, progressLines, readConfig } from '../context.ts';
import { withQueryEngine } from '../engine.ts';
import { formatRows, type OutputFormat } from '../format.ts';

export async function query(context: CommandContext, sql: string, format: OutputFormat): Promise<void> {
  const rows = await withQueryEngine(
    {
      choice: context.engine,
      lakeDir: context.lakeDir,
      config: () => readConfig(context),
      onProgress: progressLines(context.io),
      sandbox: true,
    },
    (engine) => engine.query(sql),
  );
  context.io.stdout.write(formatRows(rows, format));
}
