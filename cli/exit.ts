/** Exit codes scripts can rely on (documented in README.md). */
export const EXIT = {
  ok: 0,
  /**
   * Configuration, usage or runtime error: nothing (more) was done, except by `ingest`, which
   * still ingests the files that do not fail.
   */
  error: 1,
  /** At least one file was rejected whole (the others were ingested). */
  fileRejected: 3,
  /**
   * Too many rows were rejected: a file's or the run's share is over ingest.maxRejectShare, or,
   * with --strict, any row at all.
   */
  rowsRejected: 4,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
