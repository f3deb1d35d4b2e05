/**
 * The adapter contract. An adapter knows one export format: it turns the decoded bytes of one
 * landing object into source records, each mapped to zero or more canonical rows, or to a reason
 * the record cannot be used. The pipeline (pipeline.ts) does everything else: gzip detection,
 * validation against the canonical schema, partitioning, Parquet, rejects and the audit record.
 */
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { SourceOutput } from '../metrics/coverage.ts';
import type { TableName } from '../schema/canonical.ts';

/** Kinds of identifier that are pseudonymised before they reach the curated zone. */
export type IdentifierKind = 'customer' | 'employee' | 'author';

export interface AdapterContext {
  /** Source name from the config (written into every row's `source`). */
  readonly source: string;
  /** Landing object key, for messages and deterministic ids. */
  readonly objectKey: string;
  /** When the object landed; becomes every row's `ingested_at`. */
  readonly ingestedAt: Date;
  /** Keyed hash (HMAC-SHA256) of an identifier; null/blank in, null out. */
  pseudonymise(kind: IdentifierKind, value: string | null | undefined): string | null;
  /** Sentiment analyser for social text (lexicon locally, Comprehend when deployed). */
  readonly sentiment?: SentimentAnalyser;
  /** IANA time zone for source timestamps that carry no offset (from the source config). */
  readonly timeZone: string;
}

export interface SentimentAnalyser {
  analyse(texts: readonly string[]): Promise<{ label: 'positive' | 'neutral' | 'negative'; score: number }[]>;
}

/**
 * A canonical row before validation. The pipeline checks everything and completes the row in place
 * (its lineage, a directory's agent name), so an adapter makes a new row object for each record and
 * keeps no reference to it.
 */
export interface MappedRow {
  readonly table: TableName;
  readonly row: Record<string, unknown>;
}

/** What an adapter yields for each source record it reads. */
export type SourceRecord =
  | {
      readonly kind: 'mapped';
      /** 1-based position of the record in the file (data row for CSV, record for JSON). */
      readonly rowNumber: number;
      readonly raw: unknown;
      readonly rows: readonly MappedRow[];
    }
  | {
      readonly kind: 'rejected';
      readonly rowNumber: number;
      readonly raw: unknown;
      /** Field (source column or canonical field) at fault, or null for the record as a whole. */
      readonly field: string | null;
      readonly reason: string;
    };

export interface Adapter<Options = unknown> {
  /** Adapter id used in the config's `sources[].adapter`. */
  readonly name: string;
  readonly description: string;
  /** Validates the source's `options` from the config. */
  readonly optionsSchema: z.ZodType<Options>;
  /**
   * What its rows can hold, one entry per table it writes: the fields any row may set and, where
   * the code fixes them, the values of the table's kind field. `validate-config` says from it which
   * metrics a source feeds; test/unit/adapters/outputs.test.ts checks it against the fixtures.
   * @default undefined: what it writes is known only from the rows, which `ingest` reports
   */
  readonly outputs?: readonly SourceOutput[];
  /**
   * Reads one object (already gunzipped when it was gzip) and yields its records in order.
   * Throwing a FileRejectedError rejects the whole file (unreadable, wrong format, missing columns).
   */
  read(input: Readable, options: Options, context: AdapterContext): AsyncIterable<SourceRecord>;
}

/** The whole file cannot be used; the reason is recorded once and no row is curated. */
export class FileRejectedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'FileRejectedError';
  }
}
