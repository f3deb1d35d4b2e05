/** `servicebench ingest`: land export files under a source and normalise them into the curated zone. */
import { type CommandContext, readConfig } from '../context.ts';
import { EXIT, type ExitCode } from '../exit.ts';
import { ingestFile } from '../ingest.ts';
import { openLake, pseudonymKey } from '../lake.ts';

export interface IngestOptions {
  readonly source: string;
  readonly strict?: boolean;
}

export async function ingest(
  context: CommandContext,
  files: readonly string[],
  options: IngestOptions,
): Promise<ExitCode> {
  const { stdout, stderr } = context.io;
  const config = readConfig(context);
  const lake = openLake(context.lakeDir);
  const key = pseudonymKey(lake);
  if (key.createdAt) {
    stderr.write(
      `warning: created a new pseudonymisation key at ${key.origin}. Back it up: without it, customers ingested later get different pseudonyms.\n`,
    );
  }
  let filesRejected = 0;
  let rowsRejected = 0;
  for (const file of files) {
    const label = `${options.source} ← ${file}`;
    const result = await ingestFile({
      lake,
      config,
      sourceName: options.source,
      file,
      pseudonymKey: key.key,
      onProgress: (rows) => {
        if (stderr.isTTY) stderr.write(`\r${label}: ${rows.toLocaleString('en')} records read`);
      },
    });
    if (stderr.isTTY) stderr.write('\r\x1b[K');
    const { audit } = result;
    const tables = Object.entries(result.rowsByTable)
      .map(([t, n]) => `${t}: ${n}`)
      .join(', ');
    if (result.fileError) {
      filesRejected++;
      stdout.write(`✗ ${file}: file rejected: ${result.fileError}\n`);
    } else {
      stdout.write(
        `✓ ${file}: ${audit.rows_read} read, ${audit.rows_accepted} accepted, ${audit.rows_rejected} rejected${tables ? ` (${tables})` : ''} in ${audit.duration_ms} ms\n`,
      );
    }
    if (result.rejectKey) {
      rowsRejected += audit.rows_rejected;
      stdout.write(`  rejects with reasons: ${lake.zoneDir('quarantine')}/${result.rejectKey}\n`);
    }
  }
  if (filesRejected > 0) return EXIT.fileRejected;
  if (options.strict && rowsRejected > 0) return EXIT.rowsRejected;
  return EXIT.ok;
}
