/**
 * `servicebench validate-config`: every problem of the config file at once, then, per source, the
 * metrics it will feed and the canonical fields it leaves empty.
 */
import { loadConfig, type SourceConfig } from '../../lambdas/core/config/config.ts';
import { coverageOf, describeCoverage, mappingOutput } from '../../lambdas/core/metrics/coverage.ts';
import type { TableName } from '../../lambdas/core/schema/canonical.ts';
import { type CommandContext, configLocation } from '../context.ts';

/**
 * A mapping declares what it writes; a named adapter writes what each export holds, which
 * `ingest` reports from the rows.
 */
function sourceCoverage(source: SourceConfig): string[] {
  const mapping = source.options.mapping as { table: TableName; fields: Record<string, unknown> } | undefined;
  if (source.adapter !== 'mapping' || mapping === undefined) {
    return [`${source.name} (${source.adapter} adapter): what it feeds depends on each export; ingest reports it`];
  }
  return describeCoverage(source.name, coverageOf(mappingOutput(mapping)));
}

export function validateConfigFile(context: CommandContext): void {
  const { file } = configLocation(context);
  const config = loadConfig(file);
  const lines = [
    `${file}: valid (${config.sources.length} sources, ${config.reports.length} reports)`,
    ...(config.sources.length > 0 ? ['', 'What each source feeds:'] : []),
    ...config.sources.flatMap(sourceCoverage),
  ];
  context.io.stdout.write(`${lines.join('\n')}\n`);
}
