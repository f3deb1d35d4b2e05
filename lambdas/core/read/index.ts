/** Streaming readers: bytes in (gzip or not, any supported encoding), one record at a time out. */
export { type CsvHeader, type CsvOptions, type CsvRecord, readCsv, uniqueNames } from './csv.ts';
export { DEFAULT_TEXT_ENCODING, decodeText, openDecoded, TEXT_ENCODINGS, type TextEncoding } from './decode.ts';
export {
  JSON_DOCUMENT_MAX_BYTES,
  type JsonFormat,
  type JsonOptions,
  type JsonRecord,
  MAX_JSON_DEPTH,
  readJson,
  readJsonDocument,
} from './json.ts';
export { MAX_RECORD_CHARS, type RecordError } from './records.ts';
