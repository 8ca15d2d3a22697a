/**
 * Delivery with the adaptive limits, through `OfflineConversions.apply` and a fake service under TestClock: the
 * concurrency grows to its bound on a flat service, settles where a slowing service's latency stays within 1.5× its
 * floor, halves and waits on a 117 or an HTTP 429 (Retry-After honoured); `concurrency: n` is exactly n; after a 117 the
 * run paces to the rate the window admitted, every record delivered once.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Stream } from "effect"
import { CampaignManagementError, RateLimitError, toDeliveryError } from "../../src/index.js"
import { ConcurrencyLimit, OfflineConversions, RateLimiter, RateLimiters } from "../../src/pipeline/index.js"
import { driveClock } from "../support/ClockDriver.js"
import {
  atNow,
  busiestWindow,
  bytes,
  clickId,
  collect,
  type FakeAnswer,
  type FakeCall,
  hoursAgo,
  makeFakeSender,
  NOW,
  slidingWindow,
  transient
} from "./support.js"

const header = "MicrosoftClickId,ConversionName,ConversionTime\n"
const csv = (records: number) =>
  header + Array.from({ length: records }, (_, i) => `${clickId(i + 1)},Purchase,${hoursAgo(2)}\n`).join("")

/** A run of `records` records in batches of 10 against `fake`, the clock moved to each wake-up. */
const run = (
  fake: ReturnType<typeof makeFakeSender>,
  records: number,
  options: OfflineConversions.PipelineOptions = {}
) =>
  driveClock(
    collect(OfflineConversions.apply(bytes(csv(records)), { batchSize: 10, ...options })).pipe(
      Effect.provide(fake.layer)
    )
  )

/** The calls the fake answered with success. */
const accepted = (fake: ReturnType<typeof makeFakeSender>, answers: Map<number, FakeAnswer["_tag"]>) =>
  fake.calls.filter((call) => answers.get(call.call) === "ok")

/** Wraps an answer function to remember each call's answer. */
const recording = (answer: (call: FakeCall) => FakeAnswer) => {
  const answers = new Map<number, FakeAnswer["_tag"]>()
  return {
    answers,
    answer: (call: FakeCall): FakeAnswer => {
      const result = answer(call)
      answers.set(call.call, result._tag)
      return result
    }
  }
}

describe("adaptive concurrency in delivery", () => {
  it.effect("grows from 4 to its bound while the service answers in flat time, and never past it", () =>
    Effect.gen(function* () {
      yield* atNow
      const flat = makeFakeSender(undefined, { latency: "100 millis" })
      const limiter = RateLimiter.make()
      const outcomes = yield* run(flat, 800, { rateLimiter: limiter })
      expect(outcomes.every((o) => o._tag === "Accepted")).toBe(true)
      expect(flat.calls).toHaveLength(80)
      // The first round trip sends 4, the next 8, then 16.
      expect(flat.calls.slice(0, 4).map((c) => c.at - NOW)).toEqual([0, 0, 0, 0])
      expect(flat.calls.filter((c) => c.at === NOW + 100)).toHaveLength(8)
      expect(flat.load.maxInFlight).toBe(16)
      expect((yield* limiter.state).concurrency).toMatchObject({ limit: 16, peak: 16, backoffs: 0, floorMs: 100 })

      const bounded = makeFakeSender(undefined, { latency: "100 millis" })
      yield* run(bounded, 800, { maxConcurrency: 6 })
      expect(bounded.load.maxInFlight).toBe(6)
    })
  )

  it.effect("settles where a slowing service's latency stays within 1.5× its floor", () =>
    Effect.gen(function* () {
      yield* atNow
      // 100 ms up to 5 calls in flight, then 50 ms more for each call beyond.
      const latency = (inFlight: number) => 100 + 50 * Math.max(0, inFlight - 5)
      const fake = makeFakeSender(undefined, { latency: (n) => Duration.millis(latency(n)) })
      const limiter = RateLimiter.make()
      const outcomes = yield* run(fake, 2000, { rateLimiter: limiter })
      expect(outcomes.every((o) => o._tag === "Accepted")).toBe(true)
      expect(fake.calls).toHaveLength(200)
      const state = (yield* limiter.state).concurrency
      expect(state.backoffs).toBeGreaterThan(0)
      expect(state.floorMs).toBe(100)
      expect(state.limit).toBeGreaterThanOrEqual(4)
      expect(state.limit).toBeLessThanOrEqual(7)
      // Once settled (the second half of the run), the median call takes at most 1.5× the floor.
      const settled = fake.calls.slice(100).map((call) => latency(call.inFlight))
      const median = [...settled].sort((a, b) => a - b)[settled.length >> 1]!
      expect(median).toBeLessThanOrEqual(150)
      expect(Math.max(...fake.calls.slice(100).map((c) => c.inFlight))).toBeLessThanOrEqual(8)
    })
  )

  it.effect("keeps records unread, not in workers, while the limit is below its bound", () =>
    Effect.gen(function* () {
      yield* atNow
      // A limit of the caller's that has backed off to 2 within the default bound of 16: 16 workers, 2 requests.
      const backedOff = ConcurrencyLimit.fixed(2)
      const limit: ConcurrencyLimit.ConcurrencyLimit = {
        ...backedOff,
        mode: "adaptive",
        snapshot: () => ({ ...backedOff.snapshot(), mode: "adaptive", max: 16 })
      }
      const fake = makeFakeSender(undefined, { latency: "100 millis" })
      const text = csv(400)
      const line = text.indexOf("\n", header.length) + 1 - header.length
      // Read in chunks of 10 records; count what has been read and not given out yet.
      let read = 0
      let out = 0
      let mostHeld = 0
      const input = bytes(text, 10 * line).pipe(
        Stream.rechunk(1),
        Stream.tap((chunk) =>
          Effect.sync(() => {
            for (const byte of chunk) if (byte === 0x0a) read++
            mostHeld = Math.max(mostHeld, read - 1 - out)
          })
        )
      )
      const outcomes = yield* driveClock(
        OfflineConversions.apply(input, { batchSize: 10, concurrency: limit }).pipe(
          Stream.tap(() => Effect.sync(() => out++)),
          Stream.runCollect,
          Effect.map(Chunk.toReadonlyArray),
          Effect.provide(fake.layer)
        )
      )
      expect(outcomes.filter((o) => o._tag === "Accepted")).toHaveLength(400)
      expect(fake.load.maxInFlight).toBe(2)
      // At most the two batches in flight, one waiting for a worker, one being handed over, one being filled and the
      // chunk being read (10 records each) — not a batch for each of the 16 workers.
      expect(mostHeld).toBeLessThanOrEqual(60)
    })
  )

  it.effect("while a batch waits to be sent again, others go in its place", () =>
    Effect.gen(function* () {
      yield* atNow
      const backedOff = ConcurrencyLimit.fixed(1)
      const limit: ConcurrencyLimit.ConcurrencyLimit = {
        ...backedOff,
        mode: "adaptive",
        snapshot: () => ({ ...backedOff.snapshot(), mode: "adaptive", max: 16 })
      }
      // The first call fails (retryable): its batch waits ~1 s before it is sent again.
      const fake = makeFakeSender((call) => (call.call === 1 ? transient() : { _tag: "ok" }), {
        latency: "100 millis"
      })
      const outcomes = yield* run(fake, 50, { concurrency: limit, retry: { base: "1 second", cap: "1 second" } })
      expect(outcomes.map((o) => o._tag)).toEqual(Array(50).fill("Accepted"))
      const firstBatch = JSON.stringify(fake.calls[0]!.items[0])
      const retry = fake.calls.find((c) => c.call > 1 && JSON.stringify(c.items[0]) === firstBatch)!
      // The other four batches were sent one after another during the wait, not after it.
      const others = fake.calls.filter((c) => JSON.stringify(c.items[0]) !== firstBatch)
      expect(others).toHaveLength(4)
      expect(others.every((c) => c.at < retry.at)).toBe(true)
      expect(fake.load.maxInFlight).toBe(1)
    })
  )

  it.effect("`concurrency: n` is exactly n, where the adaptive limit would go further", () =>
    Effect.gen(function* () {
      yield* atNow
      const fake = makeFakeSender(undefined, { latency: "100 millis" })
      yield* run(fake, 800, { concurrency: 3 })
      expect(fake.load.maxInFlight).toBe(3)
      // Three at a time, from the start: 80 batches in 27 round trips.
      expect(fake.calls.slice(0, 3).map((c) => c.at - NOW)).toEqual([0, 0, 0])
      expect(fake.calls.at(-1)!.at - NOW).toBe(2600)

      // The same with a limit of the caller's, whose state it can read.
      const mine = ConcurrencyLimit.fixed(3)
      const again = makeFakeSender(undefined, { latency: "100 millis" })
      yield* run(again, 800, { concurrency: mine })
      expect(again.load.maxInFlight).toBe(3)
      expect(mine.snapshot()).toMatchObject({ mode: "fixed", limit: 3, inFlight: 0, floorMs: 100, latencyMs: 100 })
    })
  )

  it.effect("an HTTP 429 halves the concurrency and waits the Retry-After it names, past the window's remainder", () =>
    Effect.gen(function* () {
      yield* atNow
      const tooMany = toDeliveryError(
        new CampaignManagementError({
          operation: "ApplyOfflineConversions",
          trackingId: undefined,
          reason: new RateLimitError({
            code: 117,
            errorCode: "CallRateExceeded",
            detail: "HTTP 429 Too Many Requests",
            retryAfter: Duration.seconds(2)
          })
        })
      )
      const fake = makeFakeSender((call) => (call.call === 9 ? { _tag: "fail", failure: tooMany } : { _tag: "ok" }), {
        latency: "100 millis"
      })
      // A 1 s window: without the Retry-After of 2 s, the pause would end when the calls at 0 have left it (1.01 s).
      const limiter = RateLimiter.make({ window: "1 second" })
      const outcomes = yield* run(fake, 400, { rateLimiter: limiter })
      expect(outcomes.every((o) => o._tag === "Accepted")).toBe(true)
      expect(fake.calls).toHaveLength(41)
      const state = yield* limiter.state
      // Call 9 went out at 100 ms (the second round, 8 in flight) and its 429 came at 200 ms: everyone waits until 2.2 s.
      expect(state).toMatchObject({ throttles: 1, slowdowns: 1, pausedUntil: NOW + 2200 })
      // Latency was flat: the one back-off of the concurrency was the 429's.
      expect(state.concurrency).toMatchObject({ backoffs: 1, floorMs: 100, latencyMs: 100 })
      const later = fake.calls.filter((c) => c.at > NOW + 200)
      expect(later[0]!.at - NOW).toBe(2200)
    })
  )
})

describe("pacing after a 117 in delivery", () => {
  it.effect("learns the admitted rate, waits the rest of the window, paces to it: every batch delivered once", () =>
    Effect.gen(function* () {
      yield* atNow
      const service = recording(slidingWindow(4, 5000))
      const fake = makeFakeSender(service.answer, { latency: "100 millis" })
      const limiter = RateLimiter.make({ window: "5 seconds" })
      const outcomes = yield* run(fake, 200, { rateLimiter: limiter })
      expect(outcomes.map((o) => o._tag)).toEqual(Array(200).fill("Accepted"))
      const admitted = accepted(fake, service.answers)
      // Each of the 20 batches was admitted exactly once, and no window held more than the service admits.
      expect(admitted).toHaveLength(20)
      expect(new Set(admitted.map((c) => JSON.stringify(c.items[0]))).size).toBe(20)
      expect(
        busiestWindow(
          admitted.map((c) => c.at),
          5000
        )
      ).toBeLessThanOrEqual(4)
      // 117s only in the second round trip (the 8 calls sent at 100 ms, when the window was full); none once paced.
      const refused = fake.calls.filter((c) => service.answers.get(c.call) === "fail")
      expect(refused.map((c) => c.at - NOW)).toEqual(Array(8).fill(100))
      const state = yield* limiter.state
      expect(state).toMatchObject({ admittedPerWindow: 4, throttles: 8, slowdowns: 1, pausedUntil: NOW + 5150 })
      // Paced: the 16 batches after the burst start at the end of the pause — when the calls answered at 100 ms have
      // left the window — one every 5.05 s / 4, and each fourth waits for the call it replaces to have left.
      const paced = admitted.slice(4).map((c) => c.at - NOW)
      expect(paced.slice(0, 5)).toEqual([5150, 6413, 7676, 8939, 10_300])
      expect(paced.at(-1)).toBe(24_291)
    })
  )
})

describe("one limiter per customer, shared by the runs of a process", () => {
  it.effect(
    "with RateLimiters provided, a run of the same customer paces to what another run learnt; another customer does not",
    () =>
      Effect.gen(function* () {
        yield* atNow
        const service = recording(slidingWindow(4, 5000))
        const fake = makeFakeSender(service.answer, { latency: "100 millis" })
        const options = { rateLimitWindow: "5 seconds" } as const
        // The first run meets the limit and learns it.
        yield* run(fake, 100, { ...options, customerId: "1000001" })
        const learnt = yield* Effect.flatMap(RateLimiters, (limiters) => limiters.forCustomer("1000001"))
        expect((yield* learnt.state).admittedPerWindow).toBe(4)
        const refusedBefore = fake.calls.filter((c) => service.answers.get(c.call) === "fail").length
        // A second run of the same customer starts paced: no 117 of its own.
        const started = fake.calls.length
        const outcomes = yield* run(fake, 80, { ...options, customerId: "1000001" })
        expect(outcomes.every((o) => o._tag === "Accepted")).toBe(true)
        const second = fake.calls.slice(started)
        expect(second.filter((c) => service.answers.get(c.call) === "fail")).toHaveLength(0)
        expect(fake.calls.filter((c) => service.answers.get(c.call) === "fail")).toHaveLength(refusedBefore)
        // Another customer has a limiter of its own, which has learnt nothing.
        const other = yield* Effect.flatMap(RateLimiters, (limiters) => limiters.forCustomer("1000002"))
        expect(other).not.toBe(learnt)
        expect((yield* other.state).admittedPerWindow).toBeNull()
        const states = yield* Effect.flatMap(RateLimiters, (limiters) => limiters.states)
        expect(states.map((state) => state.customerId)).toEqual(["1000001", "1000002"])
      }).pipe(Effect.provide(RateLimiters.layer()))
  )
})
