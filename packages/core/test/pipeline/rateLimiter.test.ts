/**
 * The customer's rate limiter under TestClock: unpaced until a 117; a 117 learns what the window admitted from the
 * calls before it, pauses everyone for at most the rest of the window (or the service's Retry-After), then paces to
 * that rate without ever putting more calls into a window; 117 episodes, stragglers, growth after quiet windows,
 * the concurrency it halves, waits it announces, and the registries.
 */
import { describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, Fiber, TestClock } from "effect"
import { RateLimiters } from "../../src/index.js"
import * as RateLimiter from "../../src/pipeline/rateLimiter.js"
import { driveClock } from "../support/ClockDriver.js"
import { busiestWindow } from "./support.js"

/** Starts `count` calls one after the other, each succeeding at once; answers their start times. */
const succeedCalls = (limiter: RateLimiter.RateLimiter, count: number) =>
  Effect.gen(function* () {
    const times: Array<number> = []
    for (let i = 0; i < count; i++) {
      const call = (yield* limiter.begin(undefined))!
      times.push(call.at)
      yield* limiter.succeeded(call)
    }
    return times
  })

/** Starts one call at the current time and has it refused with 117 (after `retryAfter`, when given). */
const refusedCall = (limiter: RateLimiter.RateLimiter, retryAfter?: Duration.Duration) =>
  Effect.gen(function* () {
    const call = (yield* limiter.begin(undefined))!
    yield* limiter.rateLimited(retryAfter, call)
    return call
  })

/** Runs `effect`, moving the clock to each wake-up until it is done. */
const drive = <A>(effect: Effect.Effect<A>) => driveClock(effect)

describe("RateLimiter", () => {
  it.effect("is unpaced until a 117", () =>
    Effect.gen(function* () {
      const limiter = RateLimiter.make()
      expect(yield* succeedCalls(limiter, 50)).toEqual(Array(50).fill(0))
      expect(yield* limiter.state).toMatchObject({ admittedPerWindow: null, callsPerMinute: null, throttles: 0 })
    })
  )

  it.effect("a 117 learns what the window admitted, waits only the rest of it, then paces to that rate", () =>
    Effect.gen(function* () {
      const limiter = RateLimiter.make({ window: "5 seconds" })
      // Four calls admitted at 0, 1, 2 and 3 s; the fifth, at 4.5 s, is refused.
      for (let i = 0; i < 4; i++) {
        yield* succeedCalls(limiter, 1)
        yield* TestClock.adjust("1 second")
      }
      yield* TestClock.adjust("500 millis")
      yield* refusedCall(limiter)
      // Admitted: 4 per 5 s. Paused until the call at 0 leaves the window (5 s, plus the 1 % margin), not 5 s from now.
      expect(yield* limiter.state).toMatchObject({
        admittedPerWindow: 4,
        callsPerMinute: 48,
        pausedUntil: 5050,
        throttles: 1,
        slowdowns: 1
      })
      const times = yield* drive(succeedCalls(limiter, 6))
      // One call every 1.26 s (5 s and the margin, over 4) from the end of the pause: paced, not a burst of four.
      expect(times).toEqual([5050, 6313, 7576, 8839, 10_102, 11_365])
      expect(busiestWindow([0, 1000, 2000, 3000, ...times], 5000)).toBeLessThanOrEqual(4)
      expect((yield* limiter.state).waitedMs).toEqual({ rateLimited: 550, paced: 5 * 1263 })
    })
  )

  it.effect("never lets more calls into a window than it admitted, however the calls before were spread", () =>
    Effect.gen(function* () {
      const limiter = RateLimiter.make({ window: "5 seconds" })
      yield* succeedCalls(limiter, 1)
      yield* TestClock.adjust("4900 millis")
      yield* succeedCalls(limiter, 3)
      yield* TestClock.adjust("90 millis")
      yield* refusedCall(limiter)
      expect(yield* limiter.state).toMatchObject({ admittedPerWindow: 4, pausedUntil: 5050 })
      const times = yield* drive(succeedCalls(limiter, 4))
      // The pause ends when the call at 0 has left the window; the next call is spaced 1.26 s from the last one
      // (6.163 s). Spaced again, the one after would be at 7.426 s, but the three calls at 4.9 s are still in its
      // window: it waits until they have left too.
      expect(times).toEqual([6163, 9950, 11_213, 12_476])
      expect(busiestWindow([0, 4900, 4900, 4900, ...times], 5000)).toBeLessThanOrEqual(4)
    })
  )

  it.effect("honours the service's Retry-After as it is, longer or shorter than the rest of the window", () =>
    Effect.gen(function* () {
      const longer = RateLimiter.make({ window: "5 seconds" })
      yield* succeedCalls(longer, 2)
      yield* refusedCall(longer, Duration.seconds(20))
      expect((yield* longer.state).pausedUntil).toBe(20_000)
      const shorter = RateLimiter.make({ window: "60 seconds" })
      yield* succeedCalls(shorter, 2)
      yield* TestClock.adjust("30 seconds")
      yield* refusedCall(shorter, Duration.seconds(1))
      const state = yield* shorter.state
      expect(state.pausedUntil).toBe(31_000)
      expect(state.admittedPerWindow).toBe(2)
    })
  )

  it.effect(
    "a 117 with none of our calls in the window waits the whole window from the refused call, learns nothing",
    () =>
      Effect.gen(function* () {
        const limiter = RateLimiter.make({ window: "60 seconds" })
        yield* refusedCall(limiter)
        expect(yield* limiter.state).toMatchObject({ pausedUntil: 60_000, admittedPerWindow: null, slowdowns: 1 })
        const times = yield* drive(succeedCalls(limiter, 3))
        expect(times).toEqual([60_000, 60_000, 60_000])
      })
  )

  it.effect("117s of calls started before the pause ended are one episode; calls in flight count until refused", () =>
    Effect.gen(function* () {
      const limiter = RateLimiter.make({ window: "10 seconds" })
      // Six calls sent together: two answered, then three 117s (in any order), one still in flight.
      const calls = []
      for (let i = 0; i < 6; i++) calls.push((yield* limiter.begin(undefined))!)
      yield* TestClock.adjust("100 millis")
      for (const call of calls.slice(0, 2)) yield* limiter.succeeded(call)
      yield* limiter.rateLimited(undefined, calls[3])
      // At the first 117 every call sent and not refused counts: five.
      expect(yield* limiter.state).toMatchObject({ admittedPerWindow: 5, slowdowns: 1, throttles: 1 })
      yield* limiter.rateLimited(undefined, calls[5])
      yield* limiter.rateLimited(undefined, calls[2])
      // Those two were not admitted either; call 4 was.
      yield* limiter.succeeded(calls[4]!)
      expect(yield* limiter.state).toMatchObject({
        admittedPerWindow: 3,
        slowdowns: 1,
        throttles: 3,
        pausedUntil: 10_100
      })
      expect((yield* limiter.state).concurrency).toMatchObject({ limit: 2, backoffs: 1 })
      // The calls answered at 100 ms may have been counted by the service as late as that: the next call waits until
      // the first of them has left the window (10.2 s), a little after the pause.
      const later = (yield* drive(limiter.begin(undefined)))!
      expect(later.at).toBe(10_200)
    })
  )

  it.effect("a 117 while paced at the learnt rate keeps calls further apart (the margin doubles, up to 10 %)", () =>
    Effect.gen(function* () {
      const limiter = RateLimiter.make({ window: "10 seconds" })
      yield* succeedCalls(limiter, 2)
      yield* refusedCall(limiter)
      // Paced at 2 per 10.1 s (a margin of 100 ms): calls at 10.1 s and 15.15 s.
      expect(yield* drive(succeedCalls(limiter, 2))).toEqual([10_100, 15_150])
      // The next call fits our view of the window at 20.2 s, but the service refuses it (its clock saw our calls later).
      const edge = (yield* drive(limiter.begin(undefined)))!
      expect(edge.at).toBe(20_200)
      yield* limiter.rateLimited(undefined, edge)
      // The window holds the call of 15.15 s: the pause ends when it has left, by the doubled margin of 200 ms.
      expect(yield* limiter.state).toMatchObject({ pausedUntil: 25_350, admittedPerWindow: 1, slowdowns: 2 })
    })
  )

  it.effect("after 20 windows without a 117 the admitted rate grows by one call per window", () =>
    Effect.gen(function* () {
      const limiter = RateLimiter.make({ window: "1 second" })
      yield* succeedCalls(limiter, 3)
      yield* refusedCall(limiter)
      expect((yield* limiter.state).admittedPerWindow).toBe(3)
      yield* TestClock.adjust("19 seconds")
      expect((yield* limiter.state).admittedPerWindow).toBe(3)
      yield* TestClock.adjust("1 second")
      expect((yield* limiter.state).admittedPerWindow).toBe(4)
      yield* TestClock.adjust("2 seconds")
      expect((yield* limiter.state).admittedPerWindow).toBe(6)
    })
  )

  it.effect("a 117 while a caller waits for its slot gives the slot up: the caller waits for the pause", () =>
    Effect.gen(function* () {
      const limiter = RateLimiter.make({ window: "10 seconds" })
      yield* succeedCalls(limiter, 2)
      yield* refusedCall(limiter)
      // Paced at 2 per 10 s after the pause, which ends at 10.1 s.
      const first = (yield* drive(limiter.begin(undefined)))!
      expect(first.at).toBe(10_100)
      // The next slot is at 15.1 s.
      const waiting = yield* Effect.fork(Effect.zipRight(limiter.begin(undefined), Clock.currentTimeMillis))
      yield* TestClock.adjust("1 second")
      // The call of 10.1 s is refused with none of ours left in its window: a pause until 20.1 s, past that slot.
      yield* limiter.rateLimited(undefined, first)
      expect((yield* limiter.state).pausedUntil).toBe(20_100)
      yield* TestClock.adjust("30 seconds")
      expect(yield* Fiber.join(waiting)).toBe(20_100)
    })
  )

  it.effect("begin announces its waits and gives up when the run stops", () =>
    Effect.gen(function* () {
      const limiter = RateLimiter.make({ window: "60 seconds" })
      yield* limiter.rateLimited()
      const stop = new AbortController()
      const waits: Array<[string, number]> = []
      const call = yield* limiter.begin(stop.signal, (reason, millis) =>
        Effect.sync(() => {
          waits.push([reason, millis])
          stop.abort()
        })
      )
      expect(call).toBeUndefined()
      expect(waits).toEqual([["rateLimited", 60_000]])
      expect(yield* Clock.currentTimeMillis).toBe(0)
    })
  )

  it.effect("RateLimiters hands out one limiter per customer and lists their states", () =>
    Effect.gen(function* () {
      const limiters = yield* RateLimiters
      const a1 = yield* limiters.forCustomer("1000001")
      const a2 = yield* limiters.forCustomer("1000001", { window: "5 seconds" })
      const b = yield* limiters.forCustomer("1000002", { maxConcurrency: 8 })
      expect(a1).toBe(a2)
      expect(a1).not.toBe(b)
      expect(a1.windowMs).toBe(30_000)
      const states = yield* limiters.states
      expect(states.map((s) => [s.customerId, s.windowMs, s.concurrency.max])).toEqual([
        ["1000001", 30_000, 16],
        ["1000002", 30_000, 8]
      ])
      expect(RateLimiter.liveStates().some((state) => state.customerId === "1000002")).toBe(true)
    }).pipe(Effect.provide(RateLimiters.layer({ window: "30 seconds" })))
  )
})
