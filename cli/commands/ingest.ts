/** `servicebench ingest`: land export files under a source and normalise them into the curated zone. */
import { accessSync, constants, statSync } from 'node:fs';
import { metricOptions } from '../../lambdas/core/config/config.ts';
import { DEFAULTS } from '../../lambdas/core/config/defaults.ts';
import { coverageOf, describeCoverage, scheduleReaches } from '../../lambdas/core/metrics/coverage.ts';
import type { TableName } from '../../lambdas/core/schema/canonical.ts';
import { type CommandContext, readConfig } from '../context.ts';
import { EXIT, type ExitCode } from '../exit.ts';
import { defaultJobs, type IngestOutcome, type IngestTask, ingestAll, landingKeyOf } from '../ingest.ts';
import { describeRejectReason, inspectIngested, maxRejectShare, percent } from '../ingest-checks.ts';
import { openLake, pseudonymKey } from '../lake.ts';

export interface IngestOptions {
  readonly source: string;
  readonly strict?: boolean;
  /** Score social text with the local analyser. @default true (DEFAULTS.sentimentAnalyser) */
  readonly sentiment?: boolean;
  /** Files normalised at once. @default defaultJobs() */
  readonly jobs?: number;
}

/**
 * Why a file argument cannot be ingested (missing, a folder, not readable), or undefined when it is
 * a readable file. Checked up front so every path is named, with its reason, before the others run.
 */
function fileProblem(file: string): string | undefined {
  try {
    if (!statSync(file).isFile()) return 'not a file';
    accessSync(file, constants.R_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'no such file';
    if (code === 'EACCES' || code === 'EPERM') return 'not readable (permission denied)';
    return (error as Error).message;
  }
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
  // A path that cannot be read is named with its reason and counts as failed; the others go on.
  const readable: string[] = [];
  const unreadable: string[] = [];
  for (const file of files) {
    const problem = fileProblem(file);
    if (problem === undefined) readable.push(file);
    else {
      unreadable.push(`${file}: ${problem}`);
      stdout.write(`✗ ${file}: not ingested: ${problem}\n`);
    }
  }
  if (readable.length === 0) {
    stderr.write(`error: none of the files could be read, nothing was ingested: ${unreadable.join('; ')}\n`);
    return EXIT.error;
  }
  let filesFailed = unreadable.length;
  const lake = openLake(context.lakeDir);
  const key = pseudonymKey(lake);
  if (key.createdAt) {
    stderr.write(
      `warning: created a new pseudonymisation key at ${key.origin}. Back it up: without it, customers ingested later get different pseudonyms.\n`,
    );
  }
  // A file named twice is ingested once: two runs of one landing object at once would race.
  const byKey = new Map(readable.map((file) => [landingKeyOf(source.name, file), file]));
  const tasks = [...byKey].map(([landingKey, file]): IngestTask => ({ source: source.name, key: landingKey, file }));
  const allowed = maxRejectShare(config);
  let filesRejected = 0;
  let filesOverShare = 0;
  let rowsRead = 0;
  let rowsRejected = 0;
  let filesDone = 0;
  const ingestedBy = new Map<TableName, string[]>();
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
    rowsRead += audit.rows_read;
    rowsRejected += audit.rows_rejected;
    const tables = Object.entries(result.rowsByTable)
      .map(([t, n]) => `${t}: ${n}`)
      .join(', ');
    for (const table of Object.keys(result.rowsByTable) as TableName[]) {
      ingestedBy.set(table, [...(ingestedBy.get(table) ?? []), task.key]);
    }
    const share = audit.rows_read > 0 ? audit.rows_rejected / audit.rows_read : 0;
    if (result.fileError) {
      filesRejected++;
      stdout.write(`✗ ${task.file}: file rejected: ${result.fileError}\n`);
    } else {
      const over = share > allowed;
      if (over) filesOverShare++;
      stdout.write(
        `${over ? '✗' : '✓'} ${task.file}: ${audit.rows_read} read, ${audit.rows_accepted} accepted, ${audit.rows_rejected} rejected${over ? ` (${percent(share)}, over the ${percent(allowed)} allowed)` : ''}${tables ? ` (${tables})` : ''} in ${audit.duration_ms} ms\n`,
      );
      if (result.rejectReasons.length > 0) {
        stdout.write(
          `  top reject reasons:\n${result.rejectReasons.map((r) => `    ${describeRejectReason(r)}\n`).join('')}`,
        );
      }
    }
    if (result.rejectKey) {
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
  const inspections = await inspectIngested(
    lake.zoneDir('curated'),
    [...ingestedBy].map(([table, objectKeys]) => ({ source: source.name, table, objectKeys })),
    metricOptions(config).minSample,
  );
  for (const inspection of inspections) {
    const scheduled = scheduleReaches(config.schedules, source.name);
    const lines = describeCoverage(source.name, coverageOf({ ...inspection.output, scheduled }));
    stdout.write(
      `${[`coverage of the ${inspection.rows.toLocaleString('en')} rows ingested: ${lines[0]}`, ...lines.slice(1)].join('\n')}\n`,
    );
    for (const warning of inspection.warnings) stderr.write(`warning: ${warning}\n`);
  }
  if (filesFailed > 0) {
    stderr.write(
      `error: ${filesFailed} of ${unreadable.length + tasks.length} files could not be ingested (the others were); run the ingest of those again\n`,
    );
    return EXIT.error;
  }
  const runShare = rowsRead > 0 ? rowsRejected / rowsRead : 0;
  if (filesOverShare > 0 || runShare > allowed) {
    stderr.write(
      `error: ${rowsRejected.toLocaleString('en')} of ${rowsRead.toLocaleString('en')} records rejected (${percent(runShare)})` +
        `${filesOverShare > 0 ? `, ${filesOverShare} of ${tasks.length} files over` : ''} the ${percent(allowed)} allowed by ingest.maxRejectShare; ` +
        'the top reasons are listed above: fix the mapping or the export and ingest again, or raise ingest.maxRejectShare in the config\n',
    );
  }
  if (filesRejected > 0) return EXIT.fileRejected;
  if (filesOverShare > 0 || runShare > allowed || (options.strict && rowsRejected > 0)) return EXIT.rowsRejected;
  return EXIT.ok;
}
