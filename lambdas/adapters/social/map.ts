/**
 * Mapping of one social post (a CSV row or a JSON object) to a social_mentions row. Which field
 * holds what is configured, because every listening tool and network export names them
 * differently; brand accounts are recognised by handle or by an inbound flag.
 */
import { z } from 'zod';
import type { AdapterContext } from '../../core/normalise/adapter.ts';
import type { SocialMention } from '../../core/schema/canonical.ts';
import { parseTime } from '../shared/time.ts';
import { reject } from '../shared/values.ts';

export const SOCIAL_DEFAULTS = {
  format: 'jsonl',
  fields: { id: 'id', author: 'author', text: 'text', createdAt: 'created_at', inReplyTo: 'in_reply_to' },
  platform: 'other',
  timestampFormat: 'iso',
  customerValues: ['true', '1', 'yes'],
  stripFloatIdSuffix: false,
  /** Records held back so a brand reply further down the file can still reach its post. */
  replyWindowRecords: 10_000,
  /** Brand replies remembered whose post has not been read yet (oldest forgotten first). */
  pendingReplyLimit: 100_000,
} as const;

const TIMESTAMP_FORMATS = ['iso', 'twitter', 'unix_s', 'unix_ms'] as const;

export const socialOptionsSchema = z
  .object({
    /** @default "jsonl" */
    format: z.enum(['csv', 'jsonl']).optional(),
    /** Column names (CSV) or dotted JSON paths (JSONL) of each field. */
    fields: z
      .object({
        /** @default "id" */
        id: z.string().min(1).optional(),
        /** @default "author" */
        author: z.string().min(1).optional(),
        /** @default "text" */
        text: z.string().min(1).optional(),
        /** @default "created_at" */
        createdAt: z.string().min(1).optional(),
        /** @default "in_reply_to" */
        inReplyTo: z.string().min(1).optional(),
        /** Field naming the network; without it every post gets `platform`. */
        platform: z.string().min(1).optional(),
      })
      .optional(),
    /** Network written when no platform field is configured. @default "other" */
    platform: z.string().min(1).optional(),
    /** Handles of the brand's own accounts (case-insensitive, "@" optional). */
    brandHandles: z.array(z.string().min(1)).optional(),
    /** A field that flags customer posts (twcs: `inbound` = True); posts not flagged are the brand's. */
    inbound: z
      .object({
        field: z.string().min(1),
        /** @default ["true", "1", "yes"] */
        customerValues: z.array(z.string()).optional(),
      })
      .optional(),
    /**
     * iso (offset, or none = the source time zone), twitter ("Tue Oct 31 22:10:47 +0000 2017"),
     * unix_s or unix_ms. @default "iso"
     */
    timestampFormat: z.enum(TIMESTAMP_FORMATS).optional(),
    /** Drop a ".0" that pandas appends to integer ids it stored as floats ("3.0" → "3"). @default false */
    stripFloatIdSuffix: z.boolean().optional(),
    /** @default 10000 */
    replyWindowRecords: z.number().int().min(0).optional(),
    /** @default 100000 */
    pendingReplyLimit: z.number().int().min(0).optional(),
    encoding: z.enum(['utf-8', 'latin1', 'cp1252', 'utf-16le']).optional(),
    delimiter: z.string().min(1).optional(),
  })
  .refine((o) => (o.brandHandles?.length ?? 0) > 0 || o.inbound !== undefined, {
    message: 'say how brand posts are recognised: give brandHandles (e.g. ["AcmeSupport"]) or an inbound flag field',
    path: ['brandHandles'],
  });

export type SocialOptions = z.infer<typeof socialOptionsSchema>;

/** A mapped post before the reply join and sentiment fill in their columns. */
export interface MappedMention {
  readonly row: SocialMention;
  readonly isBrand: boolean;
}

/** Reads a field: a column of a CSV row, or a dotted path into a JSON object. */
export function fieldValue(record: unknown, path: string, format: 'csv' | 'jsonl'): unknown {
  if (record === null || typeof record !== 'object') return undefined;
  if (format === 'csv') return (record as Record<string, unknown>)[path];
  let current: unknown = record;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export function mapMention(record: unknown, options: SocialOptions, context: AdapterContext): MappedMention {
  const format = options.format ?? SOCIAL_DEFAULTS.format;
  const fields = { ...SOCIAL_DEFAULTS.fields, ...options.fields };
  const read = (path: string) => text(fieldValue(record, path, format));

  const id = idOf(read(fields.id), options) ?? reject(fields.id, 'is missing');
  const author = read(fields.author);
  const createdAt = read(fields.createdAt) ?? reject(fields.createdAt, 'is missing');
  const postedAt =
    parsePostTime(createdAt, options.timestampFormat ?? SOCIAL_DEFAULTS.timestampFormat, context.timeZone) ??
    reject(
      fields.createdAt,
      `"${createdAt}" is not a ${options.timestampFormat ?? SOCIAL_DEFAULTS.timestampFormat} timestamp`,
    );
  const isBrand = isBrandPost(record, author, options, format);
  const platform = (fields.platform ? read(fields.platform) : null) ?? options.platform ?? SOCIAL_DEFAULTS.platform;

  return {
    isBrand,
    row: {
      source: context.source,
      mention_id: id,
      platform: platform.toLowerCase(),
      posted_at: postedAt,
      // Brand accounts are public organisations, so their handle is kept; people are pseudonymised.
      author_key: isBrand ? author : context.pseudonymise('author', author),
      text: read(fields.text),
      sentiment_label: null,
      sentiment_score: null,
      in_reply_to: idOf(read(fields.inReplyTo), options),
      is_brand_reply: isBrand,
      brand_replied_at: null,
      updated_at: postedAt,
      ingested_at: context.ingestedAt,
    },
  };
}

function isBrandPost(record: unknown, author: string | null, options: SocialOptions, format: 'csv' | 'jsonl'): boolean {
  const handles = (options.brandHandles ?? []).map(normaliseHandle);
  if (author !== null && handles.includes(normaliseHandle(author))) return true;
  if (!options.inbound) return false;
  const flag = text(fieldValue(record, options.inbound.field, format));
  if (flag === null) reject(options.inbound.field, 'is missing, so the post cannot be told apart from a brand post');
  const customer = (options.inbound.customerValues ?? SOCIAL_DEFAULTS.customerValues).map((v) => v.toLowerCase());
  return !customer.includes(flag.toLowerCase());
}

function normaliseHandle(handle: string): string {
  return handle.trim().replace(/^@/, '').toLowerCase();
}

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const s = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  return s.trim() === '' ? null : s;
}

function idOf(value: string | null, options: SocialOptions): string | null {
  if (value === null) return null;
  const id = value.trim();
  return (options.stripFloatIdSuffix ?? SOCIAL_DEFAULTS.stripFloatIdSuffix) ? id.replace(/^(\d+)\.0+$/, '$1') : id;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** The Twitter API v1.1 `created_at` form: "Tue Oct 31 22:10:47 +0000 2017". */
const TWITTER_TIME = /^[A-Za-z]{3} ([A-Za-z]{3}) (\d{2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})$/;

export function parsePostTime(
  value: string,
  format: (typeof TIMESTAMP_FORMATS)[number],
  timeZone: string,
): Date | null {
  const v = value.trim();
  switch (format) {
    case 'iso':
    case 'unix_s':
    case 'unix_ms':
      return parseTime(v, format, timeZone);
    case 'twitter': {
      const m = TWITTER_TIME.exec(v);
      if (!m) return null;
      const [, mon, day, hh, mi, ss, sign, oh, om, year] = m;
      const month = MONTHS.indexOf((mon ?? '').toLowerCase());
      if (month < 0) return null;
      const local = Date.UTC(Number(year), month, Number(day), Number(hh), Number(mi), Number(ss));
      // Date.UTC rolls 31 Nov over to 1 Dec; a rolled-over date was not a real one.
      if (new Date(local).getUTCDate() !== Number(day) || Number(hh) > 23 || Number(mi) > 59 || Number(ss) > 59) {
        return null;
      }
      const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000;
      return new Date(local - offset);
    }
  }
}
