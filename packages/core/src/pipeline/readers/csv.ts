/**
 * The CSV reader: a header row names the columns (matched through `columns.ts`), every following record is one
 * input record. Record boundaries, start lines and quote errors come from `CsvRecordScanner`; records with quoted
 * fields are split and unquoted by csv-parse's streaming parser (fed only well-formed records, so its state never
 * derails). Records without a single quote — nearly all of them in practice — are split on commas directly: for them
 * that is all RFC 4180 asks, and it spares them csv-parse's byte-by-byte state machine (the package README,
 * "Performance notes"). A header with a `Type` column makes the file a Microsoft Bulk
 * file, read by the rules of `bulk.ts`. Unknown columns are reported once; a row whose field count differs from the
 * header's is malformed; a row whose cells are all empty is skipped like a blank line.
 */
import { Parser } from "csv-parse"
import { parse as parseSync } from "csv-parse/sync"
import { type FieldName, type FieldValues, type Mode, isBulkHeader, roleOf } from "../columns.js"
import { Warning } from "../warning.js"
import { type BulkRowKind, bulkRowKind } from "./bulk.js"
import { CsvRecordScanner, type ScannedRecord } from "../../internal/csvRecordScanner.js"
import { ReadRecord, type ReaderItem, RecordItem, type RecordReader, emptyFieldValues } from "./item.js"

export interface CsvReaderOptions {
  readonly mode: Mode
  /** Longest record accepted, in bytes (default 1 MiB). */
  readonly maxRecordBytes?: number | undefined
  /** `true`: the file must be a Bulk file; `false`: read Bulk files too when the header says so. */
  readonly requireBulk?: boolean | undefined
}

const TYPE_KEY = "\u0000type"
const ID_KEY = "\u0000id"
const LF = Buffer.from("\n")

interface Header {
  readonly bulk: boolean
}

/**
 * csv-parse's synchronous push API. `Parser` (its Node Transform) is a thin wrapper that drives this object, exposed
 * as `parser.api` but missing from the type declarations; driving it directly keeps records, skipped rows and our
 * line queue in one order without Node stream plumbing. `pushApi` checks the shape so an upgrade that changes it
 * fails loudly.
 */
interface CsvPushApi {
  parse(
    bytes: Buffer | undefined,
    end: boolean,
    push: (fields: Array<string>) => void,
    close: () => void
  ): (Error & { readonly code?: string }) | undefined
}

const pushApi = (parser: Parser): CsvPushApi => {
  const api = (parser as unknown as { readonly api?: Partial<CsvPushApi> }).api
  if (api === undefined || typeof api.parse !== "function") {
    throw new Error("csv-parse: Parser.api.parse is missing (the installed csv-parse version is not supported)")
  }
  return api as CsvPushApi
}

class CsvReader implements RecordReader {
  private readonly scanner: CsvRecordScanner
  private header: Header | undefined
  private parser: CsvPushApi | undefined
  private keys: Array<string | false> = []
  private out: Array<ReaderItem> = []
  /** Lines of the quoted records handed to csv-parse in the current call, and how many it has answered. */
  private groupLines: Array<number> = []
  private groupAnswered = 0
  private firstBulkRow = true

  constructor(private readonly options: CsvReaderOptions) {
    this.scanner = new CsvRecordScanner(options.maxRecordBytes ?? 1024 * 1024)
  }

  push(bytes: Uint8Array, out: Array<ReaderItem>): void {
    const scanned: Array<ScannedRecord> = []
    this.scanner.push(bytes, (record) => scanned.push(record))
    this.handle(scanned, out)
  }

  end(out: Array<ReaderItem>): void {
    const scanned: Array<ScannedRecord> = []
    this.scanner.end((record) => scanned.push(record))
    this.handle(scanned, out)
    if (this.header === undefined && !out.some((item) => item._tag === "Unreadable")) {
      out.push({ _tag: "Unreadable", reason: "the input is empty: a CSV file needs a header row" })
    }
  }

  private handle(scanned: ReadonlyArray<ScannedRecord>, out: Array<ReaderItem>): void {
    this.out = out
    try {
      this.handleRecords(scanned, out)
    } finally {
      // Let go of the caller's array: held here, its records would live until the next chunk is read — that is,
      // until the batches made from them are delivered — and be promoted to the old generation.
      this.out = []
    }
  }

  private handleRecords(scanned: ReadonlyArray<ScannedRecord>, out: Array<ReaderItem>): void {
    let from = 0
    if (this.header === undefined) {
      const first = scanned[0]
      if (first === undefined) return
      if (first.malformed !== undefined) {
        out.push({ _tag: "Unreadable", reason: `the header row (line ${first.line}) is malformed: ${first.malformed}` })
        return
      }
      if (!this.readHeader(first.bytes, out)) return
      from = 1
    }
    const group: Array<Buffer> = []
    for (let i = from; i < scanned.length; i++) {
      const record = scanned[i]
      if (record.malformed === undefined && record.quoted) {
        group.push(record.bytes, LF)
        this.groupLines.push(record.line)
        continue
      }
      this.parseGroup(group)
      if (record.malformed !== undefined) {
        out.push({ _tag: "Malformed", line: record.line, reason: record.malformed })
      } else {
        // A record without quotes: its fields are the text between commas.
        this.emitFields(record.line, record.unquotedFields())
      }
    }
    this.parseGroup(group)
  }

  /**
   * Consecutive records with quoted fields, parsed by csv-parse in one call. An extra line end after them makes it
   * emit the last one at once (the empty line is skipped), so every group is answered within its call, in order.
   */
  private parseGroup(group: Array<Buffer>): void {
    if (group.length === 0) return
    group.push(LF)
    const bytes = Buffer.concat(group)
    group.length = 0
    this.groupAnswered = 0
    if (this.parser === undefined) this.parser = this.makeParser()
    const parser = this.parser
    const error = parser.parse(
      bytes,
      false,
      (fields: Array<string>) => this.answer(fields),
      () => {}
    )
    if (error !== undefined) this.parser = undefined
    // csv-parse never sees a malformed record, so this is a safety net: a record it did not answer is malformed.
    while (this.groupAnswered < this.groupLines.length) {
      this.answer(undefined, error === undefined ? "the row cannot be parsed as CSV" : `csv-parse: ${error.message}`)
    }
    this.groupLines = []
  }

  /** The next record of the group has `fields` (skipped by csv-parse when `undefined`). */
  private answer(fields: Array<string> | undefined, reason?: string): void {
    const line = this.groupLines[this.groupAnswered++]
    if (line === undefined) return
    if (fields === undefined) {
      this.out.push({ _tag: "Malformed", line, reason: reason ?? "the row cannot be parsed as CSV" })
    } else {
      this.emitFields(line, fields)
    }
  }

  private readHeader(bytes: Uint8Array, out: Array<ReaderItem>): boolean {
    let names: ReadonlyArray<string>
    try {
      names = (parseSync(Buffer.from(bytes), { relax_column_count: true }) as Array<Array<string>>)[0] ?? []
    } catch (error) {
      out.push({ _tag: "Unreadable", reason: `the header row cannot be parsed: ${(error as Error).message}` })
      return false
    }
    const bulk = isBulkHeader(names)
    if (this.options.requireBulk === true && !bulk) {
      out.push({ _tag: "Unreadable", reason: "not a Bulk file: the header row has no Type column" })
      return false
    }
    const unknown: Array<string> = []
    const byField = new Map<FieldName, Array<string>>()
    const keys = names.map((name): string | false => {
      const role = roleOf(name, this.options.mode, bulk)
      switch (role._tag) {
        case "Field": {
          const seen = byField.get(role.field)
          if (seen !== undefined) {
            seen.push(name)
            return false
          }
          byField.set(role.field, [name])
          return role.field
        }
        case "BulkType":
          return TYPE_KEY
        case "Id":
          return ID_KEY
        default:
          if (role._tag === "Unknown" && name.trim() !== "") unknown.push(name)
          return false
      }
    })
    if (!keys.some((key) => key !== false && key !== TYPE_KEY && key !== ID_KEY)) {
      const separated = names.some((name) => /[;\t|]/.test(name))
      out.push({
        _tag: "Unreadable",
        reason:
          `the header row names no known column (expected e.g. "Microsoft Click Id", "Conversion Name", ` +
          `"Conversion Time")${separated ? "; only comma-separated files are read" : ""}`
      })
      return false
    }
    if (unknown.length > 0) out.push({ _tag: "Warning", warning: Warning.UnknownColumns({ columns: unknown }) })
    for (const [field, columns] of byField) {
      if (columns.length > 1) out.push({ _tag: "Warning", warning: Warning.DuplicateColumns({ field, columns }) })
    }
    this.keys = keys
    this.header = { bulk }
    return true
  }

  private makeParser(): CsvPushApi {
    const parser = new Parser({
      record_delimiter: "\n",
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (error) => {
        this.answer(undefined, error === undefined ? undefined : `csv-parse: ${error.message}`)
        return undefined
      }
    })
    return pushApi(parser)
  }

  /** One record's fields, in header order: checked against the header's width, mapped to field names. */
  private emitFields(line: number, fields: ReadonlyArray<string>): void {
    const keys = this.keys
    if (fields.length !== keys.length) {
      this.out.push({
        _tag: "Malformed",
        line,
        reason: `the row has ${fields.length} fields, the header has ${keys.length}`
      })
      return
    }
    let empty = true
    const values = emptyFieldValues()
    let id: string | undefined
    let type: string | undefined
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]
      const value = fields[i]
      if (empty && value.trim() !== "") empty = false
      if (key === false) continue
      if (key === TYPE_KEY) type = value
      else if (key === ID_KEY) id = value.trim() === "" ? undefined : value.trim()
      else values[key] = value
    }
    if (empty) return
    if (this.header?.bulk === true) {
      const kind: BulkRowKind = bulkRowKind(type ?? "")
      const wasFirst = this.firstBulkRow
      this.firstBulkRow = false
      if (kind._tag === "FormatVersion") return
      if (wasFirst) this.out.push({ _tag: "Warning", warning: Warning.MissingFormatVersion() })
      if (kind._tag === "Unsupported") {
        this.out.push({ _tag: "Malformed", line, reason: kind.reason, errorCode: "UnsupportedRecordType" })
        return
      }
    }
    this.out.push(new RecordItem(new ReadRecord(line, values as FieldValues, id, this.header?.bulk)))
  }
}

/** A reader of CSV (and Bulk CSV) input for a run of `options.mode`. */
export const make = (options: CsvReaderOptions): RecordReader => new CsvReader(options)
