/**
 * Every row of every view, and of the materialised tables, is the same on Trino as on the
 * local DuckDB engine over a lake of every real public export of ../shared/realdata, ingested
 * with the shipped example config and mappings.
 */
import { describeRealdata } from '../support/realdata.ts';
import { REAL_EXPORTS, realExportLake } from './lakes.ts';
import { describeParity } from './support.ts';

/**
 * No real export holds QA evaluations or employee pulse answers, and none records both contacts
 * and customer activity under one customer key: the views over only those tables, and
 * service_retention, have no rows, nor have their period tables; every other relation has some.
 */
const EMPTY_IN_REAL_EXPORTS = new Set([
  'qa_evaluations_latest',
  'employee_pulse_latest',
  'metrics_quality',
  'quality_criteria',
  'qa_criterion_attainment',
  'qa_criteria_by_period',
  'metrics_employee',
  'service_retention',
  'service_retention_by_period',
]);

describeRealdata(
  'DuckDB and Trino return the same rows over a lake of every real export',
  [...new Set(REAL_EXPORTS.map((e) => e.file))],
  () => {
    describeParity('real_exports', realExportLake, EMPTY_IN_REAL_EXPORTS);
  },
);
