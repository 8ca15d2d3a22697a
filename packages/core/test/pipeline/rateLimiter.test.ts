import { describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, Fiber, TestClock } from "effect"
import { RateLimiter, RateLimiters } from "../../src/pipeline/index.js"

/** Starts `count` acquires one after the other and returns the clock time each was granted. */
const grants = (limiter: RateLimiter.RateLimiter, count: number) =>
  Effect.gen(function* () {
    const times: Array<number> = []
    for (let i = 0; i < count; i++) {
      yield* limiter.acquire
      times.push(yield* Clock.currentTimeMillis)
    }
    return times
  })

describe("RateLimiter", () => {
  it.effect("is unlimited until a 117", () =>
    Effect.gen(function* () {
      const limiter = RateLimiter.make()
      expect(yield* grants(limiter, 50)).toEqual(Array(50).fill(0))
      expect((yield* limiter.state).callsPerMinute).toBeNull()
    })
  )

  it.effect("after a 117 pauses everyone for the wait, then spaces calls at half the observed rate", () =>
    Effect.gen(function* () {
      const limiter = RateLimiter.make({ rateLimitWait: "60 seconds" })
      yield* grants(limiter, 20)
      yield* limiter.rateLimited()
      expect(yield* limiter.state).toEqual({ callsPerMinute: 10, pausedUntil: 60_000, slowdowns: 1 })
      const fiber = yield* Effect.fork(grants(limiter, 3))
      yield* TestClock.adjust("59 seconds")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("20 seconds")
      expect(yield* Fiber.join(fiber)).toEqual([60_000, 66_000, 72_000])
    })
  )

  it.effect("one 117 episode lowers the rate once, however many callers report it", () =>
    Effect.gen(function* () {
      const limiter = RateLimiter.make()
      yield* grants(limiter, 40)
      yield* Effect.all([limiter.rateLimited(), limiter.rateLimited(), limiter.rateLimited()], { concurrency: 3 })
      const state = yield* limiter.state
      expect(state.callsPerMinute).toBe(20)
      expect(state.slowdowns).toBe(1)
    })
  )

  it.effect("honours the service's Retry-After and recovers after successes", () =>
    Effect.gen(function* () {
      const limiter = RateLimiter.make({ maxCallsPerMinute: 8, recoveryFactor: 2 })
      yield* TestClock.adjust("1 minute")
      yield* limiter.rateLimited(Duration.seconds(5))
      const slowed = yield* limiter.state
      expect(slowed.pausedUntil).toBe(65_000)
      expect(slowed.callsPerMinute).toBe(1)
      yield* limiter.succeeded
      yield* limiter.succeeded
      expect((yield* limiter.state).callsPerMinute).toBe(4)
      yield* limiter.succeeded
      yield* limiter.succeeded
      expect((yield* limiter.state).callsPerMinute).toBe(8)
    })
  )

  it.effect("without a ceiling, a recovered rate is lifted altogether", () =>
    Effect.gen(function* () {
      const limiter = RateLimiter.make({ recoveryFactor: 10 })
      yield* grants(limiter, 10)
      yield* limiter.rateLimited()
      expect((yield* limiter.state).callsPerMinute).toBe(5)
      for (let i = 0; i < 4; i++) yield* limiter.succeeded
      expect((yield* limiter.state).callsPerMinute).toBeNull()
    })
  )

  it.effect("a 117 while a caller waits for its slot makes it wait for the pause", () =>
    Effect.gen(function* () {
      const limiter = RateLimiter.make({ maxCallsPerMinute: 2 })
      yield* limiter.acquire
      const fiber = yield* Effect.fork(Effect.zipRight(limiter.acquire, Clock.currentTimeMillis))
      yield* TestClock.adjust("10 seconds")
      yield* limiter.rateLimited()
      yield* TestClock.adjust("2 minutes")
      expect(yield* Fiber.join(fiber)).toBe(70_000)
    })
  )

  it.effect("with a shorter throttling window, counts the calls of that window and paces within it", () =>
    Effect.gen(function* () {
      const limiter = RateLimiter.make({ rateLimitWait: "2 seconds", window: "2 seconds" })
      yield* grants(limiter, 4)
      yield* TestClock.adjust("1 second")
      yield* limiter.rateLimited()
      // 4 calls in the last 2 s is 120 a minute: half of it is 60 a minute, one call a second after the pause.
      expect(yield* limiter.state).toEqual({ callsPerMinute: 60, pausedUntil: 3000, slowdowns: 1 })
      const fiber = yield* Effect.fork(grants(limiter, 3))
      yield* TestClock.adjust("10 seconds")
      expect(yield* Fiber.join(fiber)).toEqual([3000, 4000, 5000])
    })
  )

  it.effect("acquireUnlessStopped announces its waits and gives up when the run stops", () =>
    Effect.gen(function* () {
      const limiter = RateLimiter.make({ rateLimitWait: "60 seconds" })
      yield* limiter.acquire
      yield* limiter.rateLimited()
      const stop = new AbortController()
      const waits: Array<[string, number]> = []
      const acquired = yield* limiter.acquireUnlessStopped(stop.signal, (reason, millis) =>
        Effect.sync(() => {
          waits.push([reason, millis])
          stop.abort()
        })
      )
      expect(acquired).toBe(false)
      expect(waits).toEqual([["rateLimited", 60_000]])
      expect(yield* Clock.currentTimeMillis).toBe(0)
    })
  )

  it.effect("RateLimiters hands out one limiter per customer", () =>
    Effect.gen(function* () {
      const limiters = yield* RateLimiters
      const a1 = yield* limiters.forCustomer("1000001")
      const a2 = yield* limiters.forCustomer("1000001")
      const b = yield* limiters.forCustomer("1000002")
      expect(a1).toBe(a2)
      expect(a1).not.toBe(b)
    }).pipe(Effect.provide(RateLimiters.layer()))
  )
})
