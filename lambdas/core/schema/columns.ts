/**
 * Column builders for the canonical model. Every canonical field is declared with one of these, so
 * its logical type travels with its zod schema; Parquet, DuckDB, Glue and docs types are all
 * derived from the logical type by the single mapping below.
 */
import { z } from 'zod';

export type LogicalType = 'string' | 'timestamp' | 'double' | 'bigint' | 'boolean' | 'date';

export interface ColumnMeta {
  readonly logicalType: LogicalType;
  readonly nullable: boolean;
  readonly description: string;
  /** Allowed values, for enum-like string columns (documented and validated). */
  readonly values?: readonly string[];
}

/** The registry that ties each column schema to its logical type and description. */
export const columnRegistry = z.registry<ColumnMeta>();

/** The one type mapping: logical type to each engine's physical type. */
export const TYPE_MAPPING: Readonly<
  Record<LogicalType, { readonly duckdb: string; readonly glue: string; readonly parquet: string }>
> = {
  string: { duckdb: 'VARCHAR', glue: 'string', parquet: 'STRING' },
  timestamp: { duckdb: 'TIMESTAMP', glue: 'timestamp', parquet: 'TIMESTAMP' },
  double: { duckdb: 'DOUBLE', glue: 'double', parquet: 'DOUBLE' },
  bigint: { duckdb: 'BIGINT', glue: 'bigint', parquet: 'INT64' },
  boolean: { duckdb: 'BOOLEAN', glue: 'boolean', parquet: 'BOOLEAN' },
  date: { duckdb: 'DATE', glue: 'date', parquet: 'DATE' },
};

function register<T extends z.ZodType>(schema: T, meta: ColumnMeta): T {
  columnRegistry.add(schema, meta);
  return schema;
}

const finite = () => z.number().refine(Number.isFinite, 'must be a finite number');

/**
 * Longest value of a string column, in characters: identifiers, names and labels (an S3 key is at
 * most 1,024 bytes; a team, queue or question is far shorter). A 10 MB "team" would be grouped,
 * sorted and printed by every view and report, and a report over it ran out of memory.
 */
export const MAX_LABEL_CHARS = 4_096;
/** Longest free text (a survey verbatim, a social post): about 40 pages, far beyond any real one. */
export const MAX_TEXT_CHARS = 100_000;

const bounded = (max: number) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max.toLocaleString('en')} characters`);

/** Builders for required columns; `.opt` variants accept null (the value is unknown). */
export const col = {
  string: (description: string) =>
    register(bounded(MAX_LABEL_CHARS), { logicalType: 'string', nullable: false, description }),
  enum: <const V extends readonly [string, ...string[]]>(values: V, description: string) =>
    register(z.enum(values), { logicalType: 'string', nullable: false, description, values }),
  timestamp: (description: string) =>
    register(z.date({ error: 'must be a valid timestamp' }), {
      logicalType: 'timestamp',
      nullable: false,
      description,
    }),
  double: (description: string) => register(finite(), { logicalType: 'double', nullable: false, description }),
  nonNegative: (description: string) =>
    register(
      finite().refine((v) => v >= 0, 'must not be negative'),
      {
        logicalType: 'double',
        nullable: false,
        description,
      },
    ),
  int: (description: string) =>
    register(z.number().int('must be a whole number').min(0, 'must not be negative'), {
      logicalType: 'bigint',
      nullable: false,
      description,
    }),
  boolean: (description: string) => register(z.boolean(), { logicalType: 'boolean', nullable: false, description }),
};

export const opt = {
  string: (description: string) =>
    register(bounded(MAX_LABEL_CHARS).nullable(), { logicalType: 'string', nullable: true, description }),
  /** Free text: longer than a label may be (MAX_TEXT_CHARS). */
  text: (description: string) =>
    register(bounded(MAX_TEXT_CHARS).nullable(), { logicalType: 'string', nullable: true, description }),
  enum: <const V extends readonly [string, ...string[]]>(values: V, description: string) =>
    register(z.enum(values).nullable(), { logicalType: 'string', nullable: true, description, values }),
  timestamp: (description: string) =>
    register(z.date({ error: 'must be a valid timestamp' }).nullable(), {
      logicalType: 'timestamp',
      nullable: true,
      description,
    }),
  double: (description: string) =>
    register(finite().nullable(), { logicalType: 'double', nullable: true, description }),
  nonNegative: (description: string) =>
    register(
      finite()
        .refine((v) => v >= 0, 'must not be negative')
        .nullable(),
      { logicalType: 'double', nullable: true, description },
    ),
  int: (description: string) =>
    register(z.number().int('must be a whole number').min(0, 'must not be negative').nullable(), {
      logicalType: 'bigint',
      nullable: true,
      description,
    }),
  boolean: (description: string) =>
    register(z.boolean().nullable(), { logicalType: 'boolean', nullable: true, description }),
};

/**
 * Columns the normaliser sets after an adapter mapped a record (the lineage): absent from an
 * adapter's row, null when unknown (rows written before the column existed).
 */
export const late = {
  string: (description: string) =>
    register(bounded(MAX_LABEL_CHARS).nullish(), { logicalType: 'string', nullable: true, description }),
  int: (description: string) =>
    register(z.number().int('must be a whole number').min(0, 'must not be negative').nullish(), {
      logicalType: 'bigint',
      nullable: true,
      description,
    }),
};
