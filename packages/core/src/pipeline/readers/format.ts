/**
 * Input formats and the reader for each: `csv` (Bulk files are recognised by their `Type` column), `bulk` (must be a
 * Bulk file), `jsonl`, or `auto`, which looks at the first byte that is not white space (after a UTF-8 byte order
 * mark): `{` means JSON Lines, anything else CSV. `auto` decides on the bytes alone, so it works on stdin too.
 */
import type { Mode } from "../columns.js"
import * as CsvReader from "./csv.js"
import type { ReaderItem, RecordReader } from "./item.js"
import * as JsonLinesReader from "./jsonl.js"

export type InputFormat = "auto" | "csv" | "bulk" | "jsonl"

export interface ReaderOptions {
  readonly mode: Mode
  readonly maxRecordBytes?: number | undefined
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d

/** Buffers bytes until the format is known, then hands everything to the chosen reader. */
class AutoReader implements RecordReader {
  private chosen: RecordReader | undefined
  private held: Array<Uint8Array> = []

  constructor(private readonly options: ReaderOptions) {}

  push(bytes: Uint8Array, out: Array<ReaderItem>): void {
    if (this.chosen !== undefined) {
      this.chosen.push(bytes, out)
      return
    }
    this.held.push(bytes)
    const all = Buffer.concat(this.held)
    let i = all[0] === 0xef && all[1] === 0xbb && all[2] === 0xbf ? 3 : 0
    if (all.length < 3) return
    while (i < all.length && isSpace(all[i])) i++
    if (i === all.length) return
    this.choose(all[i] === 0x7b ? "jsonl" : "csv", out)
  }

  end(out: Array<ReaderItem>): void {
    if (this.chosen === undefined) this.choose("csv", out)
    this.chosen!.end(out)
  }

  private choose(format: "csv" | "jsonl", out: Array<ReaderItem>): void {
    const reader = makeReader(format, this.options)
    this.chosen = reader
    for (const bytes of this.held) reader.push(bytes, out)
    this.held = []
  }
}

/** A fresh reader for `format`. */
export const makeReader = (format: InputFormat, options: ReaderOptions): RecordReader => {
  switch (format) {
    case "csv":
      return CsvReader.make(options)
    case "bulk":
      return CsvReader.make({ ...options, requireBulk: true })
    case "jsonl":
      return JsonLinesReader.make(options)
    case "auto":
      return new AutoReader(options)
  }
}
