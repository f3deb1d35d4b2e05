import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parquetSchema } from '../../../lambdas/core/normalise/parquet.ts';
import { TABLE_NAMES, TABLES } from '../../../lambdas/core/schema/canonical.ts';
import { MAX_LABEL_CHARS, MAX_TEXT_CHARS, TYPE_MAPPING } from '../../../lambdas/core/schema/columns.ts';
import { columnsOf, dataModelMarkdown, duckdbColumns, glueColumns } from '../../../lambdas/core/schema/derive.ts';
import { validInteraction } from '../../support/rows.ts';

describe('canonical schema derivations', () => {
  it('declares every column of every table through a column builder', () => {
    for (const table of TABLE_NAMES) {
      expect(columnsOf(table).length).toBe(Object.keys(TABLES[table].schema.shape).length);
    }
  });

  it('gives every table its partition column and key columns, and the partition column is a required timestamp', () => {
    for (const table of TABLE_NAMES) {
      const columns = new Map(columnsOf(table).map((c) => [c.name, c]));
      const partition = columns.get(TABLES[table].partitionBy);
      expect(partition?.logicalType, `${table}.${TABLES[table].partitionBy}`).toBe('timestamp');
      expect(partition?.nullable).toBe(false);
      for (const preferred of TABLES[table].partitionPrefers ?? []) {
        expect(columns.get(preferred)?.logicalType, `${table}.${preferred}`).toBe('timestamp');
      }
      for (const key of TABLES[table].key) expect(columns.get(key)?.nullable, `${table}.${key}`).toBe(false);
    }
  });

  it('derives DuckDB, Glue and Parquet types from the one mapping', () => {
    const duck = duckdbColumns('interactions');
    const glue = glueColumns('interactions');
    const parquet = parquetSchema('interactions');
    expect(duck.find((c) => c.name === 'created_at')?.type).toBe('TIMESTAMP');
    expect(duck.find((c) => c.name === 'reopen_count')?.type).toBe('BIGINT');
    expect(glue.find((c) => c.name === 'is_abandoned')?.type).toBe('boolean');
    expect(glue.find((c) => c.name === 'talk_s')?.type).toBe(TYPE_MAPPING.double.glue);
    expect(parquet[0]).toEqual({ name: 'root', num_children: duck.length });
    expect(parquet.find((c) => c.name === 'created_at')).toMatchObject({
      type: 'INT64',
      converted_type: 'TIMESTAMP_MILLIS',
      repetition_type: 'REQUIRED',
    });
    expect(parquet.find((c) => c.name === 'agent_id')).toMatchObject({ repetition_type: 'OPTIONAL' });
  });

  it('keeps docs/data-model.md in step with the schema (run `npm run docs` when this fails)', () => {
    const docs = readFileSync(new URL('../../../docs/data-model.md', import.meta.url), 'utf8');
    expect(docs).toBe(dataModelMarkdown());
  });

  it('rejects a negative duration and an unknown channel', () => {
    const base = validInteraction();
    expect(TABLES.interactions.schema.safeParse(base).success).toBe(true);
    expect(TABLES.interactions.schema.safeParse({ ...base, talk_s: -1 }).success).toBe(false);
    expect(TABLES.interactions.schema.safeParse({ ...base, channel: 'fax' }).success).toBe(false);
    expect(TABLES.interactions.schema.safeParse({ ...base, created_at: new Date('nope') }).success).toBe(false);
  });

  it('bounds labels at 4,096 characters and free text at 100,000', () => {
    const base = validInteraction();
    expect(TABLES.interactions.schema.safeParse({ ...base, team: 't'.repeat(MAX_LABEL_CHARS) }).success).toBe(true);
    const long = TABLES.interactions.schema.safeParse({ ...base, team: 't'.repeat(MAX_LABEL_CHARS + 1) });
    expect(long.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'team: must be at most 4,096 characters',
    ]);
    expect(TABLES.interactions.schema.safeParse({ ...base, queue: 'q'.repeat(10_000_000) }).success).toBe(false);
    const answer = (comment: string) => TABLES.survey_responses.schema.shape.comment.safeParse(comment).success;
    expect(answer('c'.repeat(MAX_TEXT_CHARS))).toBe(true);
    expect(answer('c'.repeat(MAX_TEXT_CHARS + 1))).toBe(false);
    expect(MAX_TEXT_CHARS).toBe(100_000);
  });
});
