import { fileURLToPath } from 'node:url';

/** Absolute path of a handler module in lambdas/handlers/. */
export function handlerEntry(name: string): string {
  return fileURLToPath(new URL(`../lambdas/handlers/${name}.ts`, import.meta.url));
}
