/**
 * Compiles a validated mapping once per file into a record mapper: every parser, regex, template
 * and lookup is built up front, so mapping a record is a straight pass over precompiled closures.
 */
import { createHash } from 'node:crypto';
import type { AdapterContext, SourceRecord } from '../../core/normalise/adapter.ts';
import {
  compileBooleanParser,
  compileDateTimeParser,
  compileDurationParser,
  compileNumberParser,
  compileTimestampParser,
  DEFAULT_BOOLEAN_TOKENS,
  DEFAULT_NULL_TOKENS,
  type DurationFormat,
  ParseError,
  present,
  type TimestampFormat,
} from '../../core/parse/index.ts';
import type { TableName } from '../../core/schema/canonical.ts';
import { type ColumnDefinition, columnsOf } from '../../core/schema/derive.ts';
import {
  type ColumnSpec,
  type Condition,
  type DateTimeSpec,
  type FieldSpec,
  type JsonScalar,
  type Mapping,
  MIDNIGHT_ROLLOVER_HOURS,
  type Operand,
  orderFields,
  parseTemplate,
  ROW_NUMBER_COLUMN,
  specKind,
  TEMPLATE_FIELD_PREFIX,
} from './schema.ts';

/** Hex characters kept from the SHA-256 of a `hash` spec (128 bits). */
const HASH_HEX_CHARS = 32;
const HASH_SEPARATOR = '\u001f';
const ROLLOVER_MS = MIDNIGHT_ROLLOVER_HOURS * 3_600_000;

/** Reads one source column's raw text (undefined when the record has no such column). */
export type ColumnReader = (column: string) => string | null | undefined;

interface RowState {
  readonly get: ColumnReader;
  readonly rowNumber: number;
  readonly row: Record<string, unknown>;
}
type Evaluator = (state: RowState) => unknown;

/** One field of one record could not be mapped; becomes the record's reject reason. */
class FieldFailure extends Error {
  constructor(
    readonly column: string | null,
    message: string,
  ) {
    super(message);
  }
}

export interface CompiledMapping {
  readonly table: TableName;
  /** Source columns the mapping reads; a file without one of them is rejected whole. */
  readonly columns: readonly string[];
  missingColumns(header: readonly string[]): string[];
  mapRecord(get: ColumnReader, rowNumber: number, raw: unknown): SourceRecord;
}

type Target = Pick<ColumnDefinition, 'logicalType' | 'nullable'>;

export function compileMapping(mapping: Mapping, context: AdapterContext): CompiledMapping {
  const timeZone = mapping.timeZone ?? context.timeZone;
  const baseNulls: ReadonlySet<string> = new Set(mapping.nullTokens ?? DEFAULT_NULL_TOKENS);
  const referenced = new Set<string>(mapping.required ?? []);
  const use = (column: string) => {
    if (column !== ROW_NUMBER_COLUMN) referenced.add(column);
    return column;
  };
  const nullsWith = (extra: readonly string[] | undefined) =>
    extra && extra.length > 0 ? new Set([...baseNulls, ...extra.map((v) => v.trim())]) : baseNulls;
  const read = (state: RowState, column: string, nulls: ReadonlySet<string>) =>
    column === ROW_NUMBER_COLUMN ? String(state.rowNumber) : present(state.get(column), nulls);

  const scalarFor = (value: JsonScalar, target: Target): unknown =>
    typeof value === 'string' && target.logicalType === 'timestamp'
      ? compileTimestampParser('iso', timeZone)(value)
      : value;

  const compileCondition = (condition: Condition): ((state: RowState) => boolean) => {
    const column = use(condition.column);
    // Text operators see the trimmed cell as written, so `equals: "N/A"` matches even though N/A
    // is a null token; only `blank` applies the null tokens.
    const text = (s: RowState) => (column === ROW_NUMBER_COLUMN ? String(s.rowNumber) : (s.get(column) ?? '').trim());
    if (condition.equals !== undefined) {
      const expected = condition.equals.trim();
      return (s) => text(s) === expected;
    }
    if (condition.notEquals !== undefined) {
      const expected = condition.notEquals.trim();
      return (s) => text(s) !== expected;
    }
    if (condition.in !== undefined) {
      const set = new Set(condition.in.map((v) => v.trim()));
      return (s) => set.has(text(s));
    }
    if (condition.notIn !== undefined) {
      const set = new Set(condition.notIn.map((v) => v.trim()));
      return (s) => !set.has(text(s));
    }
    if (condition.matches !== undefined) {
      const regex = new RegExp(condition.matches);
      return (s) => regex.test(text(s));
    }
    if (condition.blank !== undefined) {
      const blank = condition.blank;
      return (s) => (read(s, column, baseNulls) === null) === blank;
    }
    const parseNumber = compileNumberParser({ nullTokens: baseNulls });
    const numeric = (s: RowState) => {
      try {
        return parseNumber(s.get(column));
      } catch (error) {
        if (error instanceof ParseError) throw new FieldFailure(column, `${error.message} (compared as a number)`);
        throw error;
      }
    };
    if (condition.greaterThan !== undefined) {
      const bound = condition.greaterThan;
      return (s) => {
        const v = numeric(s);
        return v !== null && v > bound;
      };
    }
    const bound = condition.lessThan as number;
    return (s) => {
      const v = numeric(s);
      return v !== null && v < bound;
    };
  };

  const compileColumn = (spec: ColumnSpec, target: Target, label: string): Evaluator => {
    const column = use(spec.column);
    const nulls = nullsWith(spec.nullIf);
    const type = spec.type ?? defaultType(target);
    const fallback = spec.default === undefined ? null : scalarFor(spec.default, target);
    const where = `(column "${column}" → ${label})`;
    const fail = (error: unknown): never => {
      if (error instanceof ParseError) throw new FieldFailure(column, `${error.message} ${where}`);
      throw error;
    };
    if (spec.map) {
      const lookup = new Map(Object.entries(spec.map).map(([k, v]) => [k.trim(), scalarFor(v, target)]));
      const otherwise = spec.otherwise === undefined ? undefined : scalarFor(spec.otherwise, target);
      const expected = `one of the mapped values (${[...lookup.keys()].map((k) => JSON.stringify(k)).join(', ')})`;
      return (s) => {
        const v = read(s, column, nulls);
        if (v === null) return fallback;
        if (lookup.has(v)) return lookup.get(v);
        if (otherwise !== undefined) return otherwise;
        return fail(new ParseError(v, expected));
      };
    }
    const typed = valueParser(type, spec, timeZone, nulls);
    const parse = target.logicalType === 'string' && type !== 'string' ? (v: string) => String(typed(v)) : typed;
    return (s) => {
      const v = read(s, column, nulls);
      if (v === null) return fallback;
      try {
        return parse(v);
      } catch (error) {
        return fail(error);
      }
    };
  };

  const compileOperand = (operand: Operand, target: Target, label: string): Evaluator =>
    typeof operand === 'string' ? (s) => s.row[operand] : compileSpec(operand, target, label);

  const compileSpec = (spec: FieldSpec, target: Target, label: string): Evaluator => {
    switch (specKind(spec)) {
      case 'column':
        return compileColumn(spec as ColumnSpec, target, label);
      case 'const': {
        const value = scalarFor((spec as { const: JsonScalar }).const, target);
        return () => value;
      }
      case 'template': {
        const { literals, columns } = parseTemplate((spec as { template: string }).template) as {
          literals: string[];
          columns: string[];
        };
        const parts = columns.map((name) =>
          name.startsWith(TEMPLATE_FIELD_PREFIX)
            ? { field: name.slice(TEMPLATE_FIELD_PREFIX.length) }
            : { column: use(name) },
        );
        return (s) => {
          let out = literals[0] ?? '';
          for (let i = 0; i < parts.length; i++) {
            const part = parts[i] as { field?: string; column?: string };
            const v = part.field !== undefined ? s.row[part.field] : read(s, part.column as string, baseNulls);
            if (v === null || v === undefined) return null;
            out += String(v) + (literals[i + 1] ?? '');
          }
          return out;
        };
      }
      case 'date': {
        const { date, time, nextDayIfEarlierThan: follows } = spec as DateTimeSpec;
        const dateColumn = use(date.column);
        const timeColumn = use(time.column);
        const dateNulls = nullsWith(date.nullIf);
        const timeNulls = nullsWith(time.nullIf);
        const parse = compileDateTimeParser(date, time, timeZone, { nullTokens: new Set() });
        return (s) => {
          const d = read(s, dateColumn, dateNulls);
          const t = read(s, timeColumn, timeNulls);
          if (d === null || t === null) return null;
          try {
            const result = parse(d, t) as Date;
            const earlier = follows ? (s.row[follows] as Date | null) : null;
            return earlier && earlier.getTime() - result.getTime() > ROLLOVER_MS ? parse(d, t, 1) : result;
          } catch (error) {
            if (error instanceof ParseError) {
              const column = error.value === d ? dateColumn : timeColumn;
              throw new FieldFailure(column, `${error.message} (column "${column}" → ${label})`);
            }
            throw error;
          }
        };
      }
      case 'hash': {
        const columns = (spec as { hash: string[] }).hash.map(use);
        return (s) => {
          const values = columns.map((c) => read(s, c, baseNulls));
          if (values.every((v) => v === null)) return null;
          const text = values.map((v) => (v === null ? '' : `=${v}`)).join(HASH_SEPARATOR);
          return createHash('sha256').update(text).digest('hex').slice(0, HASH_HEX_CHARS);
        };
      }
      case 'pseudonymise': {
        const {
          pseudonymise: kind,
          column,
          nullIf,
        } = spec as {
          pseudonymise: 'customer' | 'employee' | 'author';
          column: string;
          nullIf?: string[];
        };
        use(column);
        const nulls = nullsWith(nullIf);
        return (s) => context.pseudonymise(kind, read(s, column, nulls));
      }
      case 'field': {
        const name = (spec as { field: string }).field;
        return (s) => s.row[name];
      }
      case 'durationBetween': {
        const [start, end] = (spec as { durationBetween: [string, string] }).durationBetween;
        return (s) => {
          const a = s.row[start] as Date | null;
          const b = s.row[end] as Date | null;
          if (!a || !b) return null;
          const seconds = (b.getTime() - a.getTime()) / 1000;
          if (seconds < 0) {
            throw new FieldFailure(
              null,
              `${label}: ${end} (${b.toISOString()}) is before ${start} (${a.toISOString()}), so the duration would be negative`,
            );
          }
          return seconds;
        };
      }
      case 'add': {
        const { to, amount, unit, subtract } = (spec as Extract<FieldSpec, { add: unknown }>).add;
        const base = compileOperand(to, { logicalType: 'timestamp', nullable: true }, label);
        const count = compileOperand(amount, { logicalType: 'double', nullable: true }, label);
        const sign = subtract ? -1 : 1;
        return (s) => {
          const date = base(s) as Date | null;
          const n = count(s) as number | null;
          if (!date || n === null) return null;
          if (unit === 'months') {
            if (!Number.isInteger(n)) throw new FieldFailure(null, `${label}: ${n} is not a whole number of months`);
            return addMonths(date, sign * n);
          }
          return new Date(date.getTime() + sign * n * UNIT_MS[unit]);
        };
      }
      case 'cases': {
        const { cases, else: otherwise } = spec as Extract<FieldSpec, { cases: unknown }>;
        const branches = cases.map((c) => {
          const conditions = (Array.isArray(c.when) ? c.when : [c.when]).map(compileCondition);
          return { test: (s: RowState) => conditions.every((t) => t(s)), use: compileSpec(c.use, target, label) };
        });
        const fallback = otherwise === undefined ? () => null : compileSpec(otherwise, target, label);
        return (s) => {
          for (const branch of branches) if (branch.test(s)) return branch.use(s);
          return fallback(s);
        };
      }
      case 'coalesce': {
        const options = (spec as { coalesce: FieldSpec[] }).coalesce.map((o) => compileSpec(o, target, label));
        return (s) => {
          for (const option of options) {
            const v = option(s);
            if (v !== null && v !== undefined) return v;
          }
          return null;
        };
      }
      default:
        throw new Error(`unvalidated mapping spec ${JSON.stringify(spec)}`);
    }
  };

  const canonical = columnsOf(mapping.table);
  const byName = new Map(canonical.map((c) => [c.name, c]));
  const deps = new Map<string, Set<string>>(
    Object.entries(mapping.fields).map(([name, spec]) => [name, fieldRefs(spec)]),
  );
  const { order } = orderFields(deps);
  const evaluators = order.map((name) => {
    const spec = mapping.fields[name] as FieldSpec;
    return {
      name,
      evaluate: compileSpec(spec, byName.get(name) as ColumnDefinition, name),
      sourceColumn: sourceColumnOf(spec),
    };
  });
  const required = evaluators.filter((e) => !(byName.get(e.name) as ColumnDefinition).nullable);
  const drops = (mapping.drop ?? []).map((rule) => ({
    column: rule.column,
    reason: `dropped by rule: ${rule.reason}`,
    test: compileCondition(rule),
  }));
  const checks = (mapping.checks ?? []).map((check) => ({
    later: check.notBefore[0],
    earlier: check.notBefore[1],
    reason: check.reason,
  }));
  const template: Record<string, unknown> = {};
  for (const column of canonical) template[column.name] = null;
  template.source = context.source;
  template.ingested_at = context.ingestedAt;
  const columns = [...referenced];

  return {
    table: mapping.table,
    columns,
    missingColumns(header) {
      const present = new Set(header);
      return columns.filter((c) => !present.has(c));
    },
    mapRecord(get, rowNumber, raw) {
      const state: RowState = { get, rowNumber, row: { ...template } };
      try {
        for (const drop of drops) {
          if (drop.test(state)) return { kind: 'rejected', rowNumber, raw, field: drop.column, reason: drop.reason };
        }
        for (const e of evaluators) state.row[e.name] = e.evaluate(state);
      } catch (error) {
        if (error instanceof FieldFailure) {
          return { kind: 'rejected', rowNumber, raw, field: error.column, reason: error.message };
        }
        throw error;
      }
      for (const e of required) {
        if (state.row[e.name] === null || state.row[e.name] === undefined) {
          const why = e.sourceColumn ? `column "${e.sourceColumn}" is blank` : 'the mapping gave no value';
          return {
            kind: 'rejected',
            rowNumber,
            raw,
            field: e.sourceColumn ?? e.name,
            reason: `${e.name} is required but ${why}`,
          };
        }
      }
      for (const check of checks) {
        const later = state.row[check.later] as Date | null;
        const earlier = state.row[check.earlier] as Date | null;
        if (later && earlier && later.getTime() < earlier.getTime()) {
          return {
            kind: 'rejected',
            rowNumber,
            raw,
            field: check.later,
            reason: `check failed: ${check.reason} (${check.later} ${later.toISOString()} is before ${check.earlier} ${earlier.toISOString()})`,
          };
        }
      }
      return { kind: 'mapped', rowNumber, raw, rows: [{ table: mapping.table, row: state.row }] };
    },
  };
}

const UNIT_MS = { seconds: 1000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;

/** Calendar months in UTC; the day is clamped to the target month (31 Mar − 1 month = 28/29 Feb). */
function addMonths(date: Date, months: number): Date {
  const result = new Date(date.getTime());
  const day = result.getUTCDate();
  result.setUTCDate(1);
  result.setUTCMonth(result.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate();
  result.setUTCDate(Math.min(day, lastDay));
  return result;
}

function defaultType(target: Target): NonNullable<ColumnSpec['type']> {
  switch (target.logicalType) {
    case 'timestamp':
    case 'date':
      return 'timestamp';
    case 'double':
      return 'number';
    case 'bigint':
      return 'integer';
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'string';
  }
}

function valueParser(
  type: NonNullable<ColumnSpec['type']>,
  spec: ColumnSpec,
  timeZone: string,
  nullTokens: ReadonlySet<string>,
): (value: string) => unknown {
  switch (type) {
    case 'string':
      return (v) => v;
    case 'number':
      return compileNumberParser({ decimalComma: spec.decimalComma, nullTokens });
    case 'integer': {
      const parse = compileNumberParser({ decimalComma: spec.decimalComma, nullTokens });
      return (v) => {
        const n = parse(v);
        if (n !== null && !Number.isInteger(n)) throw new ParseError(v, 'a whole number');
        return n;
      };
    }
    case 'boolean':
      return compileBooleanParser(
        spec.trueValues && spec.falseValues
          ? { true: spec.trueValues, false: spec.falseValues }
          : DEFAULT_BOOLEAN_TOKENS,
        { nullTokens },
      );
    case 'timestamp':
      return compileTimestampParser((spec.format ?? 'iso') as TimestampFormat, timeZone, { nullTokens });
    case 'duration':
      return compileDurationParser((spec.format ?? 'seconds') as DurationFormat, { nullTokens });
  }
}

/** Canonical fields a spec reads, for evaluation order. */
function fieldRefs(spec: FieldSpec, into = new Set<string>()): Set<string> {
  switch (specKind(spec)) {
    case 'field':
      into.add((spec as { field: string }).field);
      break;
    case 'template': {
      const parsed = parseTemplate((spec as { template: string }).template);
      if ('columns' in parsed) {
        for (const name of parsed.columns) {
          if (name.startsWith(TEMPLATE_FIELD_PREFIX)) into.add(name.slice(TEMPLATE_FIELD_PREFIX.length));
        }
      }
      break;
    }
    case 'date': {
      const follows = (spec as DateTimeSpec).nextDayIfEarlierThan;
      if (follows) into.add(follows);
      break;
    }
    case 'durationBetween':
      for (const f of (spec as { durationBetween: readonly string[] }).durationBetween) into.add(f);
      break;
    case 'add': {
      const { to, amount } = (spec as Extract<FieldSpec, { add: unknown }>).add;
      for (const operand of [to, amount]) {
        if (typeof operand === 'string') into.add(operand);
        else fieldRefs(operand, into);
      }
      break;
    }
    case 'cases': {
      const { cases, else: otherwise } = spec as Extract<FieldSpec, { cases: unknown }>;
      for (const c of cases) fieldRefs(c.use, into);
      if (otherwise) fieldRefs(otherwise, into);
      break;
    }
    case 'coalesce':
      for (const s of (spec as { coalesce: FieldSpec[] }).coalesce) fieldRefs(s, into);
      break;
  }
  return into;
}

/** The source column behind a spec that reads exactly one, for reject messages. */
function sourceColumnOf(spec: FieldSpec): string | null {
  const kind = specKind(spec);
  return kind === 'column' || kind === 'pseudonymise' ? (spec as { column: string }).column : null;
}
