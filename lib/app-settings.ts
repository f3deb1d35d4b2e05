import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, type ServiceBenchConfig } from '../lambdas/core/config/config.ts';
import { locateConfig } from '../lambdas/core/config/locate.ts';
import { stackNameProblem } from './names.ts';

/** Context keys the app reads (`cdk deploy -c servicebench:allowDestroy=true`). */
export const CONTEXT_KEYS = {
  config: 'servicebench:config',
  allowDestroy: 'servicebench:allowDestroy',
  chromiumLayerArn: 'servicebench:chromiumLayerArn',
  stackName: 'servicebench:stackName',
} as const;

export const APP_DEFAULTS = {
  stackName: 'ServiceBench',
} as const;

export interface AppSettings {
  readonly configFile: string;
  /** The config file, checked by validateConfig as the CLI and each Lambda check it. */
  readonly config: ServiceBenchConfig;
  readonly usingExample: boolean;
  readonly allowDestroy: boolean;
  readonly chromiumLayerArn?: string;
  readonly stackName: string;
}

/**
 * Resolves the app's settings from CDK context, the same way the CLI resolves its config: an
 * explicit path, else ./servicebench.config.json, else the shipped example, and validates that
 * file. Every bad context value and every problem of the config are reported together, so one
 * `cdk synth` lists all there is to fix.
 */
export function appSettings(context: (key: string) => unknown, cwd = process.cwd()): AppSettings {
  const problems: string[] = [];
  const text = (key: string): string | undefined => {
    const value = context(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value === '') {
      problems.push(`context ${key}: must be a non-empty string (got ${JSON.stringify(value)})`);
      return undefined;
    }
    return value;
  };
  const explicit = text(CONTEXT_KEYS.config);
  const { file: configFile, isExample: usingExample } = locateConfig(explicit, cwd);
  if (explicit !== undefined && !existsSync(configFile)) {
    problems.push(`context ${CONTEXT_KEYS.config}: file ${configFile} does not exist`);
  }

  const destroyValue = context(CONTEXT_KEYS.allowDestroy);
  let allowDestroy = false;
  if (destroyValue !== undefined) {
    if (destroyValue === true || destroyValue === 'true') allowDestroy = true;
    else if (destroyValue === false || destroyValue === 'false') allowDestroy = false;
    else
      problems.push(
        `context ${CONTEXT_KEYS.allowDestroy}: must be true or false (got ${JSON.stringify(destroyValue)})`,
      );
  }
  const chromiumLayerArn = text(CONTEXT_KEYS.chromiumLayerArn);
  if (
    chromiumLayerArn !== undefined &&
    !/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[\w-]+:\d+$/.test(chromiumLayerArn)
  ) {
    problems.push(
      `context ${CONTEXT_KEYS.chromiumLayerArn}: must be a versioned Lambda layer ARN (got ${chromiumLayerArn})`,
    );
  }
  const stackName = text(CONTEXT_KEYS.stackName) ?? APP_DEFAULTS.stackName;
  const stackProblem = stackNameProblem(stackName);
  if (stackProblem !== undefined) {
    problems.push(`context ${CONTEXT_KEYS.stackName}: must be a CloudFormation stack name: ${stackProblem}`);
  }
  let config: ServiceBenchConfig | undefined;
  if (existsSync(configFile)) {
    try {
      config = loadConfig(configFile);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems.map((problem) => `${error.file}: ${problem}`));
    }
  }
  if (problems.length > 0 || config === undefined) {
    throw new Error(`invalid CDK context or config:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return {
    configFile,
    config,
    usingExample,
    allowDestroy,
    stackName,
    ...(chromiumLayerArn ? { chromiumLayerArn } : {}),
  };
}
