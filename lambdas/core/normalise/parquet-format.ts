/**
 * Numbers of the Parquet format (parquet.thrift) and of the thrift compact protocol its footer and
 * page headers are written in, as the staging writer (staging-parquet.ts) writes them and the
 * compactor's reader of staging files (compact/staging-reader.ts) expects them.
 */

/** Parquet enum values (parquet.thrift). */
export const PARQUET_TYPE = { BOOLEAN: 0, INT32: 1, INT64: 2, DOUBLE: 5, BYTE_ARRAY: 6 } as const;
export const CONVERTED_TYPE = { UTF8: 0, DATE: 6, TIMESTAMP_MILLIS: 9 } as const;
export const REPETITION = { REQUIRED: 0, OPTIONAL: 1 } as const;
export const ENCODING_PLAIN = 0;
export const ENCODING_RLE = 3;
export const ENCODING_RLE_DICTIONARY = 8;
export const PAGE_TYPE_DATA_PAGE = 0;
export const PAGE_TYPE_DICTIONARY_PAGE = 2;
export const CODEC_UNCOMPRESSED = 0;

/** Thrift compact protocol type ids. */
export const T_I32 = 5;
export const T_I64 = 6;
export const T_BINARY = 8;
export const T_LIST = 9;
export const T_STRUCT = 12;
