/** `servicebench demo`: generate a year of sample exports, ingest them and write the report. */
import { runDemo } from '../../demo/index.ts';
import { LUNCH_DIP } from '../../demo/world.ts';
import { parsePeriod } from '../../lambdas/core/time/periods.ts';
import { type CommandContext, readConfig } from '../context.ts';
import { openLake } from '../lake.ts';
import { writeLakeReport } from '../report.ts';

export interface DemoCommandOptions {
  readonly seed: number;
  readonly months: number;
  readonly end: string;
  readonly scale: number;
  /** Files normalised at once. @default the machine's cores */
  readonly jobs?: number;
}

export async function demo(context: CommandContext, options: DemoCommandOptions): Promise<void> {
  const { stdout, stderr } = context.io;
  const config = readConfig(context);
  const say = (message: string) => stderr.write(`${message}\n`);
  const summary = await runDemo({
    lakeDir: context.lakeDir,
    config,
    seed: options.seed,
    months: options.months,
    endMonth: options.end,
    scale: options.scale,
    ...(options.jobs === undefined ? {} : { jobs: options.jobs }),
    onProgress: say,
  });
  stdout.write(
    `${summary.files} files, ${summary.rowsRead.toLocaleString('en')} records read, ${summary.rowsAccepted.toLocaleString('en')} curated, ${summary.rowsRejected.toLocaleString('en')} rejected with reasons in ${summary.lakeDir}/quarantine (generated in ${(summary.timings.generateMs / 1000).toFixed(1)} s, ingested in ${(summary.timings.ingestMs / 1000).toFixed(1)} s)\n`,
  );
  stdout.write(
    `story: ${summary.plot.improvingTeam} improves, ${summary.plot.worseningTeam} worsens, staffing dip in ${summary.plot.dipMonth}, calls short-staffed ${LUNCH_DIP.fromHour}:00-${LUNCH_DIP.toHour}:00 ${LUNCH_DIP.timeZone} every weekday\n`,
  );
  say(`computing the views and writing the ${summary.endMonth} report…`);
  const written = await writeLakeReport(openLake(summary.lakeDir), summary.config, {
    period: parsePeriod(summary.endMonth),
    onProgress: say,
  });
  for (const path of written.paths) stdout.write(`report: ${path}\n`);
  for (const line of written.skipped) stderr.write(`skipped ${line}\n`);
  stdout.write(
    `\nnext: npm run servicebench -- metrics --period ${summary.endMonth} --by team\n      npm run servicebench -- query "SELECT * FROM scorecard LIMIT 10"\n`,
  );
}
