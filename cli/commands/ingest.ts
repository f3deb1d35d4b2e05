/** `servicebench ingest`: land export files under a source and normalise them into the curated zone. */
import { statSync } from 'node:fs';
import { DEFAULTS } from '../../lambdas/core/config/defaults.ts';
import { type CommandContext, readConfig } from '../context.ts';
import { EXIT, type ExitCode } from '../exit.ts';
import { defaultJobs, type IngestOutcome, type IngestTask, ingestAll, landingKeyOf } from '../ingest.ts';
import { openLake, pseudonymKey } from '../lake.ts';

export interface IngestOptions {
  readonly source: string;
  readonly strict?: boolean;
  /** Score social text with the local analyser. @default true (DEFAULTS.sentimentAnalyser) */
  readonly sentiment?: boolean;
  /** Files normalised at once. @default defaultJobs() */
  readonly jobs?: number;
}

/** Every file argument that is not a readable file, named with why: nothing is ingested then. */
function fileProblems(files: readonly string[]): string[] {
  return files.flatMap((file) => {
    try {
      return statSync(file).isFile() ? [] : [`${file} is not a file`];
    } catch (error) {
      return [
        `${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
      ];
    }
  });
}

export async function ingest(
  context: CommandContext,
  files: readonly string[],
  options: IngestOptions,
): Promise<ExitCode> {
  const { stdout, stderr } = context.io;
  const config = readConfig(context);
  const source = config.sources.find((s) => s.name === options.source);
  if (!source) {
    const known = config.sources.map((s) => s.name).join(', ') || 'none';
    throw new Error(`unknown source "${options.source}"; configured sources: ${known}`);
  }
  const problems = fileProblems(files);
  if (problems.length > 0) throw new Error(`nothing was ingested: ${problems.join('; ')}`);
  const lake = openLake(context.lakeDir);
  const key = pseudonymKey(lake);
  if (key.createdAt) {
    stderr.write(
      `warning: created a new pseudonymisation key at ${key.origin}. Back it up: without it, customers ingested later get different pseudonyms.\n`,
    );
  }
  // A file named twice is ingested once: two runs of one landing object at once would race.
  const byKey = new Map(files.map((file) => [landingKeyOf(source.name, file), file]));
  const tasks = [...byKey].map(([landingKey, file]): IngestTask => ({ source: source.name, key: landingKey, file }));
  let filesRejected = 0;
  let filesFailed = 0;
  let rowsRejected = 0;
  let filesDone = 0;
  const progress = (rowsRead: number) => {
    if (stderr.isTTY) {
      stderr.write(
        `\r${options.source}: ${filesDone}/${tasks.length} files, ${rowsRead.toLocaleString('en')} records read`,
      );
    }
  };
  const report = ({ task, result, error }: IngestOutcome) => {
    filesDone++;
    if (stderr.isTTY) stderr.write('\r\x1b[K');
    if (error !== undefined) {
      filesFailed++;
      stdout.write(`✗ ${task.file}: not ingested: ${error}\n`);
      return;
    }
    const { audit } = result;
    const tables = Object.entries(result.rowsByTable)
      .map(([t, n]) => `${t}: ${n}`)
      .join(', ');
    if (result.fileError) {
      filesRejected++;
      stdout.write(`✗ ${task.file}: file rejected: ${result.fileError}\n`);
    } else {
      stdout.write(
        `✓ ${task.file}: ${audit.rows_read} read, ${audit.rows_accepted} accepted, ${audit.rows_rejected} rejected${tables ? ` (${tables})` : ''} in ${audit.duration_ms} ms\n`,
      );
    }
    if (result.rejectKey) {
      rowsRejected += audit.rows_rejected;
      stdout.write(`  rejects with reasons: ${lake.zoneDir('quarantine')}/${result.rejectKey}\n`);
    }
  };
  await ingestAll({
    lake,
    config,
    pseudonymKey: key.key,
    ...(options.sentiment === false ? {} : { sentiment: DEFAULTS.sentimentAnalyser }),
    jobs: Math.min(options.jobs ?? defaultJobs(), tasks.length),
    tasks,
    onOutcome: report,
    onProgress: progress,
  });
  if (stderr.isTTY) stderr.write('\r\x1b[K');
  if (filesFailed > 0) {
    stderr.write(
      `error: ${filesFailed} of ${tasks.length} files could not be ingested (the others were); run the ingest of those again\n`,
    );
    return EXIT.error;
  }
  if (filesRejected > 0) return EXIT.fileRejected;
  if (options.strict && rowsRejected > 0) return EXIT.rowsRejected;
  return EXIT.ok;
}
