import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { CsvRecordScanner, type ScannedRecord } from "../../src/internal/csvRecordScanner.js"

type Seen = { line: number; text?: string; malformed?: string }

/** Scans `text` pushed in chunks of `size` bytes (whole text when omitted). */
const scan = (text: string, size?: number, maxRecordBytes = 1024 * 1024): Array<Seen> => {
  const scanner = new CsvRecordScanner(maxRecordBytes)
  const seen: Array<Seen> = []
  const emit = (record: ScannedRecord) =>
    seen.push(
      record.malformed === undefined
        ? { line: record.line, text: Buffer.from(record.bytes).toString("utf8") }
        : { line: record.line, malformed: record.malformed }
    )
  const all = Buffer.from(text, "utf8")
  const step = size ?? Math.max(all.length, 1)
  for (let i = 0; i < all.length; i += step) scanner.push(all.subarray(i, i + step), emit)
  scanner.end(emit)
  return seen
}

/** The scan result must not depend on where the input is cut. */
const scanEverySplit = (text: string): Array<Seen> => {
  const whole = scan(text)
  for (const size of [1, 2, 3, 5, 7, 13]) expect(scan(text, size)).toEqual(whole)
  return whole
}

describe("CsvRecordScanner", () => {
  it("splits LF and CRLF records and numbers lines from 1", () => {
    expect(scanEverySplit("a,b\r\n1,2\r\n3,4")).toEqual([
      { line: 1, text: "a,b" },
      { line: 2, text: "1,2" },
      { line: 3, text: "3,4" }
    ])
    expect(scanEverySplit("a,b\n1,2\n")).toEqual([
      { line: 1, text: "a,b" },
      { line: 2, text: "1,2" }
    ])
  })

  it("skips a UTF-8 byte order mark and blank lines, keeping line numbers", () => {
    expect(scanEverySplit("\uFEFFa,b\n\n  \r\n1,2\n")).toEqual([
      { line: 1, text: "a,b" },
      { line: 4, text: "1,2" }
    ])
  })

  it("keeps quoted commas, quotes and newlines inside one record and counts its lines", () => {
    expect(scanEverySplit('h\n"x, ""y""\r\nz",1\n2,3\n')).toEqual([
      { line: 1, text: "h" },
      { line: 2, text: '"x, ""y""\r\nz",1' },
      { line: 4, text: "2,3" }
    ])
  })

  it("marks a stray quote in an unquoted field malformed and goes on with the next line", () => {
    expect(scanEverySplit('a,b\n5" tv,1\nc,d\n')).toEqual([
      { line: 1, text: "a,b" },
      { line: 2, malformed: "a quote inside an unquoted field" },
      { line: 3, text: "c,d" }
    ])
  })

  it("marks text after a closing quote malformed", () => {
    const seen = scanEverySplit('a,b\n"q"z,1\nc,d\n')
    expect(seen.map((s) => [s.line, s.malformed !== undefined])).toEqual([
      [1, false],
      [2, true],
      [3, false]
    ])
  })

  it("gives up only the first line of an unclosed quote and re-reads the lines after it", () => {
    const seen = scanEverySplit('h\n"never closed,1\n2,3\n"ok",4\n5,6\n')
    expect(seen.map((s) => s.line)).toEqual([1, 2, 3, 4, 5])
    expect(seen[1].malformed).toMatch(/quoted field that starts on this line/)
    expect(seen.slice(2).map((s) => s.text)).toEqual(["2,3", '"ok",4', "5,6"])
  })

  it("handles an unclosed quote at the end of the input", () => {
    const seen = scanEverySplit('h\n1,2\n"open,3')
    expect(seen).toEqual([
      { line: 1, text: "h" },
      { line: 2, text: "1,2" },
      { line: 3, malformed: "a quoted field that is never closed" }
    ])
  })

  it("accepts a closing quote followed by CRLF and by the end of input", () => {
    expect(scanEverySplit('"a"\r\n"b"\r')).toEqual([
      { line: 1, text: '"a"' },
      { line: 2, text: '"b"' }
    ])
  })

  it("bounds memory: a record longer than the limit is malformed and skipped", () => {
    const long = "x".repeat(100)
    const seen = scan(`h\n${long}\n1,2\n`, 10, 50)
    expect(seen).toEqual([
      { line: 1, text: "h" },
      { line: 2, malformed: "a record longer than 50 bytes" },
      { line: 3, text: "1,2" }
    ])
  })

  it("reads quote-free records between quoted ones (the quote-free fast path) with the same lines and text", () => {
    const text = 'h1,h2\n1,2\n"q,1",3\n4,5\r\n\n6,"multi\nline"\n7,8\n9" bad,1\n10,11'
    expect(scanEverySplit(text)).toEqual([
      { line: 1, text: "h1,h2" },
      { line: 2, text: "1,2" },
      { line: 3, text: '"q,1",3' },
      { line: 4, text: "4,5" },
      { line: 6, text: '6,"multi\nline"' },
      { line: 8, text: "7,8" },
      { line: 9, malformed: "a quote inside an unquoted field" },
      { line: 10, text: "10,11" }
    ])
  })

  it("splits an unquoted record into the same fields as decoding each field's bytes on its own", () => {
    // Commas, ASCII, valid multi-byte sequences and bytes that are not valid UTF-8 (lone continuation bytes,
    // truncated sequences, surrogates, overlong forms): the line is decoded once, and must split the same way.
    const pieces = [[0x2c], [0x41], [0x20], [0xe2, 0x82, 0xac], [0xc3, 0xa9], [0xf0, 0x9f, 0x98, 0x80], [0xe2, 0x82]]
    const odd = [0xff, 0x80, 0xed, 0xa0, 0xbf, 0xc0, 0xf4, 0x90, 0xe2, 0xf0]
    const byte = fc.oneof(
      fc.constantFrom(...pieces),
      fc.constantFrom(...odd).map((b) => [b])
    )
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 40 }), (parts) => {
        const line = Buffer.from([...parts.flat(), 0x0a])
        const records: Array<ScannedRecord> = []
        const scanner = new CsvRecordScanner(1024)
        scanner.push(line, (record) => records.push(record))
        scanner.end((record) => records.push(record))
        const content = line.subarray(0, line.length - 1)
        if (content.every((b) => b === 0x20)) {
          expect(records).toEqual([])
          return
        }
        const record = records[0]!
        expect(record.malformed).toBeUndefined()
        if (record.malformed !== undefined) return
        const fieldBytes: Array<Buffer> = []
        let from = 0
        for (let i = 0; i <= content.length; i++) {
          if (i === content.length || content[i] === 0x2c) {
            fieldBytes.push(content.subarray(from, i))
            from = i + 1
          }
        }
        expect(record.unquotedFields()).toEqual(fieldBytes.map((field) => field.toString("utf8")))
      }),
      { numRuns: 2000 }
    )
  })
})
