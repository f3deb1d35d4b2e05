/**
 * The declarative mapping language: one CSV/TSV/JSONL export to one canonical table. Validation
 * reports every problem at once, each with its path in the mapping, the bad value and the fix,
 * because a mapping is written by hand against an unfamiliar export and fixed in one pass.
 */
import { z } from 'zod';
import type { IdentifierKind } from '../../core/normalise/adapter.ts';
import type { TimestampFormat } from '../../core/parse/index.ts';
import {
  compileTimestampParser,
  compileWallTimeParser,
  DURATION_FORMATS,
  FormatError,
  isTimeZone,
} from '../../core/parse/index.ts';
import { TABLE_NAMES, type TableName } from '../../core/schema/canonical.ts';
import { type ColumnDefinition, columnsOf } from '../../core/schema/derive.ts';

export type JsonScalar = string | number | boolean | null;

/** A test on one source column's raw text (trimmed); exactly one operator. */
export interface Condition {
  readonly column: string;
  readonly equals?: string;
  readonly notEquals?: string;
  readonly in?: readonly string[];
  readonly notIn?: readonly string[];
  /** Regular expression (JavaScript syntax) the value must match. */
  readonly matches?: string;
  /** true: the value is blank or a null token; false: it is not. */
  readonly blank?: boolean;
  readonly greaterThan?: number;
  readonly lessThan?: number;
}
export const CONDITION_OPERATORS = [
  'equals',
  'notEquals',
  'in',
  'notIn',
  'matches',
  'blank',
  'greaterThan',
  'lessThan',
] as const;

export const COLUMN_TYPES = ['string', 'number', 'integer', 'boolean', 'timestamp', 'duration'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export interface ColumnSpec {
  readonly column: string;
  /** Defaults to the canonical field's type (timestamp, number, integer, boolean, string). */
  readonly type?: ColumnType;
  /** Timestamp format ('iso' by default) or duration format ('seconds' by default). */
  readonly format?: string;
  /** Raw value → canonical value; a value missing from the map is an error unless `otherwise` is set. */
  readonly map?: Readonly<Record<string, JsonScalar>>;
  readonly otherwise?: JsonScalar;
  /** Value used when the cell is blank or a null token. */
  readonly default?: JsonScalar;
  /** Extra raw values that mean "no value" in this column (e.g. "NO_SERVER", "0:00:00"). */
  readonly nullIf?: readonly string[];
  readonly decimalComma?: boolean;
  /** Boolean tokens replacing the defaults (Y/N, yes/no, true/false, 1/0). */
  readonly trueValues?: readonly string[];
  readonly falseValues?: readonly string[];
}
export interface PartSpec {
  readonly column: string;
  readonly format: string;
  readonly nullIf?: readonly string[];
}
export interface DateTimeSpec {
  readonly date: PartSpec;
  readonly time: PartSpec;
  /**
   * A canonical timestamp field this one follows. Logs with one date column and several time
   * columns write a step that crossed midnight with the start's date: when the time reads more
   * than MIDNIGHT_ROLLOVER_HOURS before the field, it is taken on the next day.
   */
  readonly nextDayIfEarlierThan?: string;
}
/** Beyond this gap an "earlier" time of day is read as after midnight, not as clock skew. */
export const MIDNIGHT_ROLLOVER_HOURS = 12;
/** A canonical field name, or an inline spec, as an operand of `add`. */
export type Operand = string | FieldSpec;
export const ADD_UNITS = ['seconds', 'minutes', 'hours', 'days', 'months'] as const;

export type FieldSpec =
  | ColumnSpec
  | { readonly const: JsonScalar }
  | { readonly template: string }
  | DateTimeSpec
  | { readonly hash: readonly string[] }
  | { readonly pseudonymise: IdentifierKind; readonly column: string; readonly nullIf?: readonly string[] }
  | { readonly field: string }
  | { readonly durationBetween: readonly [string, string] }
  | {
      readonly add: {
        readonly to: Operand;
        readonly amount: Operand;
        readonly unit: (typeof ADD_UNITS)[number];
        readonly subtract?: boolean;
      };
    }
  | {
      readonly cases: readonly { readonly when: Condition | readonly Condition[]; readonly use: FieldSpec }[];
      readonly else?: FieldSpec;
    }
  | { readonly coalesce: readonly FieldSpec[] };

export interface DropRule extends Condition {
  readonly reason: string;
}
export interface CheckRule {
  /** [later, earlier]: the record is rejected when both are set and `later` < `earlier`. */
  readonly notBefore: readonly [string, string];
  readonly reason: string;
}

export type MappingFormat =
  | {
      readonly type: 'csv';
      /** Field separator; 'auto' sniffs comma, semicolon, tab or pipe. */
      readonly delimiter?: string;
      readonly encoding?: 'utf-8' | 'latin1' | 'cp1252' | 'utf-16le';
      /** Lines before the header (e.g. stray tool output). */
      readonly skipLines?: number;
      /** Header rows: the first names the columns, the rest are skipped. */
      readonly headerRows?: number;
      /** Column names for a file without a header row. */
      readonly columns?: readonly string[];
    }
  | {
      readonly type: 'jsonl' | 'json';
      readonly encoding?: 'utf-8' | 'latin1' | 'cp1252' | 'utf-16le';
      /** Key of the top-level object whose array holds the records, e.g. "tickets". */
      readonly recordsPath?: string;
    };

export interface Mapping {
  /** What one row becomes and the decisions behind the mapping. */
  readonly description?: string;
  readonly table: TableName;
  readonly format: MappingFormat;
  /** IANA zone of timestamps without an offset; overrides the source's time zone. */
  readonly timeZone?: string;
  /** Raw values read as null in every column; replaces DEFAULT_NULL_TOKENS. */
  readonly nullTokens?: readonly string[];
  readonly fields: Readonly<Record<string, FieldSpec>>;
  readonly drop?: readonly DropRule[];
  readonly checks?: readonly CheckRule[];
  /** Columns that must be in the header besides those the fields use. */
  readonly required?: readonly string[];
}

/** Columns the pipeline sets itself; a mapping may not set them. */
export const AUTOMATIC_FIELDS = ['source', 'ingested_at'] as const;
/** Pseudo-column holding the 1-based data row number (templates, hashes). */
export const ROW_NUMBER_COLUMN = '_row';
const IDENTIFIER_KINDS = ['customer', 'employee', 'author'] as const;
const ENCODINGS = ['utf-8', 'latin1', 'cp1252', 'utf-16le'] as const;

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const columnName = z.string().min(1, 'must name a source column');
const fieldName = z.string().min(1, 'must name a canonical field');

const conditionShape = {
  column: columnName,
  equals: z.string().optional(),
  notEquals: z.string().optional(),
  in: z.array(z.string()).min(1).optional(),
  notIn: z.array(z.string()).min(1).optional(),
  matches: z.string().refine(isRegex, 'must be a valid regular expression').optional(),
  blank: z.boolean().optional(),
  greaterThan: z.number().optional(),
  lessThan: z.number().optional(),
};
const conditionSchema = z.strictObject(conditionShape).superRefine(exactlyOneOperator);
const dropRuleSchema = z
  .strictObject({ ...conditionShape, reason: z.string().min(1, 'must say why these rows are dropped') })
  .superRefine(exactlyOneOperator);
const checkSchema = z.strictObject({
  notBefore: z.tuple([fieldName, fieldName]),
  reason: z.string().min(1, 'must say what the check guards against'),
});

const formatSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('csv'),
    delimiter: z.string().min(1).optional(),
    encoding: z.enum(ENCODINGS).optional(),
    skipLines: z.number().int().min(0).optional(),
    headerRows: z.number().int().min(0).optional(),
    columns: z.array(columnName).min(1).optional(),
  }),
  z.strictObject({
    type: z.enum(['jsonl', 'json']),
    encoding: z.enum(ENCODINGS).optional(),
    recordsPath: z.string().min(1).optional(),
  }),
]);

const topLevelSchema = z.strictObject({
  $schema: z.string().optional(),
  description: z.string().optional(),
  table: z.string(),
  format: formatSchema.default({ type: 'csv' }),
  timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as "Europe/Paris"').optional(),
  nullTokens: z.array(z.string()).optional(),
  fields: z.record(z.string(), z.unknown()),
  drop: z.array(dropRuleSchema).optional(),
  checks: z.array(checkSchema).optional(),
  required: z.array(columnName).optional(),
});

const specSchemas = {
  column: z.strictObject({
    column: columnName,
    type: z.enum(COLUMN_TYPES).optional(),
    format: z.string().min(1).optional(),
    map: z.record(z.string(), scalar).optional(),
    otherwise: scalar.optional(),
    default: scalar.optional(),
    nullIf: z.array(z.string()).optional(),
    decimalComma: z.boolean().optional(),
    trueValues: z.array(z.string()).min(1).optional(),
    falseValues: z.array(z.string()).min(1).optional(),
  }),
  const: z.strictObject({ const: scalar }),
  template: z.strictObject({ template: z.string().min(1) }),
  date: z.strictObject({
    date: z.strictObject({ column: columnName, format: z.string().min(1), nullIf: z.array(z.string()).optional() }),
    time: z.strictObject({ column: columnName, format: z.string().min(1), nullIf: z.array(z.string()).optional() }),
    nextDayIfEarlierThan: fieldName.optional(),
  }),
  hash: z.strictObject({ hash: z.array(columnName).min(1, 'must list at least one column') }),
  pseudonymise: z.strictObject({
    pseudonymise: z.enum(IDENTIFIER_KINDS),
    column: columnName,
    nullIf: z.array(z.string()).optional(),
  }),
  field: z.strictObject({ field: fieldName }),
  durationBetween: z.strictObject({ durationBetween: z.tuple([fieldName, fieldName]) }),
  add: z.strictObject({
    add: z.strictObject({
      to: z.unknown(),
      amount: z.unknown(),
      unit: z.enum(ADD_UNITS),
      subtract: z.boolean().optional(),
    }),
  }),
  cases: z.strictObject({
    cases: z.array(z.strictObject({ when: z.unknown(), use: z.unknown() })).min(1),
    else: z.unknown().optional(),
  }),
  coalesce: z.strictObject({ coalesce: z.array(z.unknown()).min(2, 'must list at least two specs') }),
} as const;
type SpecKind = keyof typeof specSchemas;
/** Keys that identify a spec's kind, in the order they are tested (pseudonymise also has `column`). */
const SPEC_KINDS: readonly SpecKind[] = [
  'pseudonymise',
  'column',
  'const',
  'template',
  'date',
  'hash',
  'field',
  'durationBetween',
  'add',
  'cases',
  'coalesce',
];
const SPEC_HELP =
  'use one of {column}, {const}, {template}, {date, time}, {hash}, {pseudonymise, column}, {field}, {durationBetween}, {add}, {cases}, {coalesce}';

/** The kind of a field spec, by its identifying key. */
export function specKind(spec: object): SpecKind | null {
  return SPEC_KINDS.find((kind) => kind in spec) ?? null;
}

type Path = (string | number)[];
type Report = (path: Path, message: string) => void;

function isRegex(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

function exactlyOneOperator(condition: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const used = CONDITION_OPERATORS.filter((op) => condition[op] !== undefined);
  if (used.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message: `needs exactly one operator of ${CONDITION_OPERATORS.join(', ')} (got ${used.length === 0 ? 'none' : used.join(', ')})`,
    });
  }
}

function forward(result: z.ZodSafeParseResult<unknown>, path: Path, report: Report): boolean {
  if (result.success) return true;
  for (const issue of result.error.issues) report([...path, ...(issue.path as Path)], issue.message);
  return false;
}

/** Logical type a spec must produce, from the canonical column (or the operand role). */
type Target = Pick<ColumnDefinition, 'logicalType' | 'values' | 'nullable'>;

const COLUMN_TYPES_FOR: Record<ColumnDefinition['logicalType'], readonly ColumnType[]> = {
  // `integer` on a text field normalises ids that spreadsheets and pandas wrote as floats ("3.0").
  string: ['string', 'integer'],
  timestamp: ['timestamp'],
  double: ['number', 'integer', 'duration'],
  bigint: ['integer'],
  boolean: ['boolean'],
  date: ['timestamp'],
};

function checkScalar(value: JsonScalar, target: Target, path: Path, report: Report): void {
  if (value === null) return;
  const shown = JSON.stringify(value);
  switch (target.logicalType) {
    case 'string':
      if (typeof value !== 'string') report(path, `must be a string for this field (got ${shown})`);
      else if (target.values && !target.values.includes(value)) {
        report(path, `${shown} is not an allowed value; use one of ${target.values.join(', ')}`);
      }
      return;
    case 'double':
    case 'bigint':
      if (typeof value !== 'number') report(path, `must be a number for this field (got ${shown})`);
      else if (target.logicalType === 'bigint' && !Number.isInteger(value)) {
        report(path, `must be a whole number (got ${shown})`);
      }
      return;
    case 'boolean':
      if (typeof value !== 'boolean') report(path, `must be true or false for this field (got ${shown})`);
      return;
    case 'timestamp':
    case 'date':
      if (typeof value !== 'string' || !isIsoTimestamp(value)) {
        report(path, `must be an ISO 8601 timestamp string such as "2021-03-01T00:00:00Z" (got ${shown})`);
      }
      return;
  }
}

function isIsoTimestamp(value: string): boolean {
  try {
    return compileTimestampParser('iso', 'UTC')(value) !== null;
  } catch {
    return false;
  }
}

function checkTimestampFormat(format: string, path: Path, report: Report): void {
  try {
    compileTimestampParser(format as TimestampFormat, 'UTC');
  } catch (error) {
    if (error instanceof FormatError) report(path, error.message);
    else throw error;
  }
}

function checkTimeOfDayFormat(format: string, path: Path, report: Report): void {
  try {
    compileWallTimeParser(format, { requireDate: false });
    if (!/[Hh]/.test(format))
      report(path, `time format ${JSON.stringify(format)} needs an hour token (H, HH, h or hh)`);
  } catch (error) {
    if (error instanceof FormatError) report(path, error.message);
    else throw error;
  }
}

interface SpecVisitor {
  readonly report: Report;
  readonly table: TableName;
  readonly columns: ReadonlyMap<string, ColumnDefinition>;
  /** Canonical fields this spec reads (for ordering and cycle detection). */
  readonly refs: Set<string>;
}

function checkFieldRef(name: string, expected: readonly ColumnDefinition['logicalType'][], path: Path, v: SpecVisitor) {
  const column = v.columns.get(name);
  if (!column) {
    v.report(path, `"${name}" is not a field of ${v.table}; fields: ${[...v.columns.keys()].join(', ')}`);
    return;
  }
  if (!expected.includes(column.logicalType)) {
    v.report(path, `"${name}" is a ${column.logicalType} field; expected ${expected.join(' or ')}`);
  }
  v.refs.add(name);
}

function checkSpec(raw: unknown, target: Target, path: Path, v: SpecVisitor): void {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    v.report(path, `must be an object; ${SPEC_HELP}`);
    return;
  }
  const kind = specKind(raw);
  if (!kind) {
    v.report(path, `unknown spec with keys ${Object.keys(raw).join(', ') || '(none)'}; ${SPEC_HELP}`);
    return;
  }
  const schema = specSchemas[kind] as z.ZodType;
  if (!forward(schema.safeParse(raw), path, v.report)) return;
  const { logicalType } = target;
  const needs = (types: readonly ColumnDefinition['logicalType'][], what: string) => {
    if (!types.includes(logicalType))
      v.report(path, `${what} produces a ${types[0]}, but this field is ${logicalType}`);
  };
  switch (kind) {
    case 'column': {
      const spec = raw as ColumnSpec;
      const allowed = COLUMN_TYPES_FOR[logicalType];
      const type = spec.type ?? allowed[0];
      if (spec.type && !allowed.includes(spec.type)) {
        v.report([...path, 'type'], `"${spec.type}" cannot fill a ${logicalType} field; use ${allowed.join(' or ')}`);
      }
      if (spec.format !== undefined) {
        if (type === 'timestamp') checkTimestampFormat(spec.format, [...path, 'format'], v.report);
        else if (type === 'duration') {
          if (!(DURATION_FORMATS as readonly string[]).includes(spec.format)) {
            v.report(
              [...path, 'format'],
              `unknown duration format "${spec.format}"; use ${DURATION_FORMATS.join(', ')}`,
            );
          }
        } else
          v.report([...path, 'format'], `a format only applies to timestamp and duration columns (type is ${type})`);
      }
      if (spec.map) {
        for (const [key, value] of Object.entries(spec.map))
          checkScalar(value, target, [...path, 'map', key], v.report);
      }
      if (spec.otherwise !== undefined) {
        if (!spec.map) v.report([...path, 'otherwise'], 'only applies together with map');
        checkScalar(spec.otherwise, target, [...path, 'otherwise'], v.report);
      }
      if (spec.default !== undefined) checkScalar(spec.default, target, [...path, 'default'], v.report);
      if ((spec.trueValues || spec.falseValues) && type !== 'boolean') {
        v.report(path, 'trueValues/falseValues only apply to boolean columns');
      }
      if ((spec.trueValues === undefined) !== (spec.falseValues === undefined)) {
        v.report(path, 'give both trueValues and falseValues');
      }
      if (spec.decimalComma !== undefined && type !== 'number' && type !== 'integer') {
        v.report([...path, 'decimalComma'], 'only applies to number columns');
      }
      return;
    }
    case 'const':
      checkScalar((raw as { const: JsonScalar }).const, target, [...path, 'const'], v.report);
      return;
    case 'template':
      needs(['string'], 'a template');
      checkTemplate((raw as { template: string }).template, [...path, 'template'], v);
      return;
    case 'hash':
    case 'pseudonymise':
      needs(['string'], kind === 'hash' ? 'a hash' : 'pseudonymise');
      return;
    case 'date': {
      needs(['timestamp', 'date'], 'a date and time');
      const spec = raw as DateTimeSpec;
      checkTimestampFormat(spec.date.format, [...path, 'date', 'format'], v.report);
      checkTimeOfDayFormat(spec.time.format, [...path, 'time', 'format'], v.report);
      if (spec.nextDayIfEarlierThan !== undefined) {
        checkFieldRef(spec.nextDayIfEarlierThan, ['timestamp'], [...path, 'nextDayIfEarlierThan'], v);
      }
      return;
    }
    case 'field':
      checkFieldRef((raw as { field: string }).field, [logicalType], [...path, 'field'], v);
      return;
    case 'durationBetween': {
      needs(['double'], 'durationBetween');
      const [start, end] = (raw as { durationBetween: [string, string] }).durationBetween;
      checkFieldRef(start, ['timestamp'], [...path, 'durationBetween', 0], v);
      checkFieldRef(end, ['timestamp'], [...path, 'durationBetween', 1], v);
      return;
    }
    case 'add': {
      needs(['timestamp'], 'add');
      const { to, amount } = (raw as { add: { to: unknown; amount: unknown } }).add;
      checkOperand(to, { logicalType: 'timestamp', nullable: true }, [...path, 'add', 'to'], v);
      checkOperand(amount, { logicalType: 'double', nullable: true }, [...path, 'add', 'amount'], v);
      return;
    }
    case 'cases': {
      const spec = raw as { cases: { when: unknown; use: unknown }[]; else?: unknown };
      spec.cases.forEach((c, i) => {
        const when = Array.isArray(c.when) ? c.when : [c.when];
        if (when.length === 0) v.report([...path, 'cases', i, 'when'], 'must list at least one condition');
        when.forEach((condition, j) => {
          forward(
            conditionSchema.safeParse(condition),
            Array.isArray(c.when) ? [...path, 'cases', i, 'when', j] : [...path, 'cases', i, 'when'],
            v.report,
          );
        });
        checkSpec(c.use, target, [...path, 'cases', i, 'use'], v);
      });
      if (spec.else !== undefined) checkSpec(spec.else, target, [...path, 'else'], v);
      return;
    }
    case 'coalesce':
      (raw as { coalesce: unknown[] }).coalesce.forEach((s, i) => {
        checkSpec(s, target, [...path, 'coalesce', i], v);
      });
      return;
  }
}

function checkOperand(raw: unknown, target: Target, path: Path, v: SpecVisitor): void {
  const accepted: ColumnDefinition['logicalType'][] =
    target.logicalType === 'double' ? ['double', 'bigint'] : [target.logicalType];
  if (typeof raw === 'string') checkFieldRef(raw, accepted, path, v);
  else checkSpec(raw, target, path, v);
}

/**
 * A template split into literal text and the columns between braces: `literals[i]` precedes
 * `columns[i]`, and there is one more literal than columns. `{{` and `}}` are literal braces.
 */
export function parseTemplate(template: string): { literals: string[]; columns: string[] } | { error: string } {
  const literals: string[] = [];
  const columns: string[] = [];
  let literal = '';
  let i = 0;
  while (i < template.length) {
    const ch = template[i] as string;
    if ((ch === '{' || ch === '}') && template[i + 1] === ch) {
      literal += ch;
      i += 2;
      continue;
    }
    if (ch === '}') return { error: `unmatched "}" at position ${i + 1} (write "}}" for a literal brace)` };
    if (ch === '{') {
      const end = template.indexOf('}', i + 1);
      if (end < 0) return { error: `unclosed "{" at position ${i + 1}` };
      const name = template.slice(i + 1, end);
      if (name === '') return { error: `empty "{}" at position ${i + 1}` };
      literals.push(literal);
      literal = '';
      columns.push(name);
      i = end + 1;
      continue;
    }
    literal += ch;
    i++;
  }
  literals.push(literal);
  if (columns.length === 0) return { error: 'references no column; use {"const": ...} for a fixed value' };
  return { literals, columns };
}

/** Prefix of a template placeholder that inserts a canonical field instead of a column: `{=customer_key}`. */
export const TEMPLATE_FIELD_PREFIX = '=';

function checkTemplate(template: string, path: Path, v: SpecVisitor): void {
  const result = parseTemplate(template);
  if ('error' in result) {
    v.report(path, result.error);
    return;
  }
  for (const name of result.columns) {
    if (name.startsWith(TEMPLATE_FIELD_PREFIX)) {
      checkFieldRef(name.slice(TEMPLATE_FIELD_PREFIX.length), ['string', 'bigint', 'double'], path, v);
    }
  }
}

/** Fields in an order where every field comes after the fields it reads; null when they form a cycle. */
export function orderFields(deps: ReadonlyMap<string, ReadonlySet<string>>): {
  order: string[];
  cycle: string[] | null;
} {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  let cycle: string[] | null = null;
  const visit = (name: string, stack: string[]) => {
    if (cycle) return;
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') {
      cycle = [...stack.slice(stack.indexOf(name)), name];
      return;
    }
    state.set(name, 'visiting');
    for (const dep of deps.get(name) ?? []) if (deps.has(dep)) visit(dep, [...stack, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of deps.keys()) visit(name, []);
  return { order, cycle };
}

function validateMapping(raw: unknown, ctx: z.RefinementCtx): void {
  const report: Report = (path, message) => ctx.addIssue({ code: 'custom', path, message });
  const top = topLevelSchema.safeParse(raw);
  if (!top.success) {
    for (const issue of top.error.issues) {
      const path = issue.path as Path;
      // Unknown table and bad field specs are reported below with better messages.
      if (path[0] !== 'table' && path[0] !== 'fields') report(path, issue.message);
    }
  }
  const object = (raw ?? {}) as Record<string, unknown>;
  const table = object.table;
  if (typeof table !== 'string' || !(TABLE_NAMES as string[]).includes(table) || table === 'ingestion_audit') {
    report(
      ['table'],
      `unknown table ${JSON.stringify(table)}; use one of ${TABLE_NAMES.filter((t) => t !== 'ingestion_audit').join(', ')}`,
    );
    return;
  }
  const tableName = table as TableName;
  const columns = new Map(columnsOf(tableName).map((c) => [c.name, c]));
  const fields = object.fields;
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
    report(['fields'], 'must be an object of canonical field → spec');
    return;
  }
  const deps = new Map<string, Set<string>>();
  for (const [name, spec] of Object.entries(fields)) {
    const column = columns.get(name);
    if ((AUTOMATIC_FIELDS as readonly string[]).includes(name)) {
      report(['fields', name], `"${name}" is set by the pipeline; remove it from the mapping`);
      continue;
    }
    if (!column) {
      report(
        ['fields', name],
        `"${name}" is not a field of ${tableName}; fields: ${[...columns.keys()].filter((c) => !(AUTOMATIC_FIELDS as readonly string[]).includes(c)).join(', ')}`,
      );
      continue;
    }
    const refs = new Set<string>();
    checkSpec(spec, column, ['fields', name], { report, table: tableName, columns, refs });
    for (const ref of refs) {
      if (!(ref in fields)) report(['fields', name], `reads field "${ref}", which the mapping does not set`);
    }
    deps.set(name, refs);
  }
  const { cycle } = orderFields(deps);
  if (cycle) report(['fields'], `fields read each other in a cycle: ${cycle.join(' → ')}`);
  for (const column of columns.values()) {
    if (column.nullable || (AUTOMATIC_FIELDS as readonly string[]).includes(column.name) || column.name in fields)
      continue;
    const hint = column.logicalType === 'boolean' ? ' (e.g. {"const": false} when the source never sets it)' : '';
    report(['fields', column.name], `required by ${tableName} but not mapped; add a spec${hint}`);
  }
  const checks = Array.isArray(object.checks) ? object.checks : [];
  checks.forEach((check, i) => {
    const pair = (check as CheckRule | null)?.notBefore;
    if (!Array.isArray(pair)) return;
    pair.forEach((name, j) => {
      if (typeof name !== 'string') return;
      const column = columns.get(name);
      if (column?.logicalType !== 'timestamp') {
        report(['checks', i, 'notBefore', j], `"${name}" is not a timestamp field of ${tableName}`);
      } else if (!(name in fields)) {
        report(['checks', i, 'notBefore', j], `"${name}" is not set by the mapping`);
      }
    });
  });
}

/**
 * The mapping as it appears in a source's options or in a mapping file. Parsing reports every
 * problem together; each issue's path points into the mapping.
 */
export const mappingSchema: z.ZodType<Mapping> = z
  .unknown()
  .superRefine(validateMapping)
  .transform((raw) => {
    const parsed = topLevelSchema.parse(raw);
    const { $schema: _schema, ...mapping } = parsed;
    return mapping as unknown as Mapping;
  });

/** Options of the `mapping` adapter: the mapping itself (a config's `mappingFile` is inlined here). */
export const mappingOptionsSchema = z.strictObject({ mapping: mappingSchema });
export type MappingOptions = z.infer<typeof mappingOptionsSchema>;

export class MappingError extends Error {
  constructor(
    readonly problems: readonly string[],
    readonly file?: string,
  ) {
    super(
      `${file ? `${file}: ` : ''}invalid mapping, ${problems.length} problem(s)\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'MappingError';
  }
}

/** Validates a mapping, throwing a MappingError that lists every problem with its path. */
export function parseMapping(raw: unknown, file?: string): Mapping {
  const result = mappingSchema.safeParse(raw);
  if (result.success) return result.data;
  throw new MappingError(
    result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    file,
  );
}
