/**
 * The names of ServiceBench's own CloudWatch metrics, shared by the functions that publish them
 * (as EMF lines) and the alarms and dashboard that read them (lib/operations.ts, lib/dashboard.ts).
 */

export const METRICS_NAMESPACE = 'ServiceBench';

/** Dimension names. `Stack` keeps the metrics of several stacks (environments) in one account apart. */
export const DIMENSION = {
  stack: 'Stack',
  source: 'Source',
} as const;

/** What the normaliser publishes per landed object, per source and summed over the stack. */
export const INGESTION_METRIC = {
  /** 1 per object normalised (or rejected whole). */
  filesLanded: 'FilesLanded',
  /** 1 when the object could not be read at all (wrong format, corrupt, missing columns), else 0. */
  filesRejectedWhole: 'FilesRejectedWhole',
  rowsRead: 'RowsRead',
  rowsAccepted: 'RowsAccepted',
  rowsRejected: 'RowsRejected',
  /** rows_rejected / rows_read of one object, a fraction; absent when the object had no record. */
  rejectShare: 'RejectShare',
} as const;

/** What the silence check publishes hourly per watched source. */
export const SILENCE_METRIC = {
  /** Hours since the source's last delivery, or since the check started watching a source that never delivered. */
  hoursSinceDelivery: 'HoursSinceDelivery',
} as const;
