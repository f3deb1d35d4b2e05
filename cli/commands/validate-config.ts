/** `servicebench validate-config`: every problem of the config file, at once. */
import { listAdapters } from '../../lambdas/adapters/registry.ts';
import { ConfigError, loadConfig } from '../../lambdas/core/config/config.ts';
import { type CommandContext, configLocation } from '../context.ts';

export function validateConfigFile(context: CommandContext): void {
  const { file } = configLocation(context);
  const config = loadConfig(file);
  const adapters = new Map(listAdapters().map((a) => [a.name, a]));
  const problems = config.sources.flatMap((s, i) => {
    const adapter = adapters.get(s.adapter);
    if (!adapter) return [`sources.${i}.adapter: unknown adapter "${s.adapter}"`];
    const parsed = adapter.optionsSchema.safeParse(s.options);
    return parsed.success
      ? []
      : parsed.error.issues.map((issue) => `sources.${i}.options.${issue.path.join('.')}: ${issue.message}`);
  });
  if (problems.length > 0) throw new ConfigError(file, problems);
  context.io.stdout.write(`${file}: valid (${config.sources.length} sources, ${config.reports.length} reports)\n`);
}
