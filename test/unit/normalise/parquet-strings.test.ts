import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import {
  encodeParquet,
  PARQUET_CREATED_BY,
  parquetSchema,
  parquetValue,
} from '../../../lambdas/core/normalise/parquet.ts';
import { TABLES } from '../../../lambdas/core/schema/canonical.ts';
import { columnsOf } from '../../../lambdas/core/schema/derive.ts';
import { validInteraction } from '../../support/rows.ts';

/** The file the writer makes from the rows' strings, with nothing encoded beforehand. */
function writerOwnFile(
  rows: readonly Record<string, unknown>[],
  options: { statistics: boolean; codec: 'SNAPPY' | 'UNCOMPRESSED' },
) {
  const writer = new ByteWriter();
  const parquet = new ParquetWriter({
    writer,
    schema: parquetSchema('interactions'),
    createdBy: PARQUET_CREATED_BY,
    ...options,
  });
  const columnData = columnsOf('interactions').map((c) => ({
    name: c.name,
    data: rows.map((row) => parquetValue(c, row[c.name])),
    ...(c.logicalType === 'timestamp' || c.logicalType === 'bigint'
      ? { encoding: 'DELTA_BINARY_PACKED' as const }
      : {}),
  }));
  void parquet.write({ columnData, rowGroupSize: 100_000 });
  void parquet.finish();
  return new Uint8Array(writer.getBuffer());
}

function rows(count: number, text: (i: number) => string | null) {
  return Array.from({ length: count }, (_, i) =>
    TABLES.interactions.schema.parse(
      validInteraction({
        interaction_id: `c-${i}`,
        customer_key: text(i),
        agent_id: i % 3 ? `agent-${i % 4}` : null,
        created_at: new Date(Date.UTC(2025, 5, 3, 10, 0, i)),
      }),
    ),
  );
}

const cases: Record<string, (i: number) => string | null> = {
  'unique ASCII': (i) => `customer-${i * 7919}`,
  'unique with non-ASCII': (i) => (i % 5 ? `kunde-${i}` : `kündé-${i}-😀`),
  'unique with nulls': (i) => (i % 4 ? `k-${i}` : null),
  'on the edge of a dictionary': (i) => `k-${i % 900}`,
  'every value null': () => null,
};

describe('string columns the writer writes plain', () => {
  for (const [name, text] of Object.entries(cases)) {
    for (const count of [1, 7, 2_500]) {
      it(`gives the writer's own bytes: ${name}, ${count} rows`, () => {
        const input = rows(count, text);
        expect(encodeParquet('interactions', input)).toEqual(
          writerOwnFile(input, { statistics: true, codec: 'SNAPPY' }),
        );
      });
    }
  }
});
