/**
 * The dates a curated row can carry. The normaliser rejects rows outside them (pipeline.ts), and
 * the commands that take a period refuse one outside them, since it can only hold no data.
 */

/**
 * Earliest day any timestamp of a row may fall on (unless lake.partitionsFrom is earlier). No
 * contact-centre, survey or social export holds events from before 1990; earlier dates are
 * placeholders read as dates: 0001-01-01 (.NET's DateTime.MinValue), 1899-12-30 and 1900-01-01
 * (spreadsheet day 0), year 0.
 */
export const EARLIEST_TIMESTAMP_DAY = '1990-01-01';

/**
 * How long after its file landed a row may be dated, in milliseconds: nothing in an export happens
 * after it was written, and a day allows for clocks and time zones.
 */
export const LATEST_AFTER_LANDING_MS = 86_400_000;
