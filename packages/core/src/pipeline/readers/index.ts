/**
 * The input readers: CSV (with Microsoft Bulk CSV), JSON Lines, and format detection. Each turns bytes into
 * `ReaderItem`s (a record with its 1-based line, a malformed line, or a warning) with constant memory.
 */
export * as Csv from "./csv.js"
export * as Bulk from "./bulk.js"
export * as CsvRecords from "../../internal/csvRecordScanner.js"
export * as JsonLines from "./jsonl.js"
export * as JsonText from "./jsonText.js"
export { type InputFormat, makeReader, type ReaderOptions } from "./format.js"
export { type ReaderItem, type RecordReader, readThrough, readWith, type SourceRecord } from "./item.js"
