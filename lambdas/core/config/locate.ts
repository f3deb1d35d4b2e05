/**
 * Which config file a run uses. The CLI and the CDK app resolve it the same way, so a fresh clone
 * runs `servicebench` and `cdk synth` on the shipped example without any setup.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULTS } from './defaults.ts';

export const EXAMPLE_CONFIG_FILE = fileURLToPath(
  new URL('../../../examples/servicebench.config.jsonc', import.meta.url),
);

export interface ConfigLocation {
  /** Absolute path. */
  readonly file: string;
  /** No path was given and the working directory has no config: the shipped example is used. */
  readonly isExample: boolean;
}

/** An explicit path (relative to `cwd`), else `./servicebench.config.json`, else the shipped example. */
export function locateConfig(explicit: string | undefined, cwd: string): ConfigLocation {
  if (explicit !== undefined) return { file: resolve(cwd, explicit), isExample: false };
  const local = resolve(cwd, DEFAULTS.configFile);
  if (existsSync(local)) return { file: local, isExample: false };
  return { file: EXAMPLE_CONFIG_FILE, isExample: true };
}
