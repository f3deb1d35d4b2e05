/**
 * One JSON object per log line. The functions log in Lambda's JSON format, so CloudWatch Logs
 * Insights can filter on these fields (source, key, rows_rejected, report, ...).
 */
type Level = 'debug' | 'info' | 'warn' | 'error';

function write(level: Level, message: string, fields: Record<string, unknown>): void {
  console[level](JSON.stringify({ message, ...fields }));
}

export const log = {
  info: (message: string, fields: Record<string, unknown> = {}) => write('info', message, fields),
  warn: (message: string, fields: Record<string, unknown> = {}) => write('warn', message, fields),
  error: (message: string, fields: Record<string, unknown> = {}) => write('error', message, fields),
};

/** The error's message (and name) for a log line, without the stack of a data error. */
export function describeError(error: unknown): { error: string; errorType: string } {
  if (error instanceof Error) return { error: error.message, errorType: error.name };
  return { error: String(error), errorType: typeof error };
}
