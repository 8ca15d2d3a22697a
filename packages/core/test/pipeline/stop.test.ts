import { getEventListeners } from "node:events"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Stream } from "effect"
import { Sender, type Wait } from "../../src/index.js"
import * as ConcurrencyLimit from "../../src/pipeline/concurrencyLimit.js"
import * as OfflineConversions from "../../src/pipeline/offlineConversions.js"
import type * as Outcome from "../../src/pipeline/outcome.js"
import * as RateLimiter from "../../src/pipeline/rateLimiter.js"
import * as Stop from "../../src/pipeline/stop.js"
import * as Summary from "../../src/pipeline/summary.js"
import { atNow, bytes, clickId, collect, hoursAgo, makeFakeSender, transient } from "./support.js"

const header = "MicrosoftClickId,ConversionName,ConversionTime,ConversionValue,ConversionCurrencyCode\n"
const row = (n: number) => `${clickId(n)},Purchase,${hoursAgo(1 + (n % 1000) / 100)},${n % 50},USD\n`

/** A Sender whose first call waits for `release` after telling `started`; every later call answers at once. */
const gatedSender = Effect.gen(function* () {
  const started = yield* Deferred.make<void>()
  const release = yield* Deferred.make<void>()
  const calls: Array<number> = []
  const answer = (batch: ReadonlyArray<unknown>) =>
    Effect.gen(function* () {
      calls.push(batch.length)
      if (calls.length === 1) {
        yield* Deferred.succeed(started, undefined)
        yield* Deferred.await(release)
      }
      return []
    })
  const sender = Sender.of({ applyConversions: answer, applyAdjustments: answer })
  return { started, release, calls, sender }
})

const failedCause = (outcome: Outcome.Outcome) => (outcome._tag === "Failed" ? outcome.cause : undefined)

describe("OfflineConversions with a stop signal", () => {
  it.effect(
    "stops reading at the next chunk, lets the request in flight finish, and reports every record read: " +
      "unsent ones as failed NotSent, none of the unread ones",
    () =>
      Effect.gen(function* () {
        yield* atNow
        // ~3,000 records over five 64 KiB chunks; batches of 10, one request at a time.
        let csv = header
        for (let n = 1; n <= 3000; n++) csv += row(n)
        const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "uplink-stop-")))
        const path = join(dir, "conversions.csv")
        yield* Effect.promise(() => writeFile(path, csv))
        const gate = yield* gatedSender
        const stop = new AbortController()
        const fiber = yield* Effect.fork(
          collect(OfflineConversions.apply(path, { batchSize: 10, concurrency: 1, stop: stop.signal })).pipe(
            Effect.provideService(Sender, gate.sender)
          )
        )
        yield* Deferred.await(gate.started)
        stop.abort("interrupted by the test")
        yield* Deferred.succeed(gate.release, undefined)
        const outcomes = yield* Fiber.join(fiber)
        yield* Effect.promise(() => rm(dir, { recursive: true }))

        // The records of the first chunk were read (the chunk's last, cut record was not); nothing after it.
        const firstChunk = Buffer.from(csv).subarray(0, 65_536).toString("latin1")
        const recordsInFirstChunk = firstChunk.split("\n").length - 2
        const lines = outcomes.map((o) => o.line)
        expect(lines).toEqual(Array.from({ length: recordsInFirstChunk }, (_, i) => i + 2))
        expect(recordsInFirstChunk).toBeLessThan(3000)
        // The request in flight finished; no other request was sent.
        expect(gate.calls).toEqual([10])
        expect(outcomes.slice(0, 10).every((o) => o._tag === "Accepted")).toBe(true)
        const rest = outcomes.slice(10)
        expect(rest.every((o) => o._tag === "Failed")).toBe(true)
        expect(failedCause(rest[0]!)).toEqual({
          message: "not sent: interrupted by the test",
          trackingId: null,
          code: null,
          errorCode: null,
          kind: "NotSent",
          attempts: 0,
          retry: "later",
          retryAfterMs: null
        })
        const summary = Summary.addAll(Summary.empty, outcomes)
        expect(summary.byCode).toEqual({ NotSent: recordsInFirstChunk - 10 })
        expect(Summary.exitCode(summary)).toBe(3)
      })
  )

  it.effect("a stop during the backoff after a failure cuts the wait short and keeps that failure", () =>
    Effect.gen(function* () {
      yield* atNow
      const fake = makeFakeSender(() => transient("connection reset"))
      const stop = new AbortController()
      const waits: Array<Wait> = []
      const outcomes = yield* collect(
        OfflineConversions.apply(bytes(header + row(1) + row(2)), {
          stop: stop.signal,
          onWait: (wait) =>
            Effect.sync(() => {
              waits.push(wait)
              stop.abort("interrupted")
            })
        })
      ).pipe(Effect.provide(fake.layer))
      // The TestClock never moved: the backoff sleep ended because of the stop.
      expect(fake.calls).toHaveLength(1)
      expect(waits).toHaveLength(1)
      expect(waits[0]).toMatchObject({ reason: "backoff", attempt: 2, maxAttempts: 6, firstLine: 2, lastLine: 3 })
      expect(waits[0]!.cause?.message).toBe("connection reset")
      expect(outcomes.map((o) => o._tag)).toEqual(["Failed", "Failed"])
      expect(failedCause(outcomes[0]!)).toMatchObject({
        message: "connection reset; not retried: interrupted",
        attempts: 1
      })
    })
  )

  it.effect("a stop while every request waits after a 117 sends nothing more", () =>
    Effect.gen(function* () {
      yield* atNow
      const fake = makeFakeSender()
      const limiter = RateLimiter.make()
      yield* limiter.rateLimited()
      const stop = new AbortController()
      const waits: Array<Wait> = []
      const outcomes = yield* collect(
        OfflineConversions.apply(bytes(header + row(1)), {
          rateLimiter: limiter,
          stop: stop.signal,
          onWait: (wait) =>
            Effect.sync(() => {
              waits.push(wait)
              stop.abort()
            })
        })
      ).pipe(Effect.provide(fake.layer))
      expect(fake.calls).toHaveLength(0)
      expect(waits).toEqual([
        {
          reason: "rateLimited",
          millis: 60_000,
          attempt: 1,
          maxAttempts: 6,
          cause: null,
          firstLine: 2,
          lastLine: 2
        }
      ])
      expect(failedCause(outcomes[0]!)).toMatchObject({ kind: "NotSent", message: "not sent: the run was stopped" })
    })
  )

  it.live("ends a stream input that is still waiting for data (standard input, a queue)", () =>
    Effect.gen(function* () {
      const now = Date.now()
      const recent = (n: number) => `${clickId(n)},Purchase,${new Date(now - 3_600_000).toISOString()},1,USD\n`
      const fake = makeFakeSender()
      const stop = new AbortController()
      const input = Stream.concat(bytes(header + recent(1) + recent(2)), Stream.never)
      const outcomes = yield* collect(
        OfflineConversions.apply(input, {
          batchSize: 1,
          stop: stop.signal,
          onSend: (send) => {
            if (send.firstLine === 3) stop.abort()
          }
        })
      ).pipe(Effect.provide(fake.layer), Effect.timeout("20 seconds"))
      expect(outcomes.map((o) => [o.line, o._tag])).toEqual([
        [2, "Accepted"],
        [3, "Accepted"]
      ])
    })
  )

  it.effect("announces each request before it is sent, with its lines and attempt", () =>
    Effect.gen(function* () {
      yield* atNow
      const fake = makeFakeSender()
      const sends: Array<unknown> = []
      yield* collect(
        OfflineConversions.apply(bytes(header + row(1) + row(2) + row(3)), {
          batchSize: 2,
          onSend: (send) => sends.push(send)
        })
      ).pipe(Effect.provide(fake.layer))
      expect(sends).toEqual([
        { firstLine: 2, lastLine: 3, records: 2, attempt: 1 },
        { firstLine: 4, lastLine: 4, records: 1, attempt: 1 }
      ])
    })
  )
})

describe("many waits on one stop signal", () => {
  it.effect("share one listener (Node warns past 10), and all end when it aborts", () =>
    Effect.gen(function* () {
      const stop = new AbortController()
      const limit = ConcurrencyLimit.fixed(1)
      yield* limit.acquire(stop.signal)
      const permits = yield* Effect.forEach(Array.from({ length: 16 }), () => Effect.fork(limit.acquire(stop.signal)))
      const sleeps = yield* Effect.forEach(Array.from({ length: 16 }), () =>
        Effect.fork(Stop.sleepUnlessStopped(60_000, stop.signal))
      )
      yield* Effect.yieldNow()
      expect(getEventListeners(stop.signal, "abort")).toHaveLength(1)
      stop.abort()
      expect(yield* Effect.forEach(permits, Fiber.join)).toEqual(Array(16).fill(0))
      expect(yield* Effect.forEach(sleeps, Fiber.join)).toEqual(Array(16).fill(false))
    })
  )
})

describe("a stop after the whole input was read", () => {
  it.effect("still gives the last record of a file without a final line break its outcome", () =>
    Effect.gen(function* () {
      yield* atNow
      const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "uplink-stop-")))
      const path = join(dir, "conversions.csv")
      // One request at a time, one record each: while the first is in flight the reader is blocked handing on the
      // third, and the fourth (no line break after it) is still held by the reader when the stop comes.
      yield* Effect.promise(() => writeFile(path, (header + row(1) + row(2) + row(3) + row(4)).trimEnd()))
      const gate = yield* gatedSender
      const stop = new AbortController()
      const fiber = yield* Effect.fork(
        collect(OfflineConversions.apply(path, { batchSize: 1, concurrency: 1, stop: stop.signal })).pipe(
          Effect.provideService(Sender, gate.sender)
        )
      )
      yield* Deferred.await(gate.started)
      stop.abort("stopped")
      yield* Deferred.succeed(gate.release, undefined)
      const outcomes = yield* Fiber.join(fiber)
      yield* Effect.promise(() => rm(dir, { recursive: true }))
      expect(outcomes.map((o) => [o.line, o._tag])).toEqual([
        [2, "Accepted"],
        [3, "Failed"],
        [4, "Failed"],
        [5, "Failed"]
      ])
    })
  )
})
