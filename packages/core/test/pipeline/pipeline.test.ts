import { createHash } from "node:crypto"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, Either, Logger, Schedule, Stream } from "effect"
import { Sender } from "../../src/index.js"
import * as OfflineConversions from "../../src/pipeline/offlineConversions.js"
import type * as Outcome from "../../src/pipeline/outcome.js"
import * as RateLimiter from "../../src/pipeline/rateLimiter.js"
import * as ResultsRows from "../../src/pipeline/resultsRows.js"
import * as Summary from "../../src/pipeline/summary.js"
import type * as Warning from "../../src/pipeline/warning.js"
import {
  NOW,
  atNow,
  bytes,
  clickId,
  collect,
  hoursAgo,
  makeFakeSender,
  permanent,
  rateLimited,
  runWithClock,
  transient
} from "./support.js"

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")
const header = "MicrosoftClickId,ConversionName,ConversionTime,ConversionValue,ConversionCurrencyCode\n"
const row = (n: number, extra = "") =>
  `${clickId(n)},Purchase,${hoursAgo(1 + (n % 1000) / 100)},${n % 50},USD${extra}\n`

describe("OfflineConversions.apply", () => {
  it.effect("gives the Sender an array of its own per call: the pipeline never empties what it handed over", () =>
    Effect.gen(function* () {
      yield* atNow
      const given: Array<{ readonly batch: ReadonlyArray<unknown>; readonly sizeDuringCall: number }> = []
      const sender = Sender.of({
        applyConversions: (batch) =>
          Effect.sync(() => {
            given.push({ batch, sizeDuringCall: batch.length })
            return []
          }),
        applyAdjustments: () => Effect.succeed([])
      })
      const csv = header + row(1) + row(2) + row(3)
      const outcomes = yield* collect(OfflineConversions.apply(bytes(csv), { batchSize: 2 })).pipe(
        Effect.provideService(Sender, sender)
      )
      expect(outcomes.map((outcome) => [outcome.line, outcome._tag])).toEqual([
        [2, "Accepted"],
        [3, "Accepted"],
        [4, "Accepted"]
      ])
      expect(given.map((call) => call.sizeDuringCall)).toEqual([2, 1])
      // After the run the Sender still holds every item it was given.
      expect(given.map((call) => call.batch.length)).toEqual([2, 1])
    })
  )

  it.effect("sends valid records and gives one outcome per record: accepted, invalid, duplicate", () =>
    Effect.gen(function* () {
      yield* atNow
      const fake = makeFakeSender()
      const csv =
        header +
        row(1) +
        `${clickId(2)},Purchase,${hoursAgo(2)},5,XXX\n` +
        `${clickId(1)},Purchase,${hoursAgo(1 + 1 / 100).replace(".000Z", ".400Z")},7,EUR\n` +
        row(3)
      const outcomes = yield* collect(OfflineConversions.apply(bytes(csv))).pipe(Effect.provide(fake.layer))
      expect(outcomes.map((o) => [o.line, o._tag])).toEqual([
        [3, "Invalid"],
        [4, "Duplicate"],
        [2, "Accepted"],
        [5, "Accepted"]
      ])
      expect(outcomes[1]).toMatchObject({ firstLine: 2 })
      expect(fake.calls).toHaveLength(1)
      expect(fake.calls[0].items.map((i) => i.MicrosoftClickId)).toEqual([clickId(1), clickId(3)])
    })
  )

  it.effect("maps partial errors by Index (several per item kept), warns about an unmappable one", () =>
    Effect.gen(function* () {
      yield* atNow
      const fake = makeFakeSender(() => ({
        _tag: "ok",
        errors: [
          {
            Index: 1,
            Code: 5604,
            ErrorCode: "OfflineConversionMicrosoftClickIdInvalid",
            Message: "bad",
            FieldPath: "x"
          },
          { Index: 1, Code: 5616, ErrorCode: "ConversionTimeEarlierThanClickTime", Message: "early" },
          { Index: 2, Code: 5615, ErrorCode: "OfflineConversionNotAcceptedForGoal", Message: "wait" },
          { Index: 7, Code: 0, ErrorCode: "InternalError", Message: "?" }
        ]
      }))
      const warnings: Array<Warning.Warning> = []
      const outcomes = yield* collect(
        OfflineConversions.apply(bytes(header + row(1) + row(2) + row(3) + row(4)), {
          onWarning: (w) => Effect.sync(() => warnings.push(w))
        })
      ).pipe(Effect.provide(fake.layer))
      expect(outcomes.map((o) => [o.line, o._tag])).toEqual([
        [2, "Accepted"],
        [3, "Rejected"],
        [4, "Rejected"],
        [5, "Accepted"]
      ])
      expect(outcomes[1]).toMatchObject({
        errors: [
          { code: 5604, errorCode: "OfflineConversionMicrosoftClickIdInvalid", message: "bad", fieldPath: "x" },
          { code: 5616, errorCode: "ConversionTimeEarlierThanClickTime", message: "early", fieldPath: null }
        ]
      })
      expect(warnings).toMatchObject([{ _tag: "UnmappedBatchError", index: 7, batchLines: "2–5" }])
    })
  )

  it.effect("a permanent failure fails exactly that batch's records; the other batches are accepted", () =>
    Effect.gen(function* () {
      yield* atNow
      const fake = makeFakeSender((call) =>
        call.items[0].MicrosoftClickId === clickId(21) ? permanent : { _tag: "ok" }
      )
      const csv = header + Array.from({ length: 50 }, (_, i) => row(i + 1)).join("")
      const outcomes = yield* collect(OfflineConversions.apply(bytes(csv), { batchSize: 10 })).pipe(
        Effect.provide(fake.layer)
      )
      const failed = outcomes.filter((o) => o._tag === "Failed")
      expect(failed.map((o) => o.line)).toEqual(Array.from({ length: 10 }, (_, i) => 22 + i))
      expect(failed[0]).toMatchObject({
        cause: { code: 105, errorCode: "InvalidCredentials", trackingId: "t-105", attempts: 1 }
      })
      expect(outcomes.filter((o) => o._tag === "Accepted")).toHaveLength(40)
      expect(fake.calls).toHaveLength(5)
    })
  )

  it.effect("retries transient failures with backoff and gives up after the schedule: failed with the cause", () =>
    Effect.gen(function* () {
      yield* atNow
      const fake = makeFakeSender(() => transient("socket hang up"))
      const outcomes = yield* runWithClock(
        collect(
          OfflineConversions.apply(bytes(header + row(1) + row(2)), {
            retrySchedule: Schedule.exponential("1 second").pipe(Schedule.intersect(Schedule.recurs(3)))
          })
        ).pipe(Effect.provide(fake.layer)),
        "1 second"
      )
      expect(outcomes.map((o) => o._tag)).toEqual(["Failed", "Failed"])
      expect(outcomes[0]).toMatchObject({
        cause: { message: "socket hang up", trackingId: "t-transient", attempts: 4 }
      })
      expect(fake.calls.map((c) => c.at - NOW)).toEqual([0, 1000, 3000, 7000])
    })
  )

  it.effect("never retries a permanent failure, even with a schedule that would", () =>
    Effect.gen(function* () {
      yield* atNow
      const fake = makeFakeSender(() => permanent)
      const outcomes = yield* collect(
        OfflineConversions.apply(bytes(header + row(1)), { retrySchedule: Schedule.forever })
      ).pipe(Effect.provide(fake.layer))
      expect(outcomes.map((o) => o._tag)).toEqual(["Failed"])
      expect(fake.calls).toHaveLength(1)
    })
  )

  it.effect("a first 117 with nothing admitted before it waits the whole window, then sends on unpaced", () =>
    Effect.gen(function* () {
      yield* atNow
      const fake = makeFakeSender((call) => (call.call === 1 ? rateLimited : { _tag: "ok" }))
      const limiter = RateLimiter.make()
      const csv = header + Array.from({ length: 30 }, (_, i) => row(i + 1)).join("")
      const outcomes = yield* runWithClock(
        collect(OfflineConversions.apply(bytes(csv), { batchSize: 10, concurrency: 1, rateLimiter: limiter })).pipe(
          Effect.provide(fake.layer)
        ),
        "5 seconds"
      )
      expect(outcomes.every((o) => o._tag === "Accepted")).toBe(true)
      // The 117 at 0 s: no call of ours was in the window, so nothing is learnt; the retry comes after the 60 s window.
      expect(fake.calls.map((c) => c.at - NOW)).toEqual([0, 60_000, 60_000, 60_000])
      const state = yield* limiter.state
      expect(state).toMatchObject({ slowdowns: 1, throttles: 1, pausedUntil: NOW + 60_000, admittedPerWindow: null })
    })
  )

  it.effect("the 117 wait is configurable", () =>
    Effect.gen(function* () {
      yield* atNow
      const fake = makeFakeSender((call) => (call.call === 1 ? rateLimited : { _tag: "ok" }))
      yield* runWithClock(
        collect(OfflineConversions.apply(bytes(header + row(1)), { rateLimitWait: "90 seconds" })).pipe(
          Effect.provide(fake.layer)
        ),
        "5 seconds"
      )
      expect(fake.calls.map((c) => c.at - NOW)).toEqual([0, 90_000])
    })
  )

  it.effect("keeps batches at or under the batch size and at most `concurrency` requests in flight", () =>
    Effect.gen(function* () {
      yield* atNow
      const fake = makeFakeSender(undefined, { latency: "2 seconds" })
      const csv = header + Array.from({ length: 95 }, (_, i) => row(i + 1)).join("")
      const outcomes = yield* runWithClock(
        collect(OfflineConversions.apply(bytes(csv, 100), { batchSize: 20, concurrency: 3 })).pipe(
          Effect.provide(fake.layer)
        ),
        "1 second"
      )
      expect(outcomes).toHaveLength(95)
      expect(new Set(outcomes.map((o) => o.line)).size).toBe(95)
      expect(fake.calls.map((c) => c.items.length)).toEqual([20, 20, 20, 20, 15])
      expect(fake.load.maxInFlight).toBe(3)
      // In input order per batch, and batches in input order.
      expect(outcomes.map((o) => o.line)).toEqual(Array.from({ length: 95 }, (_, i) => i + 2))
    })
  )

  it.effect("raw email and phone are hashed; the raw values appear in no output", () =>
    Effect.gen(function* () {
      yield* atNow
      const fake = makeFakeSender(() => ({
        _tag: "ok",
        errors: [{ Index: 0, Code: 5604, ErrorCode: "OfflineConversionMicrosoftClickIdInvalid", Message: "bad click" }]
      }))
      const logs: Array<string> = []
      const warnings: Array<string> = []
      const csv =
        "Email,Phone,ConversionName,ConversionTime,Secret Column\n" +
        ` Jane.Roe@Example.org ,(206) 555-0142,Purchase,${hoursAgo(2)},x\n` +
        `jane.roe@example.org,+1 206 555 0142,Purchase,${hoursAgo(3)},x\n` +
        `jane.roe@example.org,+1 206 555 0142,Purchase,${hoursAgo(3)},x\n` +
        `jane.roe at example.org,,Purchase,${hoursAgo(3)},x\n` +
        `,555-0142,Purchase,${hoursAgo(3)},x\n` +
        `jane.roe@example.org,,Purchase,not a time,x\n`
      const outcomes = yield* collect(
        OfflineConversions.apply(bytes(csv), {
          defaultRegion: "us",
          onWarning: (w) => Effect.sync(() => warnings.push(JSON.stringify(w)))
        }).pipe(ResultsRows.encode)
      ).pipe(
        Effect.provide(fake.layer),
        Effect.provide(
          Logger.replace(
            Logger.defaultLogger,
            Logger.make(({ message }) => logs.push(String(message)))
          )
        )
      )
      const results = outcomes.join("")
      const sent = JSON.stringify(fake.calls)
      expect(fake.calls[0].items.map((i) => [i.HashedEmailAddress, i.HashedPhoneNumber])).toEqual([
        [sha256("jane.roe@example.org"), sha256("+12065550142")],
        [sha256("jane.roe@example.org"), sha256("+12065550142")]
      ])
      expect(
        results
          .split("\n")
          .filter((l) => l !== "")
          .map((l) => l.split(",")[1])
      ).toEqual(["status", "duplicate", "invalid", "invalid", "invalid", "rejected", "accepted"])
      for (const output of [results, sent, logs.join("\n"), warnings.join("\n")]) {
        expect(output).not.toMatch(/jane|roe|example|555|0142/i)
      }
    })
  )

  it.effect("times with offsets, and zone-less times with a configured time zone, are sent in UTC", () =>
    Effect.gen(function* () {
      yield* atNow
      const fake = makeFakeSender()
      const csv =
        "MicrosoftClickId,ConversionName,ConversionTime\n" +
        `${clickId(1)},G,2025-06-15T10:00:00+05:30\n` +
        `${clickId(2)},G,2025-06-15T01:00:00\u221208:00\n` +
        `${clickId(3)},G,2025-06-15T03:00:00\n`
      const sent = (options: OfflineConversions.PipelineOptions) =>
        Effect.gen(function* () {
          const before = fake.calls.length
          const outcomes = yield* collect(OfflineConversions.apply(bytes(csv), options)).pipe(
            Effect.provide(fake.layer)
          )
          return {
            outcomes: outcomes.map((o) => [o.line, o._tag, o.identity.conversionTime]),
            sent: fake.calls
              .slice(before)
              .flatMap((c) => c.items.map((i) => (i.ConversionTime ? DateTime.formatIso(i.ConversionTime) : "")))
          }
        })
      expect(yield* sent({})).toEqual({
        outcomes: [
          [4, "Invalid", "2025-06-15T03:00:00"],
          [2, "Accepted", "2025-06-15T04:30:00.000Z"],
          [3, "Accepted", "2025-06-15T09:00:00.000Z"]
        ],
        sent: ["2025-06-15T04:30:00.000Z", "2025-06-15T09:00:00.000Z"]
      })
      const withZone = yield* sent({ timeZone: "America/Los_Angeles" })
      expect(withZone.sent).toEqual([
        "2025-06-15T04:30:00.000Z",
        "2025-06-15T09:00:00.000Z",
        "2025-06-15T10:00:00.000Z"
      ])
    })
  )

  it.effect("reads a file path; a missing file fails the stream with UnreadableInput", () =>
    Effect.gen(function* () {
      yield* atNow
      const fake = makeFakeSender()
      const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "uplink-apply-")))
      const path = join(dir, "conversions.csv")
      yield* Effect.promise(() => writeFile(path, header + row(1) + row(2)))
      const outcomes = yield* collect(OfflineConversions.apply(path)).pipe(Effect.provide(fake.layer))
      expect(outcomes.map((o) => o._tag)).toEqual(["Accepted", "Accepted"])
      const error = yield* Effect.flip(
        collect(OfflineConversions.apply(join(dir, "missing.csv"))).pipe(Effect.provide(fake.layer))
      )
      expect(error).toMatchObject({ _tag: "PipelineError", reason: "UnreadableInput" })
      expect(error.message).toContain("missing.csv")
      yield* Effect.promise(() => rm(dir, { recursive: true }))
    })
  )

  it.effect("reads a file of many chunks as it reads the same bytes given as a stream, counting the bytes read", () =>
    Effect.gen(function* () {
      yield* atNow
      // ~3,000 records (~300 KB, five 64 KiB reads): records cut at chunk ends, duplicates and bad lines spread out.
      let csv = header
      for (let n = 1; n <= 3000; n++) {
        csv += n % 250 === 0 ? `${clickId(n)},Purchase,not a time,1,USD\n` : row(n % 700 === 0 ? n - 1 : n)
      }
      const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "uplink-chunks-")))
      const path = join(dir, "conversions.csv")
      yield* Effect.promise(() => writeFile(path, csv))
      const run = (input: OfflineConversions.PipelineInput, options: OfflineConversions.PipelineOptions = {}) => {
        const fake = makeFakeSender()
        return Effect.map(
          collect(OfflineConversions.apply(input, options)).pipe(Effect.provide(fake.layer)),
          (outcomes) => ({
            outcomes: outcomes.map((o) => [o.line, o._tag]),
            sent: fake.calls.map((call) => call.items.length)
          })
        )
      }
      const bytesRead: Array<number> = []
      const fromFile = yield* run(path, { onBytesRead: (read) => bytesRead.push(read) })
      const fromStream = yield* run(bytes(csv, 4096))
      yield* Effect.promise(() => rm(dir, { recursive: true }))
      expect(fromFile).toEqual(fromStream)
      expect(fromFile.outcomes).toHaveLength(3000)
      // Every line once (locally decided outcomes come out before the batch that was filling meanwhile).
      const lines = fromFile.outcomes.map(([line]) => line as number).sort((a, b) => a - b)
      expect(lines).toEqual(Array.from({ length: 3000 }, (_, i) => i + 2))
      const count = (tag: string) => fromFile.outcomes.filter(([, t]) => t === tag).length
      expect([count("Invalid"), count("Duplicate"), count("Accepted")]).toEqual([12, 4, 2984])
      expect(fromFile.sent).toEqual([1000, 1000, 984])
      // The progress hook saw every read: a running total per 64 KiB chunk, ending at the file's size.
      const size = Buffer.byteLength(csv)
      expect(bytesRead).toEqual(
        Array.from({ length: Math.ceil(size / 65_536) }, (_, i) => Math.min((i + 1) * 65_536, size))
      )
    })
  )

  it.effect("rejects bad options before reading anything", () =>
    Effect.gen(function* () {
      const fake = makeFakeSender()
      const fail = (options: OfflineConversions.PipelineOptions) =>
        Effect.flip(collect(OfflineConversions.apply(bytes(header), options)).pipe(Effect.provide(fake.layer)))
      expect(yield* fail({ batchSize: 1001 })).toMatchObject({ reason: "InvalidOptions" })
      expect(yield* fail({ batchSize: 0 })).toMatchObject({ reason: "InvalidOptions" })
      expect(yield* fail({ concurrency: 0 })).toMatchObject({ reason: "InvalidOptions" })
      expect(yield* fail({ timeZone: "Mars/Base" })).toMatchObject({ reason: "InvalidOptions" })
      expect(yield* fail({ defaultRegion: "ZZ" })).toMatchObject({ reason: "InvalidOptions" })
    })
  )

  it("resolves the time zone and default region options by one rule, with a message naming the bad value", () => {
    expect(OfflineConversions.resolveTimeZone(" Europe/Paris ")).toEqual(
      Either.right(DateTime.zoneUnsafeMakeNamed("Europe/Paris"))
    )
    expect(OfflineConversions.resolveTimeZone("Mars/Base")).toEqual(
      Either.left('unknown time zone "Mars/Base" (use an IANA name such as Europe/Paris)')
    )
    expect(OfflineConversions.resolveDefaultRegion(" gb")).toEqual(Either.right("GB"))
    expect(OfflineConversions.resolveDefaultRegion("ZZ")).toEqual(
      Either.left('unknown default region "ZZ" (use a code such as US or GB)')
    )
  })

  it.effect("a malformed line is an invalid outcome for that line, not an abort", () =>
    Effect.gen(function* () {
      yield* atNow
      const fake = makeFakeSender()
      const csv = header + row(1) + `"${clickId(2)}"oops,Purchase\n` + `${clickId(3)},Purchase\n` + row(4)
      const outcomes = yield* collect(OfflineConversions.apply(bytes(csv))).pipe(Effect.provide(fake.layer))
      expect(outcomes.map((o) => [o.line, o._tag])).toEqual([
        [3, "Invalid"],
        [4, "Invalid"],
        [2, "Accepted"],
        [5, "Accepted"]
      ])
      expect(outcomes[1]).toMatchObject({ errorCode: "MalformedRecord", code: null })
    })
  )
})

describe("OfflineConversions.adjust", () => {
  it.effect("sends Restate and Retract records with ApplyOfflineConversionAdjustments", () =>
    Effect.gen(function* () {
      yield* atNow
      const fake = makeFakeSender()
      const bulk =
        "Type,Client Id,Conversion Name,Conversion Time,Microsoft Click Id,Adjustment Type,Adjustment Value,Adjustment Time,Adjustment Currency Code,Conversion Value\n" +
        "Format Version,,,,,,,,,\n" +
        "Offline Conversion,a,Purchase,6/15/2025 7:00:00 AM,f894f652ea334e739002f7167ab8f8e3,Restate,25,6/15/2025 11:00:00 AM,usd,\n" +
        "Offline Conversion,b,Purchase,6/15/2025 7:00:00 AM,f894f652ea334e739002f7167ab8f8e3,Retract,,6/15/2025 11:30:00 AM,,\n" +
        "Offline Conversion,c,Purchase,6/15/2025 7:00:00 AM,f894f652ea334e739002f7167ab8f8e3,,,,,10\n"
      const outcomes = yield* collect(OfflineConversions.adjust(bytes(bulk))).pipe(Effect.provide(fake.layer))
      expect(outcomes.map((o) => [o.line, o._tag])).toEqual([
        [5, "Invalid"],
        [3, "Accepted"],
        [4, "Accepted"]
      ])
      expect(outcomes[0]).toMatchObject({ code: 5618 })
      expect(fake.calls.map((c) => c.kind)).toEqual(["adjustments"])
      expect(JSON.parse(JSON.stringify(fake.calls[0].items))).toEqual([
        {
          AdjustmentCurrencyCode: "USD",
          AdjustmentTime: "2025-06-15T11:00:00.000Z",
          AdjustmentType: "Restate",
          AdjustmentValue: 25,
          ConversionName: "Purchase",
          ConversionTime: "2025-06-15T07:00:00.000Z",
          MicrosoftClickId: "f894f652ea334e739002f7167ab8f8e3"
        },
        {
          AdjustmentTime: "2025-06-15T11:30:00.000Z",
          AdjustmentType: "Retract",
          ConversionName: "Purchase",
          ConversionTime: "2025-06-15T07:00:00.000Z",
          MicrosoftClickId: "f894f652ea334e739002f7167ab8f8e3"
        }
      ])
    })
  )

  it.effect("an adjustment row in an apply run is invalid; an exact repeat in an adjust run is a duplicate", () =>
    Effect.gen(function* () {
      yield* atNow
      const fake = makeFakeSender()
      const jsonl = [
        {
          MicrosoftClickId: clickId(1),
          ConversionName: "G",
          ConversionTime: hoursAgo(5),
          AdjustmentType: "Retract",
          AdjustmentTime: hoursAgo(1)
        },
        {
          MicrosoftClickId: clickId(1),
          ConversionName: "G",
          ConversionTime: hoursAgo(5),
          AdjustmentType: "Retract",
          AdjustmentTime: hoursAgo(1)
        }
      ]
        .map((r) => JSON.stringify(r))
        .join("\n")
      const applied = yield* collect(OfflineConversions.apply(bytes(jsonl))).pipe(Effect.provide(fake.layer))
      expect(applied).toMatchObject([
        { _tag: "Invalid", errorCode: "AdjustmentInApplyRun" },
        { _tag: "Invalid", errorCode: "AdjustmentInApplyRun" }
      ])
      const adjusted = yield* collect(OfflineConversions.adjust(bytes(jsonl))).pipe(Effect.provide(fake.layer))
      expect(adjusted.map((o) => [o.line, o._tag])).toEqual([
        [2, "Duplicate"],
        [1, "Accepted"]
      ])
    })
  )
})

describe("OfflineConversions.dryRun", () => {
  it.effect("validates and hashes without a Sender: ready, invalid, duplicate", () =>
    Effect.gen(function* () {
      yield* atNow
      const csv = header + row(1) + row(1) + `${clickId(2)},,${hoursAgo(1)},1,USD\n` + row(3)
      const outcomes = yield* collect(OfflineConversions.dryRun(bytes(csv)))
      expect(outcomes.map((o) => [o.line, o._tag])).toEqual([
        [2, "Ready"],
        [3, "Duplicate"],
        [4, "Invalid"],
        [5, "Ready"]
      ])
      const summary = yield* Summary.collect(Stream.fromIterable(outcomes))
      expect(summary.byStatus).toMatchObject({ ready: 2, duplicate: 1, invalid: 1 })
      expect(Summary.exitCode(summary)).toBe(2)
    })
  )

  it.effect("dry runs adjustments too", () =>
    Effect.gen(function* () {
      yield* atNow
      const records = Stream.make({
        line: 1,
        values: {
          MicrosoftClickId: "c",
          ConversionName: "G",
          ConversionTime: hoursAgo(2),
          AdjustmentType: "Retract",
          AdjustmentTime: hoursAgo(1)
        }
      })
      const outcomes: ReadonlyArray<Outcome.Outcome> = yield* collect(
        OfflineConversions.dryRun({ records }, { mode: "adjust" })
      )
      expect(outcomes.map((o) => o._tag)).toEqual(["Ready"])
    })
  )
})
