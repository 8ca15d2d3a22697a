import { describe, expect, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { toDeliveryError } from "../../src/CampaignManagementSender.js"
import {
  CampaignManagementError,
  DecodeError,
  HttpStatusError,
  InvalidRequestError,
  TransportError,
  type Wait
} from "../../src/index.js"
import * as ConcurrencyLimit from "../../src/pipeline/concurrencyLimit.js"
import * as OfflineConversions from "../../src/pipeline/offlineConversions.js"
import * as Outcome from "../../src/pipeline/outcome.js"
import * as Summary from "../../src/pipeline/summary.js"
import {
  atNow,
  bytes,
  clickId,
  collect,
  hoursAgo,
  makeFakeSender,
  rateLimited,
  runWithClock,
  transient
} from "./support.js"

const header = "MicrosoftClickId,ConversionName,ConversionTime\n"
const row = (n: number) => `${clickId(n)},Purchase,${hoursAgo(2)}\n`

describe("delivery announces its waits", () => {
  it.effect("a 117 is announced as a rate-limit wait of the configured length, before the retry", () =>
    Effect.gen(function* () {
      yield* atNow
      const fake = makeFakeSender((call) => (call.call === 1 ? rateLimited : { _tag: "ok" }))
      const waits: Array<Wait> = []
      const outcomes = yield* runWithClock(
        collect(
          OfflineConversions.apply(bytes(header + row(1)), {
            rateLimitWait: "2 seconds",
            onWait: (wait) => Effect.sync(() => waits.push(wait))
          })
        ).pipe(Effect.provide(fake.layer)),
        "1 second"
      )
      expect(outcomes.map((o) => o._tag)).toEqual(["Accepted"])
      expect(waits).toEqual([
        {
          reason: "rateLimited",
          millis: 2000,
          attempt: 2,
          maxAttempts: 6,
          cause: {
            code: 117,
            errorCode: "CallRateExceeded",
            kind: null,
            message: "You have exceeded the number of calls that you are allowed to make in a minute."
          },
          firstLine: 2,
          lastLine: 2
        }
      ])
    })
  )

  it.effect("failures are announced as backoff waits, attempt by attempt, until the last attempt fails", () =>
    Effect.gen(function* () {
      yield* atNow
      const fake = makeFakeSender(() => transient("HTTP 503"))
      const waits: Array<Wait> = []
      const outcomes = yield* runWithClock(
        collect(
          OfflineConversions.apply(bytes(header + row(1)), {
            retry: { maxRetries: 2, base: "1 second" },
            onWait: (wait) => Effect.sync(() => waits.push(wait))
          })
        ).pipe(Effect.provide(fake.layer)),
        "1 second"
      )
      expect(fake.calls).toHaveLength(3)
      expect(waits.map((w) => [w.reason, w.attempt, w.maxAttempts, w.cause?.message])).toEqual([
        ["backoff", 2, 3, "HTTP 503"],
        ["backoff", 3, 3, "HTTP 503"]
      ])
      // Jittered exponential backoff from 1 s: about 1 s, then about 2 s.
      expect(waits[0]!.millis).toBeGreaterThanOrEqual(800)
      expect(waits[0]!.millis).toBeLessThanOrEqual(1200)
      expect(waits[1]!.millis).toBeGreaterThanOrEqual(1600)
      expect(waits[1]!.millis).toBeLessThanOrEqual(2400)
      expect(outcomes[0]).toMatchObject({ _tag: "Failed", cause: { attempts: 3 } })
    })
  )

  it.effect("with a schedule of the caller's own, the number of attempts is unknown", () =>
    Effect.gen(function* () {
      yield* atNow
      const fake = makeFakeSender((call) => (call.call === 1 ? transient() : { _tag: "ok" }))
      const waits: Array<Wait> = []
      yield* runWithClock(
        collect(
          OfflineConversions.apply(bytes(header + row(1)), {
            retrySchedule: Schedule.spaced("5 seconds"),
            onWait: (wait) => Effect.sync(() => waits.push(wait))
          })
        ).pipe(Effect.provide(fake.layer)),
        "1 second"
      )
      expect(waits.map((w) => [w.reason, w.millis, w.attempt, w.maxAttempts])).toEqual([["backoff", 5000, 2, null]])
    })
  )
})

describe("numeric options are refused outside their range, naming the option and the range", () => {
  const fail = (options: OfflineConversions.PipelineOptions) =>
    Effect.flip(collect(OfflineConversions.dryRun(bytes(header + row(1)), options)))

  it.effect.each([
    [{ concurrency: 100_000 }, "concurrency", "a whole number from 1 to 64", "100000"],
    [{ concurrency: 1.5 }, "concurrency", "a whole number from 1 to 64", "1.5"],
    [{ concurrency: ConcurrencyLimit.fixed(65) }, "concurrency", "a whole number from 1 to 64", "65"],
    [{ batchSize: 1001 }, "batchSize", "a whole number from 1 to 1000", "1001"],
    [{ batchSize: Number.NaN }, "batchSize", "a whole number from 1 to 1000", "NaN"],
    [{ maxConcurrency: 65 }, "maxConcurrency", "a whole number from 1 to 64", "65"],
    [{ maxConcurrency: 0 }, "maxConcurrency", "a whole number from 1 to 64", "0"],
    [{ rateLimitWindow: "10 millis" }, "rateLimitWindow", "a duration from 100 ms to 10 minutes", "10 ms"],
    [{ rateLimitWait: "10 millis" }, "rateLimitWait", "a duration from 100 ms to 10 minutes", "10 ms"],
    [{ rateLimitWait: "2 hours" }, "rateLimitWait", "a duration from 100 ms to 10 minutes", "2 hours"],
    [{ retry: { maxRetries: 100 } }, "retry", "a whole number from 0 to 20", "100"]
  ] as const)("%o", ([options, option, expected, received]) =>
    Effect.gen(function* () {
      const error = yield* fail(options as OfflineConversions.PipelineOptions)
      expect(error).toMatchObject({ _tag: "PipelineError", reason: "InvalidOptions", option, received })
      expect(error.expected).toContain(expected)
      expect(error.message).toContain(`${option} must be ${expected}`)
    })
  )

  it.effect("the largest allowed concurrency runs", () =>
    Effect.gen(function* () {
      yield* atNow
      const outcomes = yield* collect(OfflineConversions.dryRun(bytes(header + row(1)), { concurrency: 64 }))
      expect(outcomes.map((o) => o._tag)).toEqual(["Ready"])
    })
  )
})

describe("failures without a code are counted by their kind", () => {
  const failed = (cause: Partial<Outcome.FailureCause>) =>
    Outcome.Outcome.Failed({
      line: 2,
      identity: { microsoftClickId: null, conversionName: null, conversionTime: null },
      cause: {
        message: "m",
        trackingId: null,
        code: null,
        errorCode: null,
        attempts: 1,
        retry: "never",
        retryAfterMs: null,
        ...cause
      }
    })

  it("the summary and the results file name the kind of a failure that has no code", () => {
    const summary = Summary.addAll(Summary.empty, [
      failed({ kind: "Timeout" }),
      failed({ kind: "Timeout" }),
      failed({ kind: "ConnectionFailed" }),
      failed({}),
      failed({ code: 105, errorCode: "InvalidCredentials", kind: "Authentication" })
    ])
    expect(summary.byCode).toEqual({ Timeout: 2, ConnectionFailed: 1, DeliveryFailed: 1, "105": 1 })
    expect(Outcome.describe(failed({ kind: "Timeout" }))).toMatchObject({ code: null, errorCode: "Timeout" })
    expect(Outcome.describe(failed({ kind: "NotSent", attempts: 0 })).message).toBe("m")
  })

  const error = (reason: CampaignManagementError["reason"]) =>
    toDeliveryError(
      new CampaignManagementError({ operation: "ApplyOfflineConversions", trackingId: undefined, reason })
    )

  it("the client's errors get a kind that does not depend on the URL or the detail", () => {
    expect(error(new TransportError({ kind: "Timeout", detail: "POST http://a/b: 60s" })).kind).toBe("Timeout")
    expect(error(new TransportError({ kind: "RequestFailed", detail: "ECONNREFUSED" })).kind).toBe("ConnectionFailed")
    expect(error(new TransportError({ kind: "ResponseBodyFailed", detail: "reset" })).kind).toBe("ResponseCut")
    expect(error(new HttpStatusError({ status: 503, bodyExcerpt: "" })).kind).toBe("Http503")
    expect(error(new DecodeError({ wireReason: "NotWellFormed", path: undefined, detail: "" })).kind).toBe(
      "ResponseCut"
    )
    expect(error(new DecodeError({ wireReason: "Contract", path: "x", detail: "" })).kind).toBe("UnexpectedResponse")
    expect(error(new InvalidRequestError({ path: "ConversionName", detail: "U+0001" })).kind).toBe("UnencodableRequest")
  })
})
