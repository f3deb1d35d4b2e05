/** `servicebench report`: the executive report of one period, into the lake's exports zone. */
import { copyFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ReportFormat } from '../../lambdas/core/config/reports.ts';
import type { Grain, Scope } from '../../lambdas/core/metrics/scorecard.ts';
import { reportRequest } from '../../lambdas/report/request.ts';
import { type CommandContext, progressLines, readConfig } from '../context.ts';
import { checkEngineTakes } from '../engine.ts';
import { openLake } from '../lake.ts';
import { writeLakeReport } from '../report.ts';

export interface ReportCommandOptions {
  /** A period in one of its forms (lambdas/core/time/periods.ts), or none with `from` and `to`. */
  readonly period?: string;
  readonly grain?: Grain;
  readonly from?: string;
  readonly to?: string;
  readonly scope?: Scope;
  readonly name: string;
  readonly format: readonly ReportFormat[];
  /** Also copy the files to this folder. */
  readonly out?: string;
}

export async function report(context: CommandContext, options: ReportCommandOptions): Promise<void> {
  const { stdout, stderr } = context.io;
  const config = readConfig(context);
  const { period, grain, from, to } = options;
  const request = reportRequest(config, {
    kind: 'command',
    period: { period, grain, from, to },
    name: options.name,
    formats: options.format,
    ...(options.scope ? { scope: options.scope } : {}),
  });
  checkEngineTakes(context.engine, request.period);
  const written = await writeLakeReport(
    openLake(context.lakeDir),
    config,
    { ...request, onProgress: progressLines(context.io) },
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
