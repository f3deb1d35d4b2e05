/** What every command receives, and the config lookup they share. */
import { loadConfig, type ServiceBenchConfig } from '../lambdas/core/config/config.ts';
import { DEFAULTS } from '../lambdas/core/config/defaults.ts';
import { type ConfigLocation, locateConfig } from '../lambdas/core/config/locate.ts';
import type { EngineChoice, EngineFlags } from './engine.ts';

/** A stream a command writes to: the process's own, or a buffer when a test runs the CLI in-process. */
export interface Output {
  write(text: string): unknown;
  /** Progress lines are drawn only on a terminal. */
  readonly isTTY?: boolean | undefined;
}

export interface CliIo {
  readonly stdout: Output;
  readonly stderr: Output;
}

export interface CommandContext {
  readonly io: CliIo;
  /** --lake, relative to the working directory. */
  readonly lakeDir: string;
  /** --config, when given. */
  readonly configFile: string | undefined;
  /** The engine the command queries (--engine and the Trino connection options, validated). */
  readonly engine: EngineChoice;
  /** The engine options as given, for `ddl`, which takes --catalog and --schema without a server. */
  readonly engineFlags: EngineFlags;
}

export { progressLines } from './progress.ts';

export function configLocation(context: CommandContext): ConfigLocation {
  return locateConfig(context.configFile, process.cwd());
}

/** The validated config; says so on stderr when it falls back to the shipped example. */
export function readConfig(context: CommandContext): ServiceBenchConfig {
  const { file, isExample } = configLocation(context);
  if (isExample) {
    context.io.stderr.write(`note: no ${DEFAULTS.configFile} here; using the shipped example ${file}\n`);
  }
  return loadConfig(file);
}
