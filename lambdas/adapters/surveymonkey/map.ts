/**
 * Mapping of one SurveyMonkey response row. The export has two header rows: the first names the
 * metadata columns and each question, written once over all of the question's columns (the rest
 * are blank); the second names each column's answer option ("Response", "Open-Ended Response",
 * a choice or a matrix row). A column is found by question heading plus option.
 */
import { z } from 'zod';
import { type AdapterContext, FileRejectedError, type MappedRow } from '../../core/normalise/adapter.ts';
import { CHANNELS } from '../../core/schema/canonical.ts';
import { surveyRow } from '../shared/rows.ts';
import { checkScaleOptions, resolveScale, scaleOptionsShape, scoreAnswer } from '../shared/survey-scale.ts';
import { parseTime, timestampFormatSchema } from '../shared/time.ts';
import { reject } from '../shared/values.ts';

export const SURVEYMONKEY_DEFAULTS = {
  respondentIdColumn: 'Respondent ID',
  respondedAtColumn: 'End Date',
  /** How SurveyMonkey's CSV export writes dates (US month first, 12-hour clock). */
  timestampFormat: 'M/d/yyyy h:mm:ss a',
  /** The option label SurveyMonkey writes under a single-answer question. */
  answerOption: 'Response',
} as const;

const questionSchema = z
  .object({
    /** The question text exactly as in the first header row. */
    heading: z.string().min(1),
    /** The second-header-row label of the answer column (a matrix row, say). @default "Response" */
    option: z.string().min(1).optional(),
    /** Short stable id written to `question` and into response ids. @default the heading */
    id: z.string().min(1).optional(),
    /** An open-ended question whose answer is the verbatim for this rating. */
    commentHeading: z.string().min(1).optional(),
    ...scaleOptionsShape,
  })
  .superRefine((q, ctx) => checkScaleOptions(q, ctx, []));

export const surveyMonkeyOptionsSchema = z.object({
  questions: z.array(questionSchema).min(1, 'name at least one rating question by its heading'),
  /** @default "Respondent ID" */
  respondentIdColumn: z.string().min(1).optional(),
  /** @default "End Date" */
  respondedAtColumn: z.string().min(1).optional(),
  /** Metadata column with the customer id ("Email Address", "Custom Data 1", ...); pseudonymised. */
  customerIdColumn: z.string().min(1).optional(),
  interactionIdColumn: z.string().min(1).optional(),
  agentColumn: z.string().min(1).optional(),
  teamColumn: z.string().min(1).optional(),
  channelColumn: z.string().min(1).optional(),
  touchpoint: z.string().min(1).optional(),
  /** Date format of Start/End Date (exports from other locales differ). @default "M/d/yyyy h:mm:ss a" */
  timestampFormat: timestampFormatSchema.optional(),
  encoding: z.enum(['utf-8', 'latin1', 'cp1252', 'utf-16le']).optional(),
});

export type SurveyMonkeyOptions = z.infer<typeof surveyMonkeyOptionsSchema>;
type Question = SurveyMonkeyOptions['questions'][number];

/** Where each configured question's answer (and comment) is, by the reader's column names. */
export interface SurveyMonkeyLayout {
  readonly answerColumn: ReadonlyMap<Question, string>;
  readonly commentColumn: ReadonlyMap<Question, string>;
}

/**
 * Builds the layout from the reader's unique column names, which of them were blank in the first
 * header row (the continuation of the question to their left), and the second header row.
 */
export function surveyMonkeyLayout(
  columns: readonly string[],
  blankInFirstRow: ReadonlySet<number>,
  optionRow: Readonly<Record<string, string>>,
  options: SurveyMonkeyOptions,
): SurveyMonkeyLayout {
  const byHeading = new Map<string, { column: string; option: string }[]>();
  let heading = '';
  columns.forEach((column, index) => {
    if (!blankInFirstRow.has(index)) heading = column;
    const list = byHeading.get(heading) ?? [];
    list.push({ column, option: (optionRow[column] ?? '').trim() });
    byHeading.set(heading, list);
  });
  const find = (wanted: string, option: string | undefined): string | null => {
    const candidates = byHeading.get(wanted.trim());
    if (!candidates) return null;
    if (option === undefined && candidates.length === 1) return candidates[0]?.column ?? null;
    const label = option ?? SURVEYMONKEY_DEFAULTS.answerOption;
    return candidates.find((c) => c.option === label)?.column ?? null;
  };
  const missing: string[] = [];
  const answerColumn = new Map<Question, string>();
  const commentColumn = new Map<Question, string>();
  for (const q of options.questions) {
    const answer = find(q.heading, q.option);
    if (answer === null) missing.push(`"${q.heading}"${q.option ? ` / "${q.option}"` : ''}`);
    else answerColumn.set(q, answer);
    if (q.commentHeading) {
      const comment = find(q.commentHeading, undefined) ?? find(q.commentHeading, 'Open-Ended Response');
      if (comment === null) missing.push(`"${q.commentHeading}"`);
      else commentColumn.set(q, comment);
    }
  }
  const metadata = [
    options.respondentIdColumn ?? SURVEYMONKEY_DEFAULTS.respondentIdColumn,
    options.respondedAtColumn ?? SURVEYMONKEY_DEFAULTS.respondedAtColumn,
  ];
  for (const column of metadata) if (!columns.includes(column)) missing.push(`"${column}"`);
  if (missing.length > 0) {
    throw new FileRejectedError(`not found in the two SurveyMonkey header rows: ${missing.join(', ')}`);
  }
  return { answerColumn, commentColumn };
}

export function mapSurveyMonkeyResponse(
  values: Readonly<Record<string, string>>,
  layout: SurveyMonkeyLayout,
  options: SurveyMonkeyOptions,
  context: AdapterContext,
): MappedRow[] {
  const idColumn = options.respondentIdColumn ?? SURVEYMONKEY_DEFAULTS.respondentIdColumn;
  const respondentId = cell(values, idColumn) ?? reject(idColumn, 'is missing');
  const atColumn = options.respondedAtColumn ?? SURVEYMONKEY_DEFAULTS.respondedAtColumn;
  const at = cell(values, atColumn) ?? reject(atColumn, 'is missing');
  const format = options.timestampFormat ?? SURVEYMONKEY_DEFAULTS.timestampFormat;
  // Exports write the account's local time without a zone: the source's time zone applies.
  const respondedAt =
    parseTime(at, format, context.timeZone) ?? reject(atColumn, `"${at}" does not match the date format ${format}`);

  const channelValue = optional(values, options.channelColumn);
  const channel =
    channelValue === null
      ? null
      : (CHANNELS.find((c) => c === channelValue.toLowerCase()) ??
        reject(options.channelColumn ?? null, `"${channelValue}" is not a channel (${CHANNELS.join(', ')})`));

  const rows: MappedRow[] = [];
  for (const question of options.questions) {
    const column = layout.answerColumn.get(question) as string;
    const label = question.id ?? question.heading;
    const answer = scoreAnswer(values[column], question, label);
    if (answer === null) continue;
    if ('error' in answer) reject(column, answer.error);
    const scale = resolveScale(question);
    const commentColumn = layout.commentColumn.get(question);
    rows.push(
      surveyRow(context, {
        response_id: `${respondentId}/${label}`,
        survey_kind: question.kind,
        question: label,
        score: answer.score,
        scale_min: scale.min,
        scale_max: scale.max,
        higher_is_better: scale.higherIsBetter,
        interaction_id: optional(values, options.interactionIdColumn),
        customer_key: context.pseudonymise('customer', optional(values, options.customerIdColumn)),
        agent_id: optional(values, options.agentColumn),
        team: optional(values, options.teamColumn),
        channel,
        touchpoint: question.touchpoint ?? options.touchpoint ?? null,
        responded_at: respondedAt,
        comment: commentColumn === undefined ? null : cell(values, commentColumn),
        updated_at: respondedAt,
      }),
    );
  }
  if (rows.length === 0) reject(null, 'no configured rating question was answered');
  return rows;
}

function cell(values: Readonly<Record<string, string>>, column: string): string | null {
  const v = values[column]?.trim();
  return v === undefined || v === '' ? null : v;
}

function optional(values: Readonly<Record<string, string>>, column: string | undefined): string | null {
  return column === undefined ? null : cell(values, column);
}
