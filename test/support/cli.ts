/** The CLI run in this process, with its output captured: as a user sees it, without a process start. */
import { execFile } from 'node:child_process';
import { main } from '../../cli/main.ts';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(args: readonly string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

const ENTRY = new URL('../../bin/servicebench.mjs', import.meta.url).pathname;

/** The CLI as a separate process, for what only a process shows: its exit code and its streams. */
export function spawnCli(args: readonly string[], cwd: string): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [ENTRY, ...args], { cwd }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
