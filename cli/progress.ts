/**
 * Where a command tells of a step that takes seconds (a metric refresh, a report being rendered):
 * one line each on stderr, so stdout stays the command's result. A module of its own, so `query`
 * writes progress without loading the config's module (context.ts) for a statement that needs no
 * config.
 */
import type { CliIo } from './context.ts';

export function progressLines(io: CliIo): (message: string) => void {
  return (message) => io.stderr.write(`${message}\n`);
}

/** Longest silence of a step that runs on: it tells how far it got at least this often. */
export const PROGRESS_EVERY_MS = 3_000;

/**
 * Awaits `work`, saying `reminder(elapsed ms)` every PROGRESS_EVERY_MS until it settles: a step
 * told of in one line (a single long statement) still shows it is running, and how far it got.
 */
export async function remindWhile<T>(
  work: Promise<T>,
  say: (message: string) => void,
  reminder: (elapsedMs: number) => string,
): Promise<T> {
  const started = performance.now();
  const timer = setInterval(() => say(reminder(performance.now() - started)), PROGRESS_EVERY_MS);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}
