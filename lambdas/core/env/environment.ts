/**
 * Typed Lambda environments. Each function's variables are declared once as a zod object whose
 * keys are the variable names: the construct that sets them is checked against the input type, the
 * handler parses them at cold start and gets the output type. Every problem is reported together.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { loadConfig, type ServiceBenchConfig } from '../config/config.ts';

/** Lambda caps the whole environment (names and values) at 4 KB. */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

export class EnvironmentError extends Error {
  constructor(
    readonly functionName: string,
    readonly problems: readonly string[],
  ) {
    super(`${functionName} environment: ${problems.length} problem(s)\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EnvironmentError';
  }
}

/** Parses the process environment against a function's contract, reporting every bad variable at once. */
export function parseEnvironment<S extends z.ZodObject>(
  functionName: string,
  schema: S,
  env: Readonly<Record<string, string | undefined>> = process.env,
): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new EnvironmentError(
    functionName,
    result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
  );
}

/** Checks a whole environment against Lambda's size limit before it reaches CloudFormation. */
export function assertEnvironmentSize(functionName: string, env: Readonly<Record<string, string>>): void {
  const bytes = Object.entries(env).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value),
    0,
  );
  if (bytes > LAMBDA_ENVIRONMENT_LIMIT_BYTES) {
    throw new EnvironmentError(functionName, [
      `the environment is ${bytes} bytes, over Lambda's ${LAMBDA_ENVIRONMENT_LIMIT_BYTES}-byte limit; ` +
        'shorten the values set on this function',
    ]);
  }
}

export const nonEmpty = (what: string) => z.string({ error: `must be set to ${what}` }).min(1, `must be ${what}`);

/**
 * Name of the config slice bundled next to a handler. Lambda caps the whole environment at 4 KB,
 * and a config with inlined column mappings is larger (the shipped example's sources alone are
 * 9.6 KB of JSON, 4.4 KB gzipped and base64-encoded), so the slice travels in the code asset and
 * the environment names the file.
 */
export const CONFIG_FILE_NAME = 'servicebench.config.json';

export const configFileVariable = nonEmpty('the bundled config file name').default(CONFIG_FILE_NAME);

/** The parts of the config one function needs, as the JSON of its bundled config file. */
export function configSlice<K extends keyof ServiceBenchConfig>(
  config: ServiceBenchConfig,
  keys: readonly K[],
): string {
  const slice: Partial<ServiceBenchConfig> = {};
  for (const key of keys) slice[key] = config[key];
  return `${JSON.stringify(slice, null, 2)}\n`;
}

/**
 * Reads a function's bundled config at cold start and checks it with validateConfig, the loader and
 * rules of the CLI and `cdk synth`, so a function never runs on a config they would reject. The
 * file is resolved against the function's code directory (LAMBDA_TASK_ROOT), else the working
 * directory.
 */
export function loadFunctionConfig(
  file: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ServiceBenchConfig {
  return loadConfig(resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), file));
}
