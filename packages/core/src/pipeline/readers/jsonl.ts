/**
 * The JSON Lines reader: one JSON object per line with the API field names (matched like CSV headers, so
 * `microsoft_click_id` works too) plus an optional `id` echoed in outcomes. A line that is not a JSON object is
 * malformed (its text is never echoed: it may hold a raw email); blank lines are skipped; unknown keys are reported
 * once each. Lines longer than `maxRecordBytes` are malformed and skipped without being buffered. A field given twice
 * (the same key repeated, or two keys that mean the same field) keeps its first value and is reported once, as two CSV
 * columns that mean the same field are; integers beyond 2^53 are kept as their text (`jsonText.ts`).
 */
import { type FieldName, type Mode, roleOf } from "../columns.js"
import { Warning } from "../warning.js"
import { ReadRecord, type ReaderItem, RecordItem, type RecordReader, emptyFieldValues } from "./item.js"
import * as JsonText from "./jsonText.js"

export interface JsonLinesReaderOptions {
  readonly mode: Mode
  /** Longest line accepted, in bytes (default 1 MiB). */
  readonly maxRecordBytes?: number | undefined
}

const LF = 0x0a
const CR = 0x0d
const EMPTY = Buffer.alloc(0)
/** At most this many distinct unknown keys are remembered (and reported). */
const MAX_UNKNOWN_KEYS = 1000

class JsonLinesReader implements RecordReader {
  private carry: Buffer = EMPTY
  private line = 1
  private started = false
  /** Inside an over-long line: drop bytes up to the next LF. */
  private skipping = false
  private readonly maxRecordBytes: number
  private readonly reportedUnknown = new Set<string>()
  private readonly reportedDuplicates = new Set<string>()

  constructor(private readonly options: JsonLinesReaderOptions) {
    this.maxRecordBytes = options.maxRecordBytes ?? 1024 * 1024
  }

  push(bytes: Uint8Array, out: Array<ReaderItem>): void {
    const incoming = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    let buf = this.carry.length === 0 ? incoming : Buffer.concat([this.carry, incoming])
    if (!this.started) {
      if (buf.length < 3) {
        this.carry = Buffer.from(buf)
        return
      }
      this.started = true
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3)
    }
    let start = 0
    for (;;) {
      const lf = buf.indexOf(LF, start)
      if (lf < 0) break
      if (this.skipping) this.skipping = false
      else this.handleLine(buf, start, lf, out)
      this.line++
      start = lf + 1
    }
    if (this.skipping) {
      this.carry = EMPTY
    } else if (buf.length - start > this.maxRecordBytes) {
      out.push({ _tag: "Malformed", line: this.line, reason: `a line longer than ${this.maxRecordBytes} bytes` })
      this.skipping = true
      this.carry = EMPTY
    } else {
      this.carry = start === buf.length ? EMPTY : Buffer.from(buf.subarray(start))
    }
  }

  end(out: Array<ReaderItem>): void {
    let buf = this.carry
    if (!this.started && buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
      buf = buf.subarray(3)
    }
    if (!this.skipping && buf.length > 0) this.handleLine(buf, 0, buf.length, out)
    this.carry = EMPTY
  }

  private handleLine(buf: Buffer, start: number, end: number, out: Array<ReaderItem>): void {
    let stop = end
    if (stop > start && buf[stop - 1] === CR) stop--
    const text = buf.toString("utf8", start, stop)
    if (text.trim() === "") return
    let parsed: unknown
    let repeatedKeys: ReadonlyArray<string>
    try {
      const read = JsonText.parse(text)
      parsed = read.value
      repeatedKeys = read.repeatedKeys
    } catch {
      out.push({ _tag: "Malformed", line: this.line, reason: "the line is not valid JSON" })
      return
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      out.push({ _tag: "Malformed", line: this.line, reason: "a JSON Lines record must be a JSON object" })
      return
    }
    const values: Partial<Record<FieldName, unknown>> = emptyFieldValues()
    const keyOf: Partial<Record<FieldName, string>> = {}
    let id: string | undefined
    let unknown: Array<string> | undefined
    for (const [key, value] of Object.entries(parsed)) {
      const role = roleOf(key, this.options.mode, false)
      if (role._tag === "Field") {
        const first = keyOf[role.field]
        if (first === undefined) {
          keyOf[role.field] = key
          values[role.field] = value
        } else {
          this.reportDuplicate(role.field, first, key, out)
        }
      } else if (role._tag === "Id") {
        if (value !== null && value !== undefined && typeof value !== "object") id = String(value)
      } else if (!this.reportedUnknown.has(key) && this.reportedUnknown.size < MAX_UNKNOWN_KEYS) {
        this.reportedUnknown.add(key)
        if (unknown === undefined) unknown = []
        unknown.push(key)
      }
    }
    for (const key of repeatedKeys) {
      const role = roleOf(key, this.options.mode, false)
      if (role._tag === "Field") this.reportDuplicate(role.field, key, key, out)
    }
    if (unknown !== undefined) out.push({ _tag: "Warning", warning: Warning.UnknownColumns({ columns: unknown }) })
    out.push(new RecordItem(new ReadRecord(this.line, values, id, undefined)))
  }

  /** Reports, once per field, that `field` was given twice (by `first`, used, and by `again`, ignored). */
  private reportDuplicate(field: FieldName, first: string, again: string, out: Array<ReaderItem>): void {
    if (this.reportedDuplicates.has(field)) return
    this.reportedDuplicates.add(field)
    out.push({ _tag: "Warning", warning: Warning.DuplicateColumns({ field, columns: [first, again] }) })
  }
}

/** A reader of JSON Lines input for a run of `options.mode`. */
export const make = (options: JsonLinesReaderOptions): RecordReader => new JsonLinesReader(options)
