import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Stream } from "effect"
import * as Readers from "../../src/pipeline/readers/index.js"
import * as Warning from "../../src/pipeline/warning.js"
import type { ReaderItem } from "../../src/pipeline/readers/item.js"
import { bytes, collect } from "./support.js"

const read = (text: string, format: Readers.InputFormat = "auto", mode: "apply" | "adjust" = "apply", size?: number) =>
  collect(
    Readers.readWith(
      bytes(text, size),
      () => Readers.makeReader(format, { mode }),
      (reason) => reason
    )
  )

const records = (items: ReadonlyArray<ReaderItem>) =>
  items.flatMap((item) => (item._tag === "Record" ? [item.record] : []))
const malformed = (items: ReadonlyArray<ReaderItem>) =>
  items.flatMap((item) => (item._tag === "Malformed" ? [item] : []))
const warnings = (items: ReadonlyArray<ReaderItem>) =>
  items.flatMap((item) => (item._tag === "Warning" ? [item.warning] : []))

describe("CSV reader", () => {
  it.effect("matches API names and Microsoft column names case-, space- and underscore-insensitively", () =>
    Effect.gen(function* () {
      const items = yield* read(
        "microsoft_click_id,CONVERSION NAME,Conversion_Time,conversionvalue,Conversion Currency Code,Email,PHONE\n" +
          "abc,Goal,2025-06-01T00:00:00Z,1.5,usd,a@b.c,+1 425 555 0100\n"
      )
      expect(records(items)).toEqual([
        {
          line: 2,
          id: undefined,
          bulk: false,
          values: {
            MicrosoftClickId: "abc",
            ConversionName: "Goal",
            ConversionTime: "2025-06-01T00:00:00Z",
            ConversionValue: "1.5",
            ConversionCurrencyCode: "usd",
            Email: "a@b.c",
            Phone: "+1 425 555 0100"
          }
        }
      ])
      expect(warnings(items)).toEqual([])
    })
  )

  it.effect("reports unknown columns once, however many rows there are", () =>
    Effect.gen(function* () {
      const rows = Array.from({ length: 50 }, (_, i) => `c${i},Goal,2025-06-01T00:00:00Z,x,y`).join("\n")
      const items = yield* read(
        `MicrosoftClickId,ConversionName,ConversionTime,Colour,Notes\n${rows}\n`,
        "csv",
        "apply",
        64
      )
      const found = warnings(items)
      expect(found).toHaveLength(1)
      expect(found[0]).toMatchObject({ _tag: "UnknownColumns", columns: ["Colour", "Notes"] })
      expect(records(items)).toHaveLength(50)
      expect(records(items)[0].values).not.toHaveProperty("Colour")
    })
  )

  it.effect("keeps quoted commas, quotes, newlines and non-ASCII text; lines are where records start", () =>
    Effect.gen(function* () {
      const text =
        '\uFEFFConversionName,MicrosoftClickId,ConversionTime\r\n"Sale, ""big""\r\nsecond line",c1,2025-06-01T00:00:00Z\r\n' +
        "Café <&> 日本,c2,2025-06-01T00:00:00Z\r\n"
      for (const size of [undefined, 1, 4]) {
        const got = records(yield* read(text, "auto", "apply", size))
        expect(got.map((r) => [r.line, r.values.ConversionName])).toEqual([
          [2, 'Sale, "big"\r\nsecond line'],
          [4, "Café <&> 日本"]
        ])
      }
    })
  )

  it.effect("turns malformed lines into Malformed items and reads on", () =>
    Effect.gen(function* () {
      const items = yield* read(
        'MicrosoftClickId,ConversionName,ConversionTime\nc1,Goal,t\nc2,Goal\n"c3"x,Goal,t\nc4,Goal,t,extra\nc5,"Go"al,t\nc6,Goal,t\n'
      )
      expect(records(items).map((r) => r.line)).toEqual([2, 7])
      expect(malformed(items).map((m) => m.line)).toEqual([3, 4, 5, 6])
      expect(malformed(items)[0].reason).toBe("the row has 2 fields, the header has 3")
    })
  )

  it.effect("skips rows whose cells are all empty", () =>
    Effect.gen(function* () {
      const items = yield* read("MicrosoftClickId,ConversionName\n,\n , \nc1,Goal\n")
      expect(records(items).map((r) => r.line)).toEqual([4])
      expect(malformed(items)).toEqual([])
    })
  )

  it.effect("fails when there is no header or it names no known column", () =>
    Effect.gen(function* () {
      expect(yield* Effect.either(read(""))).toEqual(Either.left("the input is empty: a CSV file needs a header row"))
      const unknown = yield* Effect.either(read("a,b\n1,2\n"))
      expect(Either.isLeft(unknown) && unknown.left).toMatch(/names no known column/)
      const semicolons = yield* Effect.either(read("Microsoft Click Id;Conversion Name\nc;G\n"))
      expect(Either.isLeft(semicolons) && semicolons.left).toMatch(/only comma-separated files are read$/)
      const badHeader = yield* Effect.either(read('"ConversionName,x\n'))
      expect(Either.isLeft(badHeader) && badHeader.left).toMatch(/header row \(line 1\) is malformed/)
    })
  )

  it.effect("warns about two columns meaning the same field and uses the first", () =>
    Effect.gen(function* () {
      const items = yield* read("ConversionName,Conversion Name,MicrosoftClickId\nfirst,second,c\n")
      expect(records(items)[0].values.ConversionName).toBe("first")
      expect(warnings(items)).toMatchObject([{ _tag: "DuplicateColumns", field: "ConversionName" }])
    })
  )

  it.effect("reads an id column into the record id", () =>
    Effect.gen(function* () {
      const items = yield* read("id,MicrosoftClickId\nrec-1,c\n")
      expect(records(items)[0]).toMatchObject({ id: "rec-1", values: { MicrosoftClickId: "c" } })
    })
  )
})

describe("Bulk CSV reader", () => {
  const header =
    "Type,Status,Id,Parent Id,Client Id,Name,Conversion Currency Code,Conversion Name,Conversion Time,Conversion Value," +
    "Microsoft Click Id,Adjustment Type,Adjustment Value,Adjustment Time,Adjustment Currency Code\n"

  it.effect("reads Offline Conversion rows, skips the Format Version row, reports other types as malformed", () =>
    Effect.gen(function* () {
      const items = yield* read(
        header +
          "Format Version,,,,,6.0,,,,,,,,,\n" +
          "Offline Conversion,,,,ClientId,,USD,My Goal,4/1/2020 6:50:54 PM,10,f894f652ea334e739002f7167ab8f8e3,,,,\n" +
          "Campaign,,,,,Summer,,,,,,,,,\n" +
          "Offline Conversion,,,,,,,My Goal,4/1/2020 6:50:54 PM,,f894f652ea334e739002f7167ab8f8e3,Retract,,4/2/2020 1:00:00 PM,\n",
        "auto"
      )
      expect(records(items)).toEqual([
        {
          line: 3,
          id: undefined,
          bulk: true,
          values: {
            ConversionCurrencyCode: "USD",
            ConversionName: "My Goal",
            ConversionTime: "4/1/2020 6:50:54 PM",
            ConversionValue: "10",
            MicrosoftClickId: "f894f652ea334e739002f7167ab8f8e3",
            AdjustmentType: "",
            AdjustmentValue: "",
            AdjustmentTime: "",
            AdjustmentCurrencyCode: ""
          }
        },
        expect.objectContaining({ line: 5, values: expect.objectContaining({ AdjustmentType: "Retract" }) })
      ])
      expect(malformed(items)).toEqual([
        {
          _tag: "Malformed",
          line: 4,
          reason: 'Bulk record type "Campaign" is not read; only Offline Conversion rows are',
          errorCode: "UnsupportedRecordType"
        }
      ])
      expect(warnings(items)).toEqual([])
    })
  )

  it.effect("warns once when the Format Version row is missing", () =>
    Effect.gen(function* () {
      const items = yield* read(`${header}Offline Conversion,,,,,,,G,4/1/2020 6:50:54 PM,,c,,,,\n`.repeat(1), "bulk")
      expect(warnings(items)).toMatchObject([{ _tag: "MissingFormatVersion" }])
    })
  )

  it.effect("bulk format requires a Type column", () =>
    Effect.gen(function* () {
      const result = yield* Effect.either(read("MicrosoftClickId\nc\n", "bulk"))
      expect(result).toEqual(Either.left("not a Bulk file: the header row has no Type column"))
    })
  )
})

describe("JSON Lines reader", () => {
  it.effect("reads objects with their line, skips blank lines, strips a BOM and CRLF", () =>
    Effect.gen(function* () {
      const text =
        '\uFEFF{"MicrosoftClickId":"c1","ConversionName":"Goal","ConversionValue":2.5,"id":"r1"}\r\n\r\n' +
        '{"microsoft_click_id":"c2","Conversion Name":"Goal"}\n'
      for (const size of [undefined, 1, 5]) {
        const items = yield* read(text, "auto", "apply", size)
        expect(records(items)).toEqual([
          { line: 1, id: "r1", values: { MicrosoftClickId: "c1", ConversionName: "Goal", ConversionValue: 2.5 } },
          { line: 3, id: undefined, values: { MicrosoftClickId: "c2", ConversionName: "Goal" } }
        ])
      }
    })
  )

  it.effect("malformed lines are reported without their text; unknown keys once", () =>
    Effect.gen(function* () {
      const items = yield* read(
        '{"MicrosoftClickId":"c1","Extra":1}\n{"Email":"secret@example.com",\n[1,2]\n{"MicrosoftClickId":"c2","Extra":2}\n',
        "jsonl"
      )
      expect(records(items).map((r) => r.line)).toEqual([1, 4])
      expect(malformed(items)).toEqual([
        { _tag: "Malformed", line: 2, reason: "the line is not valid JSON" },
        { _tag: "Malformed", line: 3, reason: "a JSON Lines record must be a JSON object" }
      ])
      expect(warnings(items)).toMatchObject([{ _tag: "UnknownColumns", columns: ["Extra"] }])
      expect(JSON.stringify(items)).not.toContain("secret@example.com")
    })
  )

  it.effect("an over-long line is malformed and skipped without buffering it", () =>
    Effect.gen(function* () {
      const long = `{"ConversionName":"${"x".repeat(5000)}"}`
      const items = yield* collect(
        Readers.readWith(
          bytes(`${long}\n{"MicrosoftClickId":"c"}\n`, 100),
          () => Readers.makeReader("jsonl", { mode: "apply", maxRecordBytes: 1000 }),
          (reason) => reason
        )
      )
      expect(malformed(items)).toEqual([{ _tag: "Malformed", line: 1, reason: "a line longer than 1000 bytes" }])
      expect(records(items).map((r) => r.line)).toEqual([2])
    })
  )
})

describe("a field given twice, in CSV and in JSON Lines alike", () => {
  const csvText = "Conversion Name,MicrosoftClickId,Conversion Name\nfirst,c1,second\nthird,c2,fourth\n"
  const jsonlText =
    '{"ConversionName":"first","MicrosoftClickId":"c1","ConversionName":"second"}\n' +
    '{"ConversionName":"third","MicrosoftClickId":"c2","ConversionName":"fourth"}\n'

  it.effect("keeps the first value and warns once, with the same warning", () =>
    Effect.gen(function* () {
      for (const [text, format] of [
        [csvText, "csv"],
        [jsonlText, "jsonl"]
      ] as const) {
        const items = yield* read(text, format)
        expect(records(items).map((record) => record.values.ConversionName)).toEqual(["first", "third"])
        expect(warnings(items)).toEqual(
          [{ _tag: "DuplicateColumns", field: "ConversionName", columns: ["Conversion Name", "Conversion Name"] }].map(
            (warning) => (format === "csv" ? warning : { ...warning, columns: ["ConversionName", "ConversionName"] })
          )
        )
      }
      const [warning] = warnings(yield* read(jsonlText, "jsonl"))
      expect(Warning.message(warning!)).toBe('"ConversionName" is given 2 times; the first one is used')
    })
  )
})

describe("JSON Lines numbers a double cannot hold", () => {
  it.effect("are kept as their text: a 20-digit click id or id is not rounded", () =>
    Effect.gen(function* () {
      const items = yield* read(
        '{"MicrosoftClickId":12345678901234567890,"ConversionName":"G","ConversionValue":9007199254740993,' +
          '"id":-98765432109876543210}\n{"MicrosoftClickId":123456789012345,"ConversionValue":2.5}\n',
        "jsonl"
      )
      expect(records(items)).toEqual([
        {
          line: 1,
          id: "-98765432109876543210",
          values: { MicrosoftClickId: "12345678901234567890", ConversionName: "G", ConversionValue: "9007199254740993" }
        },
        { line: 2, id: undefined, values: { MicrosoftClickId: 123456789012345, ConversionValue: 2.5 } }
      ])
    })
  )
})

describe("format detection", () => {
  it.effect("auto picks JSON Lines for leading '{' (after white space) and CSV otherwise", () =>
    Effect.gen(function* () {
      const json = yield* read('  \n{"MicrosoftClickId":"c"}\n', "auto", "apply", 1)
      expect(records(json)).toEqual([{ line: 2, id: undefined, values: { MicrosoftClickId: "c" } }])
      const csv = yield* read("MicrosoftClickId\nc\n", "auto", "apply", 1)
      expect(records(csv)).toEqual([{ line: 2, id: undefined, bulk: false, values: { MicrosoftClickId: "c" } }])
    })
  )

  it.effect("in an adjust run conversion-only columns are unknown", () =>
    Effect.gen(function* () {
      const items = yield* read("ConversionName,ConversionValue,AdjustmentType\nG,1,Retract\n", "csv", "adjust")
      expect(warnings(items)).toMatchObject([{ _tag: "UnknownColumns", columns: ["ConversionValue"] }])
      expect(records(items)[0].values).toEqual({ ConversionName: "G", AdjustmentType: "Retract" })
    })
  )
})

describe("readThrough", () => {
  it.effect("hands each chunk's items to process in the same step and empties the array afterwards", () =>
    Effect.gen(function* () {
      const seen: Array<Array<ReaderItem>> = []
      const lines: Array<number> = []
      const stream = Readers.readThrough(
        bytes(
          "Microsoft Click Id,Conversion Name,Conversion Time\na,G,2025-06-01T00:00:00Z\nb,G,2025-06-01T00:00:00Z\n",
          20
        ),
        () => Readers.makeReader("csv", { mode: "apply" }),
        (reason) => reason,
        (items) =>
          Effect.sync(() => {
            seen.push(items as Array<ReaderItem>)
            for (const item of items) if (item._tag === "Record") lines.push(item.record.line)
            return Chunk.of(items.length)
          })
      )
      const counts = yield* Stream.runCollect(stream)
      expect(lines).toEqual([2, 3])
      expect(Chunk.toReadonlyArray(counts).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2)
      expect(seen.length).toBeGreaterThan(1)
      for (const items of seen) expect(items).toHaveLength(0)
    })
  )
})
