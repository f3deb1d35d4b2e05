/**
 * Mapping of one anonymous employee pulse answer row. Two layouts are read: long (one row per
 * answer, with a question_kind column) and wide (one row per respondent, one column per question).
 * No person identifier is ever stored: a file that carries one is refused unless the options ask
 * for such columns to be dropped, and dropped columns never reach the reject file either.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AdapterContext, MappedRow } from '../../core/normalise/adapter.ts';
import { type EmployeePulse, PULSE_QUESTION_KINDS } from '../../core/schema/canonical.ts';
import { reject } from '../shared/values.ts';

type PulseKind = (typeof PULSE_QUESTION_KINDS)[number];

/** eNPS is defined on 0-10; engagement and satisfaction items are 1-5 Likert scales by default. */
export const PULSE_SCALES: Readonly<Record<PulseKind, { readonly min: number; readonly max: number }>> = {
  enps: { min: 0, max: 10 },
  engagement: { min: 1, max: 5 },
  satisfaction: { min: 1, max: 5 },
};

export const PULSE_COLUMNS = {
  responseId: 'response_id',
  team: 'team',
  period: 'period',
  questionKind: 'question_kind',
  question: 'question',
  score: 'score',
} as const;

/**
 * Column names (lower-cased, punctuation as "_") that identify a person. "team" and the like are
 * not here: a team is the smallest unit reported.
 */
export const IDENTIFYING_COLUMNS: readonly string[] = [
  'email',
  'e_mail',
  'email_address',
  'mail',
  'name',
  'full_name',
  'first_name',
  'last_name',
  'employee',
  'employee_name',
  'employee_id',
  'employee_email',
  'employee_number',
  'user',
  'user_id',
  'username',
  'login',
  'phone',
  'respondent_name',
  'respondent_email',
];

const scaleSchema = z
  .object({ min: z.number(), max: z.number() })
  .refine((s) => s.min < s.max, { message: 'min must be below max' });

export const employeePulseOptionsSchema = z
  .object({
    /** long: a question_kind and a score column; wide: one column per question. @default "long" */
    layout: z.enum(['long', 'wide']).optional(),
    columns: z
      .partialRecord(z.enum(['responseId', 'team', 'period', 'questionKind', 'question', 'score']), z.string().min(1))
      .optional(),
    /** Wide layout: the question columns and what each measures. */
    questions: z.array(z.object({ column: z.string().min(1), kind: z.enum(PULSE_QUESTION_KINDS) })).optional(),
    /** Long layout: source labels of question_kind → canonical kind (e.g. { "eNPS": "enps" }). */
    kindValues: z.record(z.string(), z.enum(PULSE_QUESTION_KINDS)).optional(),
    /** Scale per kind, over PULSE_SCALES (eNPS must stay 0-10). */
    scales: z.partialRecord(z.enum(PULSE_QUESTION_KINDS), scaleSchema).optional(),
    /** Drop columns that identify a person instead of refusing the file. @default false */
    dropIdentifyingColumns: z.boolean().optional(),
    encoding: z.enum(['utf-8', 'latin1', 'cp1252', 'utf-16le']).optional(),
    delimiter: z.string().min(1).optional(),
  })
  .superRefine((o, ctx) => {
    if ((o.layout ?? 'long') === 'wide' && (o.questions?.length ?? 0) === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['questions'],
        message: 'the wide layout needs its question columns, e.g. [{ "column": "enps", "kind": "enps" }]',
      });
    }
    const enps = o.scales?.enps;
    if (enps && (enps.min !== 0 || enps.max !== 10)) {
      ctx.addIssue({
        code: 'custom',
        path: ['scales', 'enps'],
        message: `eNPS is defined on 0-10 (got ${enps.min}-${enps.max})`,
      });
    }
  });

export type EmployeePulseOptions = z.infer<typeof employeePulseOptionsSchema>;
type ColumnKey = keyof typeof PULSE_COLUMNS;

export function pulseColumn(options: EmployeePulseOptions, key: ColumnKey): string {
  return options.columns?.[key] ?? PULSE_COLUMNS[key];
}

/** Header columns that identify a person. */
export function identifyingColumns(header: readonly string[]): string[] {
  return header.filter((c) => {
    const norm = c
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_|_$/g, '');
    return IDENTIFYING_COLUMNS.includes(norm) || norm.includes('email');
  });
}

/** Checks the header; returns the columns to drop from every record. Throws a message to reject the file. */
export function checkPulseHeader(
  header: readonly string[],
  options: EmployeePulseOptions,
): { drop: string[]; problems: string[] } {
  const problems: string[] = [];
  const identifying = identifyingColumns(header);
  if (identifying.length > 0 && !(options.dropIdentifyingColumns ?? false)) {
    problems.push(
      `the file carries person identifiers (${identifying.join(', ')}); pulse answers must stay anonymous: remove the column(s) or set dropIdentifyingColumns`,
    );
  }
  const needed =
    (options.layout ?? 'long') === 'long'
      ? [pulseColumn(options, 'period'), pulseColumn(options, 'questionKind'), pulseColumn(options, 'score')]
      : [pulseColumn(options, 'period'), ...(options.questions ?? []).map((q) => q.column)];
  const missing = needed.filter((c) => !header.includes(c));
  if (missing.length > 0) problems.push(`missing column(s) ${missing.join(', ')}`);
  return { drop: identifying, problems };
}

export function mapPulseRow(
  values: Readonly<Record<string, string>>,
  rowNumber: number,
  options: EmployeePulseOptions,
  context: AdapterContext,
): MappedRow[] {
  const get = (column: string): string | null => {
    const v = values[column]?.trim();
    return v === undefined || v === '' ? null : v;
  };
  const periodColumn = pulseColumn(options, 'period');
  const periodValue = get(periodColumn) ?? reject(periodColumn, 'is missing');
  const period =
    periodStart(periodValue) ?? reject(periodColumn, `"${periodValue}" is not a period such as 2024-05 or 2024-05-01`);
  // Anonymous files often have no response id: the object and row make a stable one.
  const responseId = get(pulseColumn(options, 'responseId')) ?? rowId(context.objectKey, rowNumber);
  const team = get(pulseColumn(options, 'team'));

  const answers: { kind: PulseKind; column: string; question: string }[] =
    (options.layout ?? 'long') === 'wide'
      ? (options.questions ?? []).map((q) => ({ kind: q.kind, column: q.column, question: q.column }))
      : [longAnswer(get, options)];
  const rows: MappedRow[] = [];
  for (const answer of answers) {
    const raw = get(answer.column);
    if (raw === null) continue;
    const score = Number(raw);
    if (!Number.isFinite(score)) reject(answer.column, `"${raw}" is not a number`);
    const scale = options.scales?.[answer.kind] ?? PULSE_SCALES[answer.kind];
    if (score < scale.min || score > scale.max) {
      reject(answer.column, `score ${score} is outside the ${answer.kind} scale ${scale.min}-${scale.max}`);
    }
    const row: EmployeePulse = {
      source: context.source,
      response_id: `${responseId}/${answer.question}`,
      team,
      period,
      question_kind: answer.kind,
      score,
      scale_min: scale.min,
      scale_max: scale.max,
      ingested_at: context.ingestedAt,
    };
    rows.push({ table: 'employee_pulse', row });
  }
  if (rows.length === 0) reject(null, 'no question was answered');
  return rows;
}

function longAnswer(get: (c: string) => string | null, options: EmployeePulseOptions) {
  const kindColumn = pulseColumn(options, 'questionKind');
  const label = get(kindColumn) ?? reject(kindColumn, 'is missing');
  const kind =
    options.kindValues?.[label] ??
    PULSE_QUESTION_KINDS.find((k) => k === label.toLowerCase()) ??
    reject(
      kindColumn,
      `"${label}" is not a question kind (${PULSE_QUESTION_KINDS.join(', ')}); map it with kindValues`,
    );
  return { kind, column: pulseColumn(options, 'score'), question: get(pulseColumn(options, 'question')) ?? kind };
}

/** UTC midnight of the first day of a "YYYY-MM" period, or of a "YYYY-MM-DD" date. */
export function periodStart(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d ?? 1)));
  const valid = date.getUTCMonth() === Number(mo) - 1 && date.getUTCDate() === Number(d ?? 1);
  return valid ? date : null;
}

function rowId(objectKey: string, rowNumber: number): string {
  return createHash('sha256').update(`${objectKey}\n${rowNumber}`).digest('hex').slice(0, 32);
}
