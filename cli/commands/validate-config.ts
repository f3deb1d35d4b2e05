/** `servicebench validate-config`: every problem of the config file, at once. */
import { loadConfig } from '../../lambdas/core/config/config.ts';
import { type CommandContext, configLocation } from '../context.ts';

export function validateConfigFile(context: CommandContext): void {
  const { file } = configLocation(context);
  const config = loadConfig(file);
  context.io.stdout.write(`${file}: valid (${config.sources.length} sources, ${config.reports.length} reports)\n`);
}
