/**
 * `servicebench alerts`: the closed-loop alerts of the local lake, evaluated from its latest rows
 * by the rule engine the deployed normaliser runs, with each alert's follow-up. The alerts are
 * kept in `<lake>/alerts/alerts.jsonl` (the local counterpart of the deployed event bus, one alert
 * per id) and the listing is written to `exports/alerts/` as CSV.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertJson, type FollowedAlert } from '../../lambdas/core/alerts/engine.ts';
import { lakeAlerts } from '../../lambdas/core/alerts/lake.ts';
import { type CommandContext, progressLines, readConfig } from '../context.ts';
import { withQueryEngine } from '../engine.ts';
import { formatRows, type OutputFormat } from '../format.ts';
import { openLake } from '../lake.ts';

export interface AlertsOptions {
  /** First day listed (YYYY-MM-DD, UTC). */
  readonly since?: string;
  readonly format: OutputFormat;
}

/** Folder of the lake that holds the alert log. */
export const ALERTS_DIR = 'alerts';
export const ALERTS_LOG = 'alerts.jsonl';

/** Every column of an alert, in the order the CSV and JSON carry them. */
export const ALERT_COLUMNS = [
  'alert_id',
  'alert_at',
  'rule',
  'kind',
  'source',
  'source_ref',
  'team',
  'agent_id',
  'score',
  'comment',
  'customer_key',
  'followed_up_at',
  'follow_up_s',
] as const satisfies readonly (keyof FollowedAlert)[];

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const BOM = '\uFEFF';

/** Problems of the command's own options, reported with the engine's (one usage error). */
export function alertsProblems(options: Pick<AlertsOptions, 'since'>): string[] {
  const since = options.since;
  if (since === undefined) return [];
  return DAY.test(since) && !Number.isNaN(Date.parse(`${since}T00:00:00Z`))
    ? []
    : [`--since ${since}: expected a day as YYYY-MM-DD, e.g. 2025-06-01`];
}

export async function alerts(context: CommandContext, options: AlertsOptions): Promise<void> {
  const { stdout, stderr } = context.io;
  const config = readConfig(context);
  const rules = config.alerts.rules;
  if (rules.length === 0) {
    stderr.write('no alert rules are configured; add alerts.rules to the config (docs/config.md)\n');
  }
  const from = options.since === undefined ? undefined : new Date(`${options.since}T00:00:00Z`);
  const found = await withQueryEngine(
    { choice: context.engine, lakeDir: context.lakeDir, config: () => config, onProgress: progressLines(context.io) },
    (engine) => lakeAlerts(engine, rules, from === undefined ? {} : { from }),
  );
  const lake = openLake(context.lakeDir);
  const log = join(lake.dir, ALERTS_DIR, ALERTS_LOG);
  writeAlertLog(log, found, from);
  const exportDir = join(lake.zoneDir('exports'), ALERTS_DIR);
  mkdirSync(exportDir, { recursive: true });
  const exported = join(exportDir, options.since === undefined ? 'alerts.csv' : `alerts-since-${options.since}.csv`);
  // With a byte-order mark, as the report's CSV: spreadsheets then read the verbatims' accents.
  writeFileSync(exported, `${BOM}${formatRows(found.map(alertRecord), 'csv', ALERT_COLUMNS)}`);

  const newestFirst = [...found].reverse();
  if (options.format === 'json') stdout.write(formatRows(newestFirst.map(alertRecord), 'json'));
  else if (options.format === 'csv') stdout.write(formatRows(newestFirst.map(alertRecord), 'csv', ALERT_COLUMNS));
  else {
    stdout.write(formatRows(newestFirst.map(alertLine), 'table'));
    const open = found.filter((a) => a.followed_up_at === null).length;
    stdout.write(`\n${found.length} alert(s), ${open} open; written to ${exported}\n`);
  }
}

/** An alert with its follow-up as JSON-ready values (times as ISO-8601). */
export function alertRecord(alert: FollowedAlert): Record<(typeof ALERT_COLUMNS)[number], string | number | null> {
  return {
    ...alertJson(alert),
    followed_up_at: alert.followed_up_at?.toISOString() ?? null,
    follow_up_s: alert.follow_up_s,
  };
}

/** The people-facing columns of the table format; csv and json carry every column. */
function alertLine(alert: FollowedAlert): Record<string, unknown> {
  return {
    when: alert.alert_at.toISOString().slice(0, 16).replace('T', ' '),
    rule: alert.rule,
    source: alert.source,
    ref: alert.source_ref,
    team: alert.team,
    agent: alert.agent_id,
    score: alert.score,
    'followed up': alert.follow_up_s === null ? 'open' : `after ${(alert.follow_up_s / 3600).toFixed(1)} h`,
    comment: alert.comment,
  };
}

/**
 * The alert log holds one line per alert id: this evaluation's alerts replace the logged ones it
 * covers (all of them, or those from `from` on), so a rerun or a re-ingest never duplicates one.
 */
function writeAlertLog(file: string, found: readonly FollowedAlert[], from: Date | undefined): void {
  const kept =
    from === undefined || !existsSync(file)
      ? []
      : readFileSync(file, 'utf8')
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as ReturnType<typeof alertRecord>)
          .filter((logged) => String(logged.alert_at) < from.toISOString());
  const records = [...kept, ...found.map(alertRecord)];
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
}
