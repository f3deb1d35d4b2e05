/** `servicebench report`: the executive report of one period, into the lake's exports zone. */
import { copyFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ReportFormat } from '../../lambdas/core/config/reports.ts';
import type { Grain, Scope } from '../../lambdas/core/metrics/scorecard.ts';
import { checkPeriodYear } from '../../lambdas/report/period.ts';
import { type CommandContext, progressLines, readConfig } from '../context.ts';
import { openLake } from '../lake.ts';
import { writeLakeReport } from '../report.ts';

export interface ReportCommandOptions {
  readonly period: string;
  readonly grain?: Grain;
  readonly scope?: Scope;
  readonly name: string;
  readonly format: readonly ReportFormat[];
  /** Also copy the files to this folder. */
  readonly out?: string;
}

export async function report(context: CommandContext, options: ReportCommandOptions): Promise<void> {
  const { stdout, stderr } = context.io;
  checkPeriodYear(options.period);
  const config = readConfig(context);
  const written = await writeLakeReport(
    openLake(context.lakeDir),
    config,
    {
      period: options.period,
      grain: options.grain ?? (/^\d{4}-W\d{2}$/.test(options.period) ? 'week' : 'month'),
      name: options.name,
      formats: options.format,
      onProgress: progressLines(context.io),
      ...(options.scope ? { scope: options.scope } : {}),
    },
    context.engine,
  );
  for (const path of written.paths) {
    if (options.out) {
      mkdirSync(options.out, { recursive: true });
      const copy = join(options.out, basename(path));
      copyFileSync(path, copy);
      stdout.write(`wrote ${copy}\n`);
    } else stdout.write(`wrote ${path}\n`);
  }
  for (const line of written.skipped) stderr.write(`skipped ${line}\n`);
}
