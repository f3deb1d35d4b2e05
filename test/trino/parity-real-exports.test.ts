/**
 * Every row of every view, and of the materialised metric_values, is the same on Trino as on the
 * local DuckDB engine over a lake of every real public export of ../shared/realdata, ingested
 * with the shipped example config and mappings.
 */
import { describeRealdata } from '../support/realdata.ts';
import { REAL_EXPORTS, realExportLake } from './lakes.ts';
import { describeParity } from './support.ts';

/**
 * No real export holds QA evaluations or employee pulse answers: the views over only those
 * tables have no rows, and every other relation has some.
 */
const EMPTY_WITHOUT_QA_OR_PULSE = new Set([
  'qa_evaluations_latest',
  'employee_pulse_latest',
  'metrics_quality',
  'quality_criteria',
  'qa_criterion_attainment',
  'metrics_employee',
]);

describeRealdata(
  'DuckDB and Trino return the same rows over a lake of every real export',
  [...new Set(REAL_EXPORTS.map((e) => e.file))],
  () => {
    describeParity('real_exports', realExportLake, EMPTY_WITHOUT_QA_OR_PULSE);
  },
);
