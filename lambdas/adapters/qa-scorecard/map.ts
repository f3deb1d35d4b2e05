/**
 * Mapping of one row of a long-format QA scorecard export (one row per criterion of an
 * evaluation, as most QA tools and spreadsheets produce) to a qa_evaluations row.
 */
import { z } from 'zod';
import type { AdapterContext, MappedRow } from '../../core/normalise/adapter.ts';
import { EVALUATION_KINDS, type QaEvaluation } from '../../core/schema/canonical.ts';
import { parseTime, timestampFormatSchema } from '../shared/time.ts';
import { reject } from '../shared/values.ts';

export const QA_SCORECARD_COLUMNS = {
  evaluationId: 'evaluation_id',
  agent: 'agent',
  team: 'team',
  evaluator: 'evaluator',
  scorecard: 'scorecard',
  section: 'section',
  criterion: 'criterion',
  points: 'points',
  maxPoints: 'max_points',
  weight: 'weight',
  critical: 'critical',
  na: 'na',
  kind: 'kind',
  evaluatedAt: 'evaluated_at',
  updatedAt: 'updated_at',
  interactionId: 'interaction_id',
} as const;

export const QA_SCORECARD_DEFAULTS = {
  /** Weight of a criterion whose weight cell is blank: all criteria count alike. */
  weight: 1,
  timestampFormat: 'iso',
  trueValues: ['true', 'yes', 'y', '1'],
  falseValues: ['false', 'no', 'n', '0'],
} as const;

type ColumnKey = keyof typeof QA_SCORECARD_COLUMNS;
const REQUIRED_COLUMNS: readonly ColumnKey[] = ['evaluationId', 'criterion', 'maxPoints', 'evaluatedAt'];

export const qaScorecardOptionsSchema = z.object({
  /** Column names, where they differ from the defaults (evaluation_id, agent, team, ...). */
  columns: z
    .partialRecord(z.enum(Object.keys(QA_SCORECARD_COLUMNS) as [ColumnKey, ...ColumnKey[]]), z.string().min(1))
    .optional(),
  /** Evaluation kind when the file has no kind column (or leaves it blank). */
  kind: z.enum(EVALUATION_KINDS).optional(),
  /** Source kind label → canonical kind, e.g. { "QA": "internal_qa", "Mystery shopper": "mystery_shop" }. */
  kindValues: z.record(z.string(), z.enum(EVALUATION_KINDS)).optional(),
  /** Cell values read as true in the critical and na columns. @default true, yes, y, 1 */
  trueValues: z.array(z.string()).optional(),
  /** @default false, no, n, 0 */
  falseValues: z.array(z.string()).optional(),
  /** Format of evaluated_at/updated_at; wall times are in the source time zone. @default "iso" */
  timestampFormat: timestampFormatSchema.optional(),
  encoding: z.enum(['utf-8', 'latin1', 'cp1252', 'utf-16le']).optional(),
  delimiter: z.string().min(1).optional(),
});

export type QaScorecardOptions = z.infer<typeof qaScorecardOptionsSchema>;

export function columnName(options: QaScorecardOptions, key: ColumnKey): string {
  return options.columns?.[key] ?? QA_SCORECARD_COLUMNS[key];
}

/** Required columns missing from the header, by their configured names. */
export function missingColumns(header: readonly string[], options: QaScorecardOptions): string[] {
  const required = REQUIRED_COLUMNS.map((k) => columnName(options, k));
  const kindless = options.kind === undefined ? [columnName(options, 'kind')] : [];
  return [...required, ...kindless].filter((c) => !header.includes(c));
}

export function mapScorecardRow(
  values: Readonly<Record<string, string>>,
  options: QaScorecardOptions,
  context: AdapterContext,
): MappedRow[] {
  const col = (key: ColumnKey) => columnName(options, key);
  const get = (key: ColumnKey): string | null => {
    const v = values[col(key)]?.trim();
    return v === undefined || v === '' ? null : v;
  };
  const number = (key: ColumnKey): number | null => {
    const v = get(key);
    if (v === null) return null;
    const n = Number(v);
    return Number.isFinite(n) ? n : reject(col(key), `"${v}" is not a number`);
  };
  const flag = (key: ColumnKey): boolean => {
    const v = get(key)?.toLowerCase();
    if (v === undefined) return false;
    if ((options.trueValues ?? QA_SCORECARD_DEFAULTS.trueValues).map((t) => t.toLowerCase()).includes(v)) return true;
    if ((options.falseValues ?? QA_SCORECARD_DEFAULTS.falseValues).map((t) => t.toLowerCase()).includes(v))
      return false;
    return reject(col(key), `"${get(key)}" is neither true nor false`);
  };
  const time = (key: ColumnKey): Date | null => {
    const v = get(key);
    if (v === null) return null;
    return (
      parseTime(v, options.timestampFormat ?? QA_SCORECARD_DEFAULTS.timestampFormat, context.timeZone) ??
      reject(col(key), `"${v}" is not a ${options.timestampFormat ?? QA_SCORECARD_DEFAULTS.timestampFormat} date-time`)
    );
  };

  const evaluationId = get('evaluationId') ?? reject(col('evaluationId'), 'is missing');
  const criterion = get('criterion') ?? reject(col('criterion'), 'is missing');
  const isNa = flag('na');
  const maxPoints = number('maxPoints') ?? reject(col('maxPoints'), 'is missing');
  // A criterion worth nothing cannot be scored as a fraction; only an N/A one may say so.
  if (maxPoints <= 0 && !isNa) reject(col('maxPoints'), `must be above 0 (got ${maxPoints})`);
  const points = isNa
    ? null
    : (number('points') ?? reject(col('points'), 'is missing (mark the criterion N/A instead)'));
  if (points !== null && (points < 0 || points > maxPoints)) {
    reject(col('points'), `${points} is outside 0-${maxPoints} (max_points)`);
  }
  const weight = number('weight') ?? QA_SCORECARD_DEFAULTS.weight;
  if (weight < 0) reject(col('weight'), `must not be negative (got ${weight})`);
  const evaluatedAt = time('evaluatedAt') ?? reject(col('evaluatedAt'), 'is missing');

  const row: QaEvaluation = {
    source: context.source,
    evaluation_id: evaluationId,
    evaluation_kind: kindOf(get('kind'), options, col('kind')),
    interaction_id: get('interactionId'),
    agent_id: get('agent'),
    team: get('team'),
    evaluator: get('evaluator'),
    scorecard: get('scorecard'),
    criterion,
    section: get('section'),
    points,
    max_points: maxPoints,
    weight,
    is_critical: flag('critical'),
    is_na: isNa,
    evaluated_at: evaluatedAt,
    updated_at: time('updatedAt') ?? evaluatedAt,
    ingested_at: context.ingestedAt,
  };
  return [{ table: 'qa_evaluations', row }];
}

function kindOf(value: string | null, options: QaScorecardOptions, column: string): QaEvaluation['evaluation_kind'] {
  if (value === null) return options.kind ?? reject(column, 'is missing and no default kind is configured');
  const mapped = options.kindValues?.[value] ?? EVALUATION_KINDS.find((k) => k === value.toLowerCase());
  return (
    mapped ??
    reject(column, `"${value}" is not an evaluation kind (${EVALUATION_KINDS.join(', ')}); map it with kindValues`)
  );
}
