/**
 * Mapping of one Qualtrics response to survey_responses rows: the status and "Finished" filters,
 * the scale checks of every configured rating question (with the `_NPS_GROUP` cross-check) and the
 * ImportId header row that gives each date column its time zone.
 */
import { z } from 'zod';
import { type AdapterContext, FileRejectedError, type MappedRow } from '../../core/normalise/adapter.ts';
import { CHANNELS } from '../../core/schema/canonical.ts';
import { surveyRow } from '../shared/rows.ts';
import { checkScaleOptions, npsGroupOf, resolveScale, scaleOptionsShape, scoreAnswer } from '../shared/survey-scale.ts';
import { parseTime } from '../shared/time.ts';
import { reject } from '../shared/values.ts';

/**
 * Status codes of real responses: 0 "IP Address" (an anonymous link), 4 "Imported", 16 "Offline"
 * (the offline app). Previews (1), tests (2), spam (8) and their combinations (9, 12, 17) are not
 * customers and are rejected. Choice-text exports write the label instead of the code.
 */
export const QUALTRICS_ACCEPTED_STATUSES: readonly string[] = ['0', 'IP Address', '4', 'Imported', '16', 'Offline'];
export const QUALTRICS_STATUS_LABELS: Readonly<Record<string, string>> = {
  '0': 'IP Address',
  '1': 'Survey Preview',
  '2': 'Survey Test',
  '4': 'Imported',
  '8': 'Spam',
  '9': 'Survey Preview Spam',
  '12': 'Imported Spam',
  '16': 'Offline',
  '17': 'Offline Survey Preview',
};
/** Values of "Finished" for a submitted response (numeric and choice-text exports). */
const FINISHED_VALUES = ['1', 'true'];

export const QUALTRICS_DEFAULTS = {
  responseIdColumn: 'ResponseId',
  statusColumn: 'Status',
  finishedColumn: 'Finished',
  respondedAtColumn: 'EndDate',
  updatedAtColumn: 'RecordedDate',
  includeUnfinished: false,
  resolvedYes: ['yes', 'true'],
  resolvedNo: ['no', 'false'],
} as const;

const questionSchema = z
  .object({
    /** Column id in the first header row (the question's export tag, e.g. "Q1" or "nps"). */
    column: z.string().min(1),
    /** Column holding the verbatim that goes with this rating (e.g. "Q2_TEXT"). */
    commentColumn: z.string().min(1).optional(),
    ...scaleOptionsShape,
  })
  .superRefine((q, ctx) => checkScaleOptions(q, ctx, []));

export const qualtricsOptionsSchema = z.object({
  /** Rating questions to curate; one row per answered question per response. */
  questions: z
    .array(questionSchema)
    .min(1, 'name at least one rating question, e.g. [{ "column": "Q1", "kind": "nps" }]'),
  /** @default "ResponseId" */
  responseIdColumn: z.string().min(1).optional(),
  /** @default "Status" */
  statusColumn: z.string().min(1).optional(),
  /** Status values kept. @default 0/IP Address, 4/Imported, 16/Offline */
  acceptedStatuses: z.array(z.string()).optional(),
  /** @default "Finished" */
  finishedColumn: z.string().min(1).optional(),
  /** Keep responses that were closed before the respondent finished. @default false */
  includeUnfinished: z.boolean().optional(),
  /** When the respondent submitted. @default "EndDate" */
  respondedAtColumn: z.string().min(1).optional(),
  /** Version time for deduplication. @default "RecordedDate" */
  updatedAtColumn: z.string().min(1).optional(),
  /** Column (usually embedded data) with the respondent's customer id; it is pseudonymised. */
  customerIdColumn: z.string().min(1).optional(),
  interactionIdColumn: z.string().min(1).optional(),
  agentColumn: z.string().min(1).optional(),
  teamColumn: z.string().min(1).optional(),
  channelColumn: z.string().min(1).optional(),
  /** Touchpoint for questions that do not name their own. */
  touchpoint: z.string().min(1).optional(),
  /** The "was your issue resolved?" question, with the answers meaning yes and no. */
  resolved: z
    .object({
      column: z.string().min(1),
      yes: z.array(z.string()).optional(),
      no: z.array(z.string()).optional(),
    })
    .optional(),
  encoding: z.enum(['utf-8', 'latin1', 'cp1252', 'utf-16le']).optional(),
});

export type QualtricsOptions = z.infer<typeof qualtricsOptionsSchema>;

/** What the ImportId header row tells about the file. */
export interface QualtricsHeader {
  /** Time zone of each date column, from its ImportId JSON (third header row). */
  readonly timeZones: Readonly<Record<string, string>>;
}

export function checkColumns(firstRow: Record<string, string>, options: QualtricsOptions): void {
  const present = new Set(Object.keys(firstRow));
  const needed = [
    options.responseIdColumn ?? QUALTRICS_DEFAULTS.responseIdColumn,
    ...options.questions.map((q) => q.column),
  ];
  const missing = needed.filter((c) => !present.has(c));
  if (missing.length > 0) {
    throw new FileRejectedError(
      `missing column(s) ${missing.join(', ')}; the first header row has ${[...present].slice(0, 40).join(', ')}`,
    );
  }
}

/**
 * The third header row must be the ImportId row; a file without it (a legacy two-row export, or
 * one whose extra header rows were deleted) would otherwise turn its first response into a header.
 */
export function parseImportIdRow(importRow: Record<string, string>, options: QualtricsOptions): QualtricsHeader {
  const idColumn = options.responseIdColumn ?? QUALTRICS_DEFAULTS.responseIdColumn;
  const probe = importRow[idColumn] ?? '';
  if (!probe.trim().startsWith('{') || !probe.includes('ImportId')) {
    throw new FileRejectedError(
      `not a Qualtrics export with three header rows: the third row's ${idColumn} is "${probe}", expected ImportId JSON such as {"ImportId":"_recordId"}`,
    );
  }
  const timeZones: Record<string, string> = {};
  for (const [column, cell] of Object.entries(importRow)) {
    try {
      const parsed = JSON.parse(cell) as { timeZone?: unknown };
      if (typeof parsed.timeZone === 'string') timeZones[column] = parsed.timeZone;
    } catch {
      // Only date columns carry a time zone; other ImportId cells need not parse.
    }
  }
  return { timeZones };
}

/** Maps one response; throws RecordRejection (via reject) when it cannot be curated. */
export function mapQualtricsResponse(
  values: Readonly<Record<string, string>>,
  options: QualtricsOptions,
  context: AdapterContext,
  header: QualtricsHeader,
): MappedRow[] {
  const responseIdColumn = options.responseIdColumn ?? QUALTRICS_DEFAULTS.responseIdColumn;
  const responseId = cell(values, responseIdColumn) ?? reject(responseIdColumn, 'is missing');

  const statusColumn = options.statusColumn ?? QUALTRICS_DEFAULTS.statusColumn;
  const status = cell(values, statusColumn);
  const accepted = options.acceptedStatuses ?? QUALTRICS_ACCEPTED_STATUSES;
  if (status !== null && !accepted.includes(status)) {
    const label = QUALTRICS_STATUS_LABELS[status];
    reject(
      statusColumn,
      `${label ? `${status} (${label})` : status} is not a collected response; accepted statuses: ${accepted.join(', ')}`,
    );
  }
  const finishedColumn = options.finishedColumn ?? QUALTRICS_DEFAULTS.finishedColumn;
  const finished = cell(values, finishedColumn);
  if (
    !(options.includeUnfinished ?? QUALTRICS_DEFAULTS.includeUnfinished) &&
    finished !== null &&
    !FINISHED_VALUES.includes(finished.toLowerCase())
  ) {
    const progress = cell(values, 'Progress');
    reject(
      finishedColumn,
      `unfinished response (Finished=${finished}${progress === null ? '' : `, Progress=${progress}%`}); set includeUnfinished to keep partial responses`,
    );
  }

  const respondedAtColumn = options.respondedAtColumn ?? QUALTRICS_DEFAULTS.respondedAtColumn;
  const updatedAtColumn = options.updatedAtColumn ?? QUALTRICS_DEFAULTS.updatedAtColumn;
  const respondedAt = timestampCell(values, respondedAtColumn, header, context);
  const updatedAt =
    timestampCell(values, updatedAtColumn, header, context) ??
    respondedAt ??
    reject(updatedAtColumn, `is missing (and so is ${respondedAtColumn})`);

  const shared = {
    interaction_id: optionalCell(values, options.interactionIdColumn),
    customer_key: context.pseudonymise('customer', optionalCell(values, options.customerIdColumn)),
    agent_id: optionalCell(values, options.agentColumn),
    team: optionalCell(values, options.teamColumn),
    channel: channelCell(values, options.channelColumn),
    resolved: resolvedCell(values, options),
    responded_at: respondedAt,
    updated_at: updatedAt,
  };

  const rows: MappedRow[] = [];
  for (const question of options.questions) {
    const answer = scoreAnswer(values[question.column], question, question.column);
    if (answer === null) continue;
    if ('error' in answer) reject(question.column, answer.error);
    checkNpsGroup(values, question.column, question.kind, answer.score);
    const scale = resolveScale(question);
    rows.push(
      surveyRow(context, {
        ...shared,
        response_id: `${responseId}/${question.column}`,
        survey_kind: question.kind,
        question: question.column,
        score: answer.score,
        scale_min: scale.min,
        scale_max: scale.max,
        higher_is_better: scale.higherIsBetter,
        touchpoint: question.touchpoint ?? options.touchpoint ?? null,
        comment: optionalCell(values, question.commentColumn),
      }),
    );
  }
  if (rows.length === 0) {
    reject(null, `no configured rating question was answered (${options.questions.map((q) => q.column).join(', ')})`);
  }
  return rows;
}

/**
 * Qualtrics computes `<column>_NPS_GROUP` itself (1 detractor, 2 passive, 3 promoter). When it
 * disagrees with the score, the score's recodes are not 0-10 and every NPS would be wrong.
 */
function checkNpsGroup(values: Readonly<Record<string, string>>, column: string, kind: string, score: number): void {
  const groupColumn = `${column}_NPS_GROUP`;
  const group = cell(values, groupColumn);
  if (group === null || (kind !== 'nps' && kind !== 'enps')) return;
  const byLabel: Record<string, number> = { detractor: 1, passive: 2, promoter: 3 };
  const actual = byLabel[group.toLowerCase()] ?? Number(group);
  const expected = npsGroupOf(score);
  if (actual !== expected) {
    reject(
      groupColumn,
      `Qualtrics grouped this answer as ${group} but score ${score} is group ${expected}: the question's recodes are not 0-10; map them with "recode"`,
    );
  }
}

function cell(values: Readonly<Record<string, string>>, column: string): string | null {
  const value = values[column];
  if (value === undefined) return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function optionalCell(values: Readonly<Record<string, string>>, column: string | undefined): string | null {
  return column === undefined ? null : cell(values, column);
}

function timestampCell(
  values: Readonly<Record<string, string>>,
  column: string,
  header: QualtricsHeader,
  context: AdapterContext,
): Date | null {
  const value = cell(values, column);
  if (value === null) return null;
  // Qualtrics writes "2024-05-02 10:14:33" in the time zone named by the column's ImportId.
  const date = parseTime(value, 'iso', header.timeZones[column] ?? context.timeZone);
  return date ?? reject(column, `"${value}" is not a date-time such as 2024-05-02 10:14:33`);
}

function channelCell(values: Readonly<Record<string, string>>, column: string | undefined) {
  const value = optionalCell(values, column);
  if (value === null) return null;
  const channel = CHANNELS.find((c) => c === value.toLowerCase());
  return channel ?? reject(column ?? null, `"${value}" is not a channel (${CHANNELS.join(', ')})`);
}

function resolvedCell(values: Readonly<Record<string, string>>, options: QualtricsOptions): boolean | null {
  if (!options.resolved) return null;
  const value = cell(values, options.resolved.column);
  if (value === null) return null;
  const answer = value.toLowerCase();
  const yes = (options.resolved.yes ?? QUALTRICS_DEFAULTS.resolvedYes).map((v) => v.toLowerCase());
  const no = (options.resolved.no ?? QUALTRICS_DEFAULTS.resolvedNo).map((v) => v.toLowerCase());
  if (yes.includes(answer)) return true;
  if (no.includes(answer)) return false;
  return reject(options.resolved.column, `"${value}" is neither a yes (${yes.join(', ')}) nor a no (${no.join(', ')})`);
}
