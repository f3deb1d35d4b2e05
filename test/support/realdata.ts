/**
 * The real public exports in ../shared/realdata, beside the repository. Their suites run where the
 * files are and are reported as skipped, naming what is missing, where they are not.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';

export const REALDATA = fileURLToPath(new URL('../../../shared/realdata/', import.meta.url));

/** `describe` over real exports (paths below REALDATA), skipped when one of them is missing. */
export function describeRealdata(title: string, files: readonly string[], body: () => void): void {
  const missing = files.filter((file) => !existsSync(join(REALDATA, file)));
  if (missing.length === 0) describe(title, body);
  else describe.skip(`${title} (skipped: ${missing.join(', ')} not in ${REALDATA})`, body);
}
