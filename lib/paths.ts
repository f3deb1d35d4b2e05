import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The project folder: where package-lock.json and node_modules are. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

const HANDLERS_DIR = fileURLToPath(new URL('../lambdas/handlers/', import.meta.url));

/** Absolute path of a handler module in lambdas/handlers/. */
export function handlerEntry(name: string): string {
  return `${HANDLERS_DIR}${name}.ts`;
}

/**
 * Every module in lambdas/handlers/, handlers and their shared helpers alike: `cdk synth` bundles
 * them all in one esbuild run (parsing the AWS SDK, zod and the core once), so a new handler needs
 * no registration.
 */
export function handlerModules(): string[] {
  return readdirSync(HANDLERS_DIR)
    .filter((file) => file.endsWith('.ts'))
    .sort()
    .map((file) => `${HANDLERS_DIR}${file}`);
}

/**
 * Synth-time caches (bundles, staged layers), kept between runs and ignored by git with
 * node_modules; `SERVICEBENCH_SYNTH_CACHE` puts them elsewhere (a test's own folder).
 */
export const SYNTH_CACHE_DIR =
  process.env.SERVICEBENCH_SYNTH_CACHE ??
  fileURLToPath(new URL('../node_modules/.cache/servicebench/', import.meta.url));
