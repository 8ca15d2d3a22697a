/**
 * `ConcurrencyLimit`: the adaptive limit's growth (slow start, then one per round trip, never while the caller keeps
 * it idle, never past its bound) and back-off (by the latency gradient, on a throttle, once per round trip), the
 * floor measured again at the minimum, and the permits (FIFO, woken by releases and growth, given up on stop, never
 * leaked on interruption). A fixed limit never moves.
 */
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Ref } from "effect"
import * as ConcurrencyLimit from "../../src/pipeline/concurrencyLimit.js"

/** A sample of a request sent at `startedAt` that took `rtt` ms with `inFlight` in flight. */
const sample = (startedAt: number, rtt: number, inFlight: number): ConcurrencyLimit.Sample => ({
  startedAt,
  endedAt: startedAt + rtt,
  inFlight
})

/** One round trip at the current limit, every request busy and answered in `rtt` ms, from `at`. */
const round = (limit: ConcurrencyLimit.ConcurrencyLimit, at: number, rtt: number) => {
  const n = limit.snapshot().limit
  for (let i = 0; i < n; i++) limit.succeeded(sample(at, rtt, n))
}

describe("ConcurrencyLimit.adaptive: growth", () => {
  it("starts at 4 and doubles every round trip while latency stays flat, up to its bound", () => {
    const limit = ConcurrencyLimit.adaptive({ max: 16 })
    const limits = [limit.snapshot().limit]
    for (let r = 0; r < 4; r++) {
      round(limit, r * 100, 100)
      limits.push(limit.snapshot().limit)
    }
    expect(limits).toEqual([4, 8, 16, 16, 16])
    expect(limit.snapshot()).toMatchObject({ mode: "adaptive", peak: 16, max: 16, backoffs: 0, floorMs: 100 })
  })

  it("does not grow while fewer than half its permits are busy (the caller, not the service, is the bottleneck)", () => {
    const limit = ConcurrencyLimit.adaptive()
    for (let i = 0; i < 20; i++) limit.succeeded(sample(i * 100, 100, 1))
    expect(limit.snapshot().limit).toBe(4)
    limit.succeeded(sample(2000, 100, 2))
    expect(limit.snapshot().limit).toBe(5)
  })

  it("after a back-off grows by one per round trip, not per answer", () => {
    const limit = ConcurrencyLimit.adaptive({ initial: 8 })
    limit.succeeded(sample(0, 100, 8))
    limit.throttled(100, 150)
    expect(limit.snapshot().limit).toBe(4)
    // 4 answers at a limit of 4: + 1/4 each, one more permit after the round trip.
    round(limit, 200, 100)
    expect(limit.snapshot().limit).toBe(5)
    round(limit, 300, 100)
    expect(limit.snapshot().limit).toBe(6)
  })
})

describe("ConcurrencyLimit.adaptive: back-off", () => {
  it("on latency growth multiplies by Envoy's gradient (minRTT + 25 %) / sampleRTT, at most halving", () => {
    const limit = ConcurrencyLimit.adaptive({ initial: 10 })
    limit.succeeded(sample(0, 200, 10))
    // 300 ms against a floor of 200: the gradient is 250 / 300.
    limit.succeeded(sample(300, 300, 10))
    expect(limit.snapshot()).toMatchObject({ limit: 9, backoffs: 1, floorMs: 200 })
    // Much slower answers never cut by more than half.
    const other = ConcurrencyLimit.adaptive({ initial: 10 })
    other.succeeded(sample(0, 200, 10))
    other.succeeded(sample(300, 2000, 10))
    expect(other.snapshot().limit).toBe(5)
  })

  it("backs off once per round trip: answers of requests sent before the back-off do not count again", () => {
    const limit = ConcurrencyLimit.adaptive({ initial: 16 })
    limit.succeeded(sample(0, 100, 16))
    // Sixteen slow answers of requests all sent at 1000: one back-off.
    for (let i = 0; i < 16; i++) limit.succeeded(sample(1000, 400, 16))
    expect(limit.snapshot()).toMatchObject({ limit: 8, backoffs: 1 })
    // A request sent after that back-off and still slow: another.
    limit.succeeded(sample(1500, 400, 8))
    expect(limit.snapshot()).toMatchObject({ limit: 4, backoffs: 2 })
  })

  it("a throttle (117 or HTTP 429) halves the limit once per episode", () => {
    const limit = ConcurrencyLimit.adaptive({ initial: 12 })
    limit.throttled(0, 50)
    limit.throttled(10, 60)
    limit.throttled(20, 70)
    expect(limit.snapshot()).toMatchObject({ limit: 6, backoffs: 1 })
    limit.throttled(100, 120)
    expect(limit.snapshot()).toMatchObject({ limit: 3, backoffs: 2 })
    for (let i = 0; i < 5; i++) limit.throttled(1000 + i * 100, 1050 + i * 100)
    expect(limit.snapshot().limit).toBe(1)
  })

  it("treats the latency floor's first 10 ms as noise (a 25 % buffer of a 4 ms floor is 1 ms)", () => {
    const limit = ConcurrencyLimit.adaptive({ initial: 4 })
    limit.succeeded(sample(0, 4, 4))
    limit.succeeded(sample(10, 14, 4))
    expect(limit.snapshot().backoffs).toBe(0)
    limit.succeeded(sample(30, 15, 4))
    expect(limit.snapshot().backoffs).toBe(1)
  })

  it("measures the floor again after 5 answers at the minimum limit, then grows again", () => {
    const limit = ConcurrencyLimit.adaptive({ initial: 2 })
    limit.succeeded(sample(0, 100, 2))
    limit.succeeded(sample(100, 400, 2))
    expect(limit.snapshot().limit).toBe(1)
    // The service is now slower for good: 400 ms even one at a time.
    for (let i = 0; i < 4; i++) limit.succeeded(sample(600 + i * 400, 400, 1))
    expect(limit.snapshot()).toMatchObject({ limit: 1, floorMs: 100 })
    limit.succeeded(sample(2200, 400, 1))
    expect(limit.snapshot().floorMs).toBe(400)
    limit.succeeded(sample(2600, 400, 1))
    limit.succeeded(sample(3000, 400, 1))
    expect(limit.snapshot().limit).toBe(2)
  })

  it("reports the median latency of the last answers", () => {
    const limit = ConcurrencyLimit.adaptive()
    for (const rtt of [100, 120, 110]) limit.succeeded(sample(0, rtt, 4))
    expect(limit.snapshot().latencyMs).toBe(110)
  })
})

describe("ConcurrencyLimit permits", () => {
  it.effect("hold callers beyond the limit in order, and let them in as permits come back or the limit grows", () =>
    Effect.gen(function* () {
      const limit = ConcurrencyLimit.adaptive({ initial: 2, max: 8 })
      expect(yield* limit.acquire(undefined)).toBe(1)
      expect(yield* limit.acquire(undefined)).toBe(2)
      const order = yield* Ref.make<Array<string>>([])
      const waiter = (name: string) =>
        Effect.fork(
          Effect.zipRight(
            limit.acquire(undefined),
            Ref.update(order, (o) => [...o, name])
          )
        )
      const a = yield* waiter("a")
      const b = yield* waiter("b")
      const c = yield* waiter("c")
      yield* Effect.yieldNow()
      expect(yield* Ref.get(order)).toEqual([])
      limit.release()
      yield* Fiber.join(a)
      expect(yield* Ref.get(order)).toEqual(["a"])
      // Growth (two busy permits answered fast, in slow start) lets the others in without a release.
      limit.succeeded(sample(0, 100, 2))
      limit.succeeded(sample(0, 100, 2))
      yield* Fiber.join(b)
      yield* Fiber.join(c)
      expect(yield* Ref.get(order)).toEqual(["a", "b", "c"])
      expect(limit.snapshot().inFlight).toBe(4)
    })
  )

  it.effect("a batch sent again goes first in line: it was sent before the batches waiting behind it", () =>
    Effect.gen(function* () {
      const limit = ConcurrencyLimit.fixed(1)
      yield* limit.acquire(undefined)
      const order = yield* Ref.make<Array<string>>([])
      const waiter = (name: string, retry: boolean) =>
        Effect.fork(
          Effect.zipRight(
            limit.acquire(undefined, retry),
            Effect.zipRight(
              Ref.update(order, (o) => [...o, name]),
              Effect.sync(() => limit.release())
            )
          )
        )
      const fibers = [yield* waiter("new 1", false), yield* waiter("new 2", false)]
      yield* Effect.yieldNow()
      fibers.push(yield* waiter("retry", true))
      yield* Effect.yieldNow()
      limit.release()
      for (const fiber of fibers) yield* Fiber.join(fiber)
      expect(yield* Ref.get(order)).toEqual(["retry", "new 1", "new 2"])
    })
  )

  it.effect("a caller waiting for a permit gives up when the run's stop signal aborts, holding none", () =>
    Effect.gen(function* () {
      const limit = ConcurrencyLimit.adaptive({ initial: 1 })
      yield* limit.acquire(undefined)
      const stop = new AbortController()
      const waiting = yield* Effect.fork(limit.acquire(stop.signal))
      yield* Effect.yieldNow()
      stop.abort()
      expect(yield* Fiber.join(waiting)).toBe(0)
      limit.release()
      expect(limit.snapshot().inFlight).toBe(0)
      expect(yield* limit.acquire(stop.signal)).toBe(0)
    })
  )

  it.effect("withPermit gives the permit back however the effect ends, interruption included", () =>
    Effect.gen(function* () {
      const limit = ConcurrencyLimit.adaptive({ initial: 1 })
      const started = yield* Deferred.make<void>()
      const held = yield* Effect.fork(
        ConcurrencyLimit.withPermit(
          limit,
          undefined,
          () => Effect.zipRight(Deferred.succeed(started, undefined), Effect.never),
          Effect.void
        )
      )
      yield* Deferred.await(started)
      expect(limit.snapshot().inFlight).toBe(1)
      // A second caller waits; interrupting both leaves no permit taken and no waiter behind.
      const waiting = yield* Effect.fork(ConcurrencyLimit.withPermit(limit, undefined, () => Effect.void, Effect.void))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(held)
      yield* Fiber.interrupt(waiting)
      expect(limit.snapshot().inFlight).toBe(0)
      const failed = yield* Effect.either(
        ConcurrencyLimit.withPermit(limit, undefined, () => Effect.fail("boom"), Effect.void)
      )
      expect(failed._tag).toBe("Left")
      expect(limit.snapshot().inFlight).toBe(0)
      expect(yield* ConcurrencyLimit.withPermit(limit, undefined, (n) => Effect.succeed(n), Effect.succeed(-1))).toBe(1)
    })
  )
})

describe("ConcurrencyLimit.fixed", () => {
  it.effect("is exactly n whatever happens, and counts requests in flight", () =>
    Effect.gen(function* () {
      const limit = ConcurrencyLimit.fixed(3)
      limit.succeeded(sample(0, 100, 3))
      limit.succeeded(sample(100, 5000, 3))
      limit.throttled(200, 300)
      expect(limit.snapshot()).toMatchObject({ mode: "fixed", limit: 3, max: 3, backoffs: 0, floorMs: 100 })
      expect(yield* limit.acquire(undefined)).toBe(1)
      expect(limit.snapshot().inFlight).toBe(1)
    })
  )
})
