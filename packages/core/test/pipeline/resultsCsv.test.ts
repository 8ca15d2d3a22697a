import { existsSync, linkSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { basename, join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Chunk, Effect, Exit, Option, Stream } from "effect"
import { parse } from "csv-parse/sync"
import * as Outcome from "../../src/pipeline/outcome.js"
import * as ResultsCsv from "../../src/pipeline/resultsCsv.js"
import * as ResultsRows from "../../src/pipeline/resultsRows.js"
import * as Summary from "../../src/pipeline/summary.js"

const identity = {
  microsoftClickId: "c1",
  conversionName: 'Sale, "big"\nline two',
  conversionTime: "2025-06-15T08:00:00.000Z"
}

const outcomes: ReadonlyArray<Outcome.Outcome> = [
  Outcome.Outcome.Accepted({ line: 2, identity }),
  Outcome.Outcome.Rejected({
    line: 3,
    identity,
    errors: [
      { code: 5604, errorCode: "OfflineConversionMicrosoftClickIdInvalid", message: "bad click", fieldPath: null },
      { code: 5616, errorCode: "ConversionTimeEarlierThanClickTime", message: "too early", fieldPath: null }
    ]
  }),
  Outcome.Outcome.Invalid({
    line: 4,
    identity: { microsoftClickId: null, conversionName: null, conversionTime: null },
    code: 5607,
    errorCode: "OfflineConversionTimeInvalid",
    message: "The conversion time of offline conversion is invalid.",
    field: "ConversionTime"
  }),
  Outcome.Outcome.Duplicate({ line: 5, identity, firstLine: 2 }),
  Outcome.Outcome.Failed({
    line: 6,
    identity,
    cause: {
      message: "Authentication failed.",
      trackingId: "t-1",
      code: 105,
      errorCode: "InvalidCredentials",
      attempts: 1,
      retry: "later",
      retryAfterMs: null
    }
  }),
  Outcome.Outcome.Ready({ line: 7, identity: { ...identity, conversionName: " padded " } })
]

describe("ResultsCsv", () => {
  it("writes the header and one properly quoted row per outcome, readable by a CSV parser", () => {
    const text = ResultsRows.header + outcomes.map(ResultsRows.row).join("")
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>
    expect(Object.keys(rows[0])).toEqual([...ResultsRows.columns])
    expect(rows.map((r) => [r.line, r.status, r.code, r.error_code])).toEqual([
      ["2", "accepted", "", ""],
      ["3", "rejected", "5604", "OfflineConversionMicrosoftClickIdInvalid"],
      ["4", "invalid", "5607", "OfflineConversionTimeInvalid"],
      ["5", "duplicate", "", ""],
      ["6", "failed", "105", "InvalidCredentials"],
      ["7", "ready", "", ""]
    ])
    expect(rows[0].conversion_name).toBe('Sale, "big"\nline two')
    expect(rows[1].message).toBe("bad click | too early")
    expect(rows[3].message).toBe("duplicate of line 2")
    expect(rows[4].message).toBe("Authentication failed. (TrackingId t-1); 1 attempt")
    expect(rows[5].conversion_name).toBe(" padded ")
  })

  it("quotes only when needed", () => {
    expect(ResultsRows.field("plain")).toBe("plain")
    expect(ResultsRows.field("a,b")).toBe('"a,b"')
    expect(ResultsRows.field('say "hi"')).toBe('"say ""hi"""')
    expect(ResultsRows.field("two\r\nlines")).toBe('"two\r\nlines"')
    expect(ResultsRows.field(null)).toBe("")
    expect(ResultsRows.field(5607)).toBe("5607")
  })

  it.effect("write passes outcomes through and leaves the file behind", () =>
    Effect.gen(function* () {
      const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "uplink-results-")))
      const path = join(dir, "results.csv")
      const passed = yield* Stream.runCollect(ResultsCsv.write(path)(Stream.fromIterable(outcomes)))
      expect(passed.length).toBe(outcomes.length)
      const text = yield* Effect.promise(() => readFile(path, "utf8"))
      expect(text).toBe(ResultsRows.header + outcomes.map(ResultsRows.row).join(""))
      const encoded = yield* Stream.runCollect(ResultsRows.encode(Stream.fromIterable(outcomes)))
      expect([...encoded].join("")).toBe(text)
      yield* Effect.promise(() => rm(dir, { recursive: true }))
    })
  )

  it.effect("a results file that cannot be written fails the stream with ResultsWriteError", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Stream.runDrain(ResultsCsv.write("/nonexistent-dir/results.csv")(Stream.fromIterable(outcomes)))
      )
      expect(error._tag).toBe("ResultsWriteError")
    })
  )

  it.effect("a failed write ends the stream at once with ResultsWriteError, rows or header alone", () =>
    Effect.gen(function* () {
      // /dev/full opens, and every write to it fails with ENOSPC.
      let pulled = 0
      const upstream = Stream.fromIterable(outcomes).pipe(
        Stream.rechunk(2),
        Stream.mapChunks((chunk) => {
          pulled += Chunk.size(chunk)
          return chunk
        })
      )
      const passed: Array<Outcome.Outcome> = []
      const error = yield* Effect.flip(
        Stream.runForEach(ResultsCsv.write("/dev/full")(upstream), (outcome) => Effect.sync(() => passed.push(outcome)))
      )
      expect(error).toMatchObject({ _tag: "ResultsWriteError", path: "/dev/full" })
      expect(error.message).toContain("ENOSPC")
      expect(error.message.match(/cannot write/g)).toHaveLength(1)
      expect([passed.length, pulled]).toEqual([0, 2])
      const headerOnly = yield* Effect.flip(Stream.runDrain(ResultsCsv.write("/dev/full")(Stream.empty)))
      expect(headerOnly).toMatchObject({ _tag: "ResultsWriteError", path: "/dev/full" })
    })
  )

  it.effect("an empty stream leaves the header alone; the rows of every chunk follow it once", () =>
    Effect.gen(function* () {
      const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "uplink-results-")))
      const empty = join(dir, "empty.csv")
      yield* Stream.runDrain(ResultsCsv.write(empty)(Stream.empty))
      expect(yield* Effect.promise(() => readFile(empty, "utf8"))).toBe(ResultsRows.header)
      const chunked = join(dir, "chunked.csv")
      yield* Stream.runDrain(ResultsCsv.write(chunked)(Stream.rechunk(Stream.fromIterable(outcomes), 4)))
      expect(yield* Effect.promise(() => readFile(chunked, "utf8"))).toBe(
        ResultsRows.header + outcomes.map(ResultsRows.row).join("")
      )
      yield* Effect.promise(() => rm(dir, { recursive: true }))
    })
  )
})

describe("Summary", () => {
  it.effect("counts by status and by code, running and at the end", () =>
    Effect.gen(function* () {
      const running = yield* Stream.runCollect(
        Stream.drop(Stream.scan(Stream.fromIterable(outcomes), Summary.empty, Summary.add), 1)
      )
      const last = [...running].at(-1)!
      expect(last.total).toBe(6)
      expect(last.byStatus).toEqual({ accepted: 1, rejected: 1, invalid: 1, duplicate: 1, failed: 1, ready: 1 })
      expect(last.byCode).toEqual({ "5604": 1, "5607": 1, "105": 1 })
      expect([...running].map((s) => s.total)).toEqual([1, 2, 3, 4, 5, 6])
      expect(yield* Summary.collect(Stream.fromIterable(outcomes))).toEqual(last)
    })
  )

  it("gives the CLI's exit codes", () => {
    const of = (...list: ReadonlyArray<Outcome.Outcome>) => list.reduce(Summary.add, Summary.empty)
    expect(Summary.exitCode(of(outcomes[0], outcomes[3]))).toBe(0)
    expect(Summary.exitCode(of(outcomes[0], outcomes[2]))).toBe(2)
    expect(Summary.exitCode(of(outcomes[1]))).toBe(2)
    expect(Summary.exitCode(of(outcomes[2], outcomes[4]))).toBe(3)
    expect(Summary.exitCode(of(outcomes[5], outcomes[3]))).toBe(0)
  })
})

describe("ResultsCsv against spreadsheet formula injection", () => {
  const hostile = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]

  it.each(hostile)("a text cell that begins like %j is prefixed with ' in every text column", (value) => {
    const outcomes: ReadonlyArray<Outcome.Outcome> = [
      Outcome.Outcome.Invalid({
        line: 2,
        identity: { microsoftClickId: value, conversionName: value, conversionTime: value },
        code: 5607,
        errorCode: value,
        message: value,
        field: null
      }),
      Outcome.Outcome.Failed({
        line: 3,
        identity: { microsoftClickId: value, conversionName: value, conversionTime: value },
        cause: {
          message: value,
          trackingId: null,
          code: null,
          errorCode: null,
          kind: value,
          attempts: 0,
          retry: "never",
          retryAfterMs: null
        }
      }),
      Outcome.Outcome.Rejected({
        line: 4,
        identity: { microsoftClickId: value, conversionName: value, conversionTime: value },
        errors: [{ code: 5604, errorCode: value, message: value, fieldPath: null }]
      })
    ]
    const text = ResultsRows.header + outcomes.map(ResultsRows.row).join("")
    const rows = parse(text, { columns: true, relax_quotes: false }) as Array<Record<string, string>>
    expect(rows).toHaveLength(3)
    for (const row of rows) {
      for (const column of ["error_code", "message", "microsoft_click_id", "conversion_name", "conversion_time"]) {
        expect(row[column], column).toBe(`'${value}`)
      }
    }
    // Numbers stay numbers: no quote, no prefix.
    expect(text.split("\n")[1]).toMatch(/^2,invalid,5607,/)
    expect(rows.map((r) => [r.line, r.code])).toEqual([
      ["2", "5607"],
      ["3", ""],
      ["4", "5604"]
    ])
  })

  it("leaves other text alone, and numbers as numbers", () => {
    expect(ResultsRows.field("Offline Purchase")).toBe("Offline Purchase")
    expect(ResultsRows.field("a=b")).toBe("a=b")
    expect(ResultsRows.field("'=already")).toBe("'=already")
    expect(ResultsRows.field(-5)).toBe("-5")
    expect(ResultsRows.field("=a,b")).toBe(`"'=a,b"`)
  })
})

describe("ResultsCsv.write opens the file only when the first outcome comes", () => {
  it.effect("a run that fails before any outcome leaves no file, and an existing file untouched", () =>
    Effect.gen(function* () {
      const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "uplink-results-")))
      const fresh = join(dir, "fresh.csv")
      const failing = Stream.fail("input unreadable")
      expect(yield* Effect.flip(Stream.runDrain(ResultsCsv.write(fresh)(failing)))).toBe("input unreadable")
      expect(existsSync(fresh)).toBe(false)
      const old = join(dir, "old.csv")
      writeFileSync(old, "previous results\n")
      yield* Effect.flip(Stream.runDrain(ResultsCsv.write(old)(failing)))
      expect(yield* Effect.promise(() => readFile(old, "utf8"))).toBe("previous results\n")
      yield* Effect.promise(() => rm(dir, { recursive: true }))
    })
  )

  it.effect("with onError, a failed write stops the writing but not the outcomes", () =>
    Effect.gen(function* () {
      const errors: Array<ResultsCsv.ResultsWriteError> = []
      const passed = yield* Stream.runCollect(
        ResultsCsv.write("/dev/full", { onError: (error) => errors.push(error) })(
          Stream.rechunk(Stream.fromIterable(outcomes), 2)
        )
      )
      expect(passed.length).toBe(outcomes.length)
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatchObject({ _tag: "ResultsWriteError", reason: "WriteFailed", path: "/dev/full" })
      expect(errors[0]!.message).toContain("ENOSPC")
    })
  )
})

describe("ResultsCsv.checkTarget", () => {
  const setup = () => {
    const dir = mkdtempSync(join(tmpdir(), "uplink-target-"))
    const input = join(dir, "input.csv")
    writeFileSync(input, "Microsoft Click Id\nx\n")
    return { dir, input }
  }
  const check = (path: string, input: string) => Effect.runSyncExit(ResultsCsv.checkTarget(path, input))
  const reasonOf = (path: string, input: string) => {
    const exit = check(path, input)
    return Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause))?.reason : "ok"
  }

  it("refuses the input itself: the same path, another spelling, a symbolic link, a hard link", () => {
    const { dir, input } = setup()
    symlinkSync(input, join(dir, "symlink.csv"))
    linkSync(input, join(dir, "hardlink.csv"))
    expect(reasonOf(input, input)).toBe("SameAsInput")
    expect(reasonOf(join(dir, ".", "..", basename(dir), "input.csv"), input)).toBe("SameAsInput")
    expect(reasonOf(join(dir, "symlink.csv"), input)).toBe("SameAsInput")
    expect(reasonOf(join(dir, "hardlink.csv"), input)).toBe("SameAsInput")
    expect(reasonOf(input, join(dir, "symlink.csv"))).toBe("SameAsInput")
    const exit = check(join(dir, "hardlink.csv"), input)
    expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).toContain("would destroy the input")
    // Nothing was changed.
    expect(readFileSync(input, "utf8")).toBe("Microsoft Click Id\nx\n")
    rmSync(dir, { recursive: true })
  })

  it("accepts a new file, another existing file, and any path when the input is standard input", () => {
    const { dir, input } = setup()
    writeFileSync(join(dir, "other.csv"), "x")
    expect(reasonOf(join(dir, "new.csv"), input)).toBe("ok")
    expect(existsSync(join(dir, "new.csv"))).toBe(false)
    expect(reasonOf(join(dir, "other.csv"), input)).toBe("ok")
    expect(reasonOf(input, "-")).toBe("ok")
    rmSync(dir, { recursive: true })
  })

  it("refuses a folder and a folder that does not exist", () => {
    const { dir, input } = setup()
    expect(reasonOf(dir, input)).toBe("NotWritable")
    expect(reasonOf(join(dir, "no-such-folder", "results.csv"), input)).toBe("NotWritable")
    rmSync(dir, { recursive: true })
  })
})
