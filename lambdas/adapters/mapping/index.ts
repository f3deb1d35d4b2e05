/**
 * The generic adapter: any CSV/TSV/JSONL export, mapped to one canonical table by a declarative
 * mapping (schema.ts). This is how a user brings an export no dedicated adapter knows.
 */
import type { Readable } from 'node:stream';
import { type Adapter, FileRejectedError, type SourceRecord } from '../../core/normalise/adapter.ts';
import { readCsv, readJson } from '../../core/read/index.ts';
import { type ColumnReader, compileMapping } from './compile.ts';
import { type MappingOptions, mappingOptionsSchema } from './schema.ts';

export { type CompiledMapping, compileMapping } from './compile.ts';
export {
  type CheckRule,
  type Condition,
  type DropRule,
  type FieldSpec,
  type Mapping,
  MappingError,
  type MappingFormat,
  type MappingOptions,
  mappingOptionsSchema,
  mappingSchema,
  parseMapping,
} from './schema.ts';

export const mappingAdapter: Adapter<MappingOptions> = {
  name: 'mapping',
  description:
    'Any CSV, TSV or JSON Lines export, mapped to one canonical table by a declarative column mapping (types, formats, value maps, drop rules, checks).',
  optionsSchema: mappingOptionsSchema,
  read(input: Readable, options: MappingOptions, context) {
    return readMapped(input, options, context);
  },
};

async function* readMapped(
  input: Readable,
  options: MappingOptions,
  context: Parameters<Adapter<MappingOptions>['read']>[2],
): AsyncIterable<SourceRecord> {
  const { mapping } = options;
  const compiled = compileMapping(mapping, context);
  const format = mapping.format;
  if (format.type === 'csv') {
    const records = readCsv(input, {
      delimiter: format.delimiter,
      encoding: format.encoding,
      skipLines: format.skipLines,
      headerRows: format.headerRows,
      columns: format.columns,
      onHeader: (header) => {
        const missing = compiled.missingColumns(header.columns);
        if (missing.length > 0) {
          throw new FileRejectedError(
            `missing column(s) ${quoteList(missing)} used by the ${mapping.table} mapping; the file has columns ${quoteList(header.columns)}`,
          );
        }
      },
    });
    for await (const item of records) {
      if (item.kind === 'error') {
        yield { kind: 'rejected', rowNumber: item.rowNumber, raw: item.raw, field: null, reason: item.error };
      } else {
        const values = item.values;
        yield compiled.mapRecord((column) => values[column], item.rowNumber, values);
      }
    }
    return;
  }
  const records = readJson(input, {
    format: format.type === 'jsonl' ? 'jsonl' : 'auto',
    encoding: format.encoding,
    recordsPath: format.recordsPath,
  });
  for await (const item of records) {
    if (item.kind === 'error') {
      yield { kind: 'rejected', rowNumber: item.rowNumber, raw: item.raw, field: null, reason: item.error };
    } else if (item.value === null || typeof item.value !== 'object' || Array.isArray(item.value)) {
      yield {
        kind: 'rejected',
        rowNumber: item.rowNumber,
        raw: item.value,
        field: null,
        reason: 'record is not a JSON object',
      };
    } else {
      yield compiled.mapRecord(jsonReader(item.value as Record<string, unknown>), item.rowNumber, item.value);
    }
  }
}

/** Columns of a JSON record are keys or dotted paths ("customer.id"); scalars are read as text. */
function jsonReader(record: Record<string, unknown>): ColumnReader {
  return (column) => {
    let value: unknown = column in record ? record[column] : undefined;
    if (value === undefined && column.includes('.')) {
      value = record;
      for (const key of column.split('.')) {
        value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
      }
    }
    if (value === null || value === undefined) return null;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
    return JSON.stringify(value);
  };
}

function quoteList(names: readonly string[]): string {
  return names.map((n) => JSON.stringify(n)).join(', ');
}
