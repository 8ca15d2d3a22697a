/**
 * Record boundaries of a CSV byte stream, found before csv-parse sees the bytes. It follows RFC 4180 quoting just far
 * enough to know where each record starts (its 1-based line) and ends, and whether its quotes are well formed. That
 * isolates every record: csv-parse then only ever receives well-formed records, so a stray quote on one line cannot
 * swallow or shift the lines after it (csv-parse's own recovery after a quote error does), and a malformed record
 * becomes an `invalid` outcome for its line instead of an abort.
 *
 * Recovery rule: a malformed record that spans several physical lines (an opening quote that is never closed
 * properly) marks only its first line malformed; scanning resumes on the next line. Memory is bounded by
 * `maxRecordBytes`: a longer record is malformed too. A UTF-8 byte order mark is skipped; CRLF and LF both end a
 * record; a record's terminator (and the CR before an LF) is not part of its bytes; blank lines are skipped.
 */

/**
 * A complete record: where its bytes (without terminator) lie in the scanner's buffer of the moment, and whether it
 * has a quoted field. The bytes are not copied or viewed until asked for (`bytes`, `text()`): no typed-array view is
 * made per record.
 */
export class RecordBytes {
  readonly malformed?: undefined
  constructor(
    readonly line: number,
    private readonly source: Buffer,
    private readonly start: number,
    private readonly end: number,
    readonly quoted: boolean
  ) {}

  /** The record's bytes (a view of the source buffer). */
  get bytes(): Buffer {
    return this.source.subarray(this.start, this.end)
  }

  /** The record's bytes decoded as UTF-8. */
  text(): string {
    return this.source.toString("utf8", this.start, this.end)
  }

  /**
   * The fields of a record without quotes: the text between commas. The line is decoded once and split on commas,
   * which gives the same fields as decoding each field's bytes (a comma byte is never part of a multi-byte UTF-8
   * sequence, and the decoder resynchronises on it after an invalid one), with one decode per line instead of one
   * per field. Long fields share the line's text, which is no larger than the fields themselves and lives no longer
   * than the record.
   */
  unquotedFields(): Array<string> {
    return this.source.toString("utf8", this.start, this.end).split(",")
  }
}

/** A complete record, or the reason the record starting at `line` is malformed. */
export type ScannedRecord = RecordBytes | { readonly line: number; readonly malformed: string }

const QUOTE = 0x22
const COMMA = 0x2c
const LF = 0x0a
const CR = 0x0d

const FIELD_START = 0
const UNQUOTED = 1
const QUOTED = 2
const QUOTE_SEEN = 3
const SKIP = 4

const EMPTY = Buffer.alloc(0)

const isBlank = (buf: Uint8Array, start: number, end: number): boolean => {
  for (let i = start; i < end; i++) {
    const c = buf[i]
    if (c !== 0x20 && c !== 0x09 && c !== CR) return false
  }
  return true
}

/** Splits pushed bytes into records; `emit` receives them in input order. */
export class CsvRecordScanner {
  private buf: Buffer = EMPTY
  /** Next byte to look at. */
  private pos = 0
  /** First byte of the current record. */
  private start = 0
  private state = FIELD_START
  /** The line of the byte at `pos`. */
  private line = 1
  /** The line the current record starts on. */
  private recordLine = 1
  /** Offset of the first LF inside the current record's quoted fields, -1 if none. */
  private firstLf = -1
  /** Whether the current record has a quoted field. */
  private quoted = false
  private bomChecked = false

  constructor(private readonly maxRecordBytes: number) {}

  push(chunk: Uint8Array, emit: (record: ScannedRecord) => void): void {
    if (chunk.byteLength === 0) return
    const incoming = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    if (this.start >= this.buf.length) {
      this.buf = incoming
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.start), incoming])
    }
    this.pos -= this.start
    if (this.firstLf >= 0) this.firstLf -= this.start
    this.start = 0
    this.scan(false, emit)
  }

  end(emit: (record: ScannedRecord) => void): void {
    this.scan(true, emit)
    this.buf = EMPTY
    this.pos = 0
    this.start = 0
  }

  private scan(final: boolean, emit: (record: ScannedRecord) => void): void {
    if (!this.bomChecked) {
      if (this.buf.length < 3 && !final) return
      this.bomChecked = true
      if (this.buf[0] === 0xef && this.buf[1] === 0xbb && this.buf[2] === 0xbf) {
        this.start = 3
        this.pos = 3
      }
    }
    const buf = this.buf
    const len = buf.length
    /** Where the next quote is at or after the current record's start (-1: none in the buffer). */
    let nextQuote = -2
    for (;;) {
      let i = this.pos
      let state = this.state
      scanning: while (i < len) {
        // Fast path: a record that starts here, has no quote and ends within the buffer is the text up to the next
        // line end, found with the native byte search instead of the state machine below, which gives the same
        // result for it (and still reads every record that has a quote).
        if (state === FIELD_START && i === this.start) {
          const lf = buf.indexOf(LF, i)
          if (lf !== -1) {
            if (nextQuote !== -1 && nextQuote < i) nextQuote = buf.indexOf(QUOTE, i)
            if (nextQuote === -1 || nextQuote > lf) {
              this.endRecord(lf, lf + 1, emit)
              i = lf + 1
              continue
            }
          }
        }
        const c = buf[i]
        switch (state) {
          case FIELD_START:
            if (c === QUOTE) {
              state = QUOTED
              this.quoted = true
            } else if (c === LF) {
              this.endRecord(i, i + 1, emit)
              state = FIELD_START
            } else if (c !== COMMA) state = UNQUOTED
            break
          case UNQUOTED:
            if (c === COMMA) state = FIELD_START
            else if (c === LF) {
              this.endRecord(i, i + 1, emit)
              state = FIELD_START
            } else if (c === QUOTE) {
              i = this.malformed(i, "a quote inside an unquoted field", emit)
              state = this.state
              continue
            }
            break
          case QUOTED:
            if (c === QUOTE) state = QUOTE_SEEN
            else if (c === LF) {
              this.line++
              if (this.firstLf < 0) this.firstLf = i
            }
            break
          case QUOTE_SEEN:
            if (c === QUOTE) state = QUOTED
            else if (c === COMMA) state = FIELD_START
            else if (c === LF) {
              this.endRecord(i, i + 1, emit)
              state = FIELD_START
            } else if (c === CR && (i + 1 === len || buf[i + 1] === LF)) {
              if (i + 1 === len && !final) break scanning
            } else {
              i = this.malformed(i, "a character other than a comma or a line end after a closing quote", emit)
              state = this.state
              continue
            }
            break
          default:
            if (c === LF) {
              this.line++
              this.start = i + 1
              this.recordLine = this.line
              this.firstLf = -1
              state = FIELD_START
            }
        }
        i++
      }
      this.pos = i
      this.state = state
      if (state === SKIP) {
        this.start = this.pos
      } else if (final) {
        if (state === QUOTED) {
          this.pos = this.malformed(len, "a quoted field that is never closed", emit)
          if (this.state !== SKIP) continue
          this.start = len
          this.pos = len
        } else {
          this.endRecord(len, len, emit)
        }
      } else if (len - this.start > this.maxRecordBytes) {
        this.pos = this.malformed(len, `a record longer than ${this.maxRecordBytes} bytes`, emit)
        if (this.state !== SKIP) continue
        this.start = len
        this.pos = len
      }
      return
    }
  }

  /** Ends the current record at `end` (exclusive); the next one starts at `next`. */
  private endRecord(end: number, next: number, emit: (record: ScannedRecord) => void): void {
    const buf = this.buf
    let stop = end
    if (stop > this.start && buf[stop - 1] === CR) stop--
    if (!isBlank(buf, this.start, stop)) {
      emit(new RecordBytes(this.recordLine, buf, this.start, stop, this.quoted))
    }
    if (next > end) this.line++
    this.start = next
    this.recordLine = this.line
    this.firstLf = -1
    this.quoted = false
  }

  /**
   * Reports the current record as malformed. A record that spans several lines gives up only its first line and
   * scanning restarts after that line's end; a one-line record is skipped to its end. Returns where to go on.
   */
  private malformed(at: number, reason: string, emit: (record: ScannedRecord) => void): number {
    if (this.firstLf >= 0) {
      emit({ line: this.recordLine, malformed: `${reason} (in a quoted field that starts on this line)` })
      const restart = this.firstLf + 1
      this.start = restart
      this.line = this.recordLine + 1
      this.recordLine = this.line
      this.firstLf = -1
      this.quoted = false
      this.state = FIELD_START
      return restart
    }
    emit({ line: this.recordLine, malformed: reason })
    this.state = SKIP
    this.quoted = false
    return at + 1
  }
}
