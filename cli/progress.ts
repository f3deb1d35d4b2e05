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
