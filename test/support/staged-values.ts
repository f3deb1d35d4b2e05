/**
 * Values of every kind a staged column type allows, the edges included (empty, non-ASCII, astral
 * and lone-surrogate strings; instants before 1970 and at the ends of the Date range; the INT64
 * bounds; NaN, the infinities and -0), and staging files of them, for the tests of the staging
 * writer and reader.
 */
import { StagingParquetWriter } from '../../lambdas/core/normalise/staging-parquet.ts';
import type { ColumnDefinition } from '../../lambdas/core/schema/derive.ts';

const STRINGS = [
  '',
  'plain ascii',
  'kündé',
  '日本語のテキスト',
  'astral 😀🎉 𝄞',
  'lone \ud800 surrogate',
  'x'.repeat(300),
];
const TIMES = [
  new Date(Date.UTC(1969, 11, 31, 23, 59, 59, 999)),
  new Date(Date.UTC(1900, 0, 1)),
  new Date(0),
  new Date(Date.UTC(2025, 5, 3, 10, 15, 0, 123)),
  new Date(8.64e15),
  new Date(-8.64e15),
];
const BIGINTS = [-(2n ** 63n), 2n ** 63n - 1n, -1n, 0n, 2n ** 53n + 1n, -(2n ** 40n)];
const DOUBLES = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1.5, -1e308, 5e-324];

/** Column values (as parquetValue gives them) exercising every kind of value a column type allows. */
export function sampleValue(column: ColumnDefinition, row: number): unknown {
  if (column.nullable && row % 5 === 3) return null;
  const pick = <T>(list: readonly T[]) => list[(row + column.name.length) % list.length] as T;
  switch (column.logicalType) {
    case 'string':
      return pick(STRINGS);
    case 'timestamp':
      return pick(TIMES);
    case 'bigint':
      return pick(BIGINTS);
    case 'double':
      return pick(DOUBLES);
    case 'boolean':
      return (row * 7 + column.name.length) % 3 === 0;
    case 'date':
      return pick(TIMES);
  }
}

/** A staging file of interactions, one row group per entry of `groups` (values column by column). */
export function stagingFile(groups: readonly unknown[][][]): Uint8Array {
  const writer = new StagingParquetWriter('interactions');
  const parts: Uint8Array[] = [];
  for (const values of groups) {
    writer.writeRowGroup(values, values[0]?.length ?? 0);
    parts.push(writer.take());
  }
  writer.finish();
  parts.push(writer.take());
  return Buffer.concat(parts);
}
