/**
 * What `servicebench ingest` checks once the files are in: why rows were rejected (the top
 * reasons per file), whether too many were (ingest.maxRejectShare), what the ingested rows can feed
 * (lambdas/core/metrics/coverage.ts) and whether their figures are plausible. A wrong date format
 * or a column mapped to a constant produces a run that "works" and numbers nobody should trust;
 * these checks say so at the moment the data arrives.
 */
import { createInterface } from 'node:readline';
import { DuckDBInstance } from '@duckdb/node-api';
import type { ServiceBenchConfig } from '../lambdas/core/config/config.ts';
import { DEFAULTS } from '../lambdas/core/config/defaults.ts';
import { METRIC_BY_ID } from '../lambdas/core/metrics/catalogue.ts';
import { KIND_FIELDS, METRIC_INPUTS, type SourceOutput } from '../lambdas/core/metrics/coverage.ts';
import type { RejectRecord } from '../lambdas/core/normalise/pipeline.ts';
import type { TableName } from '../lambdas/core/schema/canonical.ts';
import { columnsOf } from '../lambdas/core/schema/derive.ts';
import type { ObjectStore } from '../lambdas/core/store/object-store.ts';

/** Reject reasons printed per file, most frequent first. */
export const TOP_REJECT_REASONS = 3;

/** Rejected records of one kind: the reason with its values blanked, how many, and a first example. */
export interface RejectReason {
  readonly field: string | null;
  readonly reason: string;
  readonly count: number;
  /** The first such record's own reason and row number. */
  readonly example: { readonly reason: string; readonly row: number | null };
}

/**
 * The reason with the values that make each record's differ blanked, so one cause counts once:
 * a leading quoted value (`"3-Feb-21" is not a date…`), a trailing `(got …)` and a row's date.
 */
export function reasonKind(reason: string): string {
  return (
    reason
      // Unrolled, so a multi-megabyte quoted value is matched in a loop, not one regex frame per character.
      .replace(/^"[^"\\]*(?:\\.[^"\\]*)*"/, '"…"')
      .replace(/\(got .*\)$/, '(got …)')
      .replace(/dates the row \d{4}-\d{2}-\d{2}/, 'dates the row …')
  );
}

/** The most frequent kinds of reject in a reject file, read as a stream. */
export async function topRejectReasons(
  quarantine: ObjectStore,
  key: string,
  limit: number = TOP_REJECT_REASONS,
): Promise<RejectReason[]> {
  const kinds = new Map<
    string,
    { field: string | null; reason: string; count: number; example: RejectReason['example'] }
  >();
  for await (const line of createInterface({
    input: await quarantine.read(key),
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    if (line.trim() === '') continue;
    const record = JSON.parse(line) as RejectRecord;
    const reason = reasonKind(record.reason);
    const id = JSON.stringify([record.field, reason]);
    const kind = kinds.get(id);
    if (kind) kind.count++;
    else
      kinds.set(id, {
        field: record.field,
        reason,
        count: 1,
        example: { reason: record.reason, row: record.row_number },
      });
  }
  return [...kinds.values()].sort((a, b) => b.count - a.count).slice(0, limit);
}

/** `1,558 × Date: "…" is not a date … (e.g. row 37: "3-Feb-21" is not a date …)`. */
export function describeRejectReason(kind: RejectReason): string {
  const where = kind.field === null ? '' : `${kind.field}: `;
  const example =
    kind.example.reason === kind.reason
      ? kind.example.row === null
        ? ''
        : ` (first at row ${kind.example.row})`
      : ` (e.g. ${kind.example.row === null ? '' : `row ${kind.example.row}: `}${kind.example.reason})`;
  return `${kind.count.toLocaleString('en')} × ${where}${kind.reason}${example}`;
}

/** The reject share a run or file may reach (ingest.maxRejectShare, else the documented default). */
export function maxRejectShare(config: ServiceBenchConfig): number {
  return config.ingest.maxRejectShare ?? DEFAULTS.maxRejectShare;
}

/** A share as a short percentage: 31.2 %, 5 %. */
export function percent(share: number): string {
  return `${Number((share * 100).toFixed(1))} %`;
}

/** The rows one source wrote to one table in this run: the landing objects they came from. */
export interface IngestedRows {
  readonly source: string;
  readonly table: TableName;
  readonly objectKeys: readonly string[];
}

/** What the rows of one source and table hold, and what about them is implausible. */
export interface Inspection {
  readonly source: string;
  readonly table: TableName;
  readonly rows: number;
  /** The fields that are set on at least one row, and the kinds that occur. */
  readonly output: SourceOutput;
  readonly warnings: readonly string[];
}

/** Above this share of queued contacts abandoned, an abandonment rate is more likely a mapping error. */
const IMPLAUSIBLE_ABANDONMENT_SHARE = 0.5;

/**
 * Boolean fields a proportion is computed over (abandonment over is_abandoned, FCR over
 * resolved_first_contact, …), by table, from the metric inputs and the catalogue: when one holds a
 * single value in every row, its rate is 0 % or 100 % by construction, usually a constant mapped
 * where the export has no such column (unknown must stay unknown, not become false).
 */
function rateFlags(table: TableName): Map<string, string[]> {
  const booleans = new Set(
    columnsOf(table)
      .filter((c) => c.logicalType === 'boolean')
      .map((c) => c.name),
  );
  const flags = new Map<string, string[]>();
  for (const [metric, inputs] of Object.entries(METRIC_INPUTS)) {
    if (!METRIC_BY_ID.get(metric)?.isProportion) continue;
    for (const input of inputs) {
      if (input.table !== table) continue;
      for (const field of [...(input.all ?? []), ...(input.any ?? [])]) {
        if (booleans.has(field)) flags.set(field, [...(flags.get(field) ?? []), metric]);
      }
    }
  }
  return flags;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteText = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * Reads back the rows this run curated (by their landing objects, from the compacted partitions)
 * and reports, per source and table, the fields they set and the implausible figures they would
 * give: a handle time of 0 s, more than half the queued contacts abandoned, a rate over a flag that
 * is constant in every row (only from `minRows` rows on: a handful of rows proves nothing).
 */
export async function inspectIngested(
  curatedDir: string,
  groups: readonly IngestedRows[],
  minRows: number,
): Promise<Inspection[]> {
  if (groups.length === 0) return [];
  const instance = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const connection = await instance.connect();
  try {
    const inspections: Inspection[] = [];
    for (const group of groups) {
      const columns = columnsOf(group.table);
      const flags = rateFlags(group.table);
      const kindField = KIND_FIELDS[group.table];
      const names = new Set(columns.map((c) => c.name));
      const has = (...fields: string[]) => fields.every((f) => names.has(f));
      const selects = [
        'count(*)::DOUBLE AS n',
        ...columns.map((c) => `count(${quoteIdent(c.name)})::DOUBLE AS ${quoteIdent(`set:${c.name}`)}`),
        ...[...flags.keys()].map(
          (f) =>
            `count(DISTINCT ${quoteIdent(f)})::DOUBLE AS ${quoteIdent(`distinct:${f}`)}, bool_or(${quoteIdent(f)}) AS ${quoteIdent(`any:${f}`)}`,
        ),
        ...(kindField ? [`list(DISTINCT ${quoteIdent(kindField)}) AS kinds`] : []),
        ...(has('talk_s', 'hold_s', 'acw_s', 'answered_at', 'agent_id')
          ? [
              `count(*) FILTER (WHERE (answered_at IS NOT NULL OR agent_id IS NOT NULL) AND talk_s IS NOT NULL)::DOUBLE AS handled`,
              `sum(talk_s + coalesce(hold_s, 0) + coalesce(acw_s, 0)) FILTER (WHERE (answered_at IS NOT NULL OR agent_id IS NOT NULL) AND talk_s IS NOT NULL)::DOUBLE AS handle_s`,
            ]
          : []),
        ...(has('queued_at', 'is_abandoned')
          ? [
              'count(*) FILTER (WHERE queued_at IS NOT NULL AND is_abandoned IS NOT NULL)::DOUBLE AS queued',
              'count(*) FILTER (WHERE queued_at IS NOT NULL AND is_abandoned)::DOUBLE AS abandoned',
            ]
          : []),
      ];
      const files = `${curatedDir}/${group.table}/dt=*/*.parquet`;
      const sql = `SELECT ${selects.join(', ')} FROM read_parquet(${quoteText(files)}, hive_partitioning = false, union_by_name = true)
        WHERE source_object IN (${group.objectKeys.map(quoteText).join(', ')})`;
      const reader = await connection.runAndReadAll(sql);
      const row = (reader.getRowObjectsJS()[0] ?? {}) as Record<string, unknown>;
      const num = (key: string) => Number(row[key] ?? 0);
      const rows = num('n');
      const fields = new Set(columns.filter((c) => num(`set:${c.name}`) > 0).map((c) => c.name));
      const kinds = Array.isArray(row.kinds) ? new Set(row.kinds.filter((k) => k !== null).map(String)) : undefined;
      const warnings: string[] = [];
      const label = `${group.source} (${group.table})`;
      if (num('handled') > 0 && num('handle_s') === 0) {
        warnings.push(
          `${label}: average handle time is 0 s over ${num('handled').toLocaleString('en')} handled contacts: talk_s, hold_s and acw_s are 0 in every one; check the duration columns and their format`,
        );
      }
      if (num('queued') > 0 && num('abandoned') / num('queued') > IMPLAUSIBLE_ABANDONMENT_SHARE) {
        warnings.push(
          `${label}: ${percent(num('abandoned') / num('queued'))} of ${num('queued').toLocaleString('en')} queued contacts are abandoned, above ${percent(IMPLAUSIBLE_ABANDONMENT_SHARE)}; check how is_abandoned and answered contacts are mapped`,
        );
      }
      if (rows >= minRows) {
        for (const [flag, metrics] of flags) {
          if (num(`set:${flag}`) === rows && num(`distinct:${flag}`) === 1) {
            warnings.push(
              `${label}: ${flag} is ${String(row[`any:${flag}`])} in all ${rows.toLocaleString('en')} rows, so ${metrics.join(', ')} can only be ${row[`any:${flag}`] ? '100' : '0'} %; if the export does not record it, leave ${flag} unmapped so the rate stays unknown`,
            );
          }
        }
      }
      inspections.push({
        source: group.source,
        table: group.table,
        rows,
        output: { table: group.table, fields, ...(kinds ? { kinds } : {}) },
        warnings,
      });
    }
    return inspections;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
