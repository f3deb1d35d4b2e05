/**
 * Typed Lambda environments. Each function's variables are declared once as a zod object whose
 * keys are the variable names: the construct that sets them is checked against the input type, the
 * handler parses them at cold start and gets the output type. Every problem is reported together.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { parseConfig, type ServiceBenchConfig } from '../config/config.ts';

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
        'shorten the config sections this function receives (see docs/deploy.md, "Config size")',
    ]);
  }
}

export const nonEmpty = (what: string) => z.string({ error: `must be set to ${what}` }).min(1, `must be ${what}`);

/** Slices longer than this are gzipped (inlined column mappings make configs large). */
export const CONFIG_GZIP_THRESHOLD_BYTES = 1024;
const GZIP_PREFIX = 'gzip:';

/** A config slice serialised as JSON (gzip + base64 when long), re-validated by the schema the CLI uses. */
export const configJson = z.string({ error: 'must be set to the config as JSON' }).transform((value, ctx) => {
  try {
    const text = value.startsWith(GZIP_PREFIX)
      ? gunzipSync(Buffer.from(value.slice(GZIP_PREFIX.length), 'base64')).toString('utf8')
      : value;
    return parseConfig(JSON.parse(text), 'SERVICEBENCH_CONFIG');
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

/** The parts of the config one function needs; the rest stays out of its 4 KB environment. */
export function configSlice<K extends keyof ServiceBenchConfig>(
  config: ServiceBenchConfig,
  keys: readonly K[],
): string {
  const slice: Partial<ServiceBenchConfig> = {};
  for (const key of keys) slice[key] = config[key];
  const json = JSON.stringify(slice);
  if (Buffer.byteLength(json) <= CONFIG_GZIP_THRESHOLD_BYTES) return json;
  return `${GZIP_PREFIX}${gzipSync(json, { level: 9 }).toString('base64')}`;
}
