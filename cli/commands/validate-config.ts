/**
 * `servicebench validate-config`: every problem of the config file at once, then, per source, the
 * metrics it will feed and the canonical fields it leaves empty.
 */
import { getAdapter } from '../../lambdas/adapters/registry.ts';
import { loadConfig, type ServiceBenchConfig, type SourceConfig } from '../../lambdas/core/config/config.ts';
import {
  coverageOf,
  describeCoverage,
  mappingOutput,
  type SourceOutput,
  scheduleReaches,
  withPipelineFields,
} from '../../lambdas/core/metrics/coverage.ts';
import type { TableName } from '../../lambdas/core/schema/canonical.ts';
import { type CommandContext, configLocation } from '../context.ts';

/**
 * A mapping declares what it writes in its fields, a named adapter in its `outputs` (one per table);
 * any other writes what each export holds, which `ingest` reports from the rows.
 */
function sourceCoverage(source: SourceConfig, config: ServiceBenchConfig): string[] {
  const outputs = declaredOutputs(source);
  if (outputs === undefined) {
    return [`${source.name} (${source.adapter} adapter): what it feeds depends on each export; ingest reports it`];
  }
  const scheduled = scheduleReaches(config.schedules, source.name);
  return outputs.flatMap((output) => describeCoverage(source.name, coverageOf({ ...output, scheduled })));
}

function declaredOutputs(source: SourceConfig): readonly SourceOutput[] | undefined {
  if (source.adapter === 'mapping') {
    const mapping = source.options.mapping as { table: TableName; fields: Record<string, unknown> } | undefined;
    return mapping === undefined ? undefined : [mappingOutput(mapping)];
  }
  return getAdapter(source.adapter).outputs?.map(withPipelineFields);
}

export function validateConfigFile(context: CommandContext): void {
  const { file } = configLocation(context);
  const config = loadConfig(file);
  const lines = [
    `${file}: valid (${config.sources.length} sources, ${config.reports.length} reports)`,
    ...(config.sources.length > 0 ? ['', 'What each source feeds:'] : []),
    ...config.sources.flatMap((source) => sourceCoverage(source, config)),
  ];
  context.io.stdout.write(`${lines.join('\n')}\n`);
}
