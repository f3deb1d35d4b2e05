/**
 * The CLI on a thread of its own (cli-thread.ts), one command line per request, its output
 * captured: a command that hangs or kills its thread is stopped (the thread terminated) without
 * stopping the campaign, and the next command gets a new thread. Output arrives as it is written,
 * so a time limit counts from the last output (ingest writes a line per file as each is done):
 * it is a limit per file, not per command.
 */
import { Worker } from 'node:worker_threads';

export interface CliRequest {
  readonly id: number;
  readonly argv: readonly string[];
}

/** Output as it is written, then the exit code. */
export type CliReply =
  | { readonly id: number; readonly kind: 'output'; readonly stream: 'stdout' | 'stderr'; readonly text: string }
  | { readonly id: number; readonly kind: 'exit'; readonly code: number };

/** How a command ended: its exit code and output, or the thread stopped (a hang or a crash). */
export type CliOutcome =
  | { readonly kind: 'exited'; readonly code: number; readonly stdout: string; readonly stderr: string }
  | { readonly kind: 'hung'; readonly silentMs: number }
  | { readonly kind: 'crashed'; readonly error: string };

const ENTRY = new URL('./cli-thread.mjs', import.meta.url);

/** One CLI thread at a time; a new one is started after a hang or a crash. */
export class CliRunner {
  private worker: Worker | undefined;
  private nextId = 0;

  /** Runs one command line, stopping it when it writes nothing for `silentMs`. */
  async run(argv: readonly string[], silentMs: number): Promise<CliOutcome> {
    this.worker ??= new Worker(ENTRY);
    const worker = this.worker;
    const id = this.nextId++;
    let stdout = '';
    let stderr = '';
    const outcome = await new Promise<CliOutcome>((resolve) => {
      let timer = setTimeout(() => done({ kind: 'hung', silentMs }), silentMs);
      const onMessage = (reply: CliReply) => {
        if (reply.id !== id) return;
        if (reply.kind === 'exit') {
          done({ kind: 'exited', code: reply.code, stdout, stderr });
          return;
        }
        if (reply.stream === 'stdout') stdout += reply.text;
        else stderr += reply.text;
        clearTimeout(timer);
        timer = setTimeout(() => done({ kind: 'hung', silentMs }), silentMs);
      };
      const onError = (error: Error) => done({ kind: 'crashed', error: `${error.name}: ${error.message}` });
      const onExit = (code: number) => done({ kind: 'crashed', error: `the thread exited with code ${code}` });
      function done(result: CliOutcome) {
        clearTimeout(timer);
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        resolve(result);
      }
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      worker.postMessage({ id, argv } satisfies CliRequest);
    });
    if (outcome.kind !== 'exited') await this.close();
    return outcome;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
